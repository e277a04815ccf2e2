"""An entry's answers in words: each item's question as the family read it, the answer as
they chose it, and for the neuro checks what that answer means ("Did they notice what was
going on around them?: 4 of 4 (All the time) — normal"). Pure: takes the definition the
entry was filled on (questionnaires.Definition) and its answers; no Flask.

A nurse reading "aware: 4" has to know the instrument by heart to tell whether 4 is good.
"""
import re

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


# Why an entry was quarantined, in words. The phone's own message stays beside what it
# sent (`detail`), for whoever looks into the app.
PROBLEM_WORDS = {
    "invalid_answer": "An answer the form does not allow",
    "invalid_answers": "The answers could not be read",
    "unknown_item": "An answer to a question the form does not have",
    "required": "A required answer is missing",
    "not_enabled": "An answer to a question that did not apply",
    "no_answers": "No answers",
    "invalid_document": "The entry could not be read",
    "unknown_questionnaire": "A form this server does not know",
    "unknown_task": "A task this server does not know",
    "implausible_time": "A time the phone's clock cannot explain",
}
VARIANT_WORDS = {"capd-style": "CAPD-style", "ice-style": "ICE-style"}


def variant_words(variant) -> str:
    return VARIANT_WORDS.get(variant, str(variant or "").replace("-", " "))


# A message a nurse can read as it is: no field names, machine times or form keys.
MACHINE_WORDS = re.compile(r"_|\d{4}-\d{2}-\d{2}|@|\{")


def problem_rows(definition, problems) -> list[dict]:
    """[{"what", "question", "detail"}] for an entry's problems: "An answer the form does not
    allow: Oxygen saturation (SpO2): 500 % is outside the plausible range 50 to 100 %"."""
    rows = []
    for problem in problems or ():
        field = problem.get("field")
        item = definition.item(field) if definition is not None and field else None
        rows.append({"what": PROBLEM_WORDS.get(problem.get("code"), "A problem"),
                     "question": words(item.text) if item is not None else
                     (field.replace("_", " ") if field else None),
                     "detail": None if MACHINE_WORDS.search(problem.get("message") or "_")
                     else problem["message"]})
    return rows
