"""What the alerts room needs of SQLite beyond sqlite-utils: a write transaction that takes
the lock up front, and times stored the way every room stores them."""
from contextlib import contextmanager
from datetime import datetime, timezone


@contextmanager
def immediate(db):
    """BEGIN IMMEDIATE, or join the caller's transaction (an alert's notifications commit
    with the alert). Taking the write lock first means a read-then-write never fails
    half-way with SQLITE_BUSY, which a deferred transaction cannot wait out."""
    conn = db.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def utc(moment: datetime) -> str:
    """Fixed-width UTC text, so SQL compares instants as strings (as server.clock.to_db);
    this room must not import server."""
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
