"""Rules about a definition as a whole, run after the schema has checked each field.

Each problem is a sentence that starts with where it is (`item 'temperature_c'`), because
the person fixing a file at a site has only the message to go on.
"""
from __future__ import annotations

from .model import (
    NUMERIC_TYPES, OPTION_TYPES, SCALED_TYPES, Definition, Item, Score,
)

ORDERED_OPERATORS = (">", "<", ">=", "<=")


def problems_in(definition: Definition) -> list[str]:
    problems: list[str] = []
    languages = list(definition.languages)
    if len(set(languages)) != len(languages):
        problems.append("languages: listed twice")
    problems += _texts("title", definition.title, languages)
    if definition.description:
        problems += _texts("description", definition.description, languages)
    seen: dict[str, Item] = {}
    for item in definition.items:
        where = f"item '{item.link_id}'"
        if item.link_id in seen:
            problems.append(f"{where}: linkId used twice")
        problems += [f"{where}: {p}" for p in _item(item, languages)]
        problems += [f"{where}: {p}" for p in _conditions(item, seen)]
        seen[item.link_id] = item
    if definition.min_answers > len(definition.items):
        problems.append("min_answers: more than there are items")
    score_ids = set()
    for score in definition.scores:
        if score.id in score_ids:
            problems.append(f"score '{score.id}': id used twice")
        score_ids.add(score.id)
        problems += [f"score '{score.id}': {p}" for p in _score(score, seen)]
    return problems


def _texts(where: str, texts: dict | None, languages: list[str]) -> list[str]:
    if texts is None:
        return []
    missing = [code for code in languages if code not in texts]
    extra = [code for code in texts if code not in languages]
    out = []
    if missing:
        out.append(f"{where}: no text in {', '.join(missing)}")
    if extra:
        out.append(f"{where}: text in {', '.join(extra)}, which is not in languages")
    return out


def _item(item: Item, languages: list[str]) -> list[str]:
    out = _texts("text", item.text, languages) + _texts("help", item.help, languages)
    kind = item.type
    if kind not in NUMERIC_TYPES:
        for name in ("unit", "min", "max"):
            if getattr(item, name) is not None:
                out.append(f"{name}: only decimal and integer items have one")
    if kind == "integer":
        for name in ("min", "max"):
            value = getattr(item, name)
            if value is not None and value != int(value):
                out.append(f"{name}: must be a whole number for an integer item")
    if item.min is not None and item.max is not None and item.min >= item.max:
        out.append("max: must be greater than min")
    if item.max_length is not None and kind != "text":
        out.append("maxLength: only text items have one")
    if kind in OPTION_TYPES:
        out += _options(item, languages)
    elif item.options:
        out.append(f"options: a {kind} item has no options")
    return out


def _options(item: Item, languages: list[str]) -> list[str]:
    if not item.options:
        return [f"options: a {item.type} item needs options"]
    out = []
    values = item.option_values()
    if len(set(values)) != len(values):
        out.append("options: a value is used twice")
    if item.type in ("choice", "multi-choice"):
        if not all(isinstance(v, str) for v in values):
            out.append("options: values of a choice are strings")
    elif not all(isinstance(v, int) for v in values):
        out.append(f"options: values of a {item.type} item are whole numbers")
    elif item.type == "scale-0-4" and sorted(values) != [0, 1, 2, 3, 4]:
        out.append("options: a scale-0-4 item has exactly the values 0, 1, 2, 3 and 4")
    elif item.type == "faces" and (len(values) < 2 or not all(0 <= v <= 4 for v in values)):
        out.append("options: a faces item has two or more values from 0 to 4")
    for option in item.options:
        out += _texts(f"option '{option.value}'", option.text, languages)
    return out


def _conditions(item: Item, earlier: dict[str, Item]) -> list[str]:
    out = []
    for condition in item.enable_when:
        # Pointing only backwards keeps conditions free of cycles and matches the screen order.
        question = earlier.get(condition.question)
        if question is None:
            out.append(f"enableWhen: '{condition.question}' is not an earlier item")
            continue
        out += [f"enableWhen '{condition.question}': {p}" for p in _condition_answer(condition, question)]
    return out


def _condition_answer(condition, question: Item) -> list[str]:
    answer, operator = condition.answer, condition.operator
    if operator == "exists":
        return [] if isinstance(answer, bool) else ["exists takes true or false"]
    if operator in ORDERED_OPERATORS and question.type not in NUMERIC_TYPES + ("scale-0-4", "faces"):
        return [f"{operator} needs a number question, '{question.link_id}' is {question.type}"]
    if question.type in OPTION_TYPES:
        if answer not in question.option_values() or isinstance(answer, bool):
            return [f"{answer!r} is not one of the options of '{question.link_id}'"]
        return []
    if question.type == "boolean":
        return [] if isinstance(answer, bool) else ["a boolean question takes true or false"]
    if question.type in NUMERIC_TYPES:
        ok = isinstance(answer, (int, float)) and not isinstance(answer, bool)
        return [] if ok else ["a number question takes a number"]
    return [] if isinstance(answer, str) else [f"a {question.type} question takes a string"]


def _score(score: Score, items: dict[str, Item]) -> list[str]:
    out = []
    if len(set(score.items)) != len(score.items):
        out.append("an item is listed twice")
    for link_id in score.items:
        item = items.get(link_id)
        if item is None:
            out.append(f"'{link_id}' is not an item")
        elif score.method == "count" and item.type not in ("multi-choice", "boolean"):
            out.append(f"count needs multi-choice or boolean items, '{link_id}' is {item.type}")
        elif score.method != "count" and item.type not in SCALED_TYPES:
            out.append(f"'{link_id}' is {item.type}, which has no number to {score.method}")
    for link_id in score.reverse:
        item = items.get(link_id)
        if link_id not in score.items:
            out.append(f"reverse: '{link_id}' is not one of the score's items")
        elif item is not None and item.bounds() is None:
            out.append(f"reverse: '{link_id}' needs min and max to be reversed")
    if score.reverse and score.method == "count":
        out.append("reverse: a count cannot be reversed")
    transform = score.transform
    if transform is not None and transform.source[0] == transform.source[1]:
        out.append("transform: 'from' needs two different numbers")
    return out
