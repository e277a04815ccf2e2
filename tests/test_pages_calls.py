"""The call on the staff pages, without JavaScript: contacts with tel: buttons on cards, the
alert page and the timeline; "I'm calling" that a colleague's inbox shows; the call form
with the nurse's neuro assessment, its triage colour and a grade that says it is not one;
the message thread with delivery; and the contacts forms."""
import pytest

from support.alerting import Finding, raise_findings
from support.family import enrolled_family
from support.pages import sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")

CONTACT = {"name": "Ana Ruiz", "relationship": "mother", "phone": "+1 617 555 0101",
           "language": "es", "best_times": "after 4 pm"}
CAPD = {"eye_contact": 0, "purposeful": 1, "aware": 1, "tells_needs": 1, "restless": 3,
        "inconsolable": 2, "underactive": 2, "slow_response": 2}


@pytest.fixture
def home(client, staff, clock):
    nurse = staff("nurse", "nina")
    family = enrolled_family(client, nurse.headers, clock=clock, contacts=[CONTACT])
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": 38.6, "temperature_method": "oral"}))]).get_json()["results"]
    return nurse, family, result["alert"]["alert_id"]


def card_of(html, alert_id):
    return html.split(f'id="alert-{alert_id}"', 1)[1].split("</li>\n</ol>", 1)[0]


def test_every_card_and_the_alert_page_offer_the_familys_phone(client, home):
    nurse, _family, alert_id = home
    sign_in(client, nurse)
    card = card_of(client.get("/alerts").get_data(as_text=True), alert_id)
    assert '<a class="button tel" href="tel:+16175550101">Call Ana Ruiz (mother)</a>' in card
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert 'href="tel:+16175550101"' in page and "best: after 4 pm" in page


def test_a_colleague_sees_who_is_calling_and_cannot_take_the_call(client, app, home, staff):
    nina, _family, alert_id = home
    token = sign_in(client, nina)
    claimed = client.post(f"/alerts/{alert_id}/claim", data={"csrf_token": token})
    assert claimed.status_code == 303 and "notice=claimed" in claimed.headers["Location"]
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "nina is calling since 14:00 EST." in page and "I'm not calling after all" in page

    bea = app.test_client()
    bea_token = sign_in(bea, staff("nurse", "bea"))
    card = card_of(bea.get("/alerts").get_data(as_text=True), alert_id)
    assert '<p class="claim" role="status">nina is calling since 14:00 EST</p>' in card
    refused = bea.post(f"/alerts/{alert_id}/claim", data={"csrf_token": bea_token})
    assert refused.status_code == 409
    assert "nina is already calling this family (since 14:00 EST)." in refused.get_data(
        as_text=True)  # on the site's clock, as every time on the pages


def test_a_call_recorded_on_the_page_shows_its_colour_and_a_grade_that_is_not_one(
        client, home, db):
    nurse, _family, alert_id = home
    token = sign_in(client, nurse)
    form = {"csrf_token": token, "answered": "yes", "reached": "Ana Ruiz (mother)",
            "temperature_c": "38,9", "temperature_method": "axillary", "breathing": "normal",
            "drinking": "less", "passing_urine": "normal", "dizziness": "none",
            "spo2_percent": "", "disposition": "recheck", "recheck_minutes": "60",
            "note": "Paracetamol at 13:00",
            **{f"neuro_{key}": str(value) for key, value in CAPD.items()}}
    done = client.post(f"/alerts/{alert_id}/calls", data=form)
    assert done.status_code == 303 and "notice=call_recorded" in done.headers["Location"]
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Call recorded." in page
    assert 'class="triage-colour">RED</span>' in page and "temperature 38.9 °C" in page
    assert "ICANS grade 3 — not a clinical grade" in page  # CAPD-style 22: positive
    assert "CAPD-style assessment (9 or more is positive): 22" in page
    assert "Recheck due by 15:00 EST" in page
    card = card_of(client.get("/alerts").get_data(as_text=True), alert_id)
    assert ("Last call 14:00 EST by nina: Call back to recheck in 60 minutes (triage red)"
            in card)
    assert "Recheck due by 15:00 EST" in card
    assert db["alerts"].get(alert_id)["status"] == "acknowledged"


def test_a_no_answer_is_recorded_as_such(client, home, db):
    nurse, _family, alert_id = home
    token = sign_in(client, nurse)
    client.post(f"/alerts/{alert_id}/calls", data={"csrf_token": token, "answered": "no",
                                                  "reached": "", "disposition": ""})
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "nina: no answer" in " ".join(page.split())
    assert "nina is calling since 14:00 EST." in page  # the retry keeps the claim


def test_the_family_messages_show_as_a_thread_with_delivery(client, home):
    nurse, family, alert_id = home
    token = sign_in(client, nurse)
    client.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token,
                                                        "message": "Calling you now."})
    client.post(f"/alerts/{alert_id}/message", data={"csrf_token": token,
                                                    "message": "Come to the day unit."})
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Messages to the family (2)" in page
    assert page.count("not yet on their phone") == 2
    family.pull()
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    thread = page.split('id="thread"', 1)[1]
    assert thread.index("Calling you now.") < thread.index("Come to the day unit.")
    assert thread.count("delivered 14:00 EST") == 2


def test_the_psychosocial_team_messages_on_wellbeing_alerts_but_does_not_call(
        client, app, family, staff, clock):
    vault = app.extensions["homeward"].vault
    from server.storage.db import connect
    db = connect(app.extensions["homeward"].config.database_path)
    alert_id = raise_findings(db, vault, family.patient_id, [Finding(
        "caregiver_distress", "info", evidence={"scores": {"total": 30}})],
        clock.now())["alert_id"]
    counsellor = staff("psychosocial")
    token = sign_in(client, counsellor)
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Messages to the family" in page
    assert f'action="/alerts/{alert_id}/claim"' not in page and "Record the call" not in page
    client.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token,
                                                        "message": "We will ring you."})
    assert "We will ring you." in client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert client.post(f"/alerts/{alert_id}/claim",
                       data={"csrf_token": token}).status_code == 403
    db.conn.close()


def test_contacts_are_entered_with_the_patient_and_edited_on_their_page(client, nurse, db):
    token = sign_in(client, nurse)
    created = client.post("/patients", data={
        "csrf_token": token, "display_name": "Lía Gómez", "date_of_birth": "2016-02-02",
        "infusion_date": "2026-11-18", "timezone": "America/New_York", "language": "es",
        "mrn": "MRN-3141", "contact-0-name": "Rosa Gómez", "contact-0-relationship": "grandmother",
        "contact-0-phone": "617 555 0142"})
    assert created.status_code == 303
    patient_path = created.headers["Location"].split("?")[0]
    timeline = client.get(patient_path).get_data(as_text=True)
    assert 'href="tel:6175550142">Call Rosa Gómez (grandmother)</a>' in timeline
    edit = f"{patient_path}/contacts"
    assert "Rosa Gómez" in client.get(edit).get_data(as_text=True)
    refused = client.post(edit, data={"csrf_token": token, "contact-0-name": "Rosa Gómez",
                                      "contact-0-phone": "ring the neighbour"})
    assert refused.status_code == 400
    assert "Enter a phone number" in refused.get_data(as_text=True)
    assert "tel:6175550142" in client.get(patient_path).get_data(as_text=True)
    saved = client.post(edit, data={"csrf_token": token, "contact-0-name": "Rosa Gómez",
                                    "contact-0-phone": "+1 617 555 0142",
                                    "contact-1-name": "Pablo Gómez",
                                    "contact-1-phone": "617 555 0143"})
    assert saved.status_code == 303
    timeline = client.get(patient_path).get_data(as_text=True)
    assert "tel:+16175550142" in timeline and "tel:6175550143" in timeline
    sealed = db.execute("SELECT contacts FROM patients WHERE contacts IS NOT NULL").fetchone()[0]
    assert b"Rosa" not in sealed


def test_a_call_form_that_says_someone_answered_but_not_who_is_refused(client, home, db):
    nurse, _family, alert_id = home
    token = sign_in(client, nurse)
    refused = client.post(f"/alerts/{alert_id}/calls", data={
        "csrf_token": token, "answered": "yes", "reached": "", "disposition": "day_unit"})
    assert refused.status_code == 400
    assert "Say who you spoke to" in refused.get_data(as_text=True)
    nobody = client.post(f"/alerts/{alert_id}/calls", data={
        "csrf_token": token, "answered": "no", "disposition": "day_unit"})
    assert nobody.status_code == 400
    assert db["alert_calls"].count == 0
