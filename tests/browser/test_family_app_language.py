"""A parent reads the app and the questions in their own language, whatever the child's
record says: a switch on the form (kept on the phone) changes the app's words and the
questions, keeping what was typed; a form that lacks the language says so."""
import pytest
from playwright.sync_api import expect

from browsing import screenshot
from family_app import (ENGLISH, SPANISH, app_link, family_phone,  # noqa: F401
                        make_diary_english_only, record_temperature)

pytestmark = pytest.mark.browser


def test_a_parent_switches_an_english_record_to_spanish_on_the_form_and_it_stays(
        family_phone, phone, nurse):
    _, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    page.get_by_role("link", name=ENGLISH["record"]).tap()
    page.get_by_label(ENGLISH["temperature"]).fill("37.1")

    page.get_by_role("button", name="Español").tap()
    temperature = page.get_by_label(SPANISH["temperature"])
    expect(temperature).to_have_value("37,1")  # what was typed is kept, written the Spanish way
    expect(page.get_by_role("button", name=SPANISH["save"])).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    expect(page.locator(".form-language")).to_have_count(0)
    screenshot(page, "family-record-switched-to-spanish")
    temperature.blur()
    page.locator("label", has_text=SPANISH["method"]).tap()
    page.get_by_role("button", name=SPANISH["save"]).tap()
    expect(page.get_by_role("heading", name=SPANISH["today"])).to_be_visible()

    page.reload()  # the choice is the phone's, kept across openings
    expect(page.get_by_role("link", name=SPANISH["record"])).to_be_visible()
    record_temperature(page, 36.9, words=SPANISH)


def test_a_form_without_the_chosen_language_says_so_and_shows_the_one_it_has(
        family_phone, phone, nurse):
    _, link = app_link(phone, nurse, language="es")
    family = family_phone("es-ES")
    family.enrol(link, words=SPANISH)
    page = family.page
    make_diary_english_only(page)
    page.get_by_role("link", name=SPANISH["record"]).tap()
    expect(page.locator(".form-language")).to_have_text(
        "Este formulario aún no está en español. Se muestra en inglés.")
    expect(page.get_by_label(ENGLISH["temperature"])).to_be_visible()
    page.get_by_role("button", name="English").tap()
    expect(page.locator(".form-language")).to_have_count(0)
    expect(page.get_by_role("button", name="Español")).to_be_visible()
