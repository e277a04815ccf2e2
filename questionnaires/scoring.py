"""Scores from answers, as each definition's `scoring` section says.

The missing-data rule counts only items that applied (an item switched off by its
condition, like school questions for a child not at school, is not "missing"), and a
score whose rule fails is None, never a number made up from too few answers.
"""
from __future__ import annotations

from .conditions import is_enabled
from .model import Definition, Item, Score
from .validation import validate_answers


def score(definition: Definition, answers) -> dict[str, float | int | None]:
    """Every score of the definition; invalid answers count as unanswered."""
    valid = validate_answers(definition, answers).valid_answers
    applies = {item.link_id: is_enabled(item, valid, set()) is not False for item in definition.items}
    return {each.id: _one(definition, each, valid, applies) for each in definition.scores}


def _one(definition: Definition, rule: Score, answers: dict, applies: dict):
    counted = [link_id for link_id in rule.items if applies.get(link_id)]
    answered = [link_id for link_id in counted if link_id in answers]
    if not answered or len(answered) < rule.min_answered * len(counted):
        return None
    if rule.method == "count":
        value = sum(_count(answers[link_id]) for link_id in answered)
    else:
        numbers = [_number(definition.item(link_id), answers[link_id], link_id in rule.reverse)
                   for link_id in answered]
        if rule.method == "mean":
            value = sum(numbers) / len(numbers)
        else:
            # A sum over fewer items than asked is scaled up, so a skipped item reads as average.
            value = sum(numbers) * len(counted) / len(answered)
    if rule.transform is not None:
        value = rule.transform.apply(value)
    return _tidy(value)


def _number(item: Item, answer, reverse: bool) -> float:
    value = int(answer) if isinstance(answer, bool) else answer
    if reverse:
        low, high = item.bounds()
        value = low + high - value
    return value


def _count(answer) -> int:
    if isinstance(answer, list):
        return len(answer)
    return 1 if answer is True else 0


def _tidy(value):
    rounded = round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded
