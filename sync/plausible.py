"""Which times a phone may state: the plausible window (docs/protocol.md, "Push").

A phone's clock can be anything: reset to 1970 by a flat battery, set by hand to the wrong
year, or written by a buggy app as 0001-01-01 or 9999-12-31. Such a time is not a clinical
fact; stored as one it would also overflow every sum a view or an export makes with it
(moving it by the clock offset, finding its local date, the day post infusion). So times
outside the window never reach the stored record: an entry recorded then is quarantined
(kept, and its answers still go through the safety rules), and a push sent then is refused.
"""
from datetime import datetime, timedelta, timezone

# Constants, not site settings: they describe phones' clocks, not a clinic's practice.
# No phone that runs the app was recording before 2000; a clock reset by a flat battery
# says 1970.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
# A clock set by hand some hours fast is still a clock the offset correction moves back;
# a time days ahead is a broken clock or a buggy app.
AHEAD = timedelta(days=1)


def why_implausible(moment: datetime, now: datetime) -> str | None:
    """None for a time a working phone could state at `now`; otherwise why not, to be read
    by app developers and staff."""
    if moment < EARLIEST:
        return "before 2000-01-01, so the phone's clock or the app is wrong"
    if moment - now > AHEAD:
        return ("more than a day ahead of the server's clock, so the phone's clock or the "
                "app is wrong")
    return None


class ImplausibleSentAt(Exception):
    """Every entry's corrected time is measured from sent_at, so a push from a clock that
    cannot be right is refused whole; its entries stay in the outbox, none is lost."""

    status, code = 400, "invalid_request"

    def __init__(self, sent_at: datetime, why: str):
        message = (f"sent_at {sent_at.isoformat()} is {why}; set the phone's date and time "
                   "and push again.")
        super().__init__(message)
        self.message = message
        self.details = {"fields": {"sent_at": [message]}}


def check_sent_at(sent_at: datetime, now: datetime) -> None:
    why = why_implausible(sent_at, now)
    if why is not None:
        raise ImplausibleSentAt(sent_at, why)
