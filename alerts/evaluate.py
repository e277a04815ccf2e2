"""The evaluator: an entry plus the patient's context in, findings out. Pure: it reads no
clock, no database and no file, so the push pipeline, the scheduler, the tests and the
shared vectors all get the same answer for the same input.

Reporting stays separate from deciding: one entry can meet `fever` and `high_fever` at
once and both are reported; grouping them into one episode is the episode layer's job.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from .conditions import Situation, getter, merge
from .parameters import is_number
from .ruleset import RuleSet, checked_patient_overrides, effective_parameters

__all__ = ["Finding", "evaluate", "evaluate_silence", "ruleset_document", "parse_time"]

# Pairs of (site parameters, child's overrides) kept checked per rule set: more than one
# push's worth of children.
PREPARED_CACHE_SIZE = 256
EVIDENCE_GROUPS = {"answer": "answers", "score": "scores", "context": "context", "entry": "entry",
                   "param": "parameters"}


@dataclass(frozen=True)
class Finding:
    reason: str
    level: str
    escalate_now: bool
    evidence: dict = field(hash=False)
    advice: dict = field(hash=False)       # {"en": ..., "es": ...}
    rule_id: str = ""
    ruleset_id: str = ""
    ruleset_version: str = ""
    measure_again_minutes: int | None = None   # the rule's own, for the app's reminder
    # For the episode layer (alerts/teams.py): whom the alert is for and whether it may wait
    # for working hours. Not in `to_dict`, the shape the phone's evaluator shares.
    team: str = "car_t"
    escalate: str = "any_time"

    def to_dict(self) -> dict:
        return {"reason": self.reason, "level": self.level, "escalate_now": self.escalate_now,
                "evidence": self.evidence, "advice": dict(self.advice), "rule_id": self.rule_id,
                "ruleset_id": self.ruleset_id, "ruleset_version": self.ruleset_version,
                "measure_again_minutes": self.measure_again_minutes}


def parse_time(value) -> datetime | None:
    """An aware datetime from a datetime or an RFC 3339 string; a naive one is refused,
    because guessing a timezone would shift every window by hours."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a time with a timezone is needed, not {value!r}")
    return moment


def evaluate(ruleset: RuleSet, entry: dict, context: dict) -> list:
    """Findings for one entry, most severe first. See docs/rules.md for the shapes."""
    overrides, parameters = _prepared(ruleset, context)
    answers = entry.get("answers") if isinstance(entry.get("answers"), dict) else {}
    scores = entry.get("scores") if isinstance(entry.get("scores"), dict) else {}
    recorded_at = parse_time(entry.get("recorded_at")) or parse_time(context.get("now"))
    baseline = context.get("baseline") if isinstance(context.get("baseline"), dict) else {}
    situation = Situation(
        answers=answers, scores=scores,
        entry={"questionnaire_id": entry.get("questionnaire_id"), "variant": entry.get("variant")},
        context={**_patient_values(context),
                 **{f"baseline.{name}": value for name, value in baseline.items()},
                 **{name: context.get(name) for name in PROFILE_VALUES}},
        parameters=parameters,
        previous=context.get("previous_diary_answers"),
        baseline_signs=overrides.get("baseline_signs"),
        always_report_signs=overrides.get("always_report_signs"),
        readings=_readings(context.get("recent_temperatures")), recorded_at=recorded_at)
    return _findings(ruleset, ruleset.entry_rules_for(entry.get("questionnaire_id")), situation)


def evaluate_silence(ruleset: RuleSet, context: dict, now=None) -> list:
    """Findings of the time rules (missed check-ins) for one patient at `now`.

    context: {"now", "last_temperature_at": time | None, "watch_started_at": time | None,
    "day_post_infusion", "age_years", "age_band", "parameters", "patient_overrides"}.
    Silence is counted from the last temperature reading, or, before the first one, from
    `watch_started_at` (when the family was enrolled); with neither, nothing is known.
    """
    now = parse_time(now if now is not None else context.get("now"))
    since = (parse_time(context.get("last_temperature_at"))
             or parse_time(context.get("watch_started_at")))
    hours = None if since is None or now is None else (now - since).total_seconds() / 3600
    overrides = _overrides(ruleset, context)
    situation = Situation(
        answers={}, scores={}, entry={},
        context={**_patient_values(context), "hours_since_last_temperature": hours},
        parameters=effective_parameters(ruleset, context.get("parameters"), overrides),
        recorded_at=now)
    return _findings(ruleset, ruleset.rules_of("time"), situation)


def ruleset_document(ruleset: RuleSet, parameters=None, patient_overrides=None) -> dict:
    """The JSON the pull feed serves: this rule set with the site's values as its defaults
    (and, for one patient, that child's overrides), loadable by `parse_ruleset` as it is."""
    values = effective_parameters(ruleset, parameters)
    document = copy.deepcopy(ruleset.document)
    for name, value in values.items():
        document["parameters"][name]["default"] = copy.deepcopy(value)
    document["site_overridden"] = sorted(name for name in (parameters or {}))
    document.pop("patient_overrides", None)
    if patient_overrides:
        document["patient_overrides"] = checked_patient_overrides(ruleset, patient_overrides)
    return document


def _prepared(ruleset, context) -> tuple:
    """(checked overrides, effective parameters) for this context's site parameters and
    child's overrides, checked once per pair of objects rather than once per entry.

    A push hands every entry of a child the same two objects (site settings loaded at start,
    the child's overrides read once per push), so an identity check finds them; the cache
    holds the objects themselves, so an id is never reused while it is cached. Contexts are
    read, never changed, here or by any caller.
    """
    site, given = context.get("parameters"), context.get("patient_overrides")
    cache = ruleset.prepared_cache
    key = (id(site), id(given))
    hit = cache.get(key)
    if hit is not None and hit[0] is site and hit[1] is given:
        return hit[2]
    overrides = _overrides(ruleset, context)
    prepared = (overrides, effective_parameters(ruleset, site, overrides))
    if len(cache) >= PREPARED_CACHE_SIZE:
        cache.clear()  # not worth an LRU: a push's children refill it at once
    cache[key] = (site, given, prepared)
    return prepared


def _overrides(ruleset, context) -> dict:
    given = context.get("patient_overrides")
    if given is None:
        return ruleset.patient_overrides
    return checked_patient_overrides(ruleset, given)


# From the physician's clinical profile (server/records); absent when none is recorded.
PROFILE_VALUES = ("organs_involved", "diagnosis")


def _patient_values(context) -> dict:
    return {name: context.get(name) for name in ("day_post_infusion", "age_years", "age_band")}


def _readings(recent) -> list:
    readings = []
    for reading in recent if isinstance(recent, list) else ():
        temperature = reading.get("temperature_c") if isinstance(reading, dict) else None
        if is_number(temperature):
            readings.append((parse_time(reading.get("at")), temperature, reading.get("method")))
    return sorted((r for r in readings if r[0] is not None), key=lambda r: r[0])


def _findings(ruleset, rules, situation) -> list:
    met = []
    for rule in rules:
        facts = {}
        if rule.holds(situation, facts):
            met.append((rule, facts))
    # One finding per reason: breathing at SpO2 88 is an emergency, not also an urgent call.
    strongest = {}
    for rule, facts in met:
        kept = strongest.get(rule.reason)
        if kept is None or (rule.severity, rule.order) < (kept[0].severity, kept[0].order):
            strongest[rule.reason] = (rule, facts)
    reasons = set(strongest)
    kept = [(rule, facts) for rule, facts in strongest.values()
            if not reasons.intersection(rule.suppressed_by)]
    kept.sort(key=lambda pair: (pair[0].severity, not pair[0].escalate_now, pair[0].order))
    return [Finding(reason=rule.reason, level=rule.level, escalate_now=rule.escalate_now,
                    evidence=_evidence(rule, facts, situation), advice=dict(rule.advice),
                    rule_id=rule.id, ruleset_id=ruleset.id, ruleset_version=ruleset.version,
                    measure_again_minutes=rule.measure_again_minutes,
                    team=rule.team, escalate=rule.escalate)
            for rule, facts in kept]


def _evidence(rule, facts, situation) -> dict:
    evidence: dict = {}
    for operand in rule.evidence:
        source, name = next(iter(operand.items()))
        value = getter(operand)(situation)
        if value is not None and source in EVIDENCE_GROUPS:
            evidence.setdefault(EVIDENCE_GROUPS[source], {})[name] = value
    merge(evidence, facts)
    return evidence

