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
from urllib.parse import quote, unquote, urlparse

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
    # A picture still loading when the test closes the page is aborted, not missing (a
    # missing one is a 4xx below); any other failure is an error, with its reason.
    page.on("requestfailed", lambda request: errors.append(
        f"failed: {request.url} ({request.failure})")
        if "ERR_ABORTED" not in (request.failure or "") else None)
    page.on("response", lambda response: errors.append(f"{response.status}: {response.url}")
            if response.status >= 400 else None)
    yield page
    context.close()
    assert not errors, f"browser errors: {errors}"


def open_form(page, definition, language="en", layout=None, answers=None):
    query = f"/?definition={definition}&language={language}" + (f"&layout={layout}" if layout else "")
    if answers is not None:
        query += "&answers=" + quote(json.dumps(answers))
    page.goto(query)
    page.wait_for_selector("body[data-ready=yes]")


def saved(page):
    text = page.locator("#saved").text_content()
    return json.loads(text) if text else []


def item(page, link_id):
    return page.locator(f".hw-item[data-link-id='{link_id}']")


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


def test_a_child_of_six_answers_one_picture_question_per_screen(phone_page):
    open_form(phone_page, "symptom-diary.pictures.1.0.0/en")
    progress = phone_page.locator(".hw-progress")
    assert progress.text_content() == "Question 1 of 4"
    assert phone_page.locator(".hw-item:visible").count() == 1
    assert not phone_page.get_by_role("button", name="Back").is_visible()
    phone_page.get_by_role("radio", name="No").check()
    phone_page.get_by_role("button", name="Next").click()
    assert progress.text_content() == "Question 2 of 4"
    phone_page.get_by_role("button", name="Next").click()  # nothing to say about dizziness
    phone_page.get_by_role("checkbox", name="I am very sleepy").check()
    phone_page.get_by_role("checkbox", name="My head hurts a lot").check()
    phone_page.get_by_role("button", name="Next").click()
    assert progress.text_content() == "Question 4 of 4"
    assert not phone_page.get_by_role("button", name="Next").is_visible()
    pictures = phone_page.locator(".hw-item:visible img.hw-picture")
    assert pictures.count() == 4  # spots, sore mouth, runny poo, and none of these
    assert phone_page.locator(".hw-option-none:visible img").get_attribute("src").endswith("/no.svg")
    assert all(width > 0 for width in pictures.evaluate_all("images => images.map(i => i.naturalWidth)"))
    screenshot(phone_page, "family-forms-pictures-diary")
    phone_page.get_by_role("button", name="Save").click()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [{"breathing_difficulty": False, "neuro_signs": ["headache", "sleepiness"]}]


def test_a_child_goes_back_and_changes_an_answer(phone_page):
    open_form(phone_page, "quality-of-life.self-5-7.1.0.0/es", language="es")
    phone_page.get_by_role("radio", name="Mucho").check()
    phone_page.get_by_role("button", name="Siguiente").click()
    phone_page.get_by_role("button", name="Atrás").click()
    assert phone_page.locator(".hw-progress").text_content() == "Pregunta 1 de 11"
    assert phone_page.get_by_role("radio", name="Mucho").is_checked()
    phone_page.get_by_role("radio", name="Nada").check()
    for _ in range(10):
        phone_page.get_by_role("button", name="Siguiente").click()
    phone_page.get_by_role("button", name="Guardar").click()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [{"phys_moving": 0}]


def test_the_school_questions_are_skipped_for_a_child_not_at_school(phone_page):
    open_form(phone_page, "quality-of-life.self-8-12.1.0.0/en")
    progress = phone_page.locator(".hw-progress")
    for _ in range(13):
        phone_page.get_by_role("button", name="Next").click()
    assert progress.text_content() == "Question 14 of 14"
    phone_page.get_by_role("radio", name="Yes").check()
    assert progress.text_content() == "Question 14 of 17"
    phone_page.get_by_role("radio", name="No").check()
    assert progress.text_content() == "Question 14 of 14"
    assert phone_page.get_by_role("button", name="Save").is_visible()


def test_every_form_draws_in_both_layouts_with_every_tap_target_at_least_48_pixels(phone_page):
    targets = ".hw-option, .hw-button:not([hidden]), .hw-number-input, .hw-text-input, .hw-date-time-input"
    for name, layout in [(name, layout) for name in sorted(served_definitions()) for layout in ("single", "paged")]:
        open_form(phone_page, name, language=name.rsplit("/", 1)[1], layout=layout)
        name = f"{name} ({layout})"
        sizes = phone_page.locator(targets).evaluate_all(
            "nodes => nodes.filter(n => n.offsetParent !== null)"
            ".map(n => [n.className, n.textContent, n.getBoundingClientRect().width, n.getBoundingClientRect().height])")
        small = [size for size in sizes if size[2] < 48 or size[3] < 48]
        assert sizes and not small, f"{name}: {small}"
        overflowing = phone_page.evaluate("document.documentElement.scrollWidth")
        assert overflowing <= PHONE["width"], f"{name} scrolls sideways on a phone"


def test_every_control_has_a_name_a_screen_reader_reads(phone_page):
    for name in ("symptom-diary.caregiver.1.0.0/es", "form-cases.every-type.1.0.0/en", "neuro-check.ice-style.1.0.0/en"):
        open_form(phone_page, name, language=name.rsplit("/", 1)[1], layout="single")
        unnamed = phone_page.locator("input, textarea").evaluate_all(
            "nodes => nodes.filter(n => n.labels.length === 0 || !n.labels[0].textContent.trim()).map(n => n.outerHTML)")
        assert unnamed == [], name
        groups = phone_page.locator("fieldset").evaluate_all(
            "sets => sets.filter(s => !s.querySelector(':scope > legend')?.textContent.trim()).length")
        assert groups == 0, name
    required = phone_page.get_by_role("group", name="Point to three everyday things", exact=False)
    assert required.count() == 1
    assert required.get_attribute("aria-labelledby") is None  # the legend names it
    assert required.locator("legend").text_content().endswith("Required")


def test_a_caregiver_fills_the_diary_with_the_keyboard_alone(phone_page):
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/en")
    phone_page.keyboard.press("Tab")
    assert phone_page.evaluate("document.activeElement.closest('.hw-item').dataset.linkId") == "temperature_c"
    phone_page.keyboard.type("39.2")
    phone_page.keyboard.press("Tab")  # into how it was taken, which has just appeared
    assert phone_page.evaluate("document.activeElement.closest('.hw-item').dataset.linkId") == "temperature_method"
    phone_page.keyboard.press("Shift+Tab")
    phone_page.keyboard.press("Enter")  # the keypad's "Next" goes on; it does not save half a diary
    assert phone_page.evaluate("document.activeElement.closest('.hw-item').dataset.linkId") == "temperature_method"
    assert saved(phone_page) == []
    phone_page.keyboard.press("ArrowDown")  # a radio group: arrows move and choose
    phone_page.keyboard.press("Enter")  # Enter on a chosen answer saves, as in any form
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [{"temperature_c": 39.2, "temperature_method": "axillary"}]


def test_a_child_answers_with_the_keyboard_alone(phone_page):
    open_form(phone_page, "symptom-diary.pictures.1.0.0/en")
    phone_page.keyboard.press("Tab")
    phone_page.keyboard.press("Space")  # Yes, it is hard to breathe
    phone_page.keyboard.press("Enter")
    assert phone_page.locator(".hw-progress").text_content() == "Question 2 of 4"
    assert phone_page.evaluate("document.activeElement.textContent") == "Does your head feel spinny?"


def test_a_double_tap_on_save_records_one_entry_and_a_failed_save_can_be_tried_again(phone_page):
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/en")
    phone_page.get_by_label("Temperature (°C)").fill("38.1")
    phone_page.evaluate("window.formSaveShouldFail = true")
    phone_page.get_by_role("button", name="Save").click()
    expect(phone_page.locator(".hw-form-message")).to_have_text(
        "This could not be saved on the phone. Please try again.")
    save = phone_page.locator(".hw-save")
    save.dblclick()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    phone_page.wait_for_timeout(200)
    assert saved(phone_page) == [{"temperature_c": 38.1}]
    assert save.is_disabled()
    assert save.text_content() == "Saved"


def test_none_of_these_is_saved_as_an_answer_and_untick_the_others(phone_page):
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/en")
    signs = phone_page.get_by_role("group", name="Is any of this new? Tick all that apply.")
    signs.get_by_role("checkbox", name="New rash").check()
    signs.get_by_role("checkbox", name="None of these").check()
    assert not signs.get_by_role("checkbox", name="New rash").is_checked()
    phone_page.get_by_role("button", name="Save").click()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [{"organ_signs": []}]


def test_an_answer_to_a_question_that_no_longer_applies_is_not_saved(phone_page):
    open_form(phone_page, "long-term-follow-up.caregiver.1.0.0/en")
    stay = phone_page.get_by_role("group", name="Has your child stayed overnight in hospital? Required")
    stay.get_by_role("radio", name="Yes").check()
    nights = item(phone_page, "hospital_nights").locator("input")
    nights.fill("3")
    stay.get_by_role("radio", name="No").check()
    assert not item(phone_page, "hospital_nights").is_visible()
    for link_id in ("infection", "new_lump"):
        item(phone_page, link_id).get_by_role("radio", name="No").check()
    phone_page.get_by_role("button", name="Save").click()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [{"infection": False, "hospital_stay": False, "new_lump": False}]


def test_required_questions_are_marked_and_named_when_missing(phone_page):
    open_form(phone_page, "long-term-follow-up.caregiver.1.0.0/en")
    assert phone_page.locator(".hw-required").count() == 3
    phone_page.get_by_role("button", name="Save").click()
    errors = phone_page.locator(".hw-item .hw-error:visible")
    assert errors.all_text_contents() == ["Please answer this question."] * 3
    assert phone_page.evaluate("document.activeElement.closest('.hw-item').dataset.linkId") == "infection"
    phone_page.wait_for_timeout(100)
    assert saved(phone_page) == []


def test_an_optional_tapped_answer_can_be_cleared(phone_page):
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/en")
    hot = item(phone_page, "feels_hot")
    clear = hot.get_by_role("button", name="Clear answer")
    assert not clear.is_visible()
    hot.get_by_role("radio", name="Yes").check()
    clear.click()
    assert not hot.get_by_role("radio", name="Yes").is_checked()
    phone_page.get_by_label("Oxygen level (%)").fill("97")
    phone_page.get_by_role("button", name="Save").click()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [{"spo2_percent": 97}]


def test_a_whole_number_is_tapped_when_there_are_few(phone_page):
    open_form(phone_page, "caregiver-wellbeing.caregiver.1.0.0/es", language="es")
    distress = item(phone_page, "distress")
    assert distress.get_by_role("radio").count() == 11
    distress.get_by_role("radio", name="7", exact=True).check()
    assert item(phone_page, "want_contact").is_visible()
    item(phone_page, "want_contact").get_by_role("radio", name="Sí").check()
    phone_page.get_by_role("button", name="Guardar").click()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [{"distress": 7, "want_contact": True}]


@pytest.mark.parametrize("zone, offset", [("America/New_York", "-05:00"), ("Asia/Kolkata", "+05:30")])
def test_a_date_and_time_is_saved_with_the_phone_offset(browser, harness, zone, offset):
    context = browser.new_context(base_url=harness, viewport=PHONE, has_touch=True, timezone_id=zone)
    page = context.new_page()
    open_form(page, "form-cases.every-type.1.0.0/en")
    page.get_by_label("When?").fill("2026-11-20T14:02")
    page.get_by_label("Notes").fill("after lunch")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#saved")).not_to_be_empty()
    assert saved(page) == [{"when": f"2026-11-20T14:02:00{offset}", "notes": "after lunch"}]
    context.close()


def test_an_empty_quality_of_life_form_is_not_saved_by_a_slip_of_the_thumb(phone_page):
    open_form(phone_page, "quality-of-life.caregiver-8-12.1.0.0/en")
    phone_page.get_by_role("button", name="Save").click()
    expect(phone_page.locator(".hw-form-message")).to_have_text("Please answer at least one question before saving.")
    phone_page.wait_for_timeout(100)
    assert saved(phone_page) == []


def test_answers_given_again_show_as_the_family_left_them_after_switching_language(phone_page):
    answers = {"temperature_c": 38.6, "temperature_method": "ear", "neuro_signs": [], "notes": "Durmió mal"}
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/es", language="es", answers=answers)
    assert phone_page.get_by_label("Temperatura (°C)").input_value() == "38,6"
    assert phone_page.get_by_role("radio", name="En el oído").is_checked()
    assert item(phone_page, "neuro_signs").get_by_role("checkbox", name="Ninguna de estas").is_checked()
    phone_page.get_by_role("button", name="Guardar").click()
    expect(phone_page.locator("#saved")).not_to_be_empty()
    assert saved(phone_page) == [answers]


def test_cancel_leaves_at_once_from_an_empty_form(phone_page):
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/en")
    phone_page.get_by_role("button", name="Cancel").click()
    assert phone_page.locator("#cancelled").is_visible()


def test_one_stray_tap_on_cancel_does_not_throw_away_a_typed_temperature(phone_page):
    open_form(phone_page, "symptom-diary.caregiver.1.0.0/es", language="es")
    phone_page.get_by_label("Temperatura (°C)").fill("39,4")
    phone_page.get_by_role("button", name="Cancelar").click()
    assert not phone_page.locator("#cancelled").is_visible()
    expect(phone_page.locator(".hw-form-message")).to_have_text(
        "Sus respuestas no están guardadas. Toque Cancelar otra vez para salir sin guardarlas.")
    phone_page.get_by_role("button", name="Cancelar").click()
    assert phone_page.locator("#cancelled").is_visible()
