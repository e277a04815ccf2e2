"""Safety advice on the phone, offline: the same rules the server runs (the `rules` item of
the pull feed), evaluated the moment an entry is recorded, so a family with no signal is
still told to call the team about a fever at once.

The phone knows less than the server (no earlier answers are kept in plain text), so rules
that compare with the last entry or a baseline may stay quiet here; the server, which
knows the history, has the last word when the entry syncs.
"""
from datetime import date

from alerts.evaluate import evaluate
from alerts.ruleset import RulesError, parse_ruleset
from questionnaires import local_date, parse_definition, score
from questionnaires.model import DefinitionError

from .local import questionnaire


def advise(store, questionnaire_id, answers, recorded_at) -> list[dict]:
    """[{"reason", "level", "advice"}], most severe first, in the family's language."""
    document = store.items("rules").get("rules")
    if document is None:
        return []  # never pulled yet: the app shows its built-in "call if worried" text
    try:
        ruleset = parse_ruleset(document, "rules from the pull feed")
    except RulesError:
        return []
    profile = next(iter(store.items("profile").values()), {})
    definition = questionnaire(store, questionnaire_id)
    entry = {"questionnaire_id": questionnaire_id,
             "variant": (definition or {}).get("variant"),
             "answers": answers, "scores": scores_of(definition, answers),
             "recorded_at": recorded_at}
    context = {"now": recorded_at, "age_band": profile.get("age_band"),
               "day_post_infusion": day_post_infusion(profile, recorded_at)}
    language = (profile.get("language") or "en").split("-")[0]
    return [{"reason": finding.reason, "level": finding.level,
             "advice": finding.advice.get(language) or finding.advice.get("en")}
            for finding in evaluate(ruleset, entry, context)]


def day_post_infusion(profile, moment):
    if not profile.get("day0") or not profile.get("timezone"):
        return None
    return (local_date(moment, profile["timezone"]) - date.fromisoformat(profile["day0"])).days


def scores_of(definition, answers) -> dict:
    if not definition:
        return {}
    try:
        return score(parse_definition(definition, "pulled definition"), answers)
    except (DefinitionError, ValueError, TypeError):
        return {}
