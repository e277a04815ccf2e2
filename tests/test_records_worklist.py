"""The long-term follow-up worklist: a patient whose monthly follow-up form is overdue, or
whose family's phones have been silent for months, is listed until the form comes; the
thresholds are site settings; a contact is recorded and audited without its note."""
import pytest

from questionnaires import load_schedule
from server.config import Config, ConfigError
from server.records.patients import list_patients
from server.records.worklist import followup_worklist

# CHILD's infusion is 2026-11-17 (New York): the month-1 follow-up falls due on 17 December.


def worklist(client, staff):
    # A new nurse each time: a bearer token lasts hours, and these tests move months.
    response = client.get("/api/v1/worklist/follow-up", headers=staff("nurse").headers)
    assert response.status_code == 200, response.get_json()
    return {row["patient_id"]: row for row in response.get_json()["patients"]}


def follow_up_form(family, recorded_at):
    document = family.document({"infection": False, "hospital_stay": False,
                                "new_lump": False}, questionnaire_id="long-term-follow-up",
                               questionnaire_version="1.1.0", recorded_at=recorded_at)
    response = family.push([family.envelope(document)])
    assert response.get_json()["results"][0]["status"] == "accepted", response.get_json()


def test_it_lists_nobody_in_the_first_weeks(client, family, staff):
    assert worklist(client, staff) == {}


def test_it_lists_a_patient_whose_follow_up_form_is_overdue(client, family, staff, clock):
    clock.advance(days=31)  # 21 December: due four days ago, within the 14 days' grace
    assert worklist(client, staff) == {}
    clock.advance(days=11)  # 1 January: due 15 days ago, nothing came
    row = worklist(client, staff)[family.patient_id]
    assert row["reasons"] == ["overdue"]
    assert row["follow_up_due_at"] == "2026-12-17T15:00:00Z"
    assert row["last_follow_up_at"] is None and row["display_name"] == "Mateo Ruiz"


def test_it_takes_the_patient_off_once_the_form_comes(client, family, staff, clock):
    clock.advance(days=42)
    follow_up_form(family, "2026-12-30T18:00:00-05:00")
    assert family.patient_id not in worklist(client, staff)


def test_it_lists_a_family_silent_for_months_as_lost(client, family, staff, clock):
    clock.advance(days=200)
    row = worklist(client, staff)[family.patient_id]
    assert row["reasons"] == ["overdue", "lost"]
    # The family's phone syncs (a pull) but sends no form: in touch, still overdue.
    assert family.pull().status_code == 200
    assert worklist(client, staff)[family.patient_id]["reasons"] == ["overdue"]


def test_it_follows_the_sites_grace_and_silence_settings(db, family, clock):
    clock.advance(days=42)
    patients = [p for p in list_patients(db, _vault(family), clock.now(), status="active")]
    arguments = dict(schedule=load_schedule(), patients=patients, now=clock.now())
    assert followup_worklist(db, **arguments, grace_days=14, lost_months=6)
    assert followup_worklist(db, **arguments, grace_days=30, lost_months=6) == []
    assert [r["reasons"] for r in followup_worklist(db, **arguments, grace_days=30,
                                                    lost_months=1)] == [["lost"]]


def _vault(family):
    return family.client.application.extensions["homeward"].vault


def test_it_refuses_a_grace_setting_out_of_range():
    with pytest.raises(ConfigError, match="HOMEWARD_FOLLOWUP_GRACE_DAYS"):
        Config.from_env({"HOMEWARD_FOLLOWUP_GRACE_DAYS": "0"})
    assert Config.from_env({"HOMEWARD_LOST_TO_FOLLOWUP_MONTHS": "12"}).lost_to_followup_months == 12


def test_it_records_a_contact_and_audits_the_outcome_only(client, family, staff, clock, db):
    clock.advance(days=42)
    nurse = staff("nurse", "nurse_on_duty")
    response = client.post(f"/api/v1/patients/{family.patient_id}/follow-up-contacts",
                           json={"outcome": "reached", "note": "Family moved to Lyon"},
                           headers=nurse.headers)
    assert response.status_code == 201, response.get_json()
    row = worklist(client, staff)[family.patient_id]
    assert row["last_contact"]["outcome"] == "reached"
    assert row["last_contact"]["contacted_by"] == nurse.username
    listed = client.get(f"/api/v1/patients/{family.patient_id}/follow-up-contacts",
                        headers=nurse.headers).get_json()["contacts"]
    assert listed[0]["note"] == "Family moved to Lyon"
    details = db.execute("SELECT details FROM audit_log WHERE action = 'followup.contact'"
                         ).fetchone()[0]
    assert "reached" in details and "Lyon" not in details


def test_it_refuses_an_unknown_outcome(client, family, nurse, db):
    response = client.post(f"/api/v1/patients/{family.patient_id}/follow-up-contacts",
                           json={"outcome": "gave_up"}, headers=nurse.headers)
    assert response.status_code == 400
    assert db["followup_contacts"].count == 0
