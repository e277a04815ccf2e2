"""Checking a family's answers against the exact definition version their app used.

Answers arrive from phones as arbitrary JSON, so nothing here may raise: every problem is
an error value naming the item. The answers that did pass are returned too, because a
quarantined entry's valid temperature must still reach the fever rule.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .conditions import is_enabled
from .model import Definition, Item

DEFAULT_MAX_TEXT = 5000
MAX_REPORTED_ERRORS = 50


@dataclass(frozen=True)
class AnswerError:
    code: str  # invalid_answer, unknown_item, required, not_enabled, no_answers, invalid_answers
    field: str | None
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


@dataclass(frozen=True)
class ValidationResult:
    ok: bool
    valid_answers: dict
    errors: tuple[AnswerError, ...] = field(default=())


def validate_answers(definition: Definition, answers) -> ValidationResult:
    if not isinstance(answers, Mapping):
        error = AnswerError("invalid_answers", None,
                            f"Answers must be an object of linkId to value, not {_describe(answers)}.")
        return ValidationResult(False, {}, (error,))
    errors: list[AnswerError] = []
    valid: dict = {}
    unreadable: set[str] = set()
    given = 0
    for link_id, value in answers.items():
        item = definition.item(link_id) if isinstance(link_id, str) else None
        if item is None:
            errors.append(AnswerError("unknown_item", _name(link_id),
                                      f"{_name(link_id)!r} is not a question in {definition.key}."))
            continue
        if _is_blank(value):
            continue  # null or an empty text box is no answer, not a wrong one
        given += 1
        problem, clean = check_value(item, value)
        if problem is None:
            valid[link_id] = clean
        else:
            unreadable.add(link_id)
            errors.append(AnswerError("invalid_answer", link_id, problem))
    # In screen order, so an answer removed for not applying also stops what depends on it.
    for item in definition.items:
        state = is_enabled(item, valid, unreadable)
        if state is False and (item.link_id in valid or item.link_id in unreadable):
            valid.pop(item.link_id, None)
            errors.append(AnswerError(
                "not_enabled", item.link_id,
                f"{item.link_id} was answered, but it only applies {_when(item)}."))
        elif state is True and item.required and item.link_id not in valid and item.link_id not in unreadable:
            errors.append(AnswerError("required", item.link_id, f"{item.link_id} needs an answer."))
    if given < definition.min_answers:
        need = "at least one answer" if definition.min_answers == 1 else f"at least {definition.min_answers} answers"
        errors.append(AnswerError("no_answers", None, f"An entry needs {need}."))
    return ValidationResult(not errors, valid, tuple(errors[:MAX_REPORTED_ERRORS]))


def check_value(item: Item, value) -> tuple[str | None, object]:
    """(None, the clean value) when `value` fits `item`, else (a sentence saying why, None)."""
    kind = item.type
    if kind in ("decimal", "integer"):
        return _number(item, value)
    if kind == "boolean":
        return (None, value) if isinstance(value, bool) else (f"Expected yes or no (true/false), got {_describe(value)}.", None)
    if kind in ("choice", "scale-0-4", "faces"):
        if _same_kind_in(value, item.option_values()):
            return None, value
        return f"{_describe(value)} is not one of the answers ({_list(item.option_values())}).", None
    if kind == "multi-choice":
        return _multi(item, value)
    if kind == "text":
        limit = item.max_length or DEFAULT_MAX_TEXT
        if not isinstance(value, str):
            return f"Expected text, got {_describe(value)}.", None
        return (None, value) if len(value) <= limit else (f"Text is longer than {limit} characters.", None)
    return _date_time(value)


def _number(item: Item, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"Expected a number, got {_describe(value)}.", None
    if isinstance(value, float) and not math.isfinite(value):
        return f"Expected a number, got {_describe(value)}.", None
    if item.type == "integer":
        if isinstance(value, float):
            if not value.is_integer():
                return f"Expected a whole number, got {_describe(value)}.", None
            value = int(value)
    low, high = item.min, item.max
    if (low is not None and value < low) or (high is not None and value > high):
        unit = f" {item.unit.display}" if item.unit else ""
        shown = _describe(value) + (unit if abs(value) < 10**15 else "")
        return (f"{shown} is outside the plausible range "
                f"{_bound(low)} to {_bound(high)}{unit}."), None
    return None, value


def _multi(item: Item, value):
    if not isinstance(value, list):
        return f"Expected a list of answers, got {_describe(value)}.", None
    allowed = item.option_values()
    wrong = [v for v in value if not _same_kind_in(v, allowed)]
    if wrong:
        return f"{_describe(wrong[0])} is not one of the answers ({_list(allowed)}).", None
    if len(set(value)) != len(value):
        return "An answer is listed twice.", None
    return None, list(value)


def _date_time(value):
    if not isinstance(value, str) or len(value) > 64:
        return f"Expected a date and time, got {_describe(value)}.", None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return "Expected a date and time like 2026-11-20T14:02:00-05:00.", None
    if parsed.tzinfo is None:
        return "The date and time needs a UTC offset, like -05:00.", None
    return None, value


def _same_kind_in(value, allowed) -> bool:
    # True == 1 in Python, but a tick box is not the answer "1" on a scale.
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return False
    return value in allowed


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _when(item: Item) -> str:
    joiner = " or " if item.enable_behavior == "any" else " and "
    parts = [f"when {c.question} exists" if c.operator == "exists" and c.answer is True
             else f"when {c.question} {c.operator} {c.answer!r}" for c in item.enable_when]
    return joiner.join(parts)


def _bound(number) -> str:
    return "any" if number is None else f"{number}"


def _list(values) -> str:
    return ", ".join(str(v) for v in values)


def _name(key) -> str:
    return key[:80] if isinstance(key, str) else _describe(key)


def _describe(value) -> str:
    """A short, safe picture of a value: never a huge repr, never a recursion into junk."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else "a very large number"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "a non-finite number"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"
