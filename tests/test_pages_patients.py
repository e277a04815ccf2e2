"""Patient pages through the test client: creating and finding patients, enrolling a phone,
the timeline and the entries in full, who may open them, and what is audited."""
import json
import re
from datetime import timedelta

import pytest

from support.family import enrol
from support.pages import sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")

NEW_CHILD = {"display_name": "Sofía Herrera", "mrn": "MRN-7788", "date_of_birth": "2013-06-01",
             "infusion_date": "2026-11-19", "timezone": "America/Chicago", "language": "es"}


def text(response):
    return response.get_data(as_text=True)


def test_it_creates_a_patient_from_the_form_sealed_and_audited(client, nurse, db):
    token = sign_in(client, nurse)
    response = client.post("/patients", data={"csrf_token": token, **NEW_CHILD})
    assert response.status_code == 303
    patient_id = re.match(r"/patients/(pt_[0-9a-f]+)\?notice=patient_created#devices$",
                          response.headers["Location"]).group(1)
    row = db.execute("SELECT display_name, infusion_date, timezone FROM patients WHERE id = ?",
                     [patient_id]).fetchone()
    assert b"Sof" not in row[0] and tuple(row[1:]) == ("2026-11-19", "America/Chicago")
    page = text(client.get(response.headers["Location"]))
    assert "Sofía Herrera" in page and "Day 1" in page and "Patient created." in page
    assert db["audit_log"].count_where("action = 'patient.create' AND patient_id = ?",
                                       [patient_id]) == 1


def test_it_offers_the_form_again_with_each_problem_next_to_its_field(client, nurse, db):
    token = sign_in(client, nurse)
    response = client.post("/patients", data={
        "csrf_token": token, **NEW_CHILD, "display_name": " ", "infusion_date": "2011-01-01",
        "timezone": "Mars/Olympus"})
    page = text(response)
    assert response.status_code == 400
    assert 'id="display_name" name="display_name" type="text" value=" "' in page
    assert 'aria-invalid="true" aria-describedby="infusion_date-error"' in page
    assert "The infusion date is before the date of birth." in page
    assert "where the family lives" in page
    assert db["patients"].count == 0


def test_it_offers_time_zones_as_a_list_of_places_grouped_by_region(client, nurse, db):
    token = sign_in(client, nurse)
    page = text(client.get("/patients"))
    picker = re.search(r'<select id="timezone" name="timezone".*?</select>', page, re.S).group(0)
    regions = re.findall(r'<optgroup label="([^"]+)"', picker)
    assert {"America", "Europe", "Asia", "Pacific"} <= set(regions)
    offered = set(re.findall(r'<option value="([^"]*)"', picker))
    assert {"America/New_York", "Europe/Madrid", "Asia/Kolkata"} <= offered
    assert not {"EST", "EST5EDT", "UTC", "Etc/GMT+5", "US/Eastern"} & offered
    refused = client.post("/patients", data={"csrf_token": token, **NEW_CHILD,
                                             "timezone": "EST"})
    assert refused.status_code == 400 and db["patients"].count == 0
    again = re.search(r'<select id="timezone".*?</select>', text(refused), re.S).group(0)
    assert 'aria-invalid="true"' in again and "where the family lives" in text(refused)
    kept = client.post("/patients", data={"csrf_token": token, **NEW_CHILD,
                                          "display_name": ""})
    assert re.search(r'<option value="America/Chicago"[^>]*selected', text(kept))


def test_it_finds_patients_by_name_or_mrn_ignoring_case_and_accents(client, nurse, family):
    token = sign_in(client, nurse)
    client.post("/patients", data={"csrf_token": token, **NEW_CHILD})
    for query, expected in (("sofia", ["Sofía Herrera"]), ("mrn-555", ["Mateo Ruiz"]),
                            ("", ["Sofía Herrera", "Mateo Ruiz"]), ("nobody", [])):
        page = text(client.get("/patients", query_string={"q": query}))
        names = re.findall(r'<th scope="row">\s*<a href="[^"]+">([^<]+)</a>', page)
        assert names == expected, query  # Sofía (day 1) before Mateo (day 3)


def test_it_shows_the_patient_list_to_the_psychosocial_team_without_the_form(app, staff,
                                                                           family):
    client = app.test_client()
    token = sign_in(client, staff("psychosocial"))
    page = text(client.get("/patients"))
    assert "Mateo Ruiz" in page and f"/patients/{family.patient_id}/wellbeing" in page
    assert "Create patient" not in page
    assert client.post("/patients", data={"csrf_token": token, **NEW_CHILD}).status_code == 403


def test_it_shows_an_enrolment_code_as_text_and_qr_that_a_phone_can_use(client, nurse, family,
                                                                         db):
    token = sign_in(client, nurse)
    response = client.post(f"/patients/{family.patient_id}/enrollments",
                           data={"csrf_token": token, "respondent": "patient"})
    page = text(response)
    code = re.search(r'id="enrol-code">([A-Z0-9-]+)<', page).group(1)
    assert '<svg width=' in page and "<title>Enrolment QR code</title>" in page
    device = enrol(client, code, name="Mateo's tablet")
    assert device.status_code == 201 and device.get_json()["respondent"] == "patient"
    assert client.post(f"/patients/{family.patient_id}/enrollments",
                       data={"csrf_token": token, "respondent": "cousin"}).status_code == 400
    assert client.post(f"/patients/{family.patient_id}/enrollments",
                       data={"respondent": "patient"}).status_code == 403


def test_it_flags_a_phone_silent_for_over_12_hours_or_holding_a_backlog(client, nurse, family,
                                                                         clock):
    family.push([family.envelope(family.document({"temperature_c": 36.9}))], outbox_pending=0)
    sign_in(client, nurse)
    assert "⚠" not in text(client.get(f"/patients/{family.patient_id}")).split(
        'id="devices"')[1].split("</section>")[0]
    clock.advance(hours=13)
    sign_in(client, nurse)  # the idle timeout ended the first session
    page = text(client.get(f"/patients/{family.patient_id}"))
    assert "⚠ not synced for 13 h" in page


def test_it_shows_quarantined_entries_and_audits_the_timeline_as_an_entries_read(
        client, nurse, family, db):
    family.push([family.envelope(family.document({"temperature_c": 38.9,
                                                  "temperature_method": "ear",
                                                  "spo2_percent": 500}))])
    sign_in(client, nurse)
    page = text(client.get(f"/patients/{family.patient_id}"))
    quarantine = page.split('id="quarantine"')[1]
    assert "spo2_percent" in quarantine and "&#34;spo2_percent&#34;: 500" in quarantine
    assert "38.9 <strong>fever</strong>" in page  # its valid reading is still charted
    rows = [json.loads(details) for (details,) in db.execute(
        "SELECT details FROM audit_log WHERE action = 'entries.read' AND patient_id = ?",
        [family.patient_id])]
    assert rows == [{"count": 1, "view": "timeline"}]


def test_it_sends_only_scripts_from_its_own_files_under_a_strict_policy(client, nurse, family):
    sign_in(client, nurse)
    response = client.get(f"/patients/{family.patient_id}")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "style-src 'self'" in policy and "form-action 'self'" in policy
    scripts = re.findall(r"<script([^>]*)>", text(response))
    assert scripts and all('src="/static/' in attributes
                           or attributes == ' type="application/json" id="temperature-data"'
                           for attributes in scripts)
    assert 'style="' not in text(response)  # style-src 'self' would block it


def test_it_shows_every_entry_in_full_to_the_care_team_only(app, client, nurse, staff, family,
                                                            db, clock):
    document = family.document({"temperature_c": 37.2, "temperature_method": "oral",
                                "notes": "ate well"})
    family.push([family.envelope(document)])
    clock.advance(minutes=30)
    family.push([family.envelope(family.document(
        {"temperature_c": 37.3, "temperature_method": "oral"},
        supersedes=document["entry_id"]))])
    sign_in(client, nurse)
    page = text(client.get(f"/patients/{family.patient_id}/entries"))
    assert page.index("37.3") < page.index("37.2")  # newest first
    assert "ate well" in page and "corrected by a later entry" in page
    assert db["audit_log"].count_where("action = 'entries.read' AND details LIKE "
                                       "'%\"view\": \"entries\"%'") == 1
    for role in ("psychosocial", "admin"):
        other = app.test_client()
        sign_in(other, staff(role))
        for path in (f"/patients/{family.patient_id}",
                     f"/patients/{family.patient_id}/entries"):
            refused = other.get(path)
            assert refused.status_code == 403 and "ate well" not in text(refused)


def test_it_labels_every_form_control_on_every_page(client, nurse, family, db, app, clock):
    from support.alerting import Finding, raise_findings

    raise_findings(db, app.extensions["homeward"].vault, family.patient_id,
                   [Finding("fever", "urgent", evidence={})], clock.now())
    sign_in(client, nurse)
    for path in ("/", "/alerts", "/patients", f"/patients/{family.patient_id}", "/wellbeing",
                 f"/patients/{family.patient_id}/wellbeing"):
        page = text(client.get(path))
        assert '<main id="main"' in page and 'href="#main"' in page, path
        labelled = set(re.findall(r'<label for="([^"]+)"', page))
        controls = re.findall(r'<(input|select|textarea)\b([^>]*)>', page)
        for tag, attributes in controls:
            if 'type="hidden"' in attributes:
                continue
            control_id = re.search(r'id="([^"]+)"', attributes)
            assert control_id and control_id.group(1) in labelled, (path, tag, attributes)


def test_it_says_plainly_when_a_patient_was_erased(client, nurse, family, app, db, config,
                                                   clock):
    from server.records.patients import erase_patient

    erase_patient(db, app.extensions["homeward"].vault, config, family.patient_id,
                  clock.now() + timedelta(minutes=1))
    sign_in(client, nurse)
    page = text(client.get(f"/patients/{family.patient_id}"))
    assert "Erased patient" in page and "Mateo" not in page
