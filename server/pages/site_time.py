"""Times on the admin pages, in the centre's time zone and in words: "Sunday 29 November
2026 at 21:50 CET (12 min ago)". The audit log and the accounts belong to no family, so the
site's zone (HOMEWARD_SITE_TIMEZONE) is the one everyone at the centre reads. Pure."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .present import relative


def zone(name) -> ZoneInfo:
    return ZoneInfo(name)


def say(moment: datetime | None, zone_name, now: datetime | None = None) -> str:
    """The moment as a person reads it, with how long ago (or until) beside it in the words
    every page uses for that (present.relative: "5 min ago", "in 2 h", "now")."""
    if moment is None:
        return ""
    there = moment.astimezone(zone(zone_name))
    words = f"{there:%A} {there.day} {there:%B %Y} at {there:%H:%M} {there.tzname()}"
    return words if now is None else f"{words} ({relative(moment, now)})"


def say_date(moment: datetime | None, zone_name) -> str:
    if moment is None:
        return ""
    there = moment.astimezone(zone(zone_name))
    return f"{there.day} {there:%B %Y}"


def start_of(day: date, zone_name) -> datetime:
    """Midnight at the start of `day` in the site's zone."""
    return datetime.combine(day, time(0), tzinfo=zone(zone_name))


def end_of(day: date, zone_name) -> datetime:
    return start_of(day + timedelta(days=1), zone_name)
