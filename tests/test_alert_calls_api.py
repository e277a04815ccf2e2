"""The nurse's call through the clinic API: contacts sealed at rest, "I'm calling" claims
that colleagues see and that lapse, call records with findings, a nurse-run neuro assessment
scored like the family's, a triage colour and a grade that says it is not one, rechecks the
scheduler escalates, and the family's messages as a thread they can mark read."""

import pytest

from server.storage.db import connect
from server.jobs import build_jobs
from support.family import CHILD, enrolled_family

CONTACT = {"name": "Ana Ruiz", "relationship": "mother", "phone": "+1 (617) 555-0101",
           "language": "es", "best_times": "after 4 pm"}
CAPD_WORRYING = {"eye_contact": 1, "purposeful": 1, "aware": 2, "tells_needs": 2,
                 "restless": 2, "inconsolable": 1, "underactive": 2, "slow_response": 1}
FEVER_FINDINGS = {"temperature_c": 38.7, "temperature_method": "axillary",
                  "breathing": "normal", "spo2_percent": 97, "drinking": "less",
                  "passing_urine": "normal", "dizziness": "none"}


def push_fever(family, temperature=38.6):
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": temperature, "temperature_method": "oral"}))]).get_json()["results"]
    return result["alert"]["alert_id"]


@pytest.fixture
def called(client, staff, clock):
    nurse = staff("nurse")
    family = enrolled_family(client, nurse.headers, clock=clock, contacts=[CONTACT])
    return nurse, family, push_fever(family)


@pytest.fixture
def run_job(config, clock, app):
    connection = connect(config.database_path)
    jobs = {job.name: job for job in build_jobs(config, connection, clock)}
    yield lambda name: jobs[name].function(connection, clock.now())
    connection.close()


def post_call(client, nurse, alert_id, **body):
    return client.post(f"/api/v1/alerts/{alert_id}/calls", json=body, headers=nurse.headers)


def test_it_keeps_contacts_sealed_and_gives_each_a_tel_link(client, nurse, db):
    response = client.post("/api/v1/patients", json={**CHILD, "contacts": [CONTACT]},
                           headers=nurse.headers)
    patient = response.get_json()
    assert patient["contacts"] == [{**CONTACT, "tel": "tel:+16175550101"}]
    sealed = db.execute("SELECT contacts FROM patients WHERE id = ?",
                        [patient["patient_id"]]).fetchone()[0]
    assert b"555" not in sealed and b"Ana" not in sealed
    father = {"name": "Luis Ruiz", "relationship": "father", "phone": "617 555 0199"}
    edited = client.put(f"/api/v1/patients/{patient['patient_id']}/contacts",
                        json={"contacts": [CONTACT, father]}, headers=nurse.headers)
    assert edited.status_code == 200
    read = client.get(f"/api/v1/patients/{patient['patient_id']}", headers=nurse.headers)
    assert [c["tel"] for c in read.get_json()["contacts"]] == ["tel:+16175550101",
                                                               "tel:6175550199"]
    audit = db.execute("SELECT details FROM audit_log WHERE action = 'patient.contacts'")
    assert "Luis" not in audit.fetchone()[0]


def test_it_refuses_a_contact_without_a_phone_number_and_changes_nothing(client, nurse,
                                                                         family):
    response = client.put(f"/api/v1/patients/{family.patient_id}/contacts",
                          json={"contacts": [{"name": "Ana", "phone": "call me"}]},
                          headers=nurse.headers)
    assert response.status_code == 400
    assert "phone" in str(response.get_json()["error"]["details"])
    read = client.get(f"/api/v1/patients/{family.patient_id}", headers=nurse.headers)
    assert read.get_json()["contacts"] == []


def test_it_shows_a_colleague_who_is_calling_and_refuses_them_the_claim(client, staff, called,
                                                                       clock):
    nina, family, alert_id = called
    bea = staff("nurse", "bea")
    claimed = client.post(f"/api/v1/alerts/{alert_id}/claim", headers=nina.headers)
    assert claimed.status_code == 200
    seen = client.get(f"/api/v1/alerts/{alert_id}", headers=bea.headers).get_json()
    assert seen["claim"]["by"] == nina.username
    refused = client.post(f"/api/v1/alerts/{alert_id}/claim", headers=bea.headers)
    assert refused.status_code == 409
    assert f"{nina.username} is already calling" in refused.get_json()["error"]["message"]
    clock.advance(minutes=15)  # the site's default lapse, with no call record
    assert client.get(f"/api/v1/alerts/{alert_id}",
                      headers=bea.headers).get_json()["claim"] is None
    assert client.post(f"/api/v1/alerts/{alert_id}/claim",
                       headers=bea.headers).get_json()["claim"]["by"] == "bea"


def test_it_records_a_no_answer_and_keeps_the_callers_claim(client, called, clock, db):
    nurse, _family, alert_id = called
    client.post(f"/api/v1/alerts/{alert_id}/claim", headers=nurse.headers)
    clock.advance(minutes=10)
    response = post_call(client, nurse, alert_id, reached=None, note="Rang twice")
    assert response.status_code == 201
    body = response.get_json()
    assert body["call"]["answered"] is False and body["call"]["triage"] is None
    assert body["alert"]["status"] == "acknowledged"
    clock.advance(minutes=10)  # past the first claim's lapse: the retry renewed it
    assert client.get(f"/api/v1/alerts/{alert_id}",
                      headers=nurse.headers).get_json()["claim"]["by"] == nurse.username
    sealed = db.execute("SELECT details FROM alert_calls").fetchone()[0]
    assert b"Rang" not in sealed


def test_it_scores_the_nurses_capd_style_assessment_and_grades_without_grading(client, called):
    nurse, _family, alert_id = called
    response = post_call(client, nurse, alert_id, reached="Ana, mother",
                         findings=FEVER_FINDINGS, neuro_answers=CAPD_WORRYING,
                         disposition="day_unit")
    assert response.status_code == 201, response.get_json()
    call = response.get_json()["call"]
    assert call["neuro"]["variant"] == "capd-style-staff"
    assert call["neuro"]["scores"]["total"] == 16  # 4 reversed items of 3 each, plus 4 of 1-2
    assert call["triage"]["colour"] == "red"
    assert any("38.7" in reason for reason in call["triage"]["reasons"])
    crs, icans = call["grades"]
    assert (crs["syndrome"], crs["grade"]) == ("CRS", 1)
    assert (icans["syndrome"], icans["grade"]) == ("ICANS", 3)
    assert "not a clinical grade" in icans["label"]
    log = client.get(f"/api/v1/alerts/{alert_id}/calls", headers=nurse.headers).get_json()
    assert [c["disposition"] for c in log["calls"]] == ["day_unit"]


def test_it_refuses_an_incomplete_assessment_or_a_recheck_without_minutes(client, called, db):
    nurse, _family, alert_id = called
    partial = post_call(client, nurse, alert_id, reached="Ana", disposition="home_advice",
                        neuro_answers={"eye_contact": 7})
    assert partial.status_code == 400
    no_minutes = post_call(client, nurse, alert_id, reached="Ana", disposition="recheck")
    assert no_minutes.status_code == 400
    assert "recheck_minutes" in str(no_minutes.get_json()["error"]["details"])
    nobody = post_call(client, nurse, alert_id, reached=None, disposition="day_unit")
    assert nobody.status_code == 400
    assert db["alert_calls"].count == 0


def test_it_escalates_again_when_a_recheck_passes_with_no_call_or_entry(client, called, clock,
                                                                        db, run_job):
    nurse, _family, alert_id = called
    post_call(client, nurse, alert_id, reached="Ana", findings={"temperature_c": 38.2},
              disposition="recheck", recheck_minutes=60)
    clock.advance(minutes=59)
    assert run_job("rechecks") == []
    clock.advance(minutes=1)
    assert run_job("rechecks") == [alert_id]
    assert run_job("rechecks") == []  # once per recheck
    alert = db["alerts"].get(alert_id)
    assert alert["status"] == "open" and alert["recheck_at"] is None
    kinds = [row["kind"] for row in db.query("SELECT kind FROM notifications ORDER BY id")]
    assert kinds[-1] == "alert_recheck_missed"


def test_it_lets_a_family_entry_answer_the_recheck(client, called, clock, db, run_job):
    nurse, family, alert_id = called
    post_call(client, nurse, alert_id, reached="Ana", disposition="recheck",
              recheck_minutes=30)
    clock.advance(minutes=20)
    family.push([family.envelope(family.document({"temperature_c": 37.1},
                                                 recorded_at=clock.now().isoformat()))])
    clock.advance(minutes=10)
    assert run_job("rechecks") == []
    assert db["alerts"].get(alert_id)["status"] == "acknowledged"


def test_it_keeps_every_message_as_a_thread_the_family_pulls_and_marks_read(client, called,
                                                                          clock, db):
    nurse, family, alert_id = called
    client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"message": "Calling you now."},
                headers=nurse.headers)
    clock.advance(minutes=5)
    client.post(f"/api/v1/alerts/{alert_id}/message", json={"message": "Come to the day unit."},
                headers=nurse.headers)
    pulled = family.pull().get_json()
    [alert] = [c["data"] for c in pulled["changes"] if c["type"] == "alert"]
    assert alert["message"] == "Come to the day unit."  # older apps still see the latest
    assert [m["text"] for m in alert["thread"]] == ["Calling you now.",
                                                   "Come to the day unit."]
    assert all(m["delivered_at"] == pulled["server_time"] for m in alert["thread"])
    first = alert["thread"][0]["message_id"]
    read = client.post("/api/v1/sync/read", headers=family.headers, json={
        "alert_id": alert_id, "message_ids": [first, "msg_nope"],
        "read_at": "2026-11-20T14:02:00-05:00"})
    assert read.status_code == 200
    assert read.get_json()["read"] == [first] and read.get_json()["unknown"] == ["msg_nope"]
    thread = client.get(f"/api/v1/alerts/{alert_id}/messages",
                        headers=nurse.headers).get_json()["messages"]
    assert [m["read_at"] for m in thread] == ["2026-11-20T19:02:00Z", None]
    assert [m["kind"] for m in thread] == ["acknowledgement", "message"]
    sealed = db.execute("SELECT body FROM alert_messages").fetchone()[0]
    assert b"Calling" not in sealed


def test_it_refuses_read_receipts_for_another_familys_alert(client, called, staff, clock):
    nurse, _family, alert_id = called
    other = enrolled_family(client, nurse.headers, clock=clock, display_name="Ben")
    response = client.post("/api/v1/sync/read", headers=other.headers, json={
        "alert_id": alert_id, "message_ids": ["msg_x"], "read_at": "2026-11-20T14:02:00Z"})
    assert response.status_code == 404


def test_it_leaves_calls_and_claims_to_nurses_and_physicians(client, called, staff):
    _nurse, _family, alert_id = called
    counsellor = staff("psychosocial")
    assert client.post(f"/api/v1/alerts/{alert_id}/claim",
                       headers=counsellor.headers).status_code == 403
    assert post_call(client, counsellor, alert_id, reached=None).status_code == 403
    physician = staff("physician")
    assert client.post(f"/api/v1/alerts/{alert_id}/claim",
                       headers=physician.headers).status_code == 200


def test_it_refuses_a_call_on_a_resolved_alert(client, called):
    nurse, _family, alert_id = called
    client.post(f"/api/v1/alerts/{alert_id}/resolve", json={"outcome": "false_alarm"},
                headers=nurse.headers)
    response = post_call(client, nurse, alert_id, reached=None)
    assert response.status_code == 409
    assert client.post(f"/api/v1/alerts/{alert_id}/claim",
                       headers=nurse.headers).status_code == 409


def test_it_audits_calls_by_id_only(client, called, db):
    nurse, _family, alert_id = called
    post_call(client, nurse, alert_id, reached="Ana", findings=FEVER_FINDINGS,
              disposition="home_advice", note="Paracetamol given at 2 pm")
    details = db.execute("SELECT details FROM audit_log WHERE action = 'alert.call'"
                         ).fetchone()[0]
    assert "call_" in details and "38.7" not in details and "Ana" not in details


def test_a_later_call_that_reaches_the_family_replaces_the_recheck_and_no_answer_does_not(
        client, called, clock, db, run_job):
    nurse, _family, alert_id = called
    post_call(client, nurse, alert_id, reached="Ana", disposition="recheck",
              recheck_minutes=30)
    clock.advance(minutes=20)
    post_call(client, nurse, alert_id, reached=None)  # rang back, nobody answered
    assert db["alerts"].get(alert_id)["recheck_at"] is not None
    post_call(client, nurse, alert_id, reached="Ana", disposition="home_advice")
    clock.advance(minutes=20)
    assert run_job("rechecks") == []
    assert db["alerts"].get(alert_id)["status"] == "acknowledged"



def test_it_refuses_the_childs_phone_read_receipts_for_a_caregivers_own_alert(
        client, app, nurse, family, db, clock):
    from support.alerting import Finding, raise_findings

    vault = app.extensions["homeward"].vault
    alert_id = raise_findings(db, vault, family.patient_id, [Finding(
        "caregiver_distress", "info", evidence={"scores": {"total": 30}})],
        clock.now())["alert_id"]
    child = enrolled_family(client, nurse.headers, respondent="patient",
                            patient_id=family.patient_id)
    body = {"alert_id": alert_id, "message_ids": ["msg_x"], "read_at": "2026-11-20T14:02:00Z"}
    assert client.post("/api/v1/sync/read", headers=child.headers,
                       json=body).status_code == 404
    assert client.post("/api/v1/sync/read", headers=family.headers,
                       json=body).get_json()["unknown"] == ["msg_x"]
