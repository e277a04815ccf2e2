"""Closing a row of the follow-up worklist: a child who moved to another centre, died or
withdrew leaves the list until someone reopens it; a child who was reached and is back on
schedule leaves it until a new reason appears (the next form overdue). Each close and reopen
is audited with its reason code, never its note."""
import json

import pytest

from test_records_worklist import follow_up_form, worklist

# CHILD's infusion is 2026-11-17 (New York): follow-ups fall due on the 17th of each month,
# and one is overdue 14 days later. The tests start on 20 November; bearer tokens last
# hours, so each test makes its staff after moving the clock.


def close(client, who, patient_id, **body):
    return client.post(f"/api/v1/patients/{patient_id}/follow-up-closure", json=body,
                       headers=who.headers)


def reopen(client, who, patient_id, **body):
    return client.post(f"/api/v1/patients/{patient_id}/follow-up-closure/reopening",
                       json=body, headers=who.headers)


def closed(client, staff) -> dict:
    response = client.get("/api/v1/worklist/follow-up", headers=staff("nurse").headers)
    return {row["patient_id"]: row for row in response.get_json()["closed"]}


def test_it_takes_a_closed_patient_off_the_worklist_and_lists_them_as_closed(
        client, family, staff, clock, db):
    clock.advance(days=42)  # 1 January: the December form is overdue
    nurse = staff("nurse")
    assert family.patient_id in worklist(client, staff)
    response = close(client, nurse, family.patient_id, reason="moved_care",
                     note="Now followed at Hôpital Necker, Dr Quintavalle")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["reason"], body["reason_text"], body["closed_by"]) == (
        "moved_care", "Care moved to another centre", nurse.username)
    assert family.patient_id not in worklist(client, staff)
    row = closed(client, staff)[family.patient_id]
    assert row["display_name"] == "Mateo Ruiz"
    assert row["closure"]["reason_text"] == "Care moved to another centre"
    details = db.execute("SELECT details FROM audit_log WHERE action = 'followup.close'"
                         ).fetchone()[0]
    assert json.loads(details) == {"reason": "moved_care"}
    history = client.get(f"/api/v1/patients/{family.patient_id}/follow-up-closure",
                         headers=nurse.headers).get_json()
    assert history["current"]["note"] == "Now followed at Hôpital Necker, Dr Quintavalle"


@pytest.mark.parametrize("reason", ["moved_care", "withdrew", "died"])
def test_it_keeps_a_lasting_closure_whatever_comes_later(client, family, staff, clock, reason):
    clock.advance(days=42)
    nurse = staff("nurse")
    assert close(client, nurse, family.patient_id, reason=reason).status_code == 201
    clock.advance(days=300)  # forms overdue month after month, and the phones silent
    assert family.patient_id not in worklist(client, staff)
    assert family.patient_id in closed(client, staff)


def test_it_brings_back_a_patient_closed_as_reached_once_the_next_form_is_overdue(
        client, family, staff, clock):
    clock.advance(days=42)  # 1 January, the December form overdue
    nurse = staff("nurse")
    assert close(client, nurse, family.patient_id, reason="on_schedule",
                 note="Mother says the form is coming").status_code == 201
    assert family.patient_id not in worklist(client, staff)
    clock.advance(days=19)  # 20 January: the January form is due, not overdue yet
    assert family.patient_id not in worklist(client, staff)
    clock.advance(days=12)  # 1 February: the January form is 15 days overdue: a new reason
    row = worklist(client, staff)[family.patient_id]
    assert row["reasons"] == ["overdue"]
    assert row["follow_up_due_at"] == "2027-01-17T15:00:00Z"
    assert row["closure"]["reason"] == "on_schedule"  # the team sees it was closed before
    assert family.patient_id not in closed(client, staff)


def test_it_lists_a_reopened_patient_again_and_audits_the_reopening(
        client, family, staff, clock, db):
    clock.advance(days=42)
    nurse, physician = staff("nurse"), staff("physician")
    assert close(client, nurse, family.patient_id, reason="withdrew").status_code == 201
    response = reopen(client, physician, family.patient_id, note="Family asked to resume")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["current"] is None
    assert worklist(client, staff)[family.patient_id]["reasons"] == ["overdue"]
    assert family.patient_id not in closed(client, staff)
    actions = [row[0] for row in db.execute(
        "SELECT action FROM audit_log WHERE action LIKE 'followup.%' ORDER BY id")]
    assert actions[-1] == "followup.reopen" and "followup.close" in actions
    history = client.get(f"/api/v1/patients/{family.patient_id}/follow-up-closure",
                         headers=nurse.headers).get_json()["history"]
    assert [(h["action"], h["note"]) for h in history] == [
        ("reopen", "Family asked to resume"), ("close", None)]


def test_it_refuses_closing_twice_reopening_what_is_open_and_unknown_reasons(
        client, family, staff, clock, db):
    clock.advance(days=42)
    nurse = staff("nurse")
    assert reopen(client, nurse, family.patient_id).status_code == 409
    bad = close(client, nurse, family.patient_id, reason="gave_up")
    assert bad.status_code == 400 and "reason" in bad.get_json()["error"]["details"]["fields"]
    assert db["followup_closures"].count == 0
    assert close(client, nurse, family.patient_id, reason="died").status_code == 201
    again = close(client, nurse, family.patient_id, reason="moved_care")
    assert again.status_code == 409
    assert "Died" in again.get_json()["error"]["message"]
    assert db["followup_closures"].count == 1


def test_it_lets_only_the_care_team_close_or_reopen(client, family, staff, clock, db):
    psychosocial = staff("psychosocial")
    assert close(client, psychosocial, family.patient_id, reason="died").status_code == 403
    assert close(client, staff("nurse"), "pt_nobody", reason="died").status_code == 404
    assert db["followup_closures"].count == 0


def test_it_lists_a_reached_family_as_closed_only_while_the_closure_hides_something(
        client, family, staff, clock):
    clock.advance(days=42)
    assert close(client, staff("nurse"), family.patient_id,
                 reason="on_schedule").status_code == 201
    assert family.patient_id in closed(client, staff)  # it hides the overdue form
    follow_up_form(family, "2027-01-01T10:00:00-05:00")
    assert family.patient_id not in closed(client, staff)  # up to date: simply not listed
    assert family.patient_id not in worklist(client, staff)
