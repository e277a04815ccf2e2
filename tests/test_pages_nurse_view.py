"""The pages as a new nurse reads them under pressure: one clock (the site's) with the
family's own time beside it (every page's rules are crawled in test_pages_crawl.py), the
inbox first after sign-in,
counts on the home page, open alerts at the top of a timeline, answers in words, and a
patient list that warns about namesakes and asks for the MRN."""
import re
from html import unescape

import pytest

from server import create_app
from support.alerting import Finding, raise_findings
from support.family import enrolled_family
from support.pages import CSRF, sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?")
NEW_CHILD = {"display_name": "Sofía Herrera", "mrn": "MRN-7788", "date_of_birth": "2013-06-01",
             "infusion_date": "2026-11-19", "timezone": "America/Chicago", "language": "es"}


def text(response):
    return response.get_data(as_text=True)


def visible(html):
    """What a reader sees: no script data (chart JSON), no attributes, and not the <pre> of
    what a phone sent, which is shown raw on purpose for the review of a quarantined entry."""
    html = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def vault(app):
    return app.extensions["homeward"].vault


@pytest.fixture
def madrid(client, nurse, clock):
    """A family six hours ahead of the ward (the site is America/New_York by default)."""
    return enrolled_family(client, nurse.headers, clock=clock, timezone="Europe/Madrid",
                           display_name="Lucía Ortega", date_of_birth="2016-02-10")


def capd_check(family, **answers):
    return family.envelope(family.document(
        {"eye_contact": 4, "purposeful": 4, "aware": 4, "tells_needs": 4, "restless": 0,
         "inconsolable": 0, "underactive": 0, "slow_response": 0, **answers},
        questionnaire_id="neuro-check", recorded_at="2026-11-20T19:30:00+01:00"))


def test_an_enrolment_code_says_until_when_it_works_on_the_wards_clock(client, nurse, madrid):
    # Every page's rules, for every role, are crawled in test_pages_crawl.py.
    token = sign_in(client, nurse)
    enrolment = client.post(f"/patients/{madrid.patient_id}/enrollments",
                            data={"csrf_token": token, "respondent": "caregiver"})
    assert not ISO_TIME.findall(visible(text(enrolment)))
    assert re.search(r"until \w{3} \d+ \w{3} \d\d:\d\d EST \(in 3 d\)", text(enrolment))
    inbox = visible(text(client.application.test_client().get("/alerts")))  # signed out
    assert "Lucía" not in inbox


def test_it_shows_the_wards_clock_with_the_familys_own_time_as_a_second_line(
        client, nurse, madrid, db, vault, clock):
    raise_findings(db, vault, madrid.patient_id, [Finding("fever", "urgent", evidence={
        "answers": {"temperature_c": 39.1}})], clock.now())
    sign_in(client, nurse)
    page = visible(text(client.get("/alerts")))
    assert "Raised Fri 20 Nov 14:00 EST" in " ".join(page.split())
    assert "family's time Fri 20 Nov 20:00 CET" in page
    assert re.search(r"Escalates at 14:15 EST unless acknowledged\s+\(in 15 min\)", page)
    assert "Times in America/New York." in page


def test_the_site_time_zone_is_a_setting_that_moves_every_time(config, clock, app, nurse,
                                                                madrid, db, vault):
    raise_findings(db, vault, madrid.patient_id, [Finding("fever", "urgent")], clock.now())
    in_madrid = create_app(config.with_overrides(site_timezone="Europe/Madrid"), clock=clock)
    browser = in_madrid.test_client()
    sign_in(browser, nurse)
    page = " ".join(visible(text(browser.get("/alerts"))).split())
    assert "Raised Fri 20 Nov 20:00 CET" in page and "family's time" not in page


def test_a_nurse_lands_on_the_inbox_and_home_counts_what_waits(app, client, staff, nurse,
                                                               family, db, vault, clock):
    for reason, level in (("seizure", "emergency"), ("fever", "urgent"), ("fever", "urgent")):
        raise_findings(db, vault, family.patient_id, [Finding(reason, level)], clock.now())
        clock.advance(minutes=1)
    raise_findings(db, vault, family.patient_id, [Finding("caregiver_distress", "info")],
                   clock.now())
    token = CSRF.search(text(client.get("/login"))).group(1)
    landed = client.post("/login", data={"username": nurse.username,
                                         "password": nurse.password, "csrf_token": token})
    assert landed.headers["Location"] == "/alerts"
    home = " ".join(visible(text(client.get("/"))).split())
    assert re.search(r"2 alerts waiting for someone\s?: 1 Emergency 1 Urgent", home)
    assert "1 wellbeing alert with the psychosocial team" in home
    assert "1 patient followed" in home
    psychosocial = app.test_client()
    token = CSRF.search(text(psychosocial.get("/login"))).group(1)
    member = staff("psychosocial")
    landed = psychosocial.post("/login", data={"username": member.username,
                                               "password": member.password,
                                               "csrf_token": token})
    assert landed.headers["Location"] == "/"
    home = " ".join(visible(text(psychosocial.get("/"))).split())
    assert re.search(r"1 alert waiting for someone\s?: 1 Psychosocial review", home)


def test_the_timeline_opens_with_the_open_alerts_and_dates_its_grading_and_charts(
        client, nurse, family, db, vault, clock):
    family.push([family.envelope(family.document({"temperature_c": 38.4,
                                                  "temperature_method": "axillary"})),
                 family.envelope(family.document(
                     {"eye_contact": 4, "purposeful": 4, "aware": 4, "tells_needs": 4,
                      "restless": 0, "inconsolable": 0, "underactive": 0, "slow_response": 0},
                     questionnaire_id="neuro-check"))])
    resolved = raise_findings(db, vault, family.patient_id, [Finding("organ_flare", "attention")],
                              clock.now())["alert_id"]
    db.execute("UPDATE alerts SET status = 'resolved', resolved_by = 'ana', outcome = "
               "'false_alarm', resolved_at = ? WHERE id = ?", ["2026-11-20T18:58:00.000000Z",
                                                              resolved])
    db.conn.commit()
    sign_in(client, nurse)
    html = text(client.get(f"/patients/{family.patient_id}"))
    top = html.split('id="now"')[1].split("</section>")[0]
    assert html.index('id="now"') < html.index('id="grading"') < html.index('id="temperature"')
    assert "fever" in top and resolved not in top
    assert resolved in html.split('id="alerts"')[1]
    page = " ".join(visible(html).split())
    assert ("Reports recorded from Tue 17 Nov 14:00 EST to Fri 20 Nov 14:00 EST: 2 reports, "
            "the latest at Fri 20 Nov 13:55 EST.") in page
    assert "▲ under the arm" in page and "★ in the bottom" in page
    assert "Times in America/New York; ticks at midnight." in page
    assert "CAPD-style observation (0-32, higher is worse): baseline 0 (the first check), drawn as a grey dashed line" in page


def test_entries_in_full_give_the_question_the_answer_and_what_it_means(client, nurse, family):
    family.push([family.envelope(family.document(
        {"eye_contact": 4, "purposeful": 3, "aware": 1, "tells_needs": 4, "restless": 0,
         "inconsolable": 0, "underactive": 0, "slow_response": 2},
        questionnaire_id="neuro-check")),
        family.envelope(family.document({"temperature_c": 37.9, "temperature_method": "ear"}))])
    sign_in(client, nurse)
    page = " ".join(visible(text(client.get(f"/patients/{family.patient_id}/entries"))).split())
    assert "Did they notice what was going on around them? 1 of 4 (A little) — not the usual " \
           "answer" in page
    assert "Did your child look you in the eye? 4 of 4 (All the time) — normal" in page
    assert "2 of 4 (Sometimes) — not the usual answer" in page  # slow to respond: high is bad
    assert "How did you take it? In the ear" in page and "37.9 °C" in page
    assert "on Mamá's phone" in page and family.device_id not in page


def test_the_patient_list_warns_about_namesakes_and_asks_for_the_mrn(client, nurse, family,
                                                                    db):
    token = sign_in(client, nurse)
    no_mrn = client.post("/patients", data={"csrf_token": token, **NEW_CHILD, "mrn": ""})
    assert no_mrn.status_code == 400 and "Enter the MRN" in text(no_mrn)
    twin = {**NEW_CHILD, "display_name": "mateo  RUIZ", "mrn": "MRN-9"}
    asked = client.post("/patients", data={"csrf_token": token, **twin})
    assert asked.status_code == 400 and db["patients"].count == 1
    assert "A patient with this name is already followed (MRN MRN-5550123, born Sat 14 Mar " \
           "2015)" in text(asked)
    created = client.post("/patients", data={"csrf_token": token, **twin,
                                             "same_name_confirmed": "yes"})
    assert created.status_code == 303 and db["patients"].count == 2
    listed = text(client.get("/patients"))
    assert listed.count("⚠ Same name as another patient") == 2
    header = re.search(r"<thead>.*?</thead>", listed, re.S).group(0)
    assert re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', header)[:2] == ["Name",
                                                                           "Open alerts"]


def test_a_site_can_let_patients_be_created_without_an_mrn(config, clock, app, nurse, db):
    relaxed = create_app(config.with_overrides(require_mrn=False), clock=clock).test_client()
    token = sign_in(relaxed, nurse)
    created = relaxed.post("/patients", data={"csrf_token": token, **NEW_CHILD, "mrn": ""})
    assert created.status_code == 303 and db["patients"].count == 1


def test_a_quarantined_entry_says_in_words_what_is_wrong_and_keeps_the_phones_text(
        client, nurse, family):
    family.push([family.envelope(family.document({"temperature_c": 38.2,
                                                  "spo2_percent": 500}))])
    sign_in(client, nurse)
    html = text(client.get(f"/patients/{family.patient_id}"))
    review = " ".join(visible(html.split('id="quarantine"')[1]).split())
    assert re.search(r"An answer the form does not allow: [^.]*oxygen[^.]*\. 500 % is "
                     r"outside the plausible range", review, re.I), review[:400]
    assert "spo2_percent" not in review and "invalid_answer" not in review
    assert "invalid_answer spo2_percent" in html  # under "What the phone sent"
