"""Opening the SQLite database the way every process of Homeward must.

One connection per request and per job: SQLite connections are cheap, and sharing one across
threads is how "database is locked" and half-seen transactions creep in.
"""
import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 10_000


PRIVATE = 0o600
SIDECARS = ("-wal", "-shm", "-journal")


def create_private(path: Path | str) -> None:
    """Make sure `path` exists readable by its owner only, before anything is written to
    it: SQLite gives the WAL and shared-memory files the database file's mode, so a database
    created here keeps all three 0600 whatever the umask. A file an older version left
    readable by others (0644) is tightened, with its sidecars. One stat when all is well:
    every request opens a connection."""
    try:
        loose = os.stat(path).st_mode & 0o077
    except FileNotFoundError:
        os.close(os.open(str(path), os.O_CREAT | os.O_WRONLY, PRIVATE))
        return
    if not loose:
        return
    for candidate in (str(path), *(f"{path}{suffix}" for suffix in SIDECARS)):
        try:
            os.chmod(candidate, PRIVATE)
        except FileNotFoundError:
            pass
        except PermissionError:
            logging.getLogger("homeward.db").warning(
                "%s is readable by others and not ours to change: run `chmod 600 %s`.",
                candidate, candidate)


def connect(path: Path | str) -> sqlite_utils.Database:
    create_private(path)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # WAL with NORMAL loses at most the last commits on power loss, never corrupts; FULL
    # makes every accepted entry durable before the push answers, which the protocol promises.
    conn.execute("PRAGMA synchronous=FULL")
    return sqlite_utils.Database(conn)


# Threads of one process queue for the write lock here first. SQLite's own busy handler
# polls, sleeping up to 100 ms between tries, so a thread that waits behind a 300 ms push
# wakes long after the lock was free (bench/RESULTS.md); a lock that hands over at once
# keeps the writer's queue moving. Other processes still meet at SQLite's lock. Reentrant,
# and waited for no longer than SQLite would wait, so nothing can block here for good.
_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(conn) -> threading.RLock:
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(path, threading.RLock())


@contextmanager
def write_transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE: take the write lock up front so a transaction that reads and then
    writes never fails half-way with SQLITE_BUSY (a deferred one cannot wait for the lock)."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    writers = _writer_lock(conn)
    queued = writers.acquire(timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
    finally:
        if queued:
            writers.release()


@contextmanager
def read_snapshot(db: sqlite_utils.Database):
    """One consistent view for several reads: a deferred transaction that only reads, so
    in WAL mode it waits for nobody and nobody waits for it. What is read here may be stale
    by the time a write transaction begins; callers read again what they must."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN")
    try:
        yield db
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")  # nothing was written: it ends the snapshot


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations up to the first that has values to seal with the patients'
    keys (it runs from Vault.open, through migrate_with_keys); returns the names applied."""
    from .migrations import KEYED_STEPS, migrations, waits_for_keys

    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db, stop_before=[name for name in KEYED_STEPS
                                      if name in pending and waits_for_keys(db, name)])
    left = {m.name for m in migrations.pending(db)}
    return [name for name in pending if name not in left]


def migrate_with_keys(db: sqlite_utils.Database, vault) -> list[str]:
    """Apply every pending migration, sealing with `vault`; returns the names applied."""
    from .migrations import migrations, sealing_with

    pending = [m.name for m in migrations.pending(db)]
    if pending:
        with sealing_with(vault):
            migrations.apply(db)
    return pending
