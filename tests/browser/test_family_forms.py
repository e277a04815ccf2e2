"""The family app's questionnaire forms in a real Chromium at phone size (390 x 844, touch).

The forms are loaded into a small harness page (tests/browser/forms_harness/) served by
this test on 127.0.0.1 under a strict Content-Security-Policy, with each definition exactly
as the pull feed serves it (dump_definition in one language); what the form hands to onSave
is written into the page and read back. The app's own tests drive the forms inside the app.
"""
import json
import mimetypes
import threading
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from playwright.sync_api import expect

from browsing import screenshot
from questionnaires import load_catalog
from questionnaires.schemas import dump_definition

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "server" / "family" / "static"
HARNESS = Path(__file__).resolve().parent / "forms_harness"
CASES = json.loads((ROOT / "tests" / "data" / "form_validation_cases.json").read_text(encoding="utf-8"))
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'")
PHONE = {"width": 390, "height": 844}


def served_definitions():
    catalog = load_catalog()
    served = {}
    for questionnaire_id in catalog.ids():
        for definition in catalog.variants(questionnaire_id):
            for language in definition.languages:
                name = f"{definition.id}.{definition.variant}.{definition.version}/{language}"
                served[name] = dump_definition(definition, language)
    for name, entry in CASES["definitions"].items():
        served.setdefault(name, entry["document"])
    return served


class Handler(BaseHTTPRequestHandler):
    def __init__(self, *args, definitions, **kwargs):
        self.definitions = definitions
        super().__init__(*args, **kwargs)

    def do_GET(self):
        path = unquote(urlparse(self.path).path)
        if path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        if path.startswith("/definitions/") and path[len("/definitions/"):] in self.definitions:
            body, kind = json.dumps(self.definitions[path[len("/definitions/"):]]).encode(), "application/json"
        else:
            file = self.file_for(path)
            if file is None:
                self.send_error(404)
                return
            body, kind = file.read_bytes(), mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if file.suffix in (".js", ".mjs"):
                kind = "text/javascript"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    @staticmethod
    def file_for(path):
        for prefix, folder in (("/static/", STATIC), ("/harness/", HARNESS)):
            if path.startswith(prefix):
                file = (folder / path[len(prefix):]).resolve()
                if file.is_file() and folder in file.parents:
                    return file
        return HARNESS / "index.html" if path == "/" else None

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def harness():
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, definitions=served_definitions()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def phone_page(browser, harness):
    """A phone-sized touch browser; any console error (a CSP violation, a script error or a
    missing picture) fails the test."""
    context = browser.new_context(base_url=harness, viewport=PHONE, has_touch=True, is_mobile=True,
                                  device_scale_factor=2)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    page.on("response", lambda response: errors.append(f"{response.status}: {response.url}")
            if response.status >= 400 else None)
    yield page
    context.close()
    assert not errors, f"browser errors: {errors}"


def open_form(page, definition, language="en", layout=None):
    query = f"/?definition={definition}&language={language}" + (f"&layout={layout}" if layout else "")
    page.goto(query)
    page.wait_for_selector("body[data-ready=yes]")


def saved(page):
    text = page.locator("#saved").text_content()
    return json.loads(text) if text else []


def item(page, link_id):
    return page.locator(f".hw-item[data-link-id='{link_id}']")


def test_it_renders_every_served_definition_in_both_layouts(phone_page):
    for name in sorted(served_definitions()):
        for layout in ("single", "paged"):
            open_form(phone_page, name, language=name.rsplit("/", 1)[1], layout=layout)
            assert phone_page.locator(".hw-item").count() > 0, name
            assert phone_page.locator(".hw-item:not([hidden])").count() >= 1, name


def test_it_saves_a_spanish_fever_typed_with_a_comma(phone_page):
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/es", language="es")
    temperature = phone_page.get_by_label("Temperatura (°C)")
    assert temperature.get_attribute("inputmode") == "decimal"
    assert not item(phone_page, "temperature_method").is_visible()
    temperature.fill("38,6")
    temperature.blur()
    phone_page.get_by_label("Debajo del brazo (axila)").check()
    phone_page.get_by_role("button", name="Guardar").click()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [{"temperature_c": 38.6, "temperature_method": "axillary"}]
    screenshot(phone_page, "family-forms-diary-es")


def test_it_says_an_implausible_temperature_in_words_beside_it_and_saves_nothing(phone_page):
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/en")
    temperature = phone_page.get_by_label("Temperature (°C)")
    temperature.fill("386")
    phone_page.get_by_role("button", name="Save").click()
    error = item(phone_page, "temperature_c").locator(".hw-error")
    assert error.text_content() == "Please type a number between 34 and 43 °C. Check it again: is it right?"
    assert error.get_attribute("id") in temperature.get_attribute("aria-describedby").split()
    assert temperature.get_attribute("aria-invalid") == "true"
    assert phone_page.evaluate("document.activeElement.id") == temperature.get_attribute("id")
    temperature.fill("38.6")
    temperature.blur()
    assert not error.is_visible()
    phone_page.wait_for_timeout(100)
    assert saved(phone_page) == []


def test_it_asks_for_one_answer_before_saving_an_empty_diary(phone_page):
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/en")
    phone_page.get_by_role("button", name="Save").click()
    assert phone_page.locator(".hw-form-message").text_content() == "Please answer at least one question before saving."
    phone_page.get_by_role("group", name="Does your child feel hot to you, even if you could not take a temperature?") \
        .get_by_role("radio", name="No").check()
    assert not phone_page.locator(".hw-form-message").is_visible()
    phone_page.get_by_role("button", name="Save").click()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [{"feels_hot": False}]
