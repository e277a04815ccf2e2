"""The clinical record and the follow-up worklist on the staff pages: a physician records
the profile and a toxicity event with the grading criteria and the home data's hint beside
the form; a nurse reads them and records a follow-up contact."""
import re

import pytest

from support.pages import sign_in
from test_records_api import CRS, PROFILE

pytestmark = pytest.mark.usefixtures("no_login_waits")


@pytest.fixture
def physician(staff):
    return staff("physician")


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_it_records_a_profile_and_an_event_from_the_forms(client, family, physician, db):
    token = sign_in(client, physician)
    record = f"/patients/{family.patient_id}/record"
    html = page(client, record)
    assert "No clinical profile yet" in html and "Grading criteria" in html
    assert "Fever with low blood pressure needing one vasopressor" in html
    saved = client.post(f"/patients/{family.patient_id}/profile", data={
        "csrf_token": token, "diagnosis": "jdm", "organs_involved": ["muscle", "skin"],
        "car_target": "cd19", "product_name": "Seal-me CAR", "lymphodepletion": "flu_cy",
        "sex_at_birth": "male", "consents_text": "ebmt 2026-11-01\ncibmtr 2026-11-02"})
    assert saved.status_code == 303
    html = page(client, record)
    assert "Juvenile dermatomyositis" in html and "Muscle, Skin and mucosa" in html
    assert "America/New York, speaks Spanish" in html  # the family's language in words
    assert "EBMT (since Sun 1 Nov 2026)" in html and "Seal-me CAR" in html
    recorded = client.post(f"/patients/{family.patient_id}/toxicity-events", data={
        "csrf_token": token, "kind": "crs", "grade": "2", "onset_date": "2026-11-19",
        "resolution_date": "2026-11-20", "treatments": ["tocilizumab"],
        "note": "one bolus"})
    assert recorded.status_code == 303, recorded.get_data(as_text=True)[:300]
    html = page(client, record)
    table = re.search(r'<table id="summary-table">.*?</table>', html, re.S).group(0)
    assert re.search(r"Cytokine release syndrome</th><td>2 \(ASTCT 2019\)</td>\s*<td>2</td>"
                     r"<td>1</td>", table)
    assert "Tocilizumab" in html and "one bolus" in html


def test_it_shows_the_form_again_with_the_reason_when_a_grade_does_not_fit(client, family,
                                                                          physician, db):
    token = sign_in(client, physician)
    response = client.post(f"/patients/{family.patient_id}/toxicity-events", data={
        "csrf_token": token, "kind": "icans", "grade": "5", "onset_date": "2026-11-19"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "ASTCT 2019 grades run from 1 to 4" in html
    assert db["toxicity_events"].count == 0


def test_it_shows_the_home_reports_compatible_grade_as_a_hint(client, family, physician):
    family.push([family.envelope(family.document({"temperature_c": 38.6,
                                                  "temperature_method": "oral"}))])
    sign_in(client, physician)
    html = page(client, f"/patients/{family.patient_id}/record")
    hint = re.search(r'<ul id="grade-hint">(.*?)</ul>', html, re.S).group(1)
    assert "compatible with up to CRS grade 1" in hint and "not a clinical grade" in hint


def test_it_keeps_the_forms_from_nurses_but_shows_them_the_record(client, family, nurse,
                                                                  physician):
    client.put(f"/api/v1/patients/{family.patient_id}/profile", json=PROFILE,
               headers=physician.headers)
    client.post(f"/api/v1/patients/{family.patient_id}/toxicity-events", json=CRS,
                headers=physician.headers)
    token = sign_in(client, nurse)
    html = page(client, f"/patients/{family.patient_id}/record")
    assert "Systemic lupus" in html and "Save the event" not in html
    refused = client.post(f"/patients/{family.patient_id}/toxicity-events",
                          data={"csrf_token": token, "kind": "crs", "grade": "1",
                                "onset_date": "2026-11-19"})
    assert refused.status_code == 403


def test_it_lists_a_silent_family_on_the_worklist_and_records_the_contact(
        client, family, nurse, clock, db):
    clock.advance(days=250)  # months without the phone being in touch
    token = sign_in(client, nurse)
    html = page(client, "/follow-up")
    row = re.search(rf'<tr id="row-{family.patient_id}">.*?</tr>', html, re.S).group(0)
    assert "overdue follow-up, lost to follow-up" in row and "Mateo Ruiz" in row
    response = client.post(f"/patients/{family.patient_id}/follow-up-contacts", data={
        "csrf_token": token, "outcome": "message_left", "note": "voicemail at 10:05"})
    assert response.status_code == 303
    row = re.search(rf'<tr id="row-{family.patient_id}">.*?</tr>', page(client, "/follow-up"),
                    re.S).group(0)
    assert "Left a message" in row and nurse.username in row
    audit = db.execute("SELECT details FROM audit_log WHERE action = 'followup.contact'"
                       ).fetchone()[0]
    assert "message_left" in audit and "voicemail" not in audit


def test_it_corrects_and_retracts_an_event_from_the_page_keeping_its_history(
        client, family, physician, db):
    token = sign_in(client, physician)
    event_id = client.post(f"/api/v1/patients/{family.patient_id}/toxicity-events", json=CRS,
                           headers=physician.headers).get_json()["event_id"]
    corrected = client.post(f"/patients/{family.patient_id}/toxicity-events", data={
        "csrf_token": token, "event_id": event_id, "kind": "crs", "grade": "3",
        "onset_date": "2026-11-19", "reason": "vasopressor overnight"})
    assert corrected.status_code == 303, corrected.get_data(as_text=True)[:300]
    html = page(client, f"/patients/{family.patient_id}/record")
    assert re.search(r"Cytokine release syndrome</th><td>3 \(ASTCT 2019\)", html)
    retracted = client.post(f"/patients/{family.patient_id}/toxicity-events/{event_id}"
                            "/retraction", data={"csrf_token": token, "reason": "wrong child"})
    assert retracted.status_code == 303
    html = page(client, f"/patients/{family.patient_id}/record")
    assert "No toxicity event is recorded" in html and "wrong child" in html
    assert [row[0] for row in db.execute("SELECT status FROM toxicity_events WHERE "
                                         "event_id = ? ORDER BY revision", [event_id])] == [
        "recorded", "recorded", "retracted"]


def test_it_tells_a_physician_whose_page_is_out_of_date_instead_of_overwriting(
        client, family, physician, db):
    token = sign_in(client, physician)
    event_id = client.post(f"/api/v1/patients/{family.patient_id}/toxicity-events", json=CRS,
                           headers=physician.headers).get_json()["event_id"]
    html = page(client, f"/patients/{family.patient_id}/record")
    assert f'value="{event_id}:1"' in html
    # A colleague corrects the event while this page is open at revision 1.
    client.put(f"/api/v1/patients/{family.patient_id}/toxicity-events/{event_id}",
               json={**CRS, "grade": 3, "reason": "vasopressor overnight"},
               headers=physician.headers)
    stale = client.post(f"/patients/{family.patient_id}/toxicity-events", data={
        "csrf_token": token, "event_id": f"{event_id}:1", "kind": "crs", "grade": "1",
        "onset_date": "2026-11-19", "reason": "looked milder"})
    assert stale.status_code == 400
    assert "revision 2 is in force" in stale.get_data(as_text=True)
    retraction = client.post(f"/patients/{family.patient_id}/toxicity-events/{event_id}"
                             "/retraction", data={"csrf_token": token, "reason": "wrong child",
                                                  "revision": "1"})
    assert retraction.status_code == 400
    assert db.execute("SELECT MAX(revision) FROM toxicity_events").fetchone()[0] == 2


def test_it_closes_a_row_from_the_worklist_page_and_reopens_it_from_the_closed_list(
        client, family, nurse, clock, db, staff):
    clock.advance(days=250)
    nurse = staff("nurse")
    token = sign_in(client, nurse)
    response = client.post(f"/patients/{family.patient_id}/follow-up-closure", data={
        "csrf_token": token, "reason": "moved_care", "note": "Now at Leeds General"})
    assert response.status_code == 303
    html = page(client, "/follow-up")
    assert f'id="row-{family.patient_id}"' not in html
    closed = re.search(rf'<li id="closed-{family.patient_id}">.*?</li>', html, re.S).group(0)
    assert "Care moved to another centre" in closed and "Mateo Ruiz" in closed
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", closed)  # a date in words, not ISO
    # The child's record says so too, so nobody phones a family whose care moved.
    record = page(client, f"/patients/{family.patient_id}/record")
    closure = re.search(r'<p class="closure">.*?</p>', record, re.S).group(0)
    assert "Follow-up closed: Care moved to another centre" in closure
    assert "Now at Leeds General" in closure and "until someone reopens it." in closure
    response = client.post(f"/patients/{family.patient_id}/follow-up-closure/reopening",
                           data={"csrf_token": token})
    assert response.status_code == 303
    html = page(client, "/follow-up")
    assert f'id="row-{family.patient_id}"' in html and "No patient's follow-up is closed" in html
    assert 'class="closure"' not in page(client, f"/patients/{family.patient_id}/record")
    audit = [row[0] for row in db.execute("SELECT details FROM audit_log WHERE action IN "
                                          "('followup.close', 'followup.reopen') ORDER BY id")]
    assert audit == ['{"reason": "moved_care"}'] * 2


def test_it_shows_the_profile_form_again_for_a_consent_dated_before_birth(client, family,
                                                                         physician, db):
    token = sign_in(client, physician)
    response = client.post(f"/patients/{family.patient_id}/profile", data={
        "csrf_token": token, "diagnosis": "sle", "organs_involved": ["kidney"],
        "car_target": "cd19", "consents_text": "ebmt 1999-01-01"})
    assert response.status_code == 400
    assert "before the child was born" in response.get_data(as_text=True)
    assert db["patient_profiles"].count == 0


@pytest.mark.parametrize("path, extra", [("follow-up-contacts", {"outcome": "reached"}),
                                         ("follow-up-closure", {"reason": "died"})])
def test_the_worklist_forms_refuse_a_note_the_api_would_refuse(client, family, nurse, db,
                                                               path, extra):
    token = sign_in(client, nurse)
    for note in ("a\x00b", "x" * 2001):
        response = client.post(f"/patients/{family.patient_id}/{path}",
                               data={"csrf_token": token, "note": note, **extra})
        assert response.status_code == 400
    assert db["followup_contacts"].count == db["followup_closures"].count == 0


def test_closing_twice_or_an_unknown_choice_on_a_page_says_why(client, family, nurse, db):
    token = sign_in(client, nurse)
    closing = f"/patients/{family.patient_id}/follow-up-closure"
    assert client.post(closing, data={"csrf_token": token, "reason": "died"}).status_code == 303
    again = client.post(closing, data={"csrf_token": token, "reason": "withdrew"})
    assert again.status_code == 409 and "reopen it first" in again.get_data(as_text=True)
    odd = client.post(f"/patients/{family.patient_id}/follow-up-contacts",
                      data={"csrf_token": token, "outcome": "gave_up"})
    assert odd.status_code == 400 and "Choose how the contact went" in odd.get_data(as_text=True)
