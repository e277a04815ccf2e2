"""Tasks from the schedule: who fills what, due when, open until when.

Times are computed on the patient's own calendar and clock ("08:00 on day 3" where the
family lives), then turned into instants, so a task stays at 08:00 across a DST change.
A local time that does not exist that night (a spring-forward gap) moves forward by the
gap, as a wall clock would. Task ids hash who, what and which occurrence, never when the
generator ran, so running it again, or on the phone, makes the same tasks.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from .catalog import Catalog, load_catalog
from .choosing import zone
from .model import NoVariantError
from .schedules import Occurrence, Schedule

UTC = timezone.utc


@dataclass(frozen=True)
class Patient:
    patient_id: str
    date_of_birth: date
    timezone: str
    infusion_date: date  # day 0


@dataclass(frozen=True)
class Task:
    task_id: str
    patient_id: str
    questionnaire_id: str
    questionnaire_version: str
    variant: str
    respondent: str
    due_at: datetime  # UTC, because same-zone datetimes compare by wall time in Python
    closes_at: datetime
    occurrence: str

    def to_dict(self) -> dict:
        """The pull feed's `task` shape (plus the variant, so the entry can name it)."""
        return {"task_id": self.task_id, "questionnaire_id": self.questionnaire_id,
                "questionnaire_version": self.questionnaire_version, "variant": self.variant,
                "respondent": self.respondent, "due_at": self.due_at.isoformat(),
                "closes_at": self.closes_at.isoformat()}


@dataclass(frozen=True)
class _Slot:
    key: str
    day: int
    due_at: datetime
    closes_at: datetime


def task_id(patient_id: str, questionnaire_id: str, respondent: str, occurrence: str) -> str:
    digest = hashlib.sha256("\x1f".join((patient_id, questionnaire_id, respondent, occurrence)).encode())
    return "tsk_" + digest.hexdigest()[:24]


def tasks_between(schedule: Schedule, patient: Patient, start: datetime, end: datetime,
                  catalog: Catalog | None = None) -> Iterator[Task]:
    """Every task due in [start, end), in due order; the same arguments give the same tasks."""
    for value in (start, end):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("start and end must be timezone-aware")
    catalog = catalog if catalog is not None else load_catalog()
    tz = zone(patient.timezone)
    # A day of margin each side: the local dates of [start, end) plus any gap shift.
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    tasks = []
    for plan in schedule.plans:
        for slot in _slots(schedule, plan.questionnaire, patient, first, last):
            if start <= slot.due_at < end:
                tasks += _for_respondents(catalog, patient, plan, slot)
    tasks.sort(key=lambda t: (t.due_at, t.questionnaire_id, t.respondent, t.occurrence, t.task_id))
    return iter(tasks)


def due_times(schedule: Schedule, patient: Patient, questionnaire: str, start: datetime,
              end: datetime) -> list[datetime]:
    """When `questionnaire` falls due in [start, end), whoever answers it, without choosing
    variants: for reckoning what is overdue across a whole cohort cheaply."""
    tz = zone(patient.timezone)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    return sorted(slot.due_at for slot in _slots(schedule, questionnaire, patient, first, last)
                  if start <= slot.due_at < end)


def tasks_triggered_by(schedule: Schedule, patient: Patient, questionnaire_id: str, answers,
                       recorded_at: datetime, entry_id: str, catalog: Catalog | None = None) -> list[Task]:
    """Extra tasks an answer calls for, e.g. a neuro-check right after a diary reports a neuro sign."""
    catalog = catalog if catalog is not None else load_catalog()
    if not isinstance(answers, dict) or recorded_at.utcoffset() is None:
        return []
    tasks = []
    for plan in schedule.plans:
        for trigger in plan.also_when:
            if trigger.questionnaire == questionnaire_id and _says_yes(answers.get(trigger.link_id)):
                due = recorded_at.astimezone(UTC)
                slot = _Slot(f"after:{entry_id}:{trigger.link_id}", 0, due,
                             due + timedelta(hours=trigger.open_hours))
                tasks += _for_respondents(catalog, patient, plan, slot)
    return tasks


def _for_respondents(catalog, patient, plan, slot) -> list[Task]:
    out = []
    for respondent in plan.respondents:
        try:
            choice = catalog.choose(plan.questionnaire, date_of_birth=patient.date_of_birth,
                                    timezone=patient.timezone, at=slot.due_at, respondent=respondent)
        except NoVariantError:
            continue  # e.g. no self-report for a toddler, no proxy form for an adult
        definition = choice.definition
        out.append(Task(task_id(patient.patient_id, plan.questionnaire, respondent, slot.key),
                        patient.patient_id, plan.questionnaire, definition.version, definition.variant,
                        respondent, slot.due_at, slot.closes_at, slot.key))
    return out


def _slots(schedule: Schedule, questionnaire: str, patient: Patient, first: date, last: date) -> list[_Slot]:
    plan = schedule.plan(questionnaire)
    if plan is None:
        return []
    tz = zone(patient.timezone)
    found: dict[str, _Slot] = {}
    for occurrence in plan.occurrences:
        if occurrence.kind == "with":
            slots = [s for s in _slots(schedule, occurrence.with_questionnaire, patient, first, last)
                     if occurrence.from_day is None or s.day >= occurrence.from_day]
        else:
            slots = [_slot(prefix, number, day, at, occurrence, patient, tz)
                     for prefix, number, day in _days(occurrence, patient.infusion_date, first, last)
                     for at in occurrence.times]
        for slot in slots:
            found.setdefault(slot.key, slot)  # overlapping phases must not make a task twice
    return list(found.values())


def _days(occurrence: Occurrence, day0: date, first: date, last: date):
    """(key prefix, number, day post infusion) for each occurrence date within [first, last]."""
    low, high = (first - day0).days, (last - day0).days
    if occurrence.kind == "on_days":
        for day in occurrence.on_days:
            if low <= day <= high:
                yield "d", day, day
    elif occurrence.kind == "days":
        day = max(occurrence.first, low)
        day += (-(day - occurrence.first)) % occurrence.every
        for day in range(day, min(occurrence.last, high) + 1, occurrence.every):
            yield "d", day, day
    else:
        for month in range(occurrence.first, occurrence.last + 1, occurrence.every):
            when = add_months(day0, month)
            if first <= when <= last:
                yield "m", month, (when - day0).days


def _slot(prefix: str, number: int, day: int, at: time, occurrence: Occurrence, patient: Patient, tz) -> _Slot:
    local_day = patient.infusion_date + timedelta(days=day)
    due = datetime.combine(local_day, at, tzinfo=tz).astimezone(UTC)
    return _Slot(f"{prefix}{number}T{at:%H:%M}", day, due, due + timedelta(hours=occurrence.open_hours))


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; 31 January + 1 month is the last of February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def _says_yes(answer) -> bool:
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, (list, str)):
        return len(answer) > 0
    return isinstance(answer, (int, float)) and answer != 0
