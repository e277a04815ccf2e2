"""Plausible answers for simulated families: mostly well, with the fevers, neuro changes
and declines the plan asks for. Each instrument gets answers in its own direction (on the
CAPD-style check the first four items are good when high; on quality of life, 0 is
"never a problem")."""
from datetime import timedelta

CAPD_GOOD_HIGH = ("eye_contact", "purposeful", "aware", "tells_needs")


def answers_for(questionnaire_id, client, plan, when, rng) -> dict:
    definition = client.questionnaire(questionnaire_id) or {}
    variant = definition.get("variant", "")
    if questionnaire_id == "symptom-diary":
        return diary(plan, when, rng)
    if questionnaire_id == "neuro-check":
        return neuro_check(variant, plan, when, rng)
    if questionnaire_id == "quality-of-life":
        return quality_of_life(definition, plan, when, rng)
    if questionnaire_id == "caregiver-wellbeing":
        # Harder months for the families whose child's quality of life is falling.
        return {"distress": rng.choice((5, 6, 7, 8) if plan.qol_decline else (1, 2, 3, 3, 5))}
    return {}


def near(moment, target, hours=6):
    return target is not None and timedelta(0) <= moment - target < timedelta(hours=hours)


def diary(plan, when, rng) -> dict:
    answers = {"temperature_c": round(rng.uniform(36.3, 37.2), 1),
               "temperature_method": rng.choice(("oral", "axillary", "ear"))}
    if near(when, plan.fever_at) or (plan.fever_at and abs(when - plan.fever_at) <
                                     timedelta(minutes=90)):
        answers["temperature_c"] = round(rng.uniform(38.2, 39.3), 1)
    if near(when, plan.neuro_change_at, hours=12):
        answers["neuro_signs"] = ["confusion"]
    if plan.emergency_at is not None and abs(when - plan.emergency_at) < timedelta(minutes=1):
        answers["neuro_signs"] = ["seizure"]
    return answers


def neuro_check(variant, plan, when, rng) -> dict:
    worse = near(when, plan.neuro_change_at, hours=24)
    if variant == "ice-style":
        answers = {item: True for item in ("knows_year", "knows_month", "knows_city",
                                           "knows_hospital", "follows_command",
                                           "writes_sentence", "counts_back")}
        answers["names_objects"] = 3
        if worse:
            answers.update(knows_month=False, writes_sentence=False)
        return answers
    answers = {item: 4 for item in CAPD_GOOD_HIGH}
    answers.update({item: 0 for item in ("restless", "inconsolable", "underactive",
                                         "slow_response")})
    if worse:
        answers.update(aware=1, restless=3, slow_response=3)
    return answers


def quality_of_life(definition, plan, when, rng) -> dict:
    trouble = 0.8  # a little trouble now and then
    days = (when.date() - plan.infusion_date).days
    if plan.qol_decline and days > 60:
        trouble += min(2.0, (days - 60) / 60)  # things slowly getting harder
    answers = {}
    for item in definition.get("items", []):
        link_id, kind = item["linkId"], item["type"]
        if kind == "boolean":
            answers[link_id] = True
        elif kind in ("scale-0-4", "faces"):
            values = [option["value"] for option in item.get("options", [])] or [0, 1, 2, 3, 4]
            wanted = min(4, max(0, round(rng.gauss(trouble, 0.7))))
            answers[link_id] = min(values, key=lambda value: abs(value - wanted))
    return answers
