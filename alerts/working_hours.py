"""The site's working hours: when an alert that may wait for the morning is escalated.

Days and hours in the site's own time zone (HOMEWARD_WORKING_DAYS, HOMEWARD_WORKING_HOURS,
HOMEWARD_SITE_TIMEZONE; default Monday to Friday, 08:00-18:00). Public holidays are not
known: a lump reported on Christmas Eve escalates on Christmas morning if nobody has
acknowledged it, which errs on the side of someone looking.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .notifications.channels import DAYS, parse_days, parse_hours


@dataclass(frozen=True)
class WorkingHours:
    days: frozenset
    start: time
    end: time
    zone: ZoneInfo

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        return (DAYS[local.weekday()] in self.days
                and self.start <= local.time().replace(tzinfo=None) < self.end)

    def next_start(self, moment: datetime) -> datetime:
        """The start of the working day at or after `moment` (itself, inside hours)."""
        if self.contains(moment):
            return moment
        local = moment.astimezone(self.zone)
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            start = datetime.combine(day, self.start, tzinfo=self.zone)
            if DAYS[day.weekday()] in self.days and start >= local:
                return start
        raise AssertionError("working days name at least one day")


def parse_working_hours(days="mon-fri", hours="08:00-18:00", zone="UTC") -> WorkingHours:
    """From the settings' text; ValueError with a sentence saying what is wrong."""
    chosen = parse_days([part.strip() for part in days.split(",")] if isinstance(days, str)
                        else days)
    start, end = parse_hours(hours)
    if start > end:
        raise ValueError(f"working hours {hours!r} must start before they end (a working day "
                         "does not run past midnight)")
    return WorkingHours(chosen, start, end, ZoneInfo(zone))
