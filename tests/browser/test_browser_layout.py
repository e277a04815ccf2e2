"""Every staff page, and the API docs, at desktop, tablet and phone widths in one pass: no
page scrolls sideways on a phone, the patient list keeps its open-alerts column in view, a
resolved alert shows no running clock, and each page is saved as a screenshot at 1280, 820
and 390 px for reviewers (test-artifacts/screenshots/)."""
import pytest
from playwright.sync_api import expect

from browsing import WIDTHS, horizontal_overflow, screenshot, settle, sign_in
from support.family import enrolled_family

pytestmark = pytest.mark.browser

PHONE = 390
CAPD = {"eye_contact": 4, "purposeful": 4, "aware": 4, "tells_needs": 4, "restless": 0,
        "inconsolable": 0, "underactive": 0, "slow_response": 0}


def test_every_page_reads_on_a_phone_a_tablet_and_a_desktop(page, live, phone, staff, clock):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock, timezone="Europe/Madrid")
    family.push([family.envelope(family.document(answers, **extra)) for answers, extra in (
        ({"temperature_c": 37.0, "temperature_method": "oral"},
         {"recorded_at": "2026-11-19T09:00:00-05:00"}),
        ({"temperature_c": 38.7, "temperature_method": "axillary"}, {}),
        (CAPD, {"questionnaire_id": "neuro-check"}),
        ({"distress": 6}, {"questionnaire_id": "caregiver-wellbeing"}),
        ({"infection": False, "hospital_stay": False, "new_lump": True},  # for a physician
         {"questionnaire_id": "long-term-follow-up", "questionnaire_version": "1.1.0"}))])
    resolved = family.push([family.envelope(family.document(
        {"organ_signs": ["rash"]}))]).get_json()["results"][0]["alert"]["alert_id"]
    assert phone.session.post(f"{live.url}/api/v1/alerts/{resolved}/resolve",
                              json={"outcome": "false_alarm"}, headers=nurse.headers,
                              timeout=10).status_code == 200
    patient = f"/patients/{family.patient_id}"

    page.goto("/login")
    screenshot(page, "login")
    sign_in(page, nurse)
    assert page.url.endswith("/alerts")  # a nurse lands on the inbox
    pages = {"inbox": "/alerts", "home": "/", "patient-list": "/patients",
             "patient-timeline": patient, "patient-entries": f"{patient}/entries",
             "alert-resolved": f"/alerts/{resolved}", "wellbeing-cohort": "/wellbeing",
             "wellbeing-patient": f"{patient}/wellbeing", "api-docs": "/api/v1/docs"}
    for name, path in pages.items():
        page.goto(path)
        for width, height in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            settle(page)
            # Chart.js redraws a canvas for the new width on its next frame, which a loaded
            # machine has delayed past 2 s (the wellbeing chart once stood 833 px too wide).
            for _ in range(100):
                if horizontal_overflow(page) <= 0:
                    break
                page.wait_for_timeout(100)
            assert horizontal_overflow(page) <= 0, (path, width)
        if name == "inbox":
            expect(page.locator(".for-team")).to_have_text("For a physician")
        if name == "patient-list":
            page.set_viewport_size({"width": PHONE, "height": WIDTHS[PHONE]})
            column = page.locator("table.patients thead th.alerts-col")
            expect(column).to_be_visible()
            box = column.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE
        if name == "alert-resolved":
            expect(page.get_by_role("heading", level=1)).to_have_text("Resolved alert")
            expect(page.locator(".waiting")).to_have_count(0)
            expect(page.get_by_text("Handle this alert")).to_have_count(0)
        screenshot(page, name)
