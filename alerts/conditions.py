"""The condition language: what each operator means, and the static check of a condition.

Both live here so that the grammar a rule file is checked against and the meaning the
evaluator gives it cannot drift apart. A phone implements the same few operators (see
docs/rules.md); nothing here depends on Python's own comparison quirks: `true` never
equals 1, a string is never a number, and a missing value makes every test false.
"""
from __future__ import annotations

from datetime import timedelta

from .parameters import is_number, resolve

OPERAND_SOURCES = ("answer", "score", "entry", "context", "param")
ENTRY_FIELDS = ("questionnaire_id", "variant")
CONTEXT_NAMES = {
    "entry": ("day_post_infusion", "age_years", "age_band", "baseline.neuro_check_total",
              "baseline.neuro_check_variant", "baseline.quality_of_life_total"),
    "time": ("day_post_infusion", "age_years", "age_band", "hours_since_last_temperature"),
}
COMPARISONS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b,
               "<=": lambda a, b: a <= b, "<": lambda a, b: a < b}
# operator → the keys it takes besides "op", and what each must be
OPERATORS = {
    **{op: {"left": "operand", "right": "number"} for op in COMPARISONS},
    "=": {"left": "operand", "right": "operand"},
    "in": {"left": "operand", "right": "literals"},
    "contains_any": {"left": "operand", "right": "literals"},
    "exists": {"left": "operand"},
    "between": {"left": "operand", "right": "range"},
    "new_since_last": {"left": "answer", "right": "literals"},
    "drop_from": {"left": "operand", "from": "number", "right": "number"},
    "rise_from": {"left": "operand", "from": "number", "right": "number"},
    "sustained": {"right": "number", "minutes": "number"},
}
ENTRY_ONLY = ("new_since_last", "sustained")
NUMERIC_PARAMETER_TYPES = ("number", "integer", "per_method")
# Differences are rounded so that 70.3 - 60.3 (9.999999999999993 in binary) counts as 10.
DIFFERENCE_DECIMALS = 6
SUSTAINED_LOOKBACK = timedelta(hours=24)


def walk_tests(condition):
    """Every leaf test of a condition, depth first."""
    for key in ("all", "any"):
        if key in condition:
            for child in condition[key]:
                yield from walk_tests(child)
            return
    if "not" in condition:
        yield from walk_tests(condition["not"])
        return
    yield condition


def problems_in_condition(condition, where: str, kind: str, declarations: dict) -> list[str]:
    """What is wrong with a condition of a rule of `kind` ("entry" or "time"), path by path."""
    if not isinstance(condition, dict):
        return [f"{where}: a condition is an object"]
    combinators = [key for key in ("all", "any", "not") if key in condition]
    if combinators:
        key = combinators[0]
        if len(condition) != 1:
            return [f"{where}: '{key}' stands alone in its object"]
        if key == "not":
            return problems_in_condition(condition["not"], f"{where}.not", kind, declarations)
        children = condition[key]
        if not isinstance(children, list) or not children:
            return [f"{where}.{key}: must be a non-empty list of conditions"]
        return [problem for index, child in enumerate(children)
                for problem in problems_in_condition(child, f"{where}.{key}[{index}]", kind,
                                                     declarations)]
    return _problems_in_test(condition, where, kind, declarations)


def _problems_in_test(test, where, kind, declarations) -> list[str]:
    op = test.get("op")
    if op not in OPERATORS:
        return [f"{where}: unknown operator {op!r} (known: all, any, not, "
                f"{', '.join(OPERATORS)})"]
    if kind == "time" and op in ENTRY_ONLY:
        return [f"{where}: '{op}' needs an entry; a time rule cannot use it"]
    expected = OPERATORS[op]
    problems = [f"{where}: '{op}' does not take '{key}'" for key in test
                if key != "op" and key not in expected]
    problems += [f"{where}: '{op}' needs '{key}'" for key in expected if key not in test]
    for key, shape in expected.items():
        if key in test:
            problems += _problems_in_part(test[key], shape, f"{where}.{key}", kind, declarations)
    return problems


def _problems_in_part(part, shape, where, kind, declarations) -> list[str]:
    if shape == "literals":
        if (not isinstance(part, list) or not part
                or not all(isinstance(v, (str, bool)) or is_number(v) for v in part)):
            return [f"{where}: must be a non-empty list of strings, numbers or booleans"]
        return []
    if shape == "answer":
        if not (isinstance(part, dict) and set(part) == {"answer"} and isinstance(part["answer"], str)):
            return [f"{where}: must be an answer, like {{\"answer\": \"neuro_signs\"}}"]
        return []
    if shape == "range":
        if isinstance(part, list):
            if len(part) != 2:
                return [f"{where}: must be [lowest, highest] or a range parameter"]
            return [problem for index, each in enumerate(part)
                    for problem in _problems_in_part(each, "number", f"{where}[{index}]", kind,
                                                     declarations)]
        return problems_in_operand(part, where, kind, declarations, ("range",))
    wanted = NUMERIC_PARAMETER_TYPES if shape == "number" else None
    return problems_in_operand(part, where, kind, declarations, wanted)


def problems_in_operand(operand, where, kind, declarations, parameter_types) -> list[str]:
    if isinstance(operand, (str, bool)) or is_number(operand):
        if parameter_types == ("range",) or (parameter_types and not is_number(operand)):
            return [f"{where}: {operand!r} is not what this operator compares with"]
        return []
    if not isinstance(operand, dict) or len(operand) != 1 or next(iter(operand)) not in OPERAND_SOURCES:
        return [f"{where}: an operand is a literal or one of "
                + ", ".join(f'{{"{source}": ...}}' for source in OPERAND_SOURCES)]
    source, name = next(iter(operand.items()))
    if not isinstance(name, str) or not name:
        return [f"{where}: {source} must name something"]
    if kind == "time" and source in ("answer", "score", "entry"):
        return [f"{where}: a time rule has no entry, so no {source}"]
    if source == "entry" and name not in ENTRY_FIELDS:
        return [f"{where}: unknown entry field '{name}' (known: {', '.join(ENTRY_FIELDS)})"]
    if source == "context" and name not in CONTEXT_NAMES[kind]:
        return [f"{where}: unknown context value '{name}' for a {kind} rule "
                f"(known: {', '.join(CONTEXT_NAMES[kind])})"]
    if source == "param":
        if name not in declarations:
            return [f"{where}: unknown parameter '{name}'"]
        declared = declarations[name]["type"]
        if parameter_types and declared not in parameter_types:
            return [f"{where}: parameter '{name}' is a {declared}, not a "
                    + " or ".join(parameter_types)]
        if not parameter_types and declared == "range":
            return [f"{where}: range parameter '{name}' only goes with 'between'"]
    return []


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
