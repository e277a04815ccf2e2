"""The schedule as data: when each questionnaire falls due, relative to day 0 (the infusion).

It is a plain JSON document because the pull feed sends it to the app as it is, so a
phone that stays offline past the server's task horizon can still make the same tasks.
Task generation itself is in tasks.py.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .loading import describe_errors
from .model import FAMILY_RESPONDENTS, DefinitionError

FORMAT = "homeward-schedule/1"
SHIPPED_SCHEDULE = Path(__file__).parent / "schedule.json"
HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


@dataclass(frozen=True)
class Occurrence:
    label: str
    kind: str  # "days", "months", "on_days" or "with"
    first: int = 0
    last: int = 0
    every: int = 1
    on_days: tuple[int, ...] = ()
    times: tuple[time, ...] = ()
    open_hours: float = 24
    with_questionnaire: str | None = None
    from_day: int | None = None


@dataclass(frozen=True)
class Trigger:
    questionnaire: str
    link_id: str
    open_hours: float


@dataclass(frozen=True)
class Plan:
    questionnaire: str
    respondents: tuple[str, ...]
    occurrences: tuple[Occurrence, ...]
    also_when: tuple[Trigger, ...] = ()


@dataclass(frozen=True)
class Schedule:
    id: str
    version: str
    plans: tuple[Plan, ...]
    document: dict

    def plan(self, questionnaire: str) -> Plan | None:
        return next((p for p in self.plans if p.questionnaire == questionnaire), None)

    def to_dict(self) -> dict:
        return copy.deepcopy(self.document)


class _Base(Schema):
    class Meta:
        unknown = RAISE


class RangeSchema(_Base):
    from_ = fields.Int(strict=True, required=True, data_key="from")
    to = fields.Int(strict=True, required=True)
    every = fields.Int(strict=True, load_default=1, validate=validate.Range(min=1))

    @validates_schema
    def ordered(self, data, **kwargs):
        if data["to"] < data["from_"]:
            raise ValidationError("'to' comes before 'from'", "to")


class OccurrenceSchema(_Base):
    label = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    days = fields.Nested(RangeSchema)
    months = fields.Nested(RangeSchema)
    on_days = fields.List(fields.Int(strict=True), validate=validate.Length(min=1))
    with_ = fields.Str(data_key="with")
    from_day = fields.Int(strict=True)
    times = fields.List(fields.Str(validate=validate.Regexp(HH_MM, error="a time like 08:00")),
                        validate=validate.Length(min=1))
    open_hours = fields.Float(validate=validate.Range(min=0, max=24 * 366, min_inclusive=False))

    @validates_schema
    def one_kind(self, data, **kwargs):
        kinds = [k for k in ("days", "months", "on_days", "with_") if k in data]
        if len(kinds) != 1:
            raise ValidationError("needs exactly one of days, months, on_days or with")
        if kinds == ["with_"]:
            if "times" in data or "open_hours" in data:
                raise ValidationError("a 'with' occurrence takes the other questionnaire's times")
        elif "times" not in data or "open_hours" not in data:
            raise ValidationError("needs times and open_hours")
        elif data["times"] != sorted(set(data["times"])):
            raise ValidationError("times must be in order, each once", "times")


class TriggerSchema(_Base):
    questionnaire = fields.Str(required=True)
    linkId = fields.Str(required=True)
    open_hours = fields.Float(required=True, validate=validate.Range(min=0, max=24 * 7, min_inclusive=False))


class PlanSchema(_Base):
    questionnaire = fields.Str(required=True)
    respondents = fields.List(fields.Str(validate=validate.OneOf(FAMILY_RESPONDENTS)),
                              load_default=list(FAMILY_RESPONDENTS))
    occurrences = fields.List(fields.Nested(OccurrenceSchema), required=True)
    also_when = fields.List(fields.Nested(TriggerSchema), load_default=list)


class ScheduleSchema(_Base):
    format = fields.Str(required=True, validate=validate.Equal(FORMAT))
    id = fields.Str(required=True)
    version = fields.Str(required=True)
    questionnaires = fields.List(fields.Nested(PlanSchema), required=True)


def parse_schedule(document, source: str = "<memory>") -> Schedule:
    try:
        data = ScheduleSchema().load(document)
    except ValidationError as error:
        lines = describe_errors(error.messages, document if isinstance(document, dict) else {})
        raise DefinitionError(f"{source}: " + "; ".join(lines[:12])) from None
    plans = tuple(_plan(p) for p in data["questionnaires"])
    names = [p.questionnaire for p in plans]
    if len(set(names)) != len(names):
        raise DefinitionError(f"{source}: a questionnaire is listed twice")
    for plan in plans:
        for occurrence in plan.occurrences:
            if occurrence.kind == "with":
                _check_with(plan.questionnaire, occurrence.with_questionnaire, plans, source)
    return Schedule(data["id"], data["version"], plans, copy.deepcopy(document))


def load_schedule(path: Path | str | None = None) -> Schedule:
    """The shipped schedule, or a site's own file (e.g. twice-daily neuro-checks)."""
    path = Path(path) if path is not None else SHIPPED_SCHEDULE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DefinitionError(f"{path}: cannot be read as JSON ({error})") from None
    return parse_schedule(document, str(path))


def _plan(data) -> Plan:
    occurrences = []
    for o in data["occurrences"]:
        times = tuple(time.fromisoformat(t) for t in o.get("times", ()))
        common = {"label": o["label"], "times": times, "open_hours": o.get("open_hours", 24)}
        if "with_" in o:
            occurrences.append(Occurrence(o["label"], "with", with_questionnaire=o["with_"],
                                          from_day=o.get("from_day")))
        elif "on_days" in o:
            occurrences.append(Occurrence(kind="on_days", on_days=tuple(sorted(set(o["on_days"]))), **common))
        else:
            kind = "days" if "days" in o else "months"
            span = o[kind]
            occurrences.append(Occurrence(kind=kind, first=span["from_"], last=span["to"],
                                          every=span["every"], **common))
    triggers = tuple(Trigger(t["questionnaire"], t["linkId"], t["open_hours"]) for t in data["also_when"])
    return Plan(data["questionnaire"], tuple(data["respondents"]), tuple(occurrences), triggers)


def _check_with(name: str, target: str, plans, source: str, seen=()):
    if target == name or target in seen:
        raise DefinitionError(f"{source}: questionnaire '{name}': 'with' goes round in a circle")
    other = next((p for p in plans if p.questionnaire == target), None)
    if other is None:
        raise DefinitionError(f"{source}: questionnaire '{name}': 'with' names '{target}', which is not scheduled")
    for occurrence in other.occurrences:
        if occurrence.kind == "with":
            _check_with(name, occurrence.with_questionnaire, plans, source, seen + (target,))
