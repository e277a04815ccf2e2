"""Which times a phone may state: the plausible window (docs/protocol.md, "Push").

A phone's clock can be wrong by years (reset to 1970 by a flat battery, set by hand), and
the server corrects that: each entry's time is moved by the offset measured from the push's
sent_at. What no offset explains is a bug: an app that writes 0001-01-01 or 9999-12-31, or
says an entry was recorded days after it was sent. Such a time is not a clinical fact, and
stored as one it would overflow every sum a view or an export makes with it (the local
date, the day post infusion). So an entry whose corrected time falls outside the window is
quarantined (kept on its arrival time, its answers still checked by the safety rules), and
a push whose sent_at no phone's clock can show is refused.
"""
from datetime import datetime, timedelta, timezone

# Constants, not site settings: they describe phones' clocks and apps, not a clinic.
# An entry is recorded after 2000 on the server's clock, whatever the phone's says.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
# An entry is pushed after it is recorded; a day of slack for a phone whose clock was
# changed by hand between recording and sending.
AHEAD = timedelta(days=1)
# A phone's clock starts at the Unix epoch when reset; a clock years ahead is broken, not
# wrong, and its offset would move entries by years.
CLOCK_EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
CLOCK_AHEAD = timedelta(days=366)


def correct_time(recorded_at: datetime, offset_seconds: float,
                 now: datetime) -> datetime | None:
    """recorded_at moved by the phone's clock offset, or None when that is implausible."""
    try:
        moved = recorded_at + timedelta(seconds=offset_seconds)
    except OverflowError:  # 9999-12-31 from a phone whose clock is behind
        return None
    if moved < EARLIEST or moved - now > AHEAD:
        return None
    return moved


class ImplausibleSentAt(Exception):
    """Every entry's corrected time is measured from sent_at, so a push from a clock that
    cannot be a phone's is refused whole; its entries stay in the outbox, none is lost."""

    status, code = 400, "invalid_request"

    def __init__(self, sent_at: datetime):
        message = (f"sent_at {sent_at.isoformat()} is before 1970 or over a year ahead of the "
                   "server's clock: the app or the phone's clock is wrong. Set the phone's "
                   "date and time and push again.")
        super().__init__(message)
        self.message = message
        self.details = {"fields": {"sent_at": [message]}}


def check_sent_at(sent_at: datetime, now: datetime) -> None:
    if sent_at < CLOCK_EARLIEST or sent_at - now > CLOCK_AHEAD:
        raise ImplausibleSentAt(sent_at)
