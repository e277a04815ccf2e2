"""Calendar dates as people and registries write them: YYYY-MM-DD, nothing else.

Python's date.fromisoformat also reads "20261119" and week dates such as "2026-W47-3"; a
form, a script or `--since` that sends those almost certainly meant something else, so the
API and the command line refuse them with the same sentence.
"""
import re
from datetime import date

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_calendar_date(value) -> date:
    """A YYYY-MM-DD date; ValueError with a sentence otherwise."""
    if not isinstance(value, str) or not DAY.fullmatch(value):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD, such as 2026-01-31.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a day the calendar has.") from None
