"""A parent at 3 a.m., on a 390 px phone, doing what nobody planned for: switching language
in the middle of a form and back again, travelling with the phone on another time zone than
the child's, refusing notifications and allowing them later. What they see must stay
right, and what the closed-app reminder database holds must say nothing about the child."""
import json
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from browsing import screenshot
from family_app import (ENGLISH, PHONE, SPANISH, Phone, app_link, family_phone,  # noqa: F401
                        make_diary_english_only, serious_accessibility_problems)

pytestmark = pytest.mark.browser


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


def fill_fever(page, words):
    temperature = page.get_by_label(words["temperature"])
    temperature.fill("38.6" if words is ENGLISH else "38,6")
    temperature.blur()
    page.locator("label", has_text=words["method"]).tap()


def test_answers_survive_switching_language_twice_mid_form_and_the_advice_follows(
        family_phone, phone, nurse):
    _, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    page.get_by_role("link", name=ENGLISH["record"]).tap()
    fill_fever(page, ENGLISH)

    switch = page.get_by_role("button", name="Español")
    # A real button whose name says what it does in both languages; the Spanish words are
    # marked Spanish for a screen reader, the English ones English.
    expect(switch).to_have_accessible_name(re.compile("Cambiar a español.*Switch to Spanish"))
    expect(switch.locator("[lang=en]")).to_have_text(re.compile("Switch to Spanish"))
    assert switch.get_attribute("lang") == "es"
    switch.focus()
    page.keyboard.press("Enter")  # keyboard alone
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_label(SPANISH["temperature"])).to_have_value("38,6")
    expect(page.get_by_label(SPANISH["method"])).to_be_checked()
    # The app's own words follow, not only the form's: the tabs (hidden under the form).
    expect(page.locator("#tabs a[href='#today']")).to_have_text("Hoy")
    expect(page.get_by_role("button", name="English")).to_be_focused()
    no_sideways_scroll(page)
    assert serious_accessibility_problems(page) == []

    page.get_by_role("button", name="English").tap()
    expect(page.get_by_label(ENGLISH["temperature"])).to_have_value("38.6")
    expect(page.get_by_label(ENGLISH["method"])).to_be_checked()
    page.get_by_role("button", name="Español").tap()
    expect(page.get_by_label(SPANISH["temperature"])).to_have_value("38,6")

    family.context.set_offline(True)
    page.get_by_role("button", name=SPANISH["save"]).tap()
    advice = page.locator(".advice")
    expect(advice).to_be_visible()
    expect(advice.get_by_role("link", name=SPANISH["back"])).to_be_visible()
    assert "Back to Today" not in advice.inner_text()
    no_sideways_scroll(page)
    screenshot(page, "family-night-advice-spanish")

    page.reload()  # offline: the worker serves the shell, the choice is the phone's
    expect(page.locator(".advice").get_by_role("link", name=SPANISH["back"])).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")


def test_an_english_only_form_under_a_spanish_app_is_marked_english_for_screen_readers(
        family_phone, phone, nurse):
    _, link = app_link(phone, nurse, language="es")
    family = family_phone("es-ES")
    family.enrol(link, words=SPANISH)
    page = family.page
    make_diary_english_only(page)
    page.evaluate("window.homeward.refresh()")
    expect(page.locator("ul.tasks a[href^='#record/symptom-diary/'] .task-title [lang=en]").first) \
        .to_have_text("Symptom diary")
    assert serious_accessibility_problems(page) == []
    page.get_by_role("link", name=SPANISH["record"]).tap()
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "en")
    expect(page.locator(".form-language")).to_contain_text("no está en español")
    expect(page.locator(".form-holder")).to_have_attribute("lang", "en")
    expect(page.locator(".form-language")).not_to_have_attribute("lang", "en")
    switch = page.get_by_role("button", name="English")
    expect(switch).to_have_accessible_name(re.compile("Switch to English.*Cambiar a inglés"))
    no_sideways_scroll(page)
    assert serious_accessibility_problems(page) == []


class TravellingPhone(Phone):
    """A phone whose own clock is set to another zone than the child's."""

    def __init__(self, browser, live, zone):
        super().__init__(browser, live, zone=zone)


@pytest.fixture
def travelling_phone(browser, live):
    phones = []

    def make(zone):
        phones.append(TravellingPhone(browser, live, zone))
        return phones[-1]

    yield make
    errors = [error for found in phones for error in found.unexpected_errors()]
    for found in phones:
        found.close()
    assert not errors, f"browser console errors: {errors}"


def test_a_family_in_madrid_sees_the_childs_new_york_times_and_each_task_once(
        travelling_phone, phone, nurse, clock):
    _, link = app_link(phone, nurse, language="en")  # the child's zone: New York
    family = travelling_phone("Europe/Madrid")
    page = family.page
    page.clock.install(time=clock.now())
    family.enrol(link)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Europe/Madrid"
    links = page.locator("ul.tasks a[href^='#record/']")
    expect(links.first).to_be_visible()
    hrefs = links.evaluate_all("(found) => found.map((a) => a.getAttribute('href'))")
    assert len(hrefs) == len(set(hrefs)), f"a task is shown twice: {hrefs}"
    # The diary is due at 08:00 and 18:00 in New York, never at a Madrid hour.
    times = page.locator("ul.tasks a[href^='#record/symptom-diary/'] .task-time").all_inner_texts()
    assert times and all(re.search(r"\b0?(8|6):00 [AP]M\b", text) for text in times), times
    # The phone's own zone differs: the times say whose clock they are.
    assert all("New York" in text for text in times), times
    no_sideways_scroll(page)
    screenshot(page, "family-night-today-travelling")


def plan_record(page):
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const opened = indexedDB.open("homeward-due", 1);
        opened.onerror = () => reject(opened.error);
        opened.onsuccess = () => {
            const read = opened.result.transaction("plan").objectStore("plan").getAll();
            read.onsuccess = () => resolve(read.result);
        };
    })""")


def test_the_closed_app_plan_names_nothing_and_drops_what_was_saved(
        family_phone, phone, nurse, clock):
    _, link = app_link(phone, nurse, language="en")
    family = family_phone()
    page = family.page
    page.clock.install(time=clock.now())
    family.enrol(link)
    due = page.locator("ul.tasks:not(.next) a[href^='#record/symptom-diary/tsk_']")
    expect(due).to_have_count(1)
    [record] = [r for r in plan_record(page) if isinstance(r, dict) and "plan" in r]
    assert set(record) == {"plan", "title", "body", "written_at"}
    assert all(set(item) == {"due_at", "closes_at"} for item in record["plan"])
    text = json.dumps(plan_record(page))
    for secret in ("Mateo", "Ruiz", "symptom", "neuro", "tsk_", "pat_", "temperature"):
        assert secret not in text, f"the closed-app plan holds {secret!r}"
    task_id = due.get_attribute("href").rsplit("/", 1)[1]
    task = page.evaluate("(id) => window.homeward.store.items.get('task', id)", task_id)
    pair = {"due_at": iso(task["due_at"]), "closes_at": iso(task["closes_at"])}
    assert pair in record["plan"]

    due.tap()
    fill_fever(page, ENGLISH)  # a fever: the advice screen comes first, not Today
    page.get_by_role("button", name="Save").tap()
    expect(page.locator(".advice")).to_be_visible()
    # Today is not drawn yet, and still the saved diary's time has left the plan: a closed
    # app must not say "something is due" for what was just done.
    for _ in range(50):
        [record] = [r for r in plan_record(page) if isinstance(r, dict) and "plan" in r]
        if pair not in record["plan"]:
            break
        page.wait_for_timeout(100)
    assert pair not in record["plan"]


def iso(text):
    """A wire time as the plan writes it (Date.toISOString)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_notifications_refused_then_allowed_later_turn_closed_reminders_on(
        family_phone, phone, nurse, live):
    _, link = app_link(phone, nurse, language="en")
    family = family_phone()
    page = family.page
    family.enrol(link)
    cdp = family.context.new_cdp_session(page)
    context_id = cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]

    def allow(setting):
        cdp.send("Browser.setPermission", {"permission": {"name": "notifications"},
                                           "setting": setting, "origin": live.url,
                                           "browserContextId": context_id})

    allow("denied")
    page.get_by_role("link", name="Settings").tap()
    card = page.locator("section", has=page.get_by_role("heading", name="Reminders"))
    expect(card).to_contain_text("Notifications are off for Homeward")
    no_sideways_scroll(page)
    allow("granted")  # the parent changed it in the phone's settings, then came back
    page.get_by_role("link", name="Today").tap()
    page.get_by_role("link", name="Settings").tap()
    expect(card).not_to_contain_text("Notifications are off for Homeward")
    expect(card.get_by_role("button")).to_have_count(1)
    card.get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(card).not_to_contain_text("Notifications are off for Homeward")
    assert serious_accessibility_problems(page) == []


def test_the_language_chosen_on_the_phone_outlives_a_new_code_from_the_team(
        family_phone, phone, nurse):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    page.get_by_role("link", name=ENGLISH["record"]).tap()
    page.get_by_role("button", name="Español").tap()
    page.get_by_role("button", name="Cancelar").tap()
    [device] = phone.get(f"/api/v1/patients/{patient_id}/devices",
                         headers=nurse.headers).get_json()["devices"]
    assert phone.session.delete(f"{phone.base_url}/api/v1/devices/{device['device_id']}",
                                headers=nurse.headers).status_code == 204
    family.sync()
    page.reload()
    warning = page.get_by_role("alert").filter(has_text="El equipo quitó este teléfono")
    expect(warning).to_be_visible()

    code = phone.post(f"/api/v1/patients/{patient_id}/enrollments",
                      json={"respondent": "caregiver"}, headers=nurse.headers).get_json()["code"]
    warning.get_by_role("link").tap()
    page.get_by_label("Código del equipo").fill(code)
    page.get_by_role("button", name=SPANISH["connect"], exact=True).tap()
    expect(page.locator("#sync-line")).to_contain_text(SPANISH["all_sent"])
    expect(page.get_by_role("heading", name=SPANISH["today"])).to_be_visible()


def test_a_phone_clock_a_day_ahead_is_told_to_set_it_and_the_warning_goes_once_it_is(
        family_phone, phone, nurse, clock):
    _, link = app_link(phone, nurse, language="es")
    family = family_phone("es-ES")
    page = family.page
    page.clock.install(time=clock.now() + timedelta(days=1))
    family.enrol(link, words=SPANISH)
    warning = page.locator(".clock-warning")
    expect(warning).to_have_text(re.compile("^La fecha o la hora de este teléfono está mal."))
    no_sideways_scroll(page)
    screenshot(page, "family-night-clock-wrong")
    assert serious_accessibility_problems(page) == []

    page.clock.set_system_time(clock.now())  # the parent set the phone's clock
    family.sync()
    page.evaluate("window.homeward.refresh()")
    expect(page.get_by_role("heading", name=SPANISH["today"])).to_be_visible()
    expect(warning).to_have_count(0)


def test_the_day_before_the_infusion_shows_the_baseline_checks(family_phone, phone, nurse, clock):
    tomorrow = (clock.now().astimezone(ZoneInfo("America/New_York")) + timedelta(days=1)).date()
    _, link = app_link(phone, nurse, language="en", infusion_date=tomorrow.isoformat())
    family = family_phone()
    page = family.page
    page.clock.install(time=clock.now())
    family.enrol(link)
    expect(page.locator("p.day")).to_have_text("The infusion is tomorrow.")
    due = page.locator("ul.tasks:not(.next)")
    expect(due.locator("a[href^='#record/neuro-check/tsk_']")).to_have_count(1)
    expect(due.locator("a[href^='#record/quality-of-life/tsk_']")).to_have_count(1)
    expect(due.locator("a[href^='#record/symptom-diary/tsk_']")).to_have_count(0)


def test_a_teenager_switching_language_on_question_three_stays_on_question_three(
        family_phone, phone, nurse):
    _, link = app_link(phone, nurse, respondent="patient", language="en",
                       date_of_birth="2012-05-01")
    family = family_phone()
    family.enrol(link, name="Leo's phone", child=True)
    page = family.page
    page.get_by_role("link", name=ENGLISH["record"]).tap()
    page.get_by_label("My temperature (°C), if I took it").fill("37.3")
    page.get_by_role("button", name="Next").tap()
    page.locator("label.hw-option:visible").filter(has_text=re.compile("^Under my arm$")).tap()
    page.get_by_role("button", name="Next").tap()
    progress = page.locator(".hw-progress")
    expect(progress).to_have_text(re.compile(r"^Question 3 of \d+$"))
    total = progress.inner_text().rsplit(" ", 1)[1]

    page.get_by_role("button", name="Español").tap()
    expect(progress).to_have_text(f"Pregunta 3 de {total}")
    page.get_by_role("button", name="Atrás").tap()
    expect(page.locator("input[type=radio]:checked")).to_have_count(1)
    no_sideways_scroll(page)
