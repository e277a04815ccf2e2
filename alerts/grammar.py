"""The grammar of the rule language and the static checks of rules against it.

Checked when a rule file loads, so that a typo (an unknown operator, a parameter that does
not exist, a context value a time rule cannot have) fails the load with its path instead of
becoming a rule that silently never fires. The meaning of each operator is in conditions.py.
"""
from __future__ import annotations

from .parameters import is_number

ADVICE_LANGUAGES = ("en", "es")

OPERAND_SOURCES = ("answer", "score", "entry", "context", "param")
ENTRY_FIELDS = ("questionnaire_id", "variant")
CONTEXT_NAMES = {
    "entry": ("day_post_infusion", "age_years", "age_band", "baseline.neuro_check_total",
              "baseline.neuro_check_variant", "baseline.quality_of_life_total",
              "organs_involved", "diagnosis"),
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
            return [f"{where}: all, any and not each stand alone in their object "
                    f"(found {', '.join(sorted(condition))})"]
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
        return [f"{where}: unknown context value '{name}' in {kind} rules "
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


def problems_in_rules(rules, declarations) -> list[str]:
    """Whole-file checks of loaded rules (`Rule` objects): ids, advice, conditions, evidence."""
    problems, seen = [], set()
    for rule in rules:
        where = f"rule '{rule.id}'"
        if rule.id in seen:
            problems.append(f"{where}: the id is used twice")
        seen.add(rule.id)
        missing = [language for language in ADVICE_LANGUAGES if language not in rule.advice]
        if missing:
            problems.append(f"{where}: advice needs {', '.join(missing)}")
        if rule.kind == "entry" and not rule.questionnaires:
            problems.append(f"{where}: an entry rule names the questionnaires it reads")
        if rule.kind == "time" and rule.questionnaires:
            problems.append(f"{where}: a time rule reads no questionnaire")
        if rule.kind == "time" and rule.measure_again_minutes is not None:
            problems.append(f"{where}: measure_again_minutes: only an entry rule asks to measure again")
        problems += [f"{where}: {p}"
                     for p in problems_in_condition(rule.when, "when", rule.kind, declarations)]
        for index, operand in enumerate(rule.evidence):
            if not isinstance(operand, dict):
                problems.append(f"{where}: evidence[{index}]: names an answer, score or context value")
                continue
            problems += [f"{where}: {p}" for p in problems_in_operand(
                operand, f"evidence[{index}]", rule.kind, declarations, None)]
        problems += [f"{where}: {p}" for p in _problems_in_suppression(rule, rules)]
        # An emergency, or a sign that pages at once, must reach someone at 3 am.
        if rule.escalate == "working_hours" and rule.level == "emergency":
            problems.append(f"{where}: escalate: an emergency cannot wait for working hours")
        elif rule.escalate == "working_hours" and rule.escalate_now:
            problems.append(f"{where}: escalate: a rule with escalate_now cannot wait for "
                            "working hours")
    return problems


def _problems_in_suppression(rule, rules) -> list[str]:
    problems = []
    for reason in rule.suppressed_by:
        by = [other for other in rules if other.reason == reason and other.kind == rule.kind]
        if not by:
            problems.append(f"suppressed_by: no {rule.kind} rule gives '{reason}'")
        elif reason == rule.reason:
            problems.append("suppressed_by: a reason cannot suppress itself")
        # Only a finding at least as severe may stand in for this one, or a suppression
        # would turn an urgent call into a same-day review.
        elif any(other.severity > rule.severity for other in by):
            problems.append(f"suppressed_by: '{reason}' can be less severe than {rule.level}")
    return problems


def problems_against_catalog(rules, catalog) -> list[str]:
    """What entry rules read that no variant of their questionnaires has: a linkId, score,
    option or variant spelt wrong would make a rule that can never fire."""
    definitions = list(catalog)
    problems = []
    for rule in rules:
        if rule.kind != "entry":
            continue
        mine = [d for d in definitions if d.id in rule.questionnaires]
        missing = sorted(set(rule.questionnaires) - {d.id for d in mine})
        problems += [f"rule '{rule.id}': no questionnaire '{q}' in the catalog" for q in missing]
        link_ids = {item.link_id for d in mine for item in d.items}
        options = {}
        for item in (item for d in mine for item in d.items):
            options.setdefault(item.link_id, set()).update(item.option_values())
        known = {"answer": link_ids, "score": {s.id for d in mine for s in d.scores},
                 "variant": {d.variant for d in mine}}
        for test in walk_tests(rule.when):
            problems += [f"rule '{rule.id}': {p}" for p in _unknown_names(test, known, options)]
        for operand in rule.evidence:
            problems += [f"rule '{rule.id}': evidence: {p}"
                         for p in _unknown_names({"left": operand}, known, options)]
    return problems


def _unknown_names(test, known, options) -> list[str]:
    problems = []
    for key in ("left", "right", "from"):
        operand = test.get(key)
        if isinstance(operand, dict) and len(operand) == 1:
            source, name = next(iter(operand.items()))
            if source in ("answer", "score") and name not in known[source]:
                problems.append(f"no {source} '{name}' in its questionnaires")
    left, right = test.get("left"), test.get("right")
    if left == {"entry": "variant"} and isinstance(right, str) and right not in known["variant"]:
        problems.append(f"no variant '{right}' of its questionnaires")
    listing = test.get("op") in ("in", "contains_any", "new_since_last")
    if listing and isinstance(left, dict) and "answer" in left:
        unknown = [v for v in right if v not in options.get(left["answer"], ())]
        problems += [f"'{v}' is not an option of {left['answer']}" for v in unknown]
    return problems
