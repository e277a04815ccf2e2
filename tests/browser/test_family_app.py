"""The family app on a phone-sized Chromium against the real server: enrolling from the QR
code's link, recording offline, the outbox surviving a reload with no network, the alert
reaching the nurse and the team's answer reaching the family."""
import pytest
from playwright.sync_api import expect

from browsing import screenshot, sign_in
from family_app import (app_link, family_phone, record_temperature,  # noqa: F401
                        stored_entries)

pytestmark = pytest.mark.browser


def test_it_enrols_from_the_qr_link_and_opens_with_no_network(family_phone, phone, nurse):
    patient_id, link = app_link(phone, nurse, language="en")
    assert "/app/#enrol=" in link
    family = family_phone()
    family.enrol(link)
    page = family.page
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.locator(".day")).to_contain_text("after the infusion")
    screenshot(page, "family-today")

    family.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.locator("#online")).to_contain_text("No connection")
    # Everything a recording needs (the forms, the sealing, the rules) came from the cache.
    record_temperature(page, 37.1)
    expect(page.locator("#sync-line")).to_have_text(
        "1 entry waiting to send — it is safe on this phone.")


def test_the_qr_code_on_the_nurses_enrolment_page_opens_the_app_with_the_code(
        page, family_phone, phone, nurse, db):
    patient_id, _link = app_link(phone, nurse, language="en")
    sign_in(page, nurse, f"/patients/{patient_id}")
    page.get_by_label("Enrol a new phone for").select_option("caregiver")
    page.get_by_role("button", name="Show enrolment code").click()
    code = page.locator("#enrol-code").inner_text()
    link = page.locator("#app-link").inner_text()
    assert link.endswith(f"/app/#enrol={code}")
    family = family_phone()
    family.open_enrolment_link(link)
    expect(family.page.get_by_label("Code from the care team")).to_have_value(code)
    family.page.get_by_role("button", name="Connect", exact=True).tap()
    expect(family.page.get_by_role("heading", name="Today")).to_be_visible()
    expect(family.page.get_by_role("heading", name="Put Homeward on your home screen")
           ).to_be_visible()
    devices = phone.get(f"/api/v1/patients/{patient_id}/devices", headers=nurse.headers)
    assert [device["device_name"] for device in devices.get_json()["devices"]] == [
        "Family phone"]


def test_a_fever_recorded_offline_reaches_the_nurse_once_and_the_team_answer_comes_back(
        family_phone, phone, staff, db, live):
    nurse = staff("nurse")
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    record_temperature(page, 36.8)
    expect(page.locator("#sync-line")).to_contain_text("All sent at")
    assert [row["status"] for row in stored_entries(db, patient_id)] == ["accepted"]

    family.context.set_offline(True)
    for celsius in (37.2, 38.6, 37.9):
        record_temperature(page, celsius)
    expect(page.locator("#sync-line")).to_have_text(
        "3 entries waiting to send — they are safe on this phone.")
    page.reload()  # the service worker serves the app; the outbox is in IndexedDB
    expect(page.locator("#sync-line")).to_have_text(
        "3 entries waiting to send — they are safe on this phone.")
    expect(page.locator(".temperatures li").first).to_contain_text("37.9 °C")
    assert len(stored_entries(db, patient_id)) == 1
    screenshot(page, "family-offline-three-waiting")

    family.context.set_offline(False)  # the browser's "online" event starts a sync
    expect(page.locator("#sync-line")).to_contain_text("All sent at", timeout=15_000)
    entries = stored_entries(db, patient_id)
    assert len(entries) == 4 and len({row["entry_id"] for row in entries}) == 4
    alerts = phone.get("/api/v1/alerts", headers=nurse.headers).get_json()["alerts"]
    fevers = [alert for alert in alerts if alert["patient_id"] == patient_id]
    assert len(fevers) == 1 and fevers[0]["level"] == "urgent"

    acknowledged = phone.post(f"/api/v1/alerts/{fevers[0]['alert_id']}/acknowledge",
                              json={"message": "Nina will call you in 10 minutes."},
                              headers=nurse.headers)
    assert acknowledged.status_code == 200
    page.reload()  # opening the app syncs: the pull brings the team's answer
    answer = page.locator(".team-answer")
    # Acknowledged at the server's 19:00 UTC: 2 p.m. in the family's New York.
    expect(answer).to_contain_text("The team saw this at 02:00 PM:")
    expect(answer).to_contain_text("Nina will call you in 10 minutes.")
    screenshot(page, "family-team-answer")


def test_a_mistyped_code_or_no_connection_is_said_in_words_and_nothing_is_spent(
        family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    page = family.page
    page.goto("/app/")
    code_box = page.get_by_label("Code from the care team")
    code_box.fill("ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Connect", exact=True).tap()
    expect(page.get_by_role("alert")).to_have_text(
        "This code is not right. Check it and try again.")

    family.context.set_offline(True)
    code = link.split("#enrol=", 1)[1]
    code_box.fill(code)
    page.get_by_role("button", name="Connect", exact=True).tap()
    expect(page.get_by_role("alert")).to_have_text(
        "No connection. Connect to the internet, then try again.")

    family.context.set_offline(False)  # the same code still works: it was never spent
    page.get_by_role("button", name="Connect", exact=True).tap()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    assert db["devices"].count_where("patient_id = ?", [patient_id]) == 1
