"""The site's working hours: when an alert that may wait for the morning is escalated.

Days and hours in the site's own time zone (HOMEWARD_WORKING_DAYS, HOMEWARD_WORKING_HOURS,
HOMEWARD_SITE_TIMEZONE; default Monday to Friday, 08:00-18:00), less the site's public
holidays (HOMEWARD_HOLIDAYS). docs/alerts.md has the decisions; in short:

- A working day opens the first moment the wall clock reads the opening time or later, and
  closes the same way: on the day the clocks jump over 02:30 the day opens at the jump, and
  on the day 01:30 happens twice it opens at the first and stays open.
- A working day ends on the day it starts: "18:00-08:00" is refused (a team there at night
  does not need alerts to wait; a site open around the clock writes 00:00-24:00).
- The settings are read strictly, with the reason in the error: what a tester types by
  accident ("8-18", an en dash, "mon-mon", "mon,mon") stops start-up rather than guessing.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .teams import WORKING_HOURS

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
# Holidays can fill every working day for a while; a year and a bit covers any real list.
_LOOK_AHEAD_DAYS = 400


@dataclass(frozen=True)
class WorkingHours:
    days: frozenset
    opens: int          # minutes after midnight
    closes: int         # minutes after midnight; 1440 is midnight at the end of the day
    zone: ZoneInfo
    holidays: frozenset = frozenset()

    @property
    def hours_text(self) -> str:
        return f"{_clock(self.opens)}-{_clock(self.closes)}"

    @property
    def holidays_text(self) -> str:
        return ",".join(day.isoformat() for day in sorted(self.holidays))

    def working(self, day: date) -> bool:
        return DAYS[day.weekday()] in self.days and day not in self.holidays

    def period(self, day: date) -> tuple[datetime, datetime]:
        """When `day`'s working hours open and close, as UTC instants."""
        return (_first_instant(day, self.opens, self.zone),
                _first_instant(day, self.closes, self.zone))

    def contains(self, moment: datetime) -> bool:
        day = moment.astimezone(self.zone).date()
        if not self.working(day):
            return False
        opens, closes = self.period(day)
        return opens <= moment < closes

    def next_start(self, moment: datetime) -> datetime:
        """The moment escalation may happen at or after `moment`: itself inside hours,
        else the next opening of a working day."""
        if self.contains(moment):
            return moment
        first = moment.astimezone(self.zone).date()
        for ahead in range(_LOOK_AHEAD_DAYS):
            day = first + timedelta(days=ahead)
            if self.working(day):
                opens, _closes = self.period(day)
                if opens >= moment:
                    return opens
        raise ValueError(f"no working day in the {_LOOK_AHEAD_DAYS} days after {moment}: "
                         "the holidays cover every working day")


def escalation_moment(alert, hours: WorkingHours | None,
                      now: datetime | None = None) -> tuple[datetime | None, bool]:
    """When an open alert will really escalate unless acknowledged, as the escalation job
    (alerts/episodes.py, escalate_due) will do it: at its 15-minute mark, or when a snooze
    ends if later, and for an alert whose rule waits for working hours (`escalate` =
    working_hours) the next opening of them after that, or after `now` if that has passed
    unescalated (a scheduler that was down: the job waits for the next opening rather than
    page at night). Also whether working hours moved it. `alert` holds datetimes `escalate_at` and `snoozed_until` (or None), `escalate`,
    `status` and `escalated_at`."""
    due = alert["escalate_at"]
    if due is None or alert["status"] != "open" or alert["escalated_at"] is not None:
        return due, False
    if alert.get("snoozed_until") is not None:
        due = max(due, alert["snoozed_until"])
    if hours is None or alert["escalate"] != WORKING_HOURS:
        return due, False
    moment = hours.next_start(due)
    if now is not None and moment < now:
        # Passed unescalated: inside hours the next run escalates it, outside it waits.
        return hours.next_start(now), not hours.contains(now)
    return moment, moment != due


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _first_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The first instant at which the wall clock in `zone` reads `day` at `minutes` or
    later. Usually that wall time itself (the first of two, when the clocks go back); when
    the clocks jump over it, the instant of the jump."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
    guess = wall.replace(tzinfo=zone).astimezone(timezone.utc)  # fold=0: the earlier offset
    if guess.astimezone(zone).replace(tzinfo=None) == wall:
        return guess
    # In a gap: fold=1 reads it with the later offset, an instant before the jump; the jump
    # lies between the two readings. Transitions fall on whole seconds.
    low, high = wall.replace(tzinfo=zone, fold=1).astimezone(timezone.utc), guess
    while (high - low) > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


def _plain_dashes(text: str, what: str) -> None:
    if any(dash in text for dash in _DASHES):
        raise ValueError(f"{text!r} has a typographic dash: write {what} with a plain hyphen")


def parse_hours(text: str) -> tuple[int, int]:
    """"08:00-18:00" -> (480, 1080); ValueError with the reason."""
    _plain_dashes(text, "the hours")
    if not text.strip():
        raise ValueError("it is empty")
    parts = text.split("-")
    clocks = [_CLOCK.fullmatch(part.strip()) for part in parts]
    if len(parts) != 2 or not all(clocks):
        raise ValueError(f"{text!r} is not two times in hours and minutes")
    minutes = []
    for match in clocks:
        hour, minute = int(match[1]), int(match[2])
        if hour > 24:
            raise ValueError(f"{text!r} names no hour {hour}: hours run from 00 to 23")
        if minute > 59:
            raise ValueError(f"{text!r} names no minute {minute}")
        minutes.append(hour * 60 + minute)
    opens, closes = minutes
    if opens >= 1440 or closes > 1440:
        raise ValueError(f"{text!r}: 24:00 is the latest a working day may close, and it "
                         "cannot open then")
    if opens == closes:
        raise ValueError(f"{text!r} opens and closes at the same time (a team there around "
                         "the clock: 00:00-24:00)")
    if opens > closes:
        raise ValueError(f"{text!r} runs past midnight, and a working day ends on the day it "
                         "starts (a team there around the clock: 00:00-24:00)")
    return opens, closes


def parse_days(text: str) -> frozenset:
    """"mon-fri", "mon-thu,sat", "sat-mon" (a range may wrap); ValueError with the reason."""
    _plain_dashes(text, "a range")
    if not text.strip():
        raise ValueError("it names no day")
    chosen: list[str] = []
    for item in text.split(","):
        item = item.strip().lower()
        if not item:
            raise ValueError(f"{text!r} names no day between commas")
        first, dash, last = (part.strip() for part in item.partition("-"))
        if first not in DAYS or (dash and last not in DAYS):
            raise ValueError(f"{item!r} is not a day ({', '.join(DAYS)}) or a range of them")
        if dash and first == last:
            raise ValueError(f"{item!r} runs from a day to itself: write {first} alone, or "
                             "mon-sun for every day")
        a, b = DAYS.index(first), DAYS.index(last or first)
        for day in (DAYS[(a + step) % 7] for step in range((b - a) % 7 + 1)):
            if day in chosen:
                raise ValueError(f"{text!r} names {day} twice")
            chosen.append(day)
    return frozenset(chosen)


def parse_holidays(text: str) -> frozenset:
    """"2026-12-25,2027-01-01": dates in the site's zone; empty for none."""
    if not text.strip():
        return frozenset()
    chosen = set()
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise ValueError(f"{text!r} names no date between commas")
        try:
            if not _DATE.fullmatch(item):
                raise ValueError
            chosen.add(date.fromisoformat(item))
        except ValueError:
            raise ValueError(f"{item!r} is not a date like 2026-12-25") from None
    return frozenset(chosen)


def parse_working_hours(days="mon-fri", hours="08:00-18:00", zone="UTC",
                        holidays="") -> WorkingHours:
    """From the settings' text; ValueError with a sentence saying what is wrong."""
    opens, closes = parse_hours(hours)
    return WorkingHours(parse_days(days), opens, closes, ZoneInfo(zone),
                        parse_holidays(holidays))
