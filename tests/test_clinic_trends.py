"""Clinic API: trends, from entries pushed sealed through the real app protocol, on
corrected time, with the newest correction winning. Now is 14:00 in New York (19:00 UTC)."""
import json

from questionnaires import load_catalog
from support.family import enrolled_family
from test_errors import assert_envelope

FEVER = {"temperature_c": 38.4, "temperature_method": "axillary", "fever_medicine_hours": 3}


def local(hour, minute=0, day=20):
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00-05:00"


def push(family, *documents):
    response = family.push([family.envelope(document) for document in documents])
    assert response.status_code == 200, response.get_json()
    return [result["status"] for result in response.get_json()["results"]]


def get(client, who, patient_id, measure):
    return client.get(f"/api/v1/patients/{patient_id}/trends", headers=who.headers,
                      query_string={"measure": measure})


def trend(client, who, patient_id, measure):
    response = get(client, who, patient_id, measure)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def values(body, *keys):
    return [tuple(point.get(key) for key in ("value",) + keys) for point in body["points"]]


def test_it_charts_temperature_oldest_first_with_method_medicine_and_fever_line(
        client, nurse, family, db):
    late = family.document(FEVER, recorded_at=local(13))
    early = family.document({"temperature_c": 37.1, "temperature_method": "oral"},
                            recorded_at=local(10))
    no_reading = family.document({"spo2_percent": 97}, recorded_at=local(11))
    push(family, late, early, no_reading)
    body = trend(client, nurse, family.patient_id, "temperature")
    assert (body["measure"], body["unit"], body["threshold_c"]) == ("temperature", "Cel", 38.0)
    assert body["points"] == [
        {"at": "2026-11-20T15:00:00Z", "value": 37.1, "entry_id": early["entry_id"],
         "status": "accepted", "method": "oral", "fever_medicine_hours": None},
        {"at": "2026-11-20T18:00:00Z", "value": 38.4, "entry_id": late["entry_id"],
         "status": "accepted", "method": "axillary", "fever_medicine_hours": 3}]
    spo2 = trend(client, nurse, family.patient_id, "spo2")
    assert spo2["unit"] == "%" and values(spo2, "entry_id") == [(97, no_reading["entry_id"])]
    rows = list(db.query("SELECT * FROM audit_log WHERE action = 'trends.read' ORDER BY id"))
    assert [json.loads(row["details"]) for row in rows] == [
        {"measure": "temperature", "count": 2}, {"measure": "spo2", "count": 1}]
    assert {row["patient_id"] for row in rows} == {family.patient_id}


def test_it_lets_the_newest_correction_win(client, nurse, family):
    wrong = family.document(FEVER, recorded_at=local(13))
    fixed = family.document({"temperature_c": 37.2, "temperature_method": "axillary"},
                            recorded_at=local(13, 5), supersedes=wrong["entry_id"])
    other = family.document({"temperature_c": 37.0, "temperature_method": "oral"},
                            recorded_at=local(12))
    push(family, wrong, other, fixed)
    body = trend(client, nurse, family.patient_id, "temperature")
    assert values(body, "entry_id") == [(37.0, other["entry_id"]), (37.2, fixed["entry_id"])]


def test_it_keeps_valid_readings_of_a_quarantined_entry_marked_as_such(client, nurse,
                                                                       family):
    document = family.document({"temperature_c": 38.9, "temperature_method": "ear",
                                "spo2_percent": 500})
    assert push(family, document) == ["quarantined"]
    body = trend(client, nurse, family.patient_id, "temperature")
    assert values(body, "status") == [(38.9, "quarantined")]
    assert trend(client, nurse, family.patient_id, "spo2")["points"] == []


CAPD_CALM = {"eye_contact": 4, "purposeful": 4, "aware": 4, "tells_needs": 4,
             "restless": 0, "inconsolable": 0, "underactive": 0, "slow_response": 0}
ICE_FULL = {"knows_year": True, "knows_month": True, "knows_city": True,
            "knows_hospital": True, "names_objects": 3, "follows_command": True,
            "writes_sentence": True, "counts_back": True}


def test_it_charts_neuro_checks_per_variant_each_against_its_own_baseline(
        client, nurse, staff, clock):
    # Turns 12 on 22 November, when the home check moves from CAPD-style to ICE-style.
    family = enrolled_family(client, nurse.headers, clock=clock, date_of_birth="2014-11-22")
    neuro = {"questionnaire_id": "neuro-check"}
    push(family, family.document(CAPD_CALM, recorded_at=local(9), **neuro),
         family.document({**CAPD_CALM, "restless": 3}, recorded_at=local(13), **neuro))
    clock.advance(days=3)
    push(family, family.document(ICE_FULL, recorded_at=local(9, day=23), **neuro),
         family.document({**ICE_FULL, "knows_city": False}, recorded_at=local(13, day=23),
                         **neuro))
    body = trend(client, staff("physician"), family.patient_id, "neuro_check")
    assert values(body, "variant", "baseline") == [
        (0, "capd-style", 0), (3, "capd-style", 0), (10, "ice-style", 10),
        (9, "ice-style", 10)]
    assert {variant: baseline["value"] for variant, baseline in body["baselines"].items()} \
        == {"capd-style": 0, "ice-style": 10}


def qol_answers(variant, answer, at_school):
    definition = load_catalog().get("quality-of-life", "1.0.0", variant)
    answers = {item.link_id: answer for item in definition.items
               if item.type == "scale-0-4" and (at_school or not item.enable_when)}
    return {**answers, "sch_attends": at_school}


def test_it_charts_quality_of_life_marking_variant_respondent_and_age_band(
        client, nurse, staff, clock):
    # Turns 13 on 22 November: a new age band, and a new variant of the instrument.
    family = enrolled_family(client, nurse.headers, clock=clock, date_of_birth="2013-11-22")
    qol = {"questionnaire_id": "quality-of-life"}
    push(family, family.document(qol_answers("caregiver-8-12", 0, False), **qol))
    clock.advance(days=3)
    push(family, family.document(qol_answers("caregiver-13-17", 2, True),
                                 recorded_at=local(13, day=23), **qol))
    psychosocial = staff("psychosocial")
    total = trend(client, psychosocial, family.patient_id, "quality_of_life.total")
    assert total["unit"] == "{score}"
    assert values(total, "variant", "respondent", "age_band") == [
        (100, "caregiver-8-12", "caregiver", "8-12"),
        (50, "caregiver-13-17", "caregiver", "13-17")]
    school = trend(client, psychosocial, family.patient_id, "quality_of_life.school")
    assert values(school, "age_band") == [(50, "13-17")]  # not at school before: no score


def test_it_charts_caregiver_distress_for_the_psychosocial_team(client, staff, family):
    wellbeing = {"questionnaire_id": "caregiver-wellbeing"}
    push(family, family.document({"distress": 6, "want_contact": True},
                                 recorded_at=local(9), **wellbeing),
         family.document({"distress": 2}, recorded_at=local(12), **wellbeing))
    body = trend(client, staff("psychosocial"), family.patient_id, "caregiver_distress")
    assert values(body, "want_contact") == [(6, True), (2, None)]


def test_it_keeps_symptom_trends_from_psychosocial_staff_and_all_from_admins(client, staff,
                                                                           family, db):
    psychosocial, admin = staff("psychosocial"), staff("admin")
    for measure in ("temperature", "spo2", "neuro_check"):
        error = assert_envelope(get(client, psychosocial, family.patient_id, measure),
                                403, "forbidden")
        assert error["details"]["required_roles"] == ["nurse", "physician"]
    for measure in ("quality_of_life.total", "caregiver_distress"):
        assert get(client, psychosocial, family.patient_id, measure).status_code == 200
        assert_envelope(get(client, admin, family.patient_id, measure), 403, "forbidden")
    assert db["audit_log"].count_where("action = 'trends.read'") == 2


def test_it_refuses_an_unknown_or_missing_measure_listing_the_valid_ones(client, nurse,
                                                                        family):
    error = assert_envelope(get(client, nurse, family.patient_id, "blood_pressure"),
                            400, "invalid_request")
    [message] = error["details"]["fields"]["measure"]
    for measure in ("temperature", "spo2", "neuro_check", "quality_of_life.physical",
                    "quality_of_life.total", "caregiver_distress"):
        assert measure in message
    missing = client.get(f"/api/v1/patients/{family.patient_id}/trends",
                         headers=nurse.headers)
    assert "measure" in assert_envelope(missing, 400, "invalid_request")["details"]["fields"]
