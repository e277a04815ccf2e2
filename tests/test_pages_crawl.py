"""Every staff page, found from the app's URL map and by following links, as each role reads
it, against a database holding one of everything: patients in two time zones, entries,
open, resolved and wellbeing alerts, a call, a clinical profile, toxicity events (one
revised, one retracted), a patient on the follow-up worklist with a contact, staff accounts
(one disabled) and the audit rows all this wrote. No page may show a machine timestamp, a
code where there are words, an internal id, a second time zone, or fail."""
import re

import pytest

from server.auth import resets
from server.records.patients import erase_patient
from server.pages.common import NOTICES
from support.alerting import Finding, raise_findings
from support.crawl import Crawl, problems
from support.family import enrolled_family
from support.pages import CSRF, sign_in
from test_alert_calls_api import CAPD_WORRYING, FEVER_FINDINGS
from test_records_api import CRS, PROFILE

pytestmark = pytest.mark.usefixtures("no_login_waits")

ENGLISH = {"quality-of-life"}
ROLES = ("physician", "nurse", "psychosocial", "admin")
SITE_ZONES = {"EST", "EDT"}  # America/New_York, the default site zone
CONTACT = {"name": "Ana Ortega", "relationship": "mother", "phone": "+34 600 123 456",
           "language": "es", "best_times": "after 4 pm"}


@pytest.fixture
def world(app, client, staff, db, clock):
    """One of everything the pages show, made through the real API where there is one."""
    nurse, physician = staff("nurse", "nina"), staff("physician", "dr.lee")
    admin = staff("admin", "ada")
    madrid = enrolled_family(client, nurse.headers, clock=clock, timezone="Europe/Madrid",
                             display_name="Lucía Ortega", date_of_birth="2016-02-10",
                             contacts=[CONTACT])
    results = madrid.push([
        madrid.envelope(madrid.document({"temperature_c": 39.1, "temperature_method": "axillary"},
                                        recorded_at="2026-11-20T19:40:00+01:00")),
        madrid.envelope(madrid.document(
            {"eye_contact": 4, "purposeful": 4, "aware": 1, "tells_needs": 4, "restless": 0,
             "inconsolable": 0, "underactive": 0, "slow_response": 2},
            questionnaire_id="neuro-check", recorded_at="2026-11-20T19:30:00+01:00")),
        madrid.envelope(madrid.document({"temperature_c": 38.2, "spo2_percent": 500})),
        madrid.envelope(madrid.document({"distress": 8}, questionnaire_id="caregiver-wellbeing")),
    ]).get_json()["results"]
    called = next(r["alert"]["alert_id"] for r in results if r.get("alert"))
    vault = app.extensions["homeward"].vault
    resolved = raise_findings(db, vault, madrid.patient_id,
                              [Finding("organ_flare", "attention")], clock.now())["alert_id"]
    db.execute("UPDATE alerts SET status = 'resolved', resolved_by = 'nina', outcome = "
               "'false_alarm', resolved_at = ? WHERE id = ?",
               ["2026-11-20T18:58:00.000000Z", resolved])
    db.conn.commit()
    call = client.post(f"/api/v1/alerts/{called}/calls", headers=nurse.headers, json={
        "reached": "Ana Ortega", "disposition": "recheck", "recheck_minutes": 60,
        "findings": FEVER_FINDINGS, "neuro_answers": CAPD_WORRYING})
    assert call.status_code in (200, 201), call.get_json()
    headers = physician.headers
    assert client.put(f"/api/v1/patients/{madrid.patient_id}/profile", json={
        **PROFILE, "diagnosis": "other", "diagnosis_text": "mixed connective tissue disease",
        "lymphodepletion": "flu_cy", "car_target": "cd19_bcma"},
        headers=headers).status_code == 200
    events = f"/api/v1/patients/{madrid.patient_id}/toxicity-events"
    crs = client.post(events, json={**CRS, "alert_ids": [called]}, headers=headers)
    assert crs.status_code == 201, crs.get_json()
    crs_id = crs.get_json()["event_id"]
    revised = client.put(f"{events}/{crs_id}", json={**CRS, "grade": 1,
                                                     "reason": "read the chart again"},
                         headers=headers)
    assert revised.status_code == 200, revised.get_json()
    flare = client.post(events, json={"kind": "licats", "grade": 2, "onset_date": "2026-11-18",
                                      "note": "knee"}, headers=headers)
    assert flare.status_code == 201, flare.get_json()
    icans = client.post(events, json={"kind": "icans", "grade": 1, "onset_date": "2026-11-19"},
                        headers=headers).get_json()["event_id"]
    assert client.post(f"{events}/{icans}/retraction", json={"reason": "entered twice"},
                       headers=headers).status_code == 200
    # Infused in September, no follow-up form since: overdue on the worklist, with a contact.
    september = enrolled_family(client, nurse.headers, clock=clock, display_name="Bruno Díaz",
                                date_of_birth="2011-07-02", infusion_date="2026-09-10",
                                mrn="MRN-200", timezone="America/Los_Angeles")
    contact = client.post(f"/api/v1/patients/{september.patient_id}/follow-up-contacts",
                          json={"outcome": "message_left", "note": "left a voicemail"},
                          headers=nurse.headers)
    assert contact.status_code == 201, contact.get_json()
    # Another, whose follow-up was closed when the family moved: the worklist's Closed list.
    moved = enrolled_family(client, nurse.headers, clock=clock, display_name="Iker Mora",
                            date_of_birth="2012-01-20", infusion_date="2026-08-01",
                            mrn="MRN-250")
    closed = client.post(f"/api/v1/patients/{moved.patient_id}/follow-up-closure",
                         json={"reason": "moved_care", "note": "now seen in Bilbao"},
                         headers=nurse.headers)
    assert closed.status_code in (200, 201), closed.get_json()
    # A family erased after an alert: its pages and the alert's card show no name.
    erased = enrolled_family(client, nurse.headers, clock=clock, display_name="Erased Child",
                             mrn="MRN-300")
    erased.push([erased.envelope(erased.document({"temperature_c": 39.4,
                                                  "temperature_method": "oral"}))])
    erase_patient(db, vault, app.extensions["homeward"].config, erased.patient_id, clock.now())
    gone = staff("nurse", "old_nurse")
    db.execute("UPDATE staff_users SET disabled_at = ? WHERE id = ?",
               ["2026-11-19T10:00:00.000000Z", gone.id])
    db.conn.commit()
    link = resets.issue_reset(db, "nina", clock.now(), issued_by="ada")[1]
    staff("nurse", "spare.nurse")  # the account the empty forms below act on
    return {"patient_id": [madrid.patient_id, september.patient_id, erased.patient_id,
                           moved.patient_id],
            "event_id": [crs_id], "username": ["spare.nurse"],
            "alert_id": [called, resolved, *[row["id"] for row in db.query(
                "SELECT id FROM alerts WHERE id NOT IN (?, ?)", [called, resolved])]],
            "reset_link": link, "staff": {"nurse": nurse, "physician": physician,
                                          "admin": admin, "psychosocial": staff("psychosocial")}}


def form_codes(app):
    """The questionnaires' ids and variants that do not read as English: "neuro-check" and
    "capd-style" have titles ("caregiver" and "quality-of-life" are words already)."""
    catalog = app.extensions["homeward"].catalog
    codes = ({definition.id for definition in catalog} |
             {definition.variant for definition in catalog if definition.variant})
    return sorted(code for code in codes if "-" in code and code not in ENGLISH)


def usernames(db):
    return [row["username"] for row in db.query("SELECT username FROM staff_users")]


def page_routes(app, method="GET"):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("pages.") and rule.endpoint != "pages.static"
            and method in rule.methods]


def addresses(rule, world) -> list[str]:
    """The rule with each <placeholder> filled by every seeded id of its kind. A new kind of
    placeholder fails here, so that its ids get seeded too."""
    combos = [{}]
    for name in sorted(rule.arguments):
        assert name in world, f"seed ids for <{name}> in world() to crawl {rule.rule}"
        combos = [{**combo, name: value} for combo in combos for value in world[name]]
    return [re.sub(r"<(?:\w+:)?(\w+)>", lambda m, c=combo: c[m.group(1)], rule.rule)
            for combo in combos]


def is_page(app):
    adapter = app.url_map.bind("localhost")
    endpoints = {rule.endpoint for rule in page_routes(app)}

    def check(path):
        try:
            endpoint, _ = adapter.match(path, method="GET")
        except Exception:  # a redirect, a 404 or 405: not one of ours to crawl
            return False
        return endpoint in endpoints
    return check


def test_every_page_keeps_the_page_rules_for_every_role(app, world, db):
    seeds = [address for rule in page_routes(app) for address in addresses(rule, world)]
    seeds += [f"/alerts/{alert_id}/forms?shown=open" for alert_id in world["alert_id"]]
    seeds += [f"/password-reset?token={world['reset_link']}", "/password-reset?token=spent",
              "/audit?from_day=2026-11-30&to_day=2026-11-01", "/audit?from_day=soon"]
    seeds += [f"/?notice={code}" for code in NOTICES]
    answered = {}
    names, codes = usernames(db), form_codes(app)
    for role in (*ROLES, "signed out"):
        browser = app.test_client()
        if role != "signed out":
            sign_in(browser, world["staff"][role])
        broken = []

        def check(address, response, html, role=role):
            if response.status_code >= 500:
                broken.append((address, response.status_code))
            elif response.status_code < 300:
                answered.setdefault(address.split("?")[0], set()).add(role)
            if 300 <= response.status_code < 400:
                return  # a browser follows it; nobody reads the redirect's own page
            found = problems(html, SITE_ZONES, allow_machine_ids=address.startswith("/audit"),
                             names=names, codes=codes)
            if found:
                broken.append((address, sorted(set(found))[:8]))

        seen = Crawl(browser, is_page(app)).run(seeds, check)
        assert not broken, "\n".join(f"{role} {address}: {found}" for address, found in broken)
        assert len(seen) >= len(set(seeds))
    unanswered = [address for address in seeds if address.split("?")[0] not in answered]
    assert not unanswered, "pages no role could open: the crawl checked only refusals"


def test_forms_answered_with_a_page_keep_the_rules_too(app, world, db):
    """Pages that answer a form rather than a link: a new account's password link, an
    enrolment code, a profile or event refused with its reasons."""
    patient = world["patient_id"][0]
    shown = []
    admin = app.test_client()
    token = sign_in(admin, world["staff"]["admin"])
    shown.append(admin.post("/staff", data={"csrf_token": token, "username": "new.nurse",
                                            "role": "nurse"}))
    shown.append(admin.post("/staff", data={"csrf_token": token, "username": "x",
                                            "role": "nurse"}))
    physician = app.test_client()
    token = sign_in(physician, world["staff"]["physician"])
    shown.append(physician.post(f"/patients/{patient}/enrollments",
                                data={"csrf_token": token, "respondent": "caregiver"}))
    shown.append(physician.post(f"/patients/{patient}/profile", data={
        "csrf_token": token, "diagnosis": "other", "car_target": "cd19"}))
    shown.append(physician.post(f"/patients/{patient}/toxicity-events", data={
        "csrf_token": token, "kind": "icans", "grade": "5", "onset_date": "2026-11-19"}))
    reset = app.test_client().post("/password-reset", data={
        "token": world["reset_link"], "password": "short", "password_again": "short"})
    shown.append(reset)
    names = usernames(db)
    for response in shown:
        assert response.status_code < 500
        html = response.get_data(as_text=True)
        assert CSRF.search(html) or "password" in html
        found = problems(html, SITE_ZONES, names=names, codes=form_codes(app))
        assert not found, (response.request.path, found)


def test_every_form_sent_empty_answers_in_words_and_never_fails(app, world, db):
    """Each form of the pages blueprint (from the URL map), sent with nothing but its CSRF
    token by every role: a refusal or the form again with its reasons, in words, never a
    5xx. Signing in and out are left out: they change who is asking."""
    names, codes = usernames(db), form_codes(app)
    forms = [address for rule in page_routes(app, "POST")
             if rule.endpoint not in ("pages.login", "pages.logout")
             for address in addresses(rule, world)]
    for role in ROLES:
        browser = app.test_client()
        token = sign_in(browser, world["staff"][role])
        broken = []
        for address in forms:
            response = browser.post(address, data={"csrf_token": token})
            html = response.get_data(as_text=True)
            if response.status_code >= 500:
                broken.append((address, response.status_code))
            elif not 300 <= response.status_code < 400:
                found = problems(html, SITE_ZONES, names=names, codes=codes)
                if found:
                    broken.append((address, response.status_code, found[:6]))
        assert not broken, "\n".join(f"{role} {problem}" for problem in broken)
