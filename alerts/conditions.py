"""What each operator of the rule language means (the grammar and its static checks are in
grammar.py). A phone implements the same few operators (docs/rules.md); nothing here leans
on Python's own comparison quirks: `true` never equals 1, a string is never a number, and a
missing value makes every test false.
"""
from __future__ import annotations

from datetime import timedelta

from .grammar import COMPARISONS
from .parameters import is_number, resolve

# Differences are rounded so that 70.3 - 60.3 (9.999999999999993 in binary) counts as 10.
DIFFERENCE_DECIMALS = 6
SUSTAINED_LOOKBACK = timedelta(hours=24)


class Situation:
    """Everything one evaluation may look at, already made safe to read."""

    def __init__(self, *, answers, scores, entry, context, parameters, previous=None,
                 baseline_signs=None, always_report_signs=None, readings=(), recorded_at=None):
        self.answers, self.scores, self.entry = answers, scores, entry
        self.context, self.parameters = context, parameters
        self.previous = previous if isinstance(previous, dict) else {}
        self.baseline_signs = baseline_signs or {}
        self.always_report_signs = always_report_signs or {}
        self.readings, self.recorded_at = readings, recorded_at
        method = answers.get("temperature_method")
        self.method = method if isinstance(method, str) else None


def holds(condition, situation: Situation, facts: dict) -> bool:
    """Whether the condition holds; what made it hold is added to `facts`."""
    if "all" in condition or "any" in condition:
        wanted = all if "all" in condition else any
        found = {}
        # Facts of a branch count only if the whole combination holds, so a failed `all`
        # leaves nothing behind to mislead whoever reads the evidence.
        if wanted(holds(child, situation, found) for child in condition.get("all", condition.get("any"))):
            _merge(facts, found)
            return True
        return False
    if "not" in condition:
        return not holds(condition["not"], situation, {})
    found = {}
    if _test(condition, situation, found):
        _merge(facts, found)
        return True
    return False


def _merge(facts, found):
    for key, value in found.items():
        if isinstance(value, dict):
            facts.setdefault(key, {}).update(value)
        else:
            facts[key] = value


def value_of(operand, situation: Situation, found: dict):
    if not isinstance(operand, dict):
        return operand
    source, name = next(iter(operand.items()))
    if source == "answer":
        return situation.answers.get(name)
    if source == "score":
        return situation.scores.get(name)
    if source == "entry":
        return situation.entry.get(name)
    if source == "context":
        return situation.context.get(name)
    value = resolve(situation.parameters[name], situation.method)
    found.setdefault("parameters", {})[name] = value
    return value


def same(a, b) -> bool:
    """JSON equality for scalars: true is not 1, 1 is 1.0, nothing equals a missing value."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return a == b
    return isinstance(a, str) and isinstance(b, str) and a == b


def _contains(values, wanted) -> bool:
    return isinstance(values, list) and any(same(value, wanted) for value in values)


def _test(test, situation, found) -> bool:
    op = test["op"]
    if op == "new_since_last":
        return _new_since_last(test, situation, found)
    if op == "sustained":
        return _sustained(test, situation, found)
    left = value_of(test["left"], situation, found)
    if op == "exists":
        return left is not None and left != [] and left != ""
    if op in ("in", "contains_any"):
        values = [left] if op == "in" else (left if isinstance(left, list) else [])
        return any(same(value, wanted) for value in values for wanted in test["right"])
    if op == "=":
        return same(left, value_of(test["right"], situation, found))
    if op == "between":
        low, high = _bounds(test["right"], situation, found)
        return all(is_number(v) for v in (left, low, high)) and low <= left <= high
    right = value_of(test["right"], situation, found)
    if op in COMPARISONS:
        return is_number(left) and is_number(right) and COMPARISONS[op](left, right)
    reference = value_of(test["from"], situation, found)
    if not all(is_number(v) for v in (left, right, reference)):
        return False
    change = round(reference - left if op == "drop_from" else left - reference,
                   DIFFERENCE_DECIMALS)
    if change >= right:
        found["change"] = {"from": reference, "to": left, "points": change}
        return True
    return False


def _bounds(part, situation, found):
    if isinstance(part, list):
        return value_of(part[0], situation, found), value_of(part[1], situation, found)
    both = value_of(part, situation, found)
    return (both[0], both[1]) if isinstance(both, list) else (None, None)


def _new_since_last(test, situation, found) -> bool:
    link_id = test["left"]["answer"]
    current = situation.answers.get(link_id)
    before = situation.previous.get(link_id)
    known = situation.baseline_signs.get(link_id, ())
    always = situation.always_report_signs.get(link_id, ())
    new = [value for value in test["right"] if _contains(current, value)
           and (value in always or (not _contains(before, value) and value not in known))]
    if new:
        found.setdefault("new", {})[link_id] = new
    return bool(new)


def _sustained(test, situation, found) -> bool:
    """The entry's reading and the unbroken run of readings before it at or above the
    threshold (each judged by its own method's threshold) span at least `minutes`."""
    temperature, at = situation.answers.get("temperature_c"), situation.recorded_at
    minutes = value_of(test["minutes"], situation, found)
    threshold = test["right"]
    if isinstance(threshold, dict) and "param" in threshold:
        found.setdefault("parameters", {})[threshold["param"]] = situation.parameters[threshold["param"]]
        threshold = situation.parameters[threshold["param"]]
    else:
        threshold = value_of(threshold, situation, found)
    if not (is_number(temperature) and is_number(minutes) and at is not None):
        return False
    limit = resolve(threshold, situation.method)
    if not (is_number(limit) and temperature >= limit):
        return False
    start = at
    for reading_at, reading, method in reversed(situation.readings):
        if reading_at >= at or reading_at < at - SUSTAINED_LOOKBACK:
            continue
        if reading < resolve(threshold, method):
            break
        start = reading_at
    if at - start >= timedelta(minutes=minutes):
        found["sustained_since"] = start.isoformat()
        return True
    return False
