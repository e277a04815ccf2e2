"""An entry's answers in words: each item's question as the family read it, the answer as
they chose it, and for the neuro checks what that answer means ("Did they notice what was
going on around them?: 4 of 4 (All the time) — normal"). Pure: takes the definition the
entry was filled on (questionnaires.Definition) and its answers; no Flask.

A nurse reading "aware: 4" has to know the instrument by heart to tell whether 4 is good.
"""
from questionnaires.model import OPTION_TYPES

# Neuro checks are judged item by item against the healthy answer. Which end is healthy:
# on the ICE-style check a right answer (higher) is; on the CAPD-style observation a higher
# answer is worse except on the items its scoring reverses (eye contact, purpose,
# awareness, telling needs). Other instruments have no "normal" answer to name.
HIGHER_IS_WORSE = {("neuro-check", "ice-style"): False, ("neuro-check", "capd-style"): True}
LANGUAGE = "en"  # staff pages are in English


def words(texts) -> str:
    return (texts or {}).get(LANGUAGE) or next(iter((texts or {}).values()), "")


def option_words(item, value) -> str:
    for option in item.options:
        if option.value == value:
            return words(option.text)
    return str(value)


def healthy_end(definition, item):
    """The answer that means "as usual" for a judged item, or None."""
    worse_high = HIGHER_IS_WORSE.get((definition.id, definition.variant))
    bounds = item.bounds()
    if worse_high is None or bounds is None:
        return None
    if any(item.link_id in score.reverse for score in definition.scores):
        worse_high = not worse_high
    return bounds[0] if worse_high else bounds[1]


def answer_words(definition, item, value) -> str:
    if isinstance(value, list):
        return ", ".join(option_words(item, one) for one in value) or "none"
    if item.type == "boolean":
        shown = "yes" if value else "no"
    elif item.type in OPTION_TYPES:
        chosen = option_words(item, value)
        bounds = item.bounds()
        shown = f"{value} of {bounds[1]:g} ({chosen})" if bounds else chosen
    elif item.unit is not None:
        shown = f"{value:g} {item.unit.display}" if isinstance(value, (int, float)) \
            else f"{value} {item.unit.display}"
    elif item.max is not None and isinstance(value, (int, float)):
        shown = f"{value:g} of {item.max:g}"
    else:
        shown = str(value)
    best = healthy_end(definition, item)
    if best is None:
        return shown
    number = int(value) if isinstance(value, bool) else value
    return f"{shown} — {'normal' if number == best else 'not the usual answer'}"


def answer_rows(definition, answers: dict, scores: dict) -> list[dict]:
    """[{"question", "answer", "key", "usual"}] in the definition's order; answers the
    definition does not know (an older or unknown version) keep their own key."""
    rows = []
    known = set()
    if definition is not None:
        for item in definition.items:
            if item.link_id in answers:
                known.add(item.link_id)
                best = healthy_end(definition, item)
                value = answers[item.link_id]
                rows.append({"key": item.link_id, "question": words(item.text),
                             "answer": answer_words(definition, item, value),
                             "usual": None if best is None else
                             (int(value) if isinstance(value, bool) else value) == best})
    for key, value in answers.items():
        if key not in known:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            rows.append({"key": key, "question": key.replace("_", " "), "answer": shown,
                         "usual": None})
    for key, value in (scores or {}).items():
        rows.append({"key": f"score.{key}", "question": f"Score: {key.replace('_', ' ')}",
                     "answer": f"{value:g}" if isinstance(value, (int, float)) else str(value),
                     "usual": None, "score": True})
    return rows
