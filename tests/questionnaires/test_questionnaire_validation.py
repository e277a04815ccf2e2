import math

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from questionnaires import load_catalog, validate_answers


def codes(result):
    return [(error.code, error.field) for error in result.errors]


@pytest.mark.parametrize("temperature, ok", [
    (34.0, True), (33.9, False), (43.0, True), (43.1, False), (38, True), (3.8, False), (380, False),
])
def test_it_checks_the_plausible_temperature_range(diary, temperature, ok):
    result = validate_answers(diary, {"temperature_c": temperature})
    assert result.ok is ok
    assert ("temperature_c" in result.valid_answers) is ok
    if not ok:
        assert codes(result) == [("invalid_answer", "temperature_c")]
        assert "34.0 to 43.0 °C" in result.errors[0].message


@pytest.mark.parametrize("spo2, ok", [(50, True), (100, True), (49, False), (101, False), (97.0, True), (97.5, False)])
def test_it_checks_oxygen_saturation_as_a_whole_percentage(diary, spo2, ok):
    assert validate_answers(diary, {"spo2_percent": spo2}).ok is ok


@pytest.mark.parametrize("link_id, value", [
    ("temperature_c", True), ("temperature_c", "38.5"), ("temperature_c", [38.5]), ("temperature_c", {"value": 38}),
    ("temperature_c", math.nan), ("temperature_c", math.inf), ("temperature_c", 10**400),
    ("spo2_percent", False), ("breathing_difficulty", 1), ("breathing_difficulty", "yes"),
    ("temperature_method", "armpit"), ("neuro_signs", "seizure"), ("neuro_signs", ["seizure", "hiccups"]),
    ("neuro_signs", ["tremor", "tremor"]), ("neuro_signs", [True]), ("notes", 12), ("notes", "x" * 2001),
    ("fever_medicine_hours", -1),
])
def test_it_reports_a_wrong_type_or_value_against_the_item(diary, link_id, value):
    answers = {link_id: value, "dizzy_or_fainting": False}
    if link_id == "temperature_method":
        answers["temperature_c"] = 38.0
    result = validate_answers(diary, answers)
    assert not result.ok
    assert codes(result) == [("invalid_answer", link_id)]
    assert link_id not in result.valid_answers
    assert result.valid_answers["dizzy_or_fainting"] is False


def test_it_keeps_the_answers_that_did_validate_in_a_rejected_entry(diary):
    result = validate_answers(diary, {"temperature_c": 39.2, "temperature_method": "oral",
                                      "spo2_percent": 380, "neuro_signs": ["seizure"], "mood": "ok"})
    assert not result.ok
    assert result.valid_answers == {"temperature_c": 39.2, "temperature_method": "oral", "neuro_signs": ["seizure"]}
    assert codes(result) == [("invalid_answer", "spo2_percent"), ("unknown_item", "mood")]
    assert result.errors[1].to_dict() == {
        "code": "unknown_item", "field": "mood",
        "message": "'mood' is not a question in symptom-diary/caregiver@1.0.0."}


def test_it_needs_at_least_one_answer_in_a_diary_entry(diary):
    for empty in ({}, {"notes": ""}, {"temperature_c": None}):
        result = validate_answers(diary, empty)
        assert codes(result) == [("no_answers", None)]
    assert validate_answers(diary, {"notes": "slept well"}).ok
    assert validate_answers(diary, {"neuro_signs": []}).ok  # "none of these" is an answer


def test_it_refuses_answers_that_are_not_an_object(diary):
    for junk in ([], "temperature_c=38", None, 38.5, [{"temperature_c": 38}]):
        result = validate_answers(diary, junk)
        assert codes(result) == [("invalid_answers", None)] and result.valid_answers == {}


def test_it_refuses_an_answer_to_a_question_that_did_not_apply(diary):
    result = validate_answers(diary, {"temperature_method": "ear", "dizzy_or_fainting": True})
    assert codes(result) == [("not_enabled", "temperature_method")]
    assert result.valid_answers == {"dizzy_or_fainting": True}


def test_it_does_not_pile_errors_on_an_item_whose_condition_cannot_be_judged(diary):
    result = validate_answers(diary, {"temperature_c": 380, "temperature_method": "ear"})
    assert codes(result) == [("invalid_answer", "temperature_c")]
    assert result.valid_answers == {"temperature_method": "ear"}


def test_it_demands_required_answers_only_where_they_apply(catalog):
    follow_up = catalog.get("long-term-follow-up", "1.0.0", "caregiver")
    base = {"infection": False, "hospital_stay": True, "new_lump": False}
    assert codes(validate_answers(follow_up, {"infection": False})) == [
        ("required", "hospital_stay"), ("required", "new_lump")]
    assert validate_answers(follow_up, {**base, "hospital_nights": 3}).ok
    stayed_home = {**base, "hospital_stay": False, "hospital_nights": 3}
    assert codes(validate_answers(follow_up, stayed_home)) == [("not_enabled", "hospital_nights")]


def test_it_applies_any_of_several_conditions(catalog):
    follow_up = catalog.get("long-term-follow-up", "1.0.0", "caregiver")
    base = {"infection": False, "hospital_stay": False, "new_lump": False}
    assert validate_answers(follow_up, {**base, "school_work": "part_time", "days_missed": 4}).ok
    assert validate_answers(follow_up, {**base, "school_work": "as_usual", "days_missed": 0}).ok
    result = validate_answers(follow_up, {**base, "school_work": "not_going", "days_missed": 4})
    assert codes(result) == [("not_enabled", "days_missed")]


def test_it_compares_numbers_in_conditions(catalog):
    wellbeing = catalog.get("caregiver-wellbeing", "1.0.0", "caregiver")
    assert validate_answers(wellbeing, {"distress": 4, "want_contact": True}).ok
    assert codes(validate_answers(wellbeing, {"distress": 3, "want_contact": True})) == [("not_enabled", "want_contact")]
    assert codes(validate_answers(wellbeing, {"problems_family": ["apart"]})) == [("required", "distress")]


def test_it_checks_scale_answers_against_their_values(catalog):
    capd = catalog.get("neuro-check", "1.0.0", "capd-style")
    answers = dict.fromkeys([i.link_id for i in capd.items if i.type == "scale-0-4"], 2)
    assert validate_answers(capd, answers).ok
    for wrong in (5, -1, True, 2.0, "2"):
        assert codes(validate_answers(capd, {**answers, "restless": wrong})) == [("invalid_answer", "restless")]
    faces = catalog.get("quality-of-life", "1.0.0", "self-5-7")
    assert validate_answers(faces, {"phys_pain": 2}).ok
    assert codes(validate_answers(faces, {"phys_pain": 1})) == [("invalid_answer", "phys_pain")]


def test_it_checks_date_times_carry_an_offset(catalog, shipped_document):
    from questionnaires import parse_definition
    document = shipped_document("symptom-diary.caregiver.1.0.0.json")
    document["items"].append({"linkId": "taken_at", "type": "date-time",
                              "text": {"en": "When?", "es": "¿Cuándo?"}})
    definition = parse_definition(document)
    assert validate_answers(definition, {"taken_at": "2026-11-20T14:02:00-05:00"}).ok
    for wrong in ("2026-11-20T14:02:00", "yesterday", 20261120):
        assert codes(validate_answers(definition, {"taken_at": wrong})) == [("invalid_answer", "taken_at")]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.integers(min_value=-(10**500), max_value=10**500),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
ALL_LINK_IDS = sorted({item.link_id for definition in load_catalog() for item in definition.items})
link_ids = st.sampled_from(ALL_LINK_IDS + ["surprise", ""]) | st.text(max_size=10)
# Values an item could plausibly hold, so conditions and ranges get exercised, not only type errors.
near_misses = st.sampled_from([0, 1, 2, 3, 4, 5, -1, 33.9, 34.0, 43.0, 43.1, 50, 100, 101, True, False,
                               "oral", "as_usual", "part_time", ["tremor"], ["money", "money"], [], ""])
answer_maps = st.dictionaries(link_ids, json_values | near_misses, max_size=10)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answer_maps | json_values)
def test_it_never_crashes_on_arbitrary_json(catalog, answers):
    for definition in catalog:
        result = validate_answers(definition, answers)
        assert result.ok == (not result.errors)
        assert all(error.code and error.message for error in result.errors)
        assert set(result.valid_answers) <= {item.link_id for item in definition.items}
        # What passed must pass again on its own, or the safety rules would see bad data.
        if result.valid_answers:
            again = validate_answers(definition, result.valid_answers)
            assert not [e for e in again.errors if e.code == "invalid_answer"]
