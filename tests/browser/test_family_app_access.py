"""The family app for everyone: used with the keyboard alone (a switch device or a
keyboard on a tablet), labelled for a screen reader with no serious or critical axe-core
violation on any screen (the advice screen included), and honest on a page that is not a
secure context."""
import pytest
from playwright.sync_api import expect

from family_app import (LAUNCH_ARGS_INSECURE, app_link, family_phone,  # noqa: F401 (fixture)
                        serious_accessibility_problems, stored_entries)

pytestmark = pytest.mark.browser


def focused(page):
    return page.evaluate("""() => {
        const el = document.activeElement;
        return (el.labels?.[0]?.textContent || el.getAttribute("aria-label") ||
                el.textContent || "").trim();
    }""")


def tab_to(page, text, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page).startswith(text):
            return
    raise AssertionError(f"the keyboard never reached {text!r}")


def test_a_parent_enrols_and_records_a_fever_with_the_keyboard_alone(
        family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    page = family.page
    family.open_enrolment_link(link)
    expect(page.get_by_role("heading", name="Connect this phone")).to_be_focused()
    tab_to(page, "A name for this phone")
    page.keyboard.press("Control+A")
    page.keyboard.type("Dad's phone")
    tab_to(page, "Connect")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Today")).to_be_focused()
    family.wait_for_worker()

    tab_to(page, "Record a temperature now")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Temperature (°C)")).to_be_visible()
    tab_to(page, "Temperature (°C)")
    page.keyboard.type("38.7")
    tab_to(page, "In the mouth")  # a radio group is one Tab stop; arrows choose within it
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Under the arm")).to_be_checked()
    tab_to(page, "Save")
    page.keyboard.press("Enter")
    # A fever: the rules' advice, its heading focused for a screen reader, the call first.
    expect(page.get_by_role("heading", name="Call the CAR T team now")).to_be_focused()
    tab_to(page, "Back to Today")
    page.keyboard.press("Enter")
    expect(page.locator("#sync-line")).to_contain_text("All sent at")
    assert [row["status"] for row in stored_entries(db, patient_id)] == ["accepted"]

    tab_to(page, "History")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="History")).to_be_focused()
    expect(page.locator(".entry")).to_contain_text("38.7 °C")


def test_no_screen_has_a_serious_or_critical_accessibility_violation(
        family_phone, phone, nurse):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    page = family.page
    family.open_enrolment_link(link)
    expect(page.get_by_role("heading", name="Connect this phone")).to_be_visible()
    problems = {"enrol": serious_accessibility_problems(page)}
    page.get_by_role("button", name="Connect", exact=True).tap()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.get_by_role("link", name="Record a temperature now").tap()
    page.get_by_label("Temperature (°C)").fill("38.2")
    page.get_by_role("button", name="Save").tap()
    expect(page.locator(".advice")).to_be_visible()
    problems["advice"] = serious_accessibility_problems(page)
    page.get_by_role("link", name="Back to Today").tap()
    expect(page.locator("#sync-line")).to_contain_text("All sent at")
    problems["today"] = serious_accessibility_problems(page)
    page.get_by_role("link", name="Record a temperature now").tap()
    expect(page.get_by_label("Temperature (°C)")).to_be_visible()
    problems["record"] = serious_accessibility_problems(page)
    page.goto("/app/#history")
    expect(page.locator(".chart")).to_be_visible()
    problems["history"] = serious_accessibility_problems(page)
    page.get_by_role("link", name="Settings").tap()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    problems["settings"] = serious_accessibility_problems(page)
    assert problems == {screen: [] for screen in problems}


def test_on_a_page_that_is_not_secure_it_says_so_instead_of_half_working(browser, live):
    # A name that is not localhost makes plain http an insecure context for Chromium.
    insecure = browser.browser_type.launch(executable_path="/usr/bin/chromium", headless=True,
                                           args=LAUNCH_ARGS_INSECURE)
    try:
        page = insecure.new_page()
        page.goto(f"http://family.test:{live.port}/app/")
        expect(page.get_by_role("heading", name="This page is not secure")).to_be_visible()
        expect(page.locator("#cannot-start")).to_contain_text("https")
        assert page.evaluate("window.isSecureContext") is False
    finally:
        insecure.close()


def test_a_sync_in_the_background_leaves_the_keyboard_focus_where_it_was(
        family_phone, phone, nurse):
    _patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    tab_to(page, "History")
    family.sync()  # as the 5-minute timer or the "online" event would
    assert focused(page) == "History"
    expect(page.get_by_role("link", name="History")).to_be_focused()
