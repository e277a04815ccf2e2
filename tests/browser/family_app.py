"""Helpers for the family app's browser tests: a phone-sized Chromium context (390×844,
touch) on the live server, enrolling from the QR code's link, and reading what the server
stored. Import the fixtures into a test module with `from family_app import family_phone`."""
import hashlib
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browsing import screenshot
from support.family import create_patient

PHONE = {"width": 390, "height": 844}
LAUNCH_ARGS_INSECURE = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--host-resolver-rules=MAP family.test 127.0.0.1"]
ENGLISH = {"connect_title": "Connect this phone", "phone_name": "A name for this phone",
           "child": "My child", "connect": "Connect", "record": "Record a temperature now",
           "temperature": "Temperature (°C)", "method": "Under the arm", "save": "Save",
           "saved": "Saved", "today": "Today", "all_sent": "All sent at", "next": "Next",
           "back": "Back to Today"}
SPANISH = {"connect_title": "Conectar este teléfono", "phone_name": "Un nombre para este teléfono",
           "child": "Mi hijo o hija", "connect": "Conectar",
           "record": "Anotar una temperatura ahora", "temperature": "Temperatura (°C)",
           "method": "Debajo del brazo", "save": "Guardar", "saved": "Guardado",
           "today": "Hoy", "all_sent": "Todo enviado a las", "next": "Siguiente",
           "back": "Volver a Hoy"}
# A phone offline logs its failed requests, and an API error the test provokes logs one;
# those are expected, any other error is not (a missing app file is caught by status).
OFFLINE_NOISE = ("net::ERR_INTERNET_DISCONNECTED", "Failed to fetch", "net::ERR_FAILED",
                 "Failed to load resource", "NetworkError", "ERR_CONNECTION_REFUSED")


class Phone:
    # A family at home: the phone's clock is on the child's zone (tests/support/family.py's
    # New York), so its times carry no "(New York time)" label.
    def __init__(self, browser, live, locale="en-US", zone="America/New_York"):
        self.browser, self.live = browser, live
        self.errors = []
        self.context = browser.new_context(base_url=live.url, viewport=PHONE,
                                           device_scale_factor=2, is_mobile=True,
                                           has_touch=True, locale=locale, timezone_id=zone,
                                           service_workers="allow")
        self.context.set_default_timeout(10_000)
        self.page = self.open_page()

    def open_page(self):
        page = self.context.new_page()
        page.on("console", lambda message: self.errors.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        # The console's "Failed to load resource" lines are allowed (offline, or an API
        # error the test provokes), so a missing file of the app is caught here instead.
        page.on("response", lambda response: self.errors.append(
            f"{response.status} {response.url}")
            if response.status >= 400 and "/api/" not in response.url else None)
        return page

    def unexpected_errors(self):
        return [error for error in self.errors
                if not any(noise in error for noise in OFFLINE_NOISE)]

    def open_enrolment_link(self, link):
        """What the phone camera does with the QR code: open the link, on this server."""
        path = "/app/" + link.split("/app/", 1)[1]
        self.page.goto(path)

    def enrol(self, link, name="Mamá's phone", child=False, words=None):
        words = words or ENGLISH
        self.open_enrolment_link(link)
        page = self.page
        expect(page.get_by_role("heading", name=words["connect_title"])).to_be_visible()
        page.get_by_label(words["phone_name"]).fill(name)
        if child:
            page.locator("label", has_text=words["child"]).tap()
        page.get_by_role("button", name=words["connect"], exact=True).tap()
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


def record_temperature(page, celsius, words=None):
    """Today → "Record a temperature now" → the diary → Save, as a parent's thumb would."""
    words = words or ENGLISH
    page.get_by_role("link", name=words["record"]).tap()
    temperature = page.get_by_label(words["temperature"])
    temperature.fill(str(celsius))
    temperature.blur()  # a thumb moving on to the next question; the method question opens
    # The radio itself is drawn as a big button by its label.
    page.locator("label", has_text=words["method"]).tap()
    expect(page.get_by_label(words["method"])).to_be_checked()
    page.get_by_role("button", name=words["save"]).tap()
    # A fever or a borderline reading: the safety rules' advice comes first (issue 12).
    page.wait_for_url(re.compile(r"#(advice/|today)"))
    if "#advice/" in page.url:
        page.locator(".advice").get_by_role("link", name=words["back"]).tap()
    else:
        expect(page.locator("#notice")).to_contain_text(words["saved"])
    expect(page.get_by_role("heading", name=words["today"])).to_be_visible()


def tap_next_until_save(page, words=None, limit=20):
    """A child's form shows one question a screen: Next, Next, … Save."""
    words = words or ENGLISH
    save = page.get_by_role("button", name=words["save"])
    for _ in range(limit):
        if save.is_visible():
            save.tap()
            return
        page.get_by_role("button", name=words["next"]).tap()
    raise AssertionError("the form never offered Save")


AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"


def serious_accessibility_problems(page):
    """axe-core's serious and critical violations on the page as it is now. axe is handed
    to the page through the DevTools protocol, not a <script>: the app's CSP, which the
    test keeps on, would rightly refuse an inline one."""
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, "vendored axe-core changed"
    page.evaluate(source.decode())
    result = page.evaluate("""async () => {
        const found = await axe.run(document, {resultTypes: ["violations"]});
        return found.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map((n) => n.target.join(" "))}));
    }""")
    return [violation for violation in result if violation["impact"] in ("serious", "critical")]


def make_diary_english_only(page):
    """The diary as a licensed instrument in English only would arrive in the pull: every
    text of it in English alone."""
    page.evaluate("""async () => {
        const items = window.homeward.store.items;
        const diary = await items.get("questionnaire", "symptom-diary");
        const english = (node) => Array.isArray(node) ? node.map(english)
          : node && typeof node === "object" ? Object.fromEntries(Object.entries(node).map(
              ([key, value]) => ["title", "text", "help", "description"].includes(key)
                && value && typeof value === "object" && value.en ? [key, {en: value.en}]
                : [key, english(value)]))
          : node;
        await items.put("questionnaire", "symptom-diary", {...english(diary), languages: ["en"]});
    }""")
