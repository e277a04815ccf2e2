"""A family offline for weeks still sees what is due: the phone makes the schedule's tasks
past the server's 15-day horizon (js/schedule/tasks.js), with the server's own ids, so the
diary it records against one of them is accepted when it syncs, not quarantined as
unknown_task."""
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from browsing import screenshot
from family_app import app_link, family_phone, record_temperature, stored_entries  # noqa: F401

pytestmark = pytest.mark.browser

# The child's infusion is 2026-11-17 (tests/support/family.py); the server's clock starts on
# day 3, so its tasks reach day 18. Day 22 at 09:00 in New York is past that horizon.
DAY_22 = datetime(2026, 12, 9, 14, 0, tzinfo=timezone.utc)


def pulled_task_ids(page):
    return set(page.evaluate("""() => window.homeward.store.items.list("task")
        .then((items) => items.map((item) => item.id))"""))


def test_a_phone_offline_for_weeks_shows_the_diary_due_and_the_server_accepts_it(
        family_phone, phone, nurse, clock, db):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    page = family.page
    page.clock.install(time=clock.now())  # the phone's clock, moved with the server's
    family.enrol(link)
    family.context.set_offline(True)

    page.clock.set_system_time(DAY_22)
    page.evaluate("window.homeward.refresh()")
    expect(page.get_by_text("Day 22 after the infusion")).to_be_visible()
    due = page.locator("section.card", has=page.get_by_role("heading", name="To do now")) \
        .locator("ul.tasks:not(.next)")
    diary = due.locator("a[href^='#record/symptom-diary/tsk_']")
    expect(diary).to_have_count(1)
    expect(due.locator("a[href^='#record/neuro-check/tsk_']")).to_have_count(1)
    task_id = diary.get_attribute("href").rsplit("/", 1)[1]
    upcoming = page.locator("ul.tasks.next a[href^='#record/symptom-diary/tsk_']")
    expect(upcoming).to_have_count(1)  # tomorrow's, with its time
    assert task_id not in pulled_task_ids(page)  # made on the phone, never pulled
    screenshot(page, "family-today-offline-day-22")

    diary.tap()
    temperature = page.get_by_label("Temperature (°C)")
    temperature.fill("36.8")
    temperature.blur()
    page.locator("label", has_text="Under the arm").tap()
    page.get_by_role("button", name="Save").tap()
    expect(page.locator("#notice")).to_contain_text("Saved")
    expect(due.locator("a[href^='#record/symptom-diary/']")).to_have_count(0)

    clock.set(DAY_22 + timedelta(minutes=5))
    page.clock.set_system_time(DAY_22 + timedelta(minutes=5))
    family.context.set_offline(False)
    family.sync()
    [entry] = stored_entries(db, patient_id)
    assert entry["status"] == "accepted"
    assert db.execute("SELECT task_id FROM entries WHERE entry_id = ?",
                      [entry["entry_id"]]).fetchone()[0] == task_id
