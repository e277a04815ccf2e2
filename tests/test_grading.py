"""The highest ASTCT grade reported home data are compatible with (server/records/grading.py):
ASTCT 2019 thresholds, and a label that never passes for a clinical grade."""
import pytest

from server.records.grading import compatible_grades, crs_compatibility, icans_compatibility


def diary(**answers):
    return {"questionnaire_id": "symptom-diary", "variant": "caregiver", "answers": answers,
            "scores": {}}


def neuro(variant, total):
    return {"questionnaire_id": "neuro-check", "variant": variant, "answers": {},
            "scores": {"total": total}}


def test_it_says_nothing_bears_on_crs_without_a_temperature():
    verdict = crs_compatibility([diary(spo2_percent=97)])
    assert verdict.grade is None
    assert verdict.label.startswith("Nothing reported bears on CRS")


def test_it_finds_no_crs_below_38_even_for_an_axillary_reading_near_it():
    verdict = crs_compatibility([diary(temperature_c=37.9, temperature_method="axillary")])
    assert verdict.grade == 0
    assert "37.9 °C" in verdict.reasons[0]


def test_it_warns_that_fever_medicine_can_hide_a_fever():
    verdict = crs_compatibility([diary(temperature_c=37.2, fever_medicine_hours=2)])
    assert verdict.grade == 0
    assert any("hide a fever" in reason for reason in verdict.reasons)


def test_it_puts_fever_alone_at_crs_grade_1_labelled_as_not_a_clinical_grade():
    verdict = crs_compatibility([diary(temperature_c=37.0),
                                 diary(temperature_c=38.6, temperature_method="axillary")])
    assert verdict.grade == 1
    assert verdict.label == ("Reported data compatible with up to CRS grade 1 — not a "
                             "clinical grade; the grade is assigned by clinicians")
    assert verdict.reasons == ("fever 38.6 °C",)


@pytest.mark.parametrize("sign, reason", [
    ({"spo2_percent": 92}, "oxygen saturation 92 %"),
    ({"breathing_difficulty": True}, "breathing difficulty"),
    ({"dizzy_or_fainting": True}, "dizziness or fainting"),
])
def test_it_puts_fever_with_low_oxygen_or_blood_pressure_signs_at_crs_grade_2(sign, reason):
    verdict = crs_compatibility([diary(temperature_c=38.2), diary(**sign)])
    assert verdict.grade == 2
    assert any(text.startswith(reason) for text in verdict.reasons)
    assert "vasopressors" in verdict.limits  # grades 3-4 need treatment facts


def test_it_never_grades_crs_without_fever_however_low_the_oxygen():
    verdict = crs_compatibility([diary(temperature_c=37.4, spo2_percent=85,
                                       breathing_difficulty=True)])
    assert verdict.grade == 0


def test_it_ignores_yes_no_answers_posing_as_numbers():
    assert crs_compatibility([diary(temperature_c=True)]).grade is None


@pytest.mark.parametrize("total, grade", [(10, 0), (9, 1), (7, 1), (6, 2), (3, 2), (2, 3),
                                          (0, 3)])
def test_it_grades_ice_style_checks_on_the_astct_bands(total, grade):
    assert icans_compatibility([neuro("ice-style", total)]).grade == grade


@pytest.mark.parametrize("total, grade", [(0, 0), (1, 2), (8, 2), (9, 3), (32, 3)])
def test_it_grades_capd_style_observations_positive_at_9(total, grade):
    verdict = icans_compatibility([neuro("capd-style", total)])
    assert verdict.grade == grade
    assert ("positive" in verdict.reasons[0]) == (total >= 9)


def test_it_puts_any_seizure_at_icans_grade_3_or_worse_whatever_the_check_says():
    verdict = icans_compatibility([neuro("ice-style", 10), diary(neuro_signs=["seizure"])])
    assert verdict.grade == 3
    assert verdict.reasons[0].startswith("seizure")


def test_it_puts_a_child_who_cannot_be_woken_at_icans_grade_4():
    verdict = icans_compatibility([diary(neuro_signs=["sleepiness", "unresponsive"])])
    assert verdict.grade == 4
    assert verdict.reasons[0].startswith("could not be woken")


def test_it_does_not_grade_tremor_alone_but_names_it():
    verdict = icans_compatibility([diary(neuro_signs=["tremor"])])
    assert verdict.grade == 0
    assert "tremor" in verdict.reasons[0] and "neuro check" in verdict.reasons[0]


def test_it_takes_the_worst_of_several_checks_and_says_nothing_without_neuro_data():
    assert icans_compatibility([neuro("ice-style", 9), neuro("ice-style", 5)]).grade == 2
    assert icans_compatibility([diary(temperature_c=38.5)]).grade is None


def test_it_returns_both_verdicts_from_one_set_of_readings():
    crs, icans = compatible_grades(iter([diary(temperature_c=39.1),
                                         neuro("ice-style", 8)]))
    assert (crs.syndrome, crs.grade, icans.syndrome, icans.grade) == ("CRS", 1, "ICANS", 1)
    assert "not a clinical grade" in icans.label
