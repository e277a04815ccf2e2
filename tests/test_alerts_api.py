"""Clinic API: the alert inbox and what the care team does with an alert."""
import pytest

from support.alerting import Finding, raise_findings
from support.family import create_patient
from test_errors import assert_envelope


@pytest.fixture
def patient_id(client, nurse):
    return create_patient(client, nurse.headers)


@pytest.fixture
def raise_alert(app, db, clock, patient_id):
    vault = app.extensions["homeward"].vault

    def make(reason="fever", level="urgent", evidence=None, late=0, patient=None):
        finding = Finding(reason, level, evidence=evidence or {"temperature_c": 38.6,
                                                               "temperature_method": "axillary"})
        return raise_findings(db, vault, patient or patient_id, [finding], clock.now(),
                              entry_id=f"entry-{reason}", late=late)["alert_id"]
    return make


def test_it_lists_open_alerts_most_urgent_then_oldest_first(client, nurse, raise_alert, clock):
    first = raise_alert("organ_flare", "attention")
    clock.advance(minutes=1)
    second = raise_alert("fever", "urgent")
    clock.advance(minutes=1)
    third = raise_alert("seizure", "emergency")
    response = client.get("/api/v1/alerts?status=open", headers=nurse.headers)
    assert [a["alert_id"] for a in response.get_json()["alerts"]] == [third, second, first]


def test_it_summarises_the_evidence_and_how_late_it_came(client, nurse, raise_alert):
    alert_id = raise_alert(late=190)
    [alert] = client.get("/api/v1/alerts", headers=nurse.headers).get_json()["alerts"]
    assert alert["alert_id"] == alert_id
    assert alert["summary"] == ("fever: temperature_c 38.6, temperature_method axillary "
                                "(first reported 3 h 10 min late)")
    assert alert["reported_late_minutes"] == 190
    assert alert["entry_ids"] == ["entry-fever"]


def test_it_acknowledges_then_resolves_with_an_outcome_and_note(client, nurse, raise_alert):
    alert_id = raise_alert()
    ack = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=nurse.headers)
    assert ack.status_code == 200 and ack.get_json()["status"] == "acknowledged"
    assert ack.get_json()["acknowledged_by"] == "nurse1"
    done = client.post(f"/api/v1/alerts/{alert_id}/resolve",
                       json={"outcome": "advised_to_come_in", "note": "Seen in day unit."},
                       headers=nurse.headers)
    body = done.get_json()
    assert body["status"] == "resolved" and body["outcome"] == "advised_to_come_in"
    assert body["note"] == "Seen in day unit."


def test_it_refuses_to_resolve_a_resolved_alert(client, nurse, raise_alert):
    alert_id = raise_alert()
    body = {"outcome": "false_alarm"}
    assert client.post(f"/api/v1/alerts/{alert_id}/resolve", json=body,
                       headers=nurse.headers).status_code == 200
    error = assert_envelope(client.post(f"/api/v1/alerts/{alert_id}/resolve", json=body,
                                        headers=nurse.headers), 409, "conflict")
    assert "already resolved (by nurse1" in error["message"]


def test_it_snoozes_with_a_reason_for_at_most_a_day(client, nurse, raise_alert):
    alert_id = raise_alert()
    ok = client.post(f"/api/v1/alerts/{alert_id}/snooze",
                     json={"until": "2026-11-20T21:00:00Z", "reason": "Called; rechecking"},
                     headers=nurse.headers)
    assert ok.get_json()["snoozed_until"] == "2026-11-20T21:00:00Z"
    assert ok.get_json()["snooze_reason"] == "Called; rechecking"
    too_long = client.post(f"/api/v1/alerts/{alert_id}/snooze",
                           json={"until": "2026-11-22T21:00:00Z", "reason": "x"},
                           headers=nurse.headers)
    assert "until" in assert_envelope(too_long, 400, "invalid_request")["details"]["fields"]


@pytest.mark.parametrize("path, body, field", [
    ("resolve", {"outcome": "cured"}, "outcome"),
    ("resolve", {}, "outcome"),
    ("resolve", {"outcome": "false_alarm", "colour": "red"}, "colour"),
    ("acknowledge", {"message": ""}, "message"),
    ("snooze", {"until": "tomorrow", "reason": "x"}, "until"),
    ("snooze", {"until": "2026-11-20T21:00:00", "reason": "x"}, "until"),
    ("message", {}, "message"),
])
def test_it_refuses_bad_input_and_changes_nothing(client, nurse, raise_alert, db, path, body,
                                                  field):
    alert_id = raise_alert()
    before = db["alerts"].get(alert_id)
    response = client.post(f"/api/v1/alerts/{alert_id}/{path}", json=body,
                           headers=nurse.headers)
    assert field in assert_envelope(response, 400, "invalid_request")["details"]["fields"]
    assert db["alerts"].get(alert_id) == before


def test_it_shows_the_psychosocial_team_only_wellbeing_alerts(client, staff, raise_alert):
    raise_alert("fever", "urgent")
    wellbeing = raise_alert("caregiver_distress", "info", evidence={"distress": 6})
    psychosocial = staff("psychosocial")
    listed = client.get("/api/v1/alerts", headers=psychosocial.headers).get_json()["alerts"]
    assert [a["alert_id"] for a in listed] == [wellbeing]
    fever_id = client.get("/api/v1/alerts", headers=staff("physician").headers
                          ).get_json()["alerts"][0]["alert_id"]
    assert_envelope(client.post(f"/api/v1/alerts/{fever_id}/acknowledge", json={},
                                headers=psychosocial.headers), 403, "forbidden")


def test_it_keeps_alerts_from_admins_and_strangers(client, staff, raise_alert):
    alert_id = raise_alert()
    assert_envelope(client.get("/api/v1/alerts", headers=staff("admin").headers), 403,
                    "forbidden")
    assert_envelope(client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}), 401,
                    "unauthorized")


def test_it_answers_an_unknown_alert_with_not_found(client, nurse):
    assert_envelope(client.post("/api/v1/alerts/al_nope/acknowledge", json={},
                                headers=nurse.headers), 404, "not_found")


def test_it_audits_every_alert_action(client, nurse, raise_alert, db):
    alert_id = raise_alert()
    client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={}, headers=nurse.headers)
    actions = [row["action"] for row in db.query(
        "SELECT action FROM audit_log WHERE target = ?", [alert_id])]
    assert actions == ["alert.acknowledge"]
