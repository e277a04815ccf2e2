"""The one place that asks the operating system what time it is.

Everything else takes a clock (or a `now`) so tests can move time: a missed check-in at
12 hours must be testable without waiting 12 hours.
"""
from datetime import datetime, timedelta, timezone

UTC = timezone.utc


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime):
        if now.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware time")
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now


def to_db(moment: datetime) -> str:
    """UTC, microseconds, fixed width: stored times sort as strings."""
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def to_wire(moment: datetime | None) -> str | None:
    """RFC 3339 with an offset, as PROTOCOL.md wants, to the second for readability."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
