"""The family app for each kind of family: a Spanish-speaking parent, a 6-year-old tapping
pictures, a 14-year-old filling in their own diary. Phone size, real server."""
import re

import pytest
from playwright.sync_api import expect

from family_app import (ENGLISH, SPANISH, app_link, family_phone,  # noqa: F401 (fixture)
                        record_temperature, stored_entries, tap_next_until_save)

pytestmark = pytest.mark.browser


def answer(page, text):
    """Taps the answer on the screen now (a paged form keeps the other questions hidden)."""
    page.locator("label.hw-option:visible").filter(has_text=re.compile(f"^{text}$")).tap()


def test_a_spanish_family_is_spoken_to_in_spanish_from_the_first_screen(
        family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, language="es")
    family = family_phone(locale="es-ES")
    family.enrol(link, name="Teléfono de mamá", words=SPANISH)
    page = family.page
    expect(page.get_by_role("heading", name="Hoy")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "es"
    expect(page.get_by_role("link", name="Historial")).to_be_visible()
    record_temperature(page, 37.4, words=SPANISH)
    expect(page.locator("#sync-line")).to_contain_text("Todo enviado a las")
    assert [row["status"] for row in stored_entries(db, patient_id)] == ["accepted"]

    # The parent may prefer English for the app's own words; the choice is kept.
    page.get_by_role("link", name="Ajustes").tap()
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    page.reload()
    expect(page.get_by_role("link", name="Today")).to_be_visible()


def test_a_six_year_old_answers_with_pictures_drawn_for_us(family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, respondent="patient", language="en",
                                date_of_birth="2020-06-01")
    family = family_phone()
    family.enrol(link, name="Sofía's tablet", child=True)
    page = family.page
    page.get_by_role("link", name="Record symptoms now").tap()
    expect(page.get_by_role("group", name="Is it hard to breathe?")).to_be_visible()
    answer(page, "No")
    page.get_by_role("button", name="Next").tap()
    answer(page, "No")
    page.get_by_role("button", name="Next").tap()
    headache = page.locator("label", has_text="My head hurts a lot")
    expect(headache).to_be_visible()
    pictures = page.locator("img.hw-picture:visible")
    expect(pictures.first).to_be_visible()
    # Every picture on the screen is one of our own SVG files, and it loaded.
    for index in range(pictures.count()):
        picture = pictures.nth(index)
        assert "/app/pictures/" in picture.evaluate("img => img.src")
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    headache.tap()
    tap_next_until_save(page)
    # A bad headache is a neurological sign: the rules' advice, for the grown-up to act on.
    advice = page.locator(".advice")
    expect(advice).to_have_attribute("data-level", "urgent")
    expect(advice).to_contain_text("Sent to the team at")
    [entry] = db.query("SELECT variant, respondent, status FROM entries WHERE patient_id = ?",
                       [patient_id])
    assert entry == {"variant": "pictures", "respondent": "patient", "status": "accepted"}


def test_a_fourteen_year_old_fills_in_their_own_diary(family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, respondent="patient", language="en",
                                date_of_birth="2012-05-01")
    family = family_phone()
    family.enrol(link, name="Leo's phone", child=True)
    page = family.page
    page.get_by_role("link", name="Record a temperature now").tap()
    temperature = page.get_by_label("My temperature (°C), if I took it")
    temperature.fill("37.3")
    page.get_by_role("button", name="Next").tap()
    answer(page, "Under my arm")
    tap_next_until_save(page)
    expect(page.locator("#notice")).to_contain_text("Saved")
    expect(page.locator("#sync-line")).to_contain_text("All sent at")
    [entry] = db.query("SELECT variant, respondent, status FROM entries WHERE patient_id = ?",
                       [patient_id])
    assert entry == {"variant": "self-report", "respondent": "patient", "status": "accepted"}
