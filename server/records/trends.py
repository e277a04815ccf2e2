"""Time series for charts: one measure of one patient, oldest first, on corrected time,
each point naming the entry it came from. No Flask, no database: it takes read entries.

Superseded entries are left out (the newest of a correction chain wins). Quarantined entries
stay in, with their status: their answers that passed validation are real readings, the
same ones the safety rules ran on.
"""
from dataclasses import dataclass
from typing import Callable

from questionnaires import age_at, age_band

from ..clock import to_wire

CARE_TEAM = ("nurse", "physician")
WELLBEING_READERS = ("nurse", "physician", "psychosocial")
QOL_DOMAINS = ("physical", "emotional", "social", "school", "total")


def number(value):
    # bool is an int in Python; a yes/no answer must never plot as 0 or 1.
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Measure:
    questionnaire_id: str
    unit: str                           # UCUM, as the definitions and FHIR exports use
    roles: tuple[str, ...]
    value: Callable                     # Entry -> number or None (no point)
    extra: Callable = lambda entry, patient: {}


def answer(link_id):
    return lambda entry: number(entry.answers.get(link_id))


def score(score_id):
    return lambda entry: number(entry.scores.get(score_id))


def temperature_extra(entry, patient):
    return {"method": entry.answers.get("temperature_method"),
            "fever_medicine_hours": number(entry.answers.get("fever_medicine_hours"))}


def qol_extra(entry, patient):
    # Bands and variants change with birthdays over 15 years of follow-up, and proxy and
    # self-report scores are not the same scale, so a chart must be able to mark both.
    return {"variant": entry.variant, "respondent": entry.respondent,
            "age_band": band_at(patient, entry.corrected_at)}


def band_at(patient, moment):
    try:
        return age_band(age_at(patient["date_of_birth"], patient["timezone"], moment))
    except ValueError:  # a time before birth: a broken clock, no band to show
        return None


def distress(entry):
    found = number(entry.scores.get("distress"))
    return found if found is not None else number(entry.answers.get("distress"))


MEASURES = {
    "temperature": Measure("symptom-diary", "Cel", CARE_TEAM, answer("temperature_c"),
                           temperature_extra),
    "spo2": Measure("symptom-diary", "%", CARE_TEAM, answer("spo2_percent")),
    # ICE-style (higher is better, 0-10) and CAPD-style (higher is worse, 0-32) never share
    # a line: every point names its variant and the baseline of that variant.
    "neuro_check": Measure("neuro-check", "{score}", CARE_TEAM, score("total"),
                           lambda entry, patient: {"variant": entry.variant}),
    **{f"quality_of_life.{domain}": Measure("quality-of-life", "{score}", WELLBEING_READERS,
                                            score(domain), qol_extra)
       for domain in QOL_DOMAINS},
    "caregiver_distress": Measure(
        "caregiver-wellbeing", "{score}", WELLBEING_READERS, distress,
        lambda entry, patient: {"want_contact": entry.answers.get("want_contact")}),
}


def trend(name, entries, patient, *, fever_threshold_c=None) -> dict:
    """`patient` needs "date_of_birth" and "timezone"; `fever_threshold_c` is the rule set's
    per-method threshold ({"any": 38.0, ...}), drawn as the fever line."""
    measure = MEASURES[name]
    current = sorted((entry for entry in entries if entry.superseded_by is None
                      and entry.questionnaire_id == measure.questionnaire_id),
                     key=lambda entry: (entry.corrected_at, entry.received_at, entry.entry_id))
    points = []
    for entry in current:
        value = measure.value(entry)
        if value is not None:
            points.append({"at": to_wire(entry.corrected_at), "value": value,
                           "entry_id": entry.entry_id, "status": entry.status,
                           **measure.extra(entry, patient)})
    result = {"measure": name, "unit": measure.unit, "points": points}
    if name == "temperature" and fever_threshold_c:
        result["threshold_c"] = fever_threshold_c["any"]
        result["threshold_c_by_method"] = dict(fever_threshold_c)
    if name == "neuro_check":
        result["baselines"] = with_baselines(points)
    return result


def with_baselines(points) -> dict:
    """The first check of each variant is that variant's baseline (CLINICAL.md: drops are
    judged against the child's own baseline); each point gets its variant's baseline."""
    baselines = {}
    for point in points:
        first = baselines.setdefault(point["variant"], {
            "entry_id": point["entry_id"], "at": point["at"], "value": point["value"]})
        point["baseline"] = first["value"]
    return baselines
