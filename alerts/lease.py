"""A named lease in the database, so that only one scheduler acts at a time.

Every change is one conditional statement inside BEGIN IMMEDIATE: two processes racing for
a free or expired lease serialise on SQLite's write lock, and the loser's UPDATE matches no
row. Times are stored as fixed-width UTC strings (as server.clock.to_db writes them), so the
SQL comparisons below compare instants.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from .storage import immediate, utc


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime

    def is_live(self, now: datetime) -> bool:
        return self.expires_at > now

    def was_released(self) -> bool:
        """A clean shutdown ends the lease at its last heartbeat; a crash leaves it running
        until the time-to-live runs out."""
        return self.expires_at <= self.heartbeat_at


def acquire(db, name: str, holder: str, now: datetime, ttl_seconds: float) -> bool:
    """Take the lease if it is free, expired or already ours; True if we hold it now."""
    stamp, expires = utc(now), utc(now + timedelta(seconds=ttl_seconds))
    with immediate(db):
        inserted = db.execute(
            "INSERT OR IGNORE INTO leases (name, holder, acquired_at, heartbeat_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)", [name, holder, stamp, stamp, expires]).rowcount
        if inserted:
            return True
        # acquired_at keeps the start of an unbroken holding, so health can tell a
        # take-over from a renewal.
        updated = db.execute(
            "UPDATE leases SET acquired_at = CASE WHEN holder = ? THEN acquired_at ELSE ? END, "
            "holder = ?, heartbeat_at = ?, expires_at = ? "
            "WHERE name = ? AND (holder = ? OR expires_at <= ?)",
            [holder, stamp, holder, stamp, expires, name, holder, stamp]).rowcount
        return updated == 1


def renew(db, name: str, holder: str, now: datetime, ttl_seconds: float) -> bool:
    """Extend a lease we hold; False if another holder took it (we must stop acting).

    A lease of ours that expired but that nobody took is renewed: no one else can have
    acted in between, because taking it over would have changed the holder.
    """
    stamp, expires = utc(now), utc(now + timedelta(seconds=ttl_seconds))
    with immediate(db):
        updated = db.execute(
            "UPDATE leases SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND holder = ?",
            [stamp, expires, name, holder]).rowcount
        return updated == 1


def release(db, name: str, holder: str, now: datetime) -> bool:
    """End our lease now so a standby takes over at its next tick, not after the TTL.

    The row stays, its last sign of life the release itself, so health can tell a clean
    stop (expired at its last heartbeat) from a crash and from "never ran".
    """
    stamp = utc(now)
    with immediate(db):
        updated = db.execute(
            "UPDATE leases SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND holder = ?",
            [stamp, stamp, name, holder]).rowcount
        return updated == 1


def holds(db, name: str, holder: str, now: datetime) -> bool:
    """Whether `holder` has a live lease right now, read from the database, not memory."""
    row = db.execute("SELECT 1 FROM leases WHERE name = ? AND holder = ? AND expires_at > ?",
                     [name, holder, utc(now)]).fetchone()
    return row is not None


def read(db, name: str) -> Lease | None:
    row = db.execute("SELECT name, holder, acquired_at, heartbeat_at, expires_at FROM leases "
                     "WHERE name = ?", [name]).fetchone()
    if row is None:
        return None
    return Lease(row[0], row[1], *(datetime.fromisoformat(value) for value in row[2:]))
