"""Helpers for the family app's browser tests: a phone-sized Chromium context (390×844,
touch) on the live server, enrolling from the QR code's link, and reading what the server
stored. Import the fixtures into a test module with `from family_app import family_phone`."""
import time

import pytest
from playwright.sync_api import expect

from browsing import screenshot
from support.family import create_patient

PHONE = {"width": 390, "height": 844}
# A phone offline logs its failed requests; those are expected, any other error is not.
OFFLINE_NOISE = ("net::ERR_INTERNET_DISCONNECTED", "Failed to fetch", "net::ERR_FAILED",
                 "Failed to load resource", "NetworkError", "ERR_CONNECTION_REFUSED")


class Phone:
    def __init__(self, browser, live, locale="en-US"):
        self.browser, self.live = browser, live
        self.errors = []
        self.context = browser.new_context(base_url=live.url, viewport=PHONE,
                                           device_scale_factor=2, is_mobile=True,
                                           has_touch=True, locale=locale,
                                           service_workers="allow")
        self.context.set_default_timeout(10_000)
        self.page = self.open_page()

    def open_page(self):
        page = self.context.new_page()
        page.on("console", lambda message: self.errors.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        return page

    def unexpected_errors(self):
        return [error for error in self.errors
                if not any(noise in error for noise in OFFLINE_NOISE)]

    def open_enrolment_link(self, link):
        """What the phone camera does with the QR code: open the link, on this server."""
        path = "/app/" + link.split("/app/", 1)[1]
        self.page.goto(path)

    def enrol(self, link, name="Mamá's phone", child=False):
        self.open_enrolment_link(link)
        page = self.page
        expect(page.get_by_role("heading", name="Connect this phone")).to_be_visible()
        page.get_by_label("A name for this phone").fill(name)
        if child:
            page.get_by_label("My child").check()
        page.get_by_role("button", name="Connect").tap()
        expect(page.locator("#sync-line")).to_be_visible()
        self.wait_for_worker()

    def wait_for_worker(self, seconds=15):
        # The shell is cached once the worker is active and controls the page. (Polled from
        # here: wait_for_function would eval a string, which the app's CSP rightly refuses.)
        deadline = time.monotonic() + seconds
        while not self.page.evaluate("navigator.serviceWorker.controller !== null"):
            assert time.monotonic() < deadline, "the service worker never took control"
            self.page.wait_for_timeout(100)

    def sync(self):
        return self.page.evaluate("window.homeward.sync().then(() => true)")

    def close(self):
        self.context.close()


@pytest.fixture
def family_phone(browser, live):
    phones = []

    def make(locale="en-US"):
        phone = Phone(browser, live, locale)
        phones.append(phone)
        return phone

    yield make
    errors = [error for phone in phones for error in phone.unexpected_errors()]
    for phone in phones:
        phone.close()
    assert not errors, f"browser console errors: {errors}"


def app_link(http, nurse, respondent="caregiver", **child):
    """A patient made through the clinic API, and the link its enrolment QR code holds."""
    patient_id = create_patient(http, nurse.headers, **child)
    response = http.post(f"/api/v1/patients/{patient_id}/enrollments",
                         json={"respondent": respondent}, headers=nurse.headers)
    assert response.status_code == 201, response.get_json()
    return patient_id, response.get_json()["app_link"]


def stored_entries(db, patient_id):
    return list(db.query("SELECT entry_id, questionnaire_id, status FROM entries WHERE patient_id = ? "
                    "ORDER BY received_at", [patient_id]))


def record_temperature(page, celsius, method="Under the arm"):
    """Today → "Record a temperature now" → the diary → Save, as a parent's thumb would."""
    page.get_by_role("link", name="Record a temperature now").tap()
    temperature = page.get_by_label("Temperature (°C)")
    temperature.fill(str(celsius))
    temperature.blur()  # a thumb moving on to the next question; the method question opens
    if method:  # the radio itself is drawn as a big button by its label
        page.locator("label", has_text=method).tap()
        expect(page.get_by_label(method)).to_be_checked()
    page.get_by_role("button", name="Save").tap()
    expect(page.locator("#notice")).to_contain_text("Saved")
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
