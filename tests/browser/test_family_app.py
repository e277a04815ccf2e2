"""The family app on a phone-sized Chromium against the real server: enrolling from the QR
code's link, recording offline, the outbox surviving a reload with no network, the alert
reaching the nurse and the team's answer reaching the family."""
import pytest
from playwright.sync_api import expect

from browsing import screenshot
from family_app import app_link, family_phone, stored_entries  # noqa: F401 (fixture)

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
