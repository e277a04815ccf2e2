"""The default rule set, row by row of CLINICAL.md's table: what fires, at which level,
with which evidence and which advice. Boundaries are in the shared vectors as well."""
import json
from datetime import timedelta

import pytest

from alerts.evaluate import evaluate_silence

FEVER, HIGH = ("fever", "urgent", False), ("high_fever", "urgent", True)
BORDER = ("borderline_temperature", "attention", False)


def test_it_reports_a_fever_with_the_reading_and_the_threshold_used(findings):
    [fever] = findings({"temperature_c": 38.4, "temperature_method": "ear"})
    assert (fever.reason, fever.level, fever.escalate_now) == FEVER
    assert fever.evidence["answers"] == {"temperature_c": 38.4, "temperature_method": "ear"}
    assert fever.evidence["parameters"]["fever_threshold_c"] == 38.0
    assert fever.rule_id == "fever" and fever.ruleset_id == "homeward-default"


@pytest.mark.parametrize("method", ["oral", "axillary", "ear", "forehead", "rectal", None])
def test_it_draws_the_fever_line_at_38_0_for_every_method_by_default(reasons, method):
    answers = {"temperature_method": method} if method else {}
    assert reasons({**answers, "temperature_c": 38.0}) == [FEVER]
    assert reasons({**answers, "temperature_c": 37.9}) == [BORDER]


def test_it_reports_fever_and_high_fever_together_for_one_reading_of_39(reasons):
    assert reasons({"temperature_c": 39.0}) == [HIGH, FEVER]
    assert reasons({"temperature_c": 38.9}) == [FEVER]


@pytest.mark.parametrize("sign", ["dizzy_or_fainting", "breathing_difficulty"])
def test_it_makes_a_fever_with_a_warning_sign_a_high_fever(reasons, sign):
    assert HIGH in reasons({"temperature_c": 38.1, sign: True})
    assert HIGH not in reasons({"temperature_c": 38.1, sign: False})
    assert HIGH not in reasons({"temperature_c": 37.8, sign: True})


def test_it_counts_fever_medicine_in_the_last_six_hours_as_a_possibly_hidden_fever(findings):
    [masked] = findings({"temperature_c": 36.9, "fever_medicine_hours": 3})
    assert (masked.reason, masked.level) == ("borderline_temperature", "attention")
    assert masked.evidence["answers"]["fever_medicine_hours"] == 3
    assert findings({"temperature_c": 36.9, "fever_medicine_hours": 6.01}) == []


def test_it_does_not_add_a_borderline_finding_to_a_fever(reasons):
    assert reasons({"temperature_c": 38.6, "fever_medicine_hours": 1}) == [FEVER]


def test_it_uses_the_per_method_threshold_a_site_configures(reasons):
    site = {"fever_threshold_c": {"any": 38.0, "oral": 38.3}}
    assert reasons({"temperature_c": 38.2, "temperature_method": "oral"}, parameters=site) == [BORDER]
    assert reasons({"temperature_c": 38.2, "temperature_method": "ear"}, parameters=site) == [FEVER]


def test_it_finds_a_sustained_fever_from_the_readings_of_the_last_day(findings, now):
    site = {"fever_threshold_c": {"any": 38.0, "oral": 38.3}}
    earlier = [{"at": now - timedelta(minutes=65), "temperature_c": 38.0, "method": "oral"}]
    [fever] = findings({"temperature_c": 38.1, "temperature_method": "oral"},
                       parameters=site, recent_temperatures=earlier)
    assert fever.reason == "fever"
    assert fever.evidence["sustained_since"] == (now - timedelta(minutes=65)).isoformat()


def test_it_sends_breathing_trouble_to_the_team_and_very_low_oxygen_to_emergency(reasons):
    assert reasons({"breathing_difficulty": True}) == [("breathing", "urgent", False)]
    assert reasons({"spo2_percent": 93}) == [("breathing", "urgent", False)]
    assert reasons({"spo2_percent": 94}) == []
    assert reasons({"spo2_percent": 89, "breathing_difficulty": True}) == [("breathing", "emergency", True)]


def test_it_reports_only_the_neuro_signs_that_are_new_since_the_previous_entry(findings):
    [sign] = findings({"neuro_signs": ["tremor", "speech", "headache"]},
                      previous_diary_answers={"neuro_signs": ["tremor", "headache"]})
    assert (sign.reason, sign.level) == ("neuro_sign", "urgent")
    assert sign.evidence["new"] == {"neuro_signs": ["speech"]}
    assert findings({"neuro_signs": ["tremor"]},
                    previous_diary_answers={"neuro_signs": ["tremor"]}) == []


def test_it_treats_every_sign_as_new_when_there_is_no_previous_entry(findings):
    [sign] = findings({"neuro_signs": ["weakness", "balance"]})
    assert sign.evidence["new"] == {"neuro_signs": ["weakness", "balance"]}


@pytest.mark.parametrize("sign", ["seizure", "unresponsive"])
def test_it_makes_a_seizure_or_a_child_who_cannot_be_woken_an_emergency_every_time(reasons, sign):
    expected = [(sign, "emergency", True)]
    assert reasons({"neuro_signs": [sign]}) == expected
    assert reasons({"neuro_signs": [sign]}, previous_diary_answers={"neuro_signs": [sign]}) == expected


def test_it_lets_a_physician_mark_a_known_baseline_tremor(reasons):
    overrides = {"baseline_signs": {"neuro_signs": ["tremor"]}}
    assert reasons({"neuro_signs": ["tremor"]}, patient_overrides=overrides) == []
    assert reasons({"neuro_signs": ["tremor"]}) == [("neuro_sign", "urgent", False)]
    assert reasons({"neuro_signs": ["tremor", "confusion"]}, patient_overrides=overrides) == [
        ("neuro_sign", "urgent", False)]


def test_it_lets_a_physician_ask_for_tremor_at_every_entry(reasons):
    overrides = {"always_report_signs": {"neuro_signs": ["tremor"]}}
    yesterday = {"neuro_signs": ["tremor"]}
    assert reasons({"neuro_signs": ["tremor"]}, previous_diary_answers=yesterday) == []
    assert reasons({"neuro_signs": ["tremor"]}, previous_diary_answers=yesterday,
                   patient_overrides=overrides) == [("neuro_sign", "urgent", False)]


def ice(total, baseline=None, variant="ice-style"):
    return {"scores": {"total": total}, "questionnaire_id": "neuro-check", "variant": "ice-style",
            "baseline": {"neuro_check_total": baseline, "neuro_check_variant": variant,
                         "quality_of_life_total": None}}


def test_it_compares_an_ice_style_check_with_the_childs_own_baseline(findings):
    [drop] = findings({"knows_year": True}, **ice(7, baseline=8))
    assert (drop.reason, drop.level) == ("neuro_check_drop", "urgent")
    assert drop.evidence["change"] == {"from": 8, "to": 7, "points": 1}
    assert findings({"knows_year": True}, **ice(8, baseline=8)) == []


def test_it_compares_with_a_full_score_when_there_is_no_ice_style_baseline(reasons):
    assert reasons({"knows_year": True}, **ice(9)) == [("neuro_check_drop", "urgent", False)]
    assert reasons({"knows_year": True}, **ice(10)) == []
    assert reasons({"knows_year": True}, **ice(9, baseline=9, variant="capd-style")) == [
        ("neuro_check_drop", "urgent", False)]


def test_it_makes_an_ice_style_total_of_two_or_less_an_emergency(reasons):
    assert reasons({"knows_year": True}, **ice(2, baseline=10)) == [("neuro_check_drop", "emergency", True)]
    assert reasons({"knows_year": True}, **ice(3, baseline=10)) == [("neuro_check_drop", "urgent", False)]


def capd(total, baseline=None):
    return {"scores": {"total": total}, "questionnaire_id": "neuro-check", "variant": "capd-style",
            "baseline": {"neuro_check_total": baseline, "neuro_check_variant": "capd-style"}}


def test_it_screens_a_capd_style_observation_for_delirium(reasons):
    assert reasons({"restless": 2}, **capd(9)) == [("delirium_screen", "urgent", False)]
    assert reasons({"restless": 2}, **capd(8)) == []
    assert reasons({"restless": 2}, **capd(6, baseline=2)) == [("delirium_screen", "urgent", False)]
    assert reasons({"restless": 2}, **capd(5, baseline=2)) == []


def test_it_watches_new_organ_signs_from_day_0_to_day_60(reasons):
    flare = [("organ_flare", "attention", False)]
    assert reasons({"organ_signs": ["less_urine"]}, day_post_infusion=60) == flare
    assert reasons({"organ_signs": ["less_urine"]}, day_post_infusion=61) == []
    assert reasons({"organ_signs": ["less_urine"]}, day_post_infusion=20,
                   previous_diary_answers={"organ_signs": ["less_urine"]}) == []


def test_it_tells_the_psychosocial_team_about_a_fall_in_quality_of_life(findings):
    qol = {"questionnaire_id": "quality-of-life", "variant": "self-13-17",
           "baseline": {"quality_of_life_total": 82.5}}
    [drop] = findings({"phys_pain": 3}, scores={"total": 72.5, "physical": 60}, **qol)
    assert (drop.reason, drop.level, drop.escalate_now) == ("qol_drop", "info", False)
    assert drop.evidence["scores"] == {"total": 72.5, "physical": 60}
    assert drop.evidence["context"] == {"baseline.quality_of_life_total": 82.5}
    assert findings({"phys_pain": 3}, scores={"total": 72.6}, **qol) == []


@pytest.mark.parametrize("distress, expected", [
    (3, []), (4, [("caregiver_distress", "info", False)]), (7, [("caregiver_distress", "info", False)]),
    (8, [("caregiver_distress", "attention", False)])])
def test_it_grades_caregiver_distress(reasons, distress, expected):
    assert reasons({"distress": distress}, scores={"distress": distress},
                   questionnaire_id="caregiver-wellbeing") == expected


def test_it_raises_a_missed_check_in_at_12_hours_and_no_contact_at_24(silence):
    assert silence(11.99) == []
    assert silence(12) == [("missed_checkin", "attention")]
    assert silence(24) == [("no_contact", "urgent"), ("missed_checkin", "attention")]
    assert silence(30, day_post_infusion=15) == []
    assert silence(None) == []


def test_it_takes_now_as_an_argument_for_the_scheduler(rules, now):
    context = {"day_post_infusion": 2, "last_temperature_at": now}
    assert evaluate_silence(rules, context, now + timedelta(hours=11)) == []
    [missed] = evaluate_silence(rules, context, now + timedelta(hours=13))
    assert missed.evidence["context"]["hours_since_last_temperature"] == 13


def test_it_orders_findings_most_severe_first(reasons):
    found = reasons({"temperature_c": 39.4, "spo2_percent": 88, "neuro_signs": ["seizure", "confusion"],
                     "organ_signs": ["rash"]})
    assert found == [("seizure", "emergency", True), ("breathing", "emergency", True), HIGH, FEVER,
                     ("neuro_sign", "urgent", False), ("organ_flare", "attention", False)]


ADVICE = {
    "emergency": ("emergency services now", "emergencias"),
    "urgent": ("Call the CAR T team now", "Llame ahora al equipo de CAR-T"),
    "attention": ("The team will review this today", "El equipo lo revisará hoy"),
    "info": ("psychosocial team will be in touch", "equipo psicosocial se pondrá en contacto"),
}


def test_it_gives_every_rule_advice_in_english_and_spanish_that_says_what_to_do_now(rules):
    for rule in rules.rules:
        if rule.kind == "time" or rule.reason == "caregiver_distress":
            continue  # their advice is about the check-in or the carer, tested below
        english, spanish = ADVICE[rule.level]
        assert english in rule.advice["en"], rule.id
        assert spanish in rule.advice["es"], rule.id
        assert len(rule.advice["en"]) < 260, rule.id


def test_it_gives_time_and_carer_advice_that_asks_for_a_reading_or_offers_contact(rules):
    by_id = {rule.id: rule for rule in rules.rules}
    assert "temperature now" in by_id["missed-checkin"].advice["en"]
    assert "temperatura ahora" in by_id["no-contact"].advice["es"]
    assert "contact you today" in by_id["caregiver-distress-high"].advice["en"]
    assert "psicosocial" in by_id["caregiver-distress"].advice["es"]


def test_it_escalates_every_emergency_at_once(rules):
    assert all(rule.escalate_now for rule in rules.rules if rule.level == "emergency")
    assert [rule.reason for rule in rules.rules if rule.escalate_now and rule.level == "urgent"] == [
        "high_fever"]


def test_it_serialises_a_finding_to_plain_json(findings):
    [finding] = findings({"neuro_signs": ["headache"]})
    as_dict = finding.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert set(as_dict) == {"reason", "level", "escalate_now", "evidence", "advice", "rule_id",
                            "ruleset_id", "ruleset_version", "measure_again_minutes"}
    assert as_dict["measure_again_minutes"] is None  # a headache asks for no second reading
