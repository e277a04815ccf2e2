"""Online backup and restore of the database file, with erasures re-applied on restore.

A backup holds the database only. The master key (or HOMEWARD_MASTER_KEY) and the erasure
ledger (DATA_DIR/erasures.log) live outside it on purpose: a stolen backup without the key
is ciphertext, and the ledger makes every restore destroy again the keys of patients erased
after the backup was taken.
"""
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from . import db as storage
from ..clock import to_db
from .erasure import reapply_erasures
from .migrations import migrations
from ..records.registry.pseudonyms import ensure_pseudonym_key
from .vault import Vault


class BackupError(Exception):
    """Nothing was changed; the message says why and what to do."""


@dataclass
class BackupReport:
    path: Path
    size_bytes: int
    seconds: float


@dataclass
class RestoreReport:
    backup: Path
    database: Path
    moved_aside: list[Path] = field(default_factory=list)
    migrations_applied: list[str] = field(default_factory=list)
    erasures_reapplied: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _temp_beside(path: Path, purpose: str) -> Path:
    return path.with_name(f"{path.name}.{purpose}-{secrets.token_hex(4)}")


def _remove_with_sidecars(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        candidate.unlink(missing_ok=True)


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    """SQLite's backup API in one step: a consistent snapshot under a read transaction,
    while other connections go on writing (WAL lets them)."""
    storage.create_private(target)  # private from the first byte, not after the copy
    destination = sqlite3.connect(str(target), isolation_level=None)
    try:
        source.backup(destination)
        # A backup is one self-contained file: no WAL to forget when copying it around.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


def check_integrity(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database: {error}.") from None
    if rows != ["ok"]:
        raise BackupError(f"{path} failed its integrity check: {'; '.join(rows[:5])}.")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(config, target: Path, *, force: bool = False) -> BackupReport:
    target = Path(target).expanduser().absolute()
    if target.resolve() == config.database_path.resolve():
        raise BackupError("The backup path is the live database itself; choose another.")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; choose a new name or pass --force.")
    if not config.database_path.exists():
        raise BackupError(f"There is no database at {config.database_path} to back up.")
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    temp = _temp_beside(target, "partial")
    source = storage.connect(config.database_path)
    try:
        _copy_database(source.conn, temp)
        check_integrity(temp)
        os.chmod(temp, 0o600)  # names and answers are sealed, but ids and times are not
        _fsync(temp)
        os.replace(temp, target)  # a crash leaves the old backup or the new, never half
    finally:
        source.close()
        _remove_with_sidecars(temp)
    return BackupReport(target, target.stat().st_size, time.monotonic() - started)


def applied_migrations(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            [migrations.name])]
    except sqlite3.OperationalError:
        raise BackupError(f"{path} is not a Homeward database (it has no migration "
                          "record).") from None
    finally:
        connection.close()


def known_migrations() -> set[str]:
    # Every migration this version ships is pending on an empty database.
    return {migration.name for migration in migrations.pending(sqlite_utils.Database(
        memory=True))}


def live_scheduler_lease(config, now):
    """The scheduler lease if one is live in the current database, else None."""
    from alerts import lease
    from alerts.scheduler import LEASE_NAME

    if not config.database_path.exists():
        return None
    try:
        database = storage.connect(config.database_path)
        try:
            current = lease.read(database, LEASE_NAME)
        finally:
            database.close()
    except sqlite3.Error:
        return None  # a database too broken to read is what restores are for
    return current if current and current.is_live(now) else None


def restore(config, source: Path, clock, *, force: bool = False) -> RestoreReport:
    """Replace the database with `source`, bring it up to date and re-apply erasures.

    Everything happens on a copy beside the database; the live file is swapped only when
    the copy has passed every step, so a failure leaves the current database as it was.
    """
    source = Path(source).expanduser().absolute()
    database_path = config.database_path
    started = time.monotonic()
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    if database_path.exists() and source.resolve() == database_path.resolve():
        raise BackupError("That is the live database itself, not a backup.")
    check_integrity(source)
    known = known_migrations()
    unknown = [name for name in applied_migrations(source) if name not in known]
    if unknown:
        raise BackupError(f"The backup was made by a newer Homeward (it has migration "
                          f"{unknown[0]}, which this version does not know); upgrade first.")
    holding = live_scheduler_lease(config, clock.now())
    if holding and not force:
        raise BackupError(f"A scheduler holds its lease (held by {holding.holder} until "
                          f"{holding.expires_at.isoformat()}); stop every `homeward "
                          "scheduler` and `homeward serve` first, or pass --force.")

    database_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    report = RestoreReport(source, database_path)
    staged = _temp_beside(database_path, "restoring")
    try:
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            _copy_database(reader, staged)
        finally:
            reader.close()
        os.chmod(staged, 0o600)
        database = storage.connect(staged)
        try:
            report.migrations_applied = storage.migrate(database)
            # Raises before anything is swapped if the key here does not open this backup.
            vault = Vault.open(config, database, clock)
            with storage.write_transaction(database):
                report.erasures_reapplied = reapply_erasures(config, vault, database,
                                                             clock.now())
                # A backup from before registry exports: its pseudonyms start here.
                ensure_pseudonym_key(database, vault, clock.now())
                # The backup's lease row describes a process from another time.
                database.execute("DELETE FROM leases")
            database.execute("PRAGMA journal_mode=DELETE")
        finally:
            database.close()
        check_integrity(staged)
        _fsync(staged)
        report.moved_aside = _move_aside(database_path, clock.now())
        os.replace(staged, database_path)
    finally:
        _remove_with_sidecars(staged)
    report.seconds = time.monotonic() - started
    return report


def _move_aside(database_path: Path, now) -> list[Path]:
    """Keep the replaced database, with its WAL (which may hold its latest commits)."""
    if not database_path.exists():
        return []
    stamp = to_db(now)[:19].replace("-", "").replace(":", "") + "Z"
    aside = database_path.with_name(f"{database_path.name}.before-restore-{stamp}")
    number = 1
    while aside.exists():  # two restores within one second must not overwrite the first
        number += 1
        aside = database_path.with_name(f"{database_path.name}.before-restore-{stamp}-{number}")
    moved = []
    for suffix in ("", "-wal"):
        current = Path(f"{database_path}{suffix}")
        if current.exists():
            target = Path(f"{aside}{suffix}")  # SQLite finds "<name>-wal" beside "<name>"
            os.replace(current, target)
            os.chmod(target, storage.PRIVATE)  # an older version's file may be 0644
            moved.append(target)
    Path(f"{database_path}-shm").unlink(missing_ok=True)  # rebuilt from the WAL on open
    return moved
