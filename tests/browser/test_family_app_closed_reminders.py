"""Reminders while the app is closed, without a push service: where the browser has
Periodic Background Sync and the family allowed notifications, the worker wakes with the app
closed and says, in plain words that name nothing, that something is due; each due time
once. Settings says what this phone can and cannot do."""
import pytest
from playwright.sync_api import expect

from browsing import screenshot
from family_app import SPANISH, app_link, family_phone  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def registration_id(cdp, tab, scope):
    found = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: found.update(
        {r["scopeURL"]: r["registrationId"] for r in event["registrations"]}))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if scope in found:
            return found[scope]
        tab.wait_for_timeout(100)
    raise AssertionError(f"no worker registered for {scope}: {found}")


def notified_through(page):
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const opened = indexedDB.open("homeward-due", 1);
        opened.onerror = () => reject(opened.error);
        opened.onsuccess = () => {
            const read = opened.result.transaction("plan").objectStore("plan").get("notified_through");
            read.onsuccess = () => resolve(read.result ?? null);
        };
    })""")


def shown_notifications(page):
    return page.evaluate("""() => navigator.serviceWorker.getRegistration()
        .then((found) => found.getNotifications())
        .then((list) => list.map((n) => [n.title, n.body, n.tag]))""")


def test_a_closed_app_says_something_is_due_once_where_the_phone_allows(
        family_phone, phone, nurse, live):
    _, link = app_link(phone, nurse, language="en")
    family = family_phone()
    page = family.page
    # A blank tab of the test's own holds the DevTools session: its grants last while it
    # is attached, and the app's page will be closed.
    watcher = family.context.new_page()
    cdp = family.context.new_cdp_session(watcher)
    # Chromium grants Periodic Background Sync to installed apps only; the test grants it as
    # installing would (and notifications, as the family will).
    context_id = cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]
    cdp.send("Browser.grantPermissions", {"origin": live.url, "browserContextId": context_id,
                                          "permissions": ["notifications", "periodicBackgroundSync"]})
    family.enrol(link)  # day 3 at 14:00 in New York: the morning diary is open until 18:00

    page.get_by_role("link", name="Settings").tap()
    card = page.locator("section", has=page.get_by_role("heading", name="Reminders"))
    expect(card).to_contain_text("This phone can also check now and then")
    card.get_by_role("button", name="Remind me when something is due").tap()
    expect(card).to_contain_text("The phone decides when, so it can be late. Keep an alarm too.")
    expect(card.get_by_role("button")).to_have_count(0)
    screenshot(page, "family-settings-reminders")
    page.get_by_role("link", name="Today").tap()
    expect(page.locator("ul.tasks a[href^='#record/symptom-diary/tsk_']").first).to_be_visible()

    # The family closes the app; the browser wakes the worker for its periodic sync.
    page.close()
    registration = registration_id(cdp, watcher, f"{live.url}/app/")
    for _ in range(2):  # woken twice: the same due time is not said again
        cdp.send("ServiceWorker.dispatchPeriodicSyncEvent",
                 {"origin": live.url, "registrationId": registration, "tag": "homeward-due"})
        watcher.wait_for_timeout(500)

    family.page = family.open_page()
    family.page.goto("/app/#settings")
    expect(family.page.get_by_role("heading", name="Reminders")).to_be_visible()
    # One notification for what fell due, in words that name nothing about the child.
    assert shown_notifications(family.page) == [
        ["Homeward", "Something is due in the app.", "homeward-due"]]
    assert notified_through(family.page) is not None


def test_a_family_that_refuses_notifications_is_told_reminders_stay_on_today(
        family_phone, phone, nurse):
    _, link = app_link(phone, nurse, language="es")
    family = family_phone("es-ES")
    family.enrol(link, words=SPANISH)
    page = family.page
    page.get_by_role("link", name="Ajustes").tap()
    card = page.locator("section", has=page.get_by_role("heading", name="Recordatorios"))
    expect(card).to_contain_text("Homeward le avisa mientras la app está abierta.")
    card.get_by_role("button", name="Avisarme cuando haya algo pendiente").tap()
    expect(card).to_contain_text("Las notificaciones están apagadas para Homeward. "
                                 "Los recordatorios aparecen en Hoy mientras la app está abierta.")
