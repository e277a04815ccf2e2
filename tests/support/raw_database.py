"""The database as a thief copying the data folder would find it: the file and its WAL."""


def raw_database_bytes(db, database_path) -> bytes:
    """Every byte of the database file, its -wal and its -shm, after a checkpoint moved the
    WAL into the file (so a value is looked for where it really rests)."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = database_path.read_bytes()
    for suffix in ("-wal", "-shm"):
        extra = database_path.with_name(database_path.name + suffix)
        if extra.exists():
            raw += extra.read_bytes()
    assert raw  # the file really was read
    return raw
