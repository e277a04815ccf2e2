"""A new version of the app replaces the old one on the phone without losing the outbox:
the service worker's cache is the app, IndexedDB is the family's, and only the first
changes."""
import itertools
import shutil
import time

import pytest
from playwright.sync_api import expect

import server.family as room
from family_app import (app_link, family_phone, record_temperature,  # noqa: F401 (fixture)
                        stored_entries)

pytestmark = [pytest.mark.browser, pytest.mark.serial]


@pytest.fixture
def static_copy(tmp_path, monkeypatch):
    """The app's files served from a copy this test can change, as a deployment would."""
    copy = tmp_path / "static"
    shutil.copytree(room.STATIC, copy)
    monkeypatch.setattr(room, "STATIC", copy)
    room.read_shell.cache_clear()
    yield copy
    room.read_shell.cache_clear()


def test_a_new_version_takes_over_and_the_waiting_entries_are_still_there(
        static_copy, family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    family.context.set_offline(True)
    record_temperature(page, 37.0)
    record_temperature(page, 38.3)
    old_worker = page.evaluate("navigator.serviceWorker.controller.scriptURL")

    shell = static_copy / "js" / "ui" / "shell.js"
    shell.write_text(shell.read_text().replace('APP_VERSION = "1.0.0"', 'APP_VERSION = "1.0.1"'))
    room.read_shell.cache_clear()
    # Back online, but the pushes fail for now: the entries must still be waiting when the
    # new version arrives.
    family.context.route("**/api/v1/sync/push", lambda route: route.abort())
    family.context.set_offline(False)
    page.reload()  # the browser checks sw.js, finds it changed, installs the new worker
    # Installing fetches every shell file again; with the suite's other workers on the same
    # cores that has taken over 15 s, so wait by the clock, not by a count of tries.
    deadline = time.monotonic() + 60
    for attempt in itertools.count():
        if time.monotonic() > deadline:
            raise AssertionError("the new service worker never took over: " + str(page.evaluate(
                """() => navigator.serviceWorker.getRegistration().then(async (r) => ({
                    installing: r && r.installing && r.installing.state,
                    waiting: r && r.waiting && r.waiting.state,
                    active: r && r.active && r.active.state,
                    controlled: Boolean(navigator.serviceWorker.controller),
                    caches: await caches.keys()}))""")))
        if attempt and attempt % 10 == 0:  # a busy browser may skip the update check on reload
            page.evaluate("""() => navigator.serviceWorker.getRegistration()
                .then((registration) => registration && registration.update())""")
        # Ask the registration's active worker on a port of our own: the answer does not
        # depend on which worker controls the page at that instant.
        version = page.evaluate("""() => navigator.serviceWorker.getRegistration()
            .then((registration) => new Promise((resolve) => {
                const worker = registration && registration.active;
                if (!worker) return resolve(null);
                const channel = new MessageChannel();
                channel.port1.onmessage = (event) => resolve(event.data.version);
                worker.postMessage("version", [channel.port2]);
                setTimeout(() => resolve(null), 500);
            }))""")
        if version == room.read_shell()["version"]:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == old_worker

    family.context.set_offline(True)
    page.reload()  # served from the new version's cache
    page.get_by_role("link", name="Settings").tap()
    expect(page.get_by_text("App version 1.0.1")).to_be_visible()
    page.get_by_role("link", name="Today").tap()
    expect(page.locator("#sync-line")).to_have_text(
        "2 entries waiting to send — they are safe on this phone.")

    family.context.unroute("**/api/v1/sync/push")
    family.context.set_offline(False)
    expect(page.locator("#sync-line")).to_contain_text("All sent at", timeout=15_000)
    assert [row["status"] for row in stored_entries(db, patient_id)] == ["accepted", "accepted"]
