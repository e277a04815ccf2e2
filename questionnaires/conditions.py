"""enableWhen: whether an item applies, given the answers before it (FHIR semantics).

Three answers are possible, not two: when the answer a condition looks at was itself
invalid, nobody can tell whether the item applied, and then it is neither demanded nor
refused, so one typo does not turn into a cascade of errors.
"""
from __future__ import annotations

from .model import Condition, Item

UNKNOWN = None


def is_enabled(item: Item, answers: dict, unreadable: set) -> bool | None:
    """True, False, or UNKNOWN when a condition rests on an answer that failed validation."""
    if not item.enable_when:
        return True
    results = []
    for condition in item.enable_when:
        if condition.question in unreadable:
            results.append(UNKNOWN)
        else:
            results.append(holds(condition, answers.get(condition.question)))
    if item.enable_behavior == "any":
        if True in results:
            return True
        return UNKNOWN if UNKNOWN in results else False
    if False in results:
        return False
    return UNKNOWN if UNKNOWN in results else True


def holds(condition: Condition, answer) -> bool:
    """One condition against one (valid) answer; an unanswered question fails all but `exists`."""
    if condition.operator == "exists":
        return (answer is not None) == bool(condition.answer)
    if answer is None:
        return False
    values = answer if isinstance(answer, list) else [answer]
    if condition.operator == "!=":
        return all(value != condition.answer for value in values)
    return any(_compare(condition.operator, value, condition.answer) for value in values)


def _compare(operator: str, value, expected) -> bool:
    if operator == "=":
        return value == expected and isinstance(value, bool) == isinstance(expected, bool)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (value, expected))
    if not numbers:
        return False
    if operator == ">":
        return value > expected
    if operator == "<":
        return value < expected
    if operator == ">=":
        return value >= expected
    return value <= expected
