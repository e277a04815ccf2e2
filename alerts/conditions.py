"""What each operator of the rule language means (the grammar and its static checks are in
grammar.py). A phone implements the same few operators (docs/rules.md); nothing here leans
on Python's own comparison quirks: `true` never equals 1, a string is never a number, and a
missing value makes every test false.

A checked condition is compiled once, when its rule file loads, into nested functions: the
push pipeline evaluates every entry of a 500-entry batch, and walking the JSON tree for
each one cost several times more than the tests themselves.
"""
from __future__ import annotations

from datetime import timedelta

from .grammar import COMPARISONS
from .parameters import is_number, resolve

# Differences are rounded so that 64.1 - 54.1 (9.999999999999993 in binary) counts as 10.
DIFFERENCE_DECIMALS = 6
SUSTAINED_LOOKBACK = timedelta(hours=24)
NUMBER_TYPES = (int, float)


class Situation:
    """Everything one evaluation may look at, already made safe to read."""

    __slots__ = ("answers", "scores", "entry", "context", "parameters", "previous",
                 "baseline_signs", "always_report_signs", "readings", "recorded_at", "method")

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


def compile_condition(condition):
    """A checked condition → `holds(situation, facts) -> bool`, which adds what made it hold
    (parameters used, new signs, a change from baseline, a sustained run) to `facts`."""
    if "all" in condition:
        children = [compile_condition(child) for child in condition["all"]]

        def all_hold(situation, facts):
            # Facts count only if the whole `all` holds, so a branch that failed half-way
            # leaves nothing behind to mislead whoever reads the evidence.
            found = {}
            for child in children:
                if not child(situation, found):
                    return False
            merge(facts, found)
            return True
        return all_hold
    if "any" in condition:
        children = [compile_condition(child) for child in condition["any"]]
        return lambda situation, facts: any(child(situation, facts) for child in children)
    if "not" in condition:
        child = compile_condition(condition["not"])
        return lambda situation, facts: not child(situation, {})
    return _with_parameters(condition, _compile_test(condition))


def merge(facts, found):
    for key, value in found.items():
        if isinstance(value, dict):
            facts.setdefault(key, {}).update(value)
        else:
            facts[key] = value


def getter(operand):
    """operand → function(situation) giving its value, None when it is missing."""
    if not isinstance(operand, dict):
        return lambda situation: operand
    source, name = next(iter(operand.items()))
    if source == "param":
        return lambda situation: resolve(situation.parameters[name], situation.method)
    # answers, scores, entry and context are attributes of the same names (less the "s").
    attribute = {"answer": "answers", "score": "scores"}.get(source, source)
    return lambda situation: getattr(situation, attribute).get(name)


def _with_parameters(test, predicate):
    names = [part["param"] for part in (test.get(key) for key in ("left", "right", "from", "minutes"))
             if isinstance(part, dict) and "param" in part]
    if isinstance(test.get("right"), list):
        names += [part["param"] for part in test["right"] if isinstance(part, dict) and "param" in part]
    if not names:
        return predicate

    def holds_and_records(situation, facts):
        if not predicate(situation, facts):
            return False
        used = facts.setdefault("parameters", {})
        for name in names:
            used[name] = resolve(situation.parameters[name], situation.method)
        return True
    return holds_and_records


def same(a, b) -> bool:
    """JSON equality for scalars: true is not 1, 1 is 1.0, nothing equals a missing value."""
    kind_a, kind_b = type(a), type(b)
    if kind_a is bool or kind_b is bool:
        return kind_a is kind_b and a == b
    if kind_a in NUMBER_TYPES and kind_b in NUMBER_TYPES:
        return a == b
    return kind_a is str and kind_b is str and a == b


def _contains(values, wanted) -> bool:
    return isinstance(values, list) and any(same(value, wanted) for value in values)


def _compile_test(test):
    op = test["op"]
    if op == "new_since_last":
        return _new_since_last(test["left"]["answer"], tuple(test["right"]))
    if op == "sustained":
        return _sustained(test["right"], getter(test["minutes"]))
    left = getter(test["left"])
    if op == "exists":
        return lambda s, facts: (value := left(s)) is not None and value != [] and value != ""
    if op == "in":
        wanted = tuple(test["right"])
        return lambda s, facts: any(same(left(s), each) for each in wanted)
    if op == "contains_any":
        wanted = tuple(test["right"])
        return lambda s, facts: any(_contains(left(s), each) for each in wanted)
    if op == "between":
        return _between(left, test["right"])
    right = getter(test["right"])
    if op == "=":
        return lambda s, facts: same(left(s), right(s))
    if op in COMPARISONS:
        compare = COMPARISONS[op]
        return lambda s, facts: (is_number(a := left(s)) and is_number(b := right(s))
                                 and compare(a, b))
    return _change(op, left, getter(test["from"]), right)


def _between(left, bounds):
    if isinstance(bounds, list):
        low, high = getter(bounds[0]), getter(bounds[1])
    else:
        both = getter(bounds)
        low, high = (lambda s: both(s)[0]), (lambda s: both(s)[1])

    def between(s, facts):
        value, lowest, highest = left(s), low(s), high(s)
        return all(is_number(v) for v in (value, lowest, highest)) and lowest <= value <= highest
    return between


def _change(op, left, reference, points):
    def changed(s, facts):
        value, start, needed = left(s), reference(s), points(s)
        if not all(is_number(v) for v in (value, start, needed)):
            return False
        change = round(start - value if op == "drop_from" else value - start, DIFFERENCE_DECIMALS)
        if change < needed:
            return False
        facts["change"] = {"from": start, "to": value, "points": change}
        return True
    return changed


def _new_since_last(link_id, watched):
    def new_since_last(s, facts):
        current = s.answers.get(link_id)
        if not isinstance(current, list) or not current:
            return False
        before = s.previous.get(link_id)
        known = s.baseline_signs.get(link_id, ())
        always = s.always_report_signs.get(link_id, ())
        new = [value for value in watched if _contains(current, value)
               and (value in always or (not _contains(before, value) and value not in known))]
        if new:
            facts.setdefault("new", {})[link_id] = new
        return bool(new)
    return new_since_last


def _sustained(threshold, minutes):
    """The entry's reading and the unbroken run of readings before it at or above the
    threshold (each judged by its own method's threshold) span at least `minutes`."""
    if isinstance(threshold, dict) and "param" in threshold:
        name = threshold["param"]
        limit_for = lambda s, method: resolve(s.parameters[name], method)  # noqa: E731
    else:
        limit_for = lambda s, method: threshold  # noqa: E731

    def sustained(s, facts):
        temperature, at, span = s.answers.get("temperature_c"), s.recorded_at, minutes(s)
        if not (is_number(temperature) and is_number(span) and at is not None):
            return False
        limit = limit_for(s, s.method)
        if not (is_number(limit) and temperature >= limit):
            return False
        start = at
        for reading_at, reading, method in reversed(s.readings):
            if reading_at >= at or reading_at < at - SUSTAINED_LOOKBACK:
                continue
            if reading < limit_for(s, method):
                break
            start = reading_at
        if at - start < timedelta(minutes=span):
            return False
        facts["sustained_since"] = start.isoformat()
        return True
    return sustained
