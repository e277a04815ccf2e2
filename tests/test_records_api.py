"""The clinic's records through the API: a physician records a child's clinical profile and
toxicity events in registry terms; nothing is deleted, identifying text is sealed, and the
audit log names fields and events, never clinical facts."""
import pytest

from support.family import CHILD
from support.raw_database import raw_database_bytes

PROFILE = {"diagnosis": "sle", "organs_involved": ["kidney", "skin"],
           "product_name": "ZX-LupoCART lot 7781", "car_target": "cd19",
           "lymphodepletion": "flu_cy", "sex_at_birth": "female",
           "registry_consents": [{"registry": "ebmt", "consented_on": "2026-11-01"}]}
CRS = {"kind": "crs", "grade": 2, "onset_date": "2026-11-19", "resolution_date": "2026-11-20",
       "treatments": ["tocilizumab", "icu"], "icu_days": 1,
       "note": "Hypotension settled with one fluid bolus, Zebulon marker"}


@pytest.fixture
def physician(staff):
    return staff("physician")


@pytest.fixture
def patient_id(family):
    return family.patient_id


def url(patient_id, tail):
    return f"/api/v1/patients/{patient_id}/{tail}"


def test_it_records_a_profile_and_keeps_the_earlier_one_as_history(client, physician,
                                                                  patient_id):
    first = client.put(url(patient_id, "profile"), json=PROFILE, headers=physician.headers)
    assert first.status_code == 200, first.get_json()
    changed = {**PROFILE, "organs_involved": ["kidney", "skin", "joints"]}
    second = client.put(url(patient_id, "profile"), json=changed, headers=physician.headers)
    body = second.get_json()
    assert body["current"]["organs_involved"] == ["joints", "kidney", "skin"]
    assert body["current"]["product_name"] == "ZX-LupoCART lot 7781"
    assert [v["organs_involved"] for v in body["history"]][1] == ["kidney", "skin"]
    assert body["history"][1]["superseded_at"] is not None


def test_it_lets_only_physicians_edit_the_profile(client, nurse, patient_id):
    response = client.put(url(patient_id, "profile"), json=PROFILE, headers=nurse.headers)
    assert response.status_code == 403
    assert client.get(url(patient_id, "profile"), headers=nurse.headers).get_json() == {
        "current": None, "history": []}


@pytest.mark.parametrize("change, field", [
    ({"diagnosis": "lupus"}, "diagnosis"),
    ({"organs_involved": ["liver"]}, "organs_involved"),
    ({"diagnosis": "other"}, "diagnosis_text"),
    ({"car_target": "other"}, "car_target_text"),
    ({"registry_consents": [{"registry": "EBMT!", "consented_on": "2026-11-01"}]},
     "registry_consents"),
    ({"registry_consents": [{"registry": "ebmt", "consented_on": "2027-01-01"}]},
     "registry_consents"),
])
def test_it_refuses_a_profile_that_does_not_fit_the_codes(client, physician, patient_id,
                                                          change, field):
    response = client.put(url(patient_id, "profile"), json={**PROFILE, **change},
                          headers=physician.headers)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["details"]["fields"]
    assert client.get(url(patient_id, "profile"),
                      headers=physician.headers).get_json()["current"] is None


def test_it_seals_identifying_text_and_audits_field_names_only(client, physician, patient_id,
                                                               db, config):
    client.put(url(patient_id, "profile"), json={**PROFILE, "diagnosis": "other",
                                                 "diagnosis_text": "Kikuchi overlap Qzx"},
               headers=physician.headers)
    client.post(url(patient_id, "toxicity-events"), json=CRS, headers=physician.headers)
    raw = raw_database_bytes(db, config.database_path)
    for secret in (b"ZX-LupoCART", b"Kikuchi overlap", b"Zebulon marker"):
        assert secret not in raw
    details = [row["details"] for row in db.query(
        "SELECT details FROM audit_log WHERE action IN ('profile.set', 'toxicity.record')")]
    assert details and all("kidney" not in d and "sle" not in d and "grade" not in d
                           for d in details)
    assert '"diagnosis"' in details[0]


def test_it_records_an_event_with_its_grading_system(client, physician, patient_id):
    response = client.post(url(patient_id, "toxicity-events"), json=CRS,
                           headers=physician.headers)
    assert response.status_code == 201, response.get_json()
    event = response.get_json()
    assert event["grading_system"] == "astct_2019" and event["revision"] == 1
    assert event["note"].startswith("Hypotension")


@pytest.mark.parametrize("change, field", [
    ({"grade": 5}, "grade"),                                    # ASTCT stops at 4
    ({"grade": 0}, "grade"),
    ({"grading_system": "ctcae_v5"}, "grading_system"),          # CRS is ASTCT
    ({"kind": "icaht", "grading_system": "astct_2019"}, "grading_system"),
    ({"resolution_date": "2026-11-18"}, "resolution_date"),      # before the onset
    ({"onset_date": "2026-12-25"}, "onset_date"),               # in the future
    ({"treatments": ["tocilizumab"], "icu_days": 3}, "icu_days"),
    ({"treatments": ["other"], "icu_days": None}, "treatments_text"),
    ({"treatments": ["leeches"]}, "treatments"),
    ({"grade": "2"}, "grade"),
    ({"alert_ids": ["alr_not_this_patients"]}, "alert_ids"),
])
def test_it_refuses_an_event_that_does_not_fit_its_grading(client, physician, patient_id,
                                                          change, field):
    response = client.post(url(patient_id, "toxicity-events"), json={**CRS, **change},
                           headers=physician.headers)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["error"]["details"]["fields"]
    listed = client.get(url(patient_id, "toxicity-events"), headers=physician.headers)
    assert listed.get_json()["events"] == []


def test_it_takes_ctcae_grade_5_for_an_infection(client, physician, patient_id):
    response = client.post(url(patient_id, "toxicity-events"),
                           json={"kind": "infection", "grade": 5, "onset_date": "2026-11-19",
                                 "treatments": ["antimicrobials"]}, headers=physician.headers)
    assert response.status_code == 201
    assert response.get_json()["grading_system"] == "ctcae_v5"


def test_it_keeps_every_revision_and_a_retraction_deletes_nothing(client, physician,
                                                                  patient_id):
    event_id = client.post(url(patient_id, "toxicity-events"), json=CRS,
                           headers=physician.headers).get_json()["event_id"]
    revised = client.put(url(patient_id, f"toxicity-events/{event_id}"),
                         json={**CRS, "grade": 3, "reason": "vasopressor started overnight"},
                         headers=physician.headers).get_json()
    assert (revised["revision"], revised["grade"]) == (2, 3)
    assert [h["grade"] for h in revised["history"]] == [2]
    retracted = client.post(url(patient_id, f"toxicity-events/{event_id}/retraction"),
                            json={"reason": "recorded on the wrong child"},
                            headers=physician.headers).get_json()
    assert retracted["status"] == "retracted" and len(retracted["history"]) == 2
    summary = client.get(url(patient_id, "toxicity"), headers=physician.headers).get_json()
    assert summary["crs"]["max_grade"] is None
    again = client.post(url(patient_id, f"toxicity-events/{event_id}/retraction"),
                        json={"reason": "twice"}, headers=physician.headers)
    assert again.status_code == 409
    listed = client.get(url(patient_id, "toxicity-events"), headers=physician.headers)
    assert [e["status"] for e in listed.get_json()["events"]] == ["retracted"]


def test_it_summarises_the_worst_grades_in_days_after_infusion(client, physician, patient_id):
    # CHILD's infusion is 2026-11-17: day 2 onset, one day long.
    for event in (CRS, {**CRS, "grade": 1, "onset_date": "2026-11-18", "treatments": [],
                        "icu_days": None},
                  {"kind": "icans", "grade": 1, "onset_date": "2026-11-20"},
                  {"kind": "licats", "grade": 2, "onset_date": "2026-11-20",
                   "treatments": ["corticosteroids"]}):
        response = client.post(url(patient_id, "toxicity-events"), json=event,
                               headers=physician.headers)
        assert response.status_code == 201, response.get_json()
    summary = client.get(url(patient_id, "toxicity"), headers=physician.headers).get_json()
    assert summary["infusion_date"] == CHILD["infusion_date"]
    assert (summary["crs"]["max_grade"], summary["crs"]["onset_day"],
            summary["crs"]["duration_days"], summary["crs"]["count"]) == (2, 1, 1, 2)
    assert (summary["icans"]["max_grade"], summary["icans"]["onset_day"]) == (1, 3)
    assert summary["icans"]["duration_days"] is None
    assert summary["treatments"] == ["corticosteroids", "icu", "tocilizumab"]
    assert summary["icu_days"] == 1
    assert [e["grade"] for e in summary["licats"]] == [2]


def test_it_answers_an_unknown_patient_or_event_with_the_envelope(client, physician,
                                                                 patient_id):
    missing = client.post(url("pt_nobody", "toxicity-events"), json=CRS,
                          headers=physician.headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    unknown = client.put(url(patient_id, "toxicity-events/tox_nothing"),
                         json={**CRS, "reason": "typo"}, headers=physician.headers)
    assert unknown.status_code == 404


def test_it_sets_the_alerts_that_led_to_an_event_beside_it(client, physician, family):
    # A fever on day 3 (the family's diary), then CRS recorded with onset that day.
    pushed = family.push([family.envelope(family.document({"temperature_c": 38.9,
                                                           "temperature_method": "oral"}))])
    alert_id = pushed.get_json()["results"][0]["alert"]["alert_id"]
    late_fever = client.post(url(family.patient_id, "toxicity-events"),
                             json={**CRS, "onset_date": "2026-11-20", "resolution_date": None,
                                   "alert_ids": [alert_id]}, headers=physician.headers)
    assert late_fever.status_code == 201, late_fever.get_json()
    client.post(url(family.patient_id, "toxicity-events"),
                json={"kind": "icans", "grade": 1, "onset_date": "2026-11-20"},
                headers=physician.headers)
    summary = client.get(url(family.patient_id, "toxicity"), headers=physician.headers)
    by_kind = {e["kind"]: e for e in summary.get_json()["events"]}
    assert [(a["alert_id"], a["linked"], a["day_post_infusion"])
            for a in by_kind["crs"]["alerts"]] == [(alert_id, True, 3)]
    assert by_kind["icans"]["alerts"] == []  # a fever is not the home side of ICANS


def test_it_sets_the_nurses_calls_beside_the_alert_that_led_to_an_event(client, physician,
                                                                       family, nurse):
    pushed = family.push([family.envelope(family.document({"temperature_c": 38.9,
                                                           "temperature_method": "oral"}))])
    alert_id = pushed.get_json()["results"][0]["alert"]["alert_id"]
    call = client.post(f"/api/v1/alerts/{alert_id}/calls", headers=nurse.headers,
                       json={"reached": "Ana, mother", "disposition": "day_unit",
                             "note": "Sealed call note Quillon"})
    assert call.status_code == 201, call.get_json()
    client.post(url(family.patient_id, "toxicity-events"),
                json={**CRS, "onset_date": "2026-11-20", "resolution_date": None},
                headers=physician.headers)
    summary = client.get(url(family.patient_id, "toxicity"), headers=physician.headers)
    [alert] = summary.get_json()["events"][0]["alerts"]
    [made] = alert["calls"]
    assert made["reached"] is True and made["disposition"] == "day_unit"
    assert "Quillon" not in summary.get_data(as_text=True)
