"""Nothing a family sent is lost or stored twice: a page closed while its push is on the
wire, and an entry the server quarantines, shown to the family in words."""
import pytest
from playwright.sync_api import expect

from family_app import (app_link, family_phone, record_temperature,  # noqa: F401 (fixture)
                        stored_entries)

pytestmark = pytest.mark.browser


def test_a_page_closed_mid_push_loses_nothing_and_stores_nothing_twice(
        family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    family.context.set_offline(True)
    for celsius in (37.1, 38.4, 37.6):
        record_temperature(page, celsius)

    # The push reaches the server, which stores the entries and answers; the phone is
    # closed before the answer arrives (a tab swiped away, a battery gone).
    delivered = []

    def deliver_but_never_answer(route):
        delivered.append(route.fetch())

    family.context.route("**/api/v1/sync/push", deliver_but_never_answer)
    family.context.set_offline(False)
    deadline = 100
    while not delivered and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert delivered and delivered[0].status == 200
    page.close(run_before_unload=False)
    assert len(stored_entries(db, patient_id)) == 3
    family.context.unroute("**/api/v1/sync/push")

    reopened = family.open_page()
    reopened.goto("/app/")  # opening the app pushes what it never heard about again
    expect(reopened.locator("#sync-line")).to_contain_text("All sent at")
    entries = stored_entries(db, patient_id)
    assert len(entries) == 3 and len({row["entry_id"] for row in entries}) == 3
    # The phone never heard the first answer: the server's second one said "duplicate".
    states = reopened.evaluate(
        "window.homeward.client.outbox.list().then((all) => all.map((r) => r.state))")
    assert states == ["duplicate", "duplicate", "duplicate"]
    reopened.get_by_role("link", name="History").tap()
    expect(reopened.locator(".entry")).to_have_count(3)
    expect(reopened.locator(".entry-status")).to_have_text(["Sent", "Sent", "Sent"])


def test_an_entry_the_server_quarantines_is_shown_to_the_family_in_words(
        family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    # An app whose form was older than the server's definition: the phone let through a
    # temperature the server's validator refuses. (The form itself stops 51 °C, so the
    # entry is recorded through the app's own client, as the form would hand it over.)
    page.evaluate("""() => window.homeward.client.record("symptom-diary", "1.0.0",
        "caregiver", {temperature_c: 51})""")
    page.evaluate("window.homeward.sync().then(() => true)")
    [entry] = stored_entries(db, patient_id)
    assert entry["status"] == "quarantined"

    page.get_by_role("link", name="History").tap()
    shown = page.locator(".entry")
    expect(shown).to_have_count(1)
    expect(shown.locator(".entry-status")).to_have_text("Sent. The care team will check it.")
    expect(shown.locator(".problem-box")).to_contain_text("The care team will check it")
    expect(shown.locator(".problem-box")).to_contain_text("51 °C is outside the plausible range")
    expect(shown.locator(".ask-team")).to_contain_text("call the care team")


def test_a_phone_the_team_revoked_keeps_its_entries_and_delivers_them_after_a_new_code(
        family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    family.context.set_offline(True)
    record_temperature(page, 38.1)
    [device] = phone.get(f"/api/v1/patients/{patient_id}/devices",
                         headers=nurse.headers).get_json()["devices"]
    assert phone.session.delete(f"{phone.base_url}/api/v1/devices/{device['device_id']}",
                                headers=nurse.headers).status_code == 204

    family.context.set_offline(False)
    warning = page.get_by_role("alert").filter(has_text="removed by the care team")
    expect(warning).to_be_visible(timeout=15_000)
    expect(page.locator("#sync-line")).to_have_text(
        "1 entry waiting to send — it is safe on this phone.")
    assert stored_entries(db, patient_id) == []

    code = phone.post(f"/api/v1/patients/{patient_id}/enrollments",
                      json={"respondent": "caregiver"}, headers=nurse.headers).get_json()["code"]
    warning.get_by_role("link", name="Connect again with a new code").tap()
    page.get_by_label("Code from the care team").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Connect", exact=True).tap()
    expect(page.locator("#sync-line")).to_contain_text("All sent at")
    assert [row["status"] for row in stored_entries(db, patient_id)] == ["accepted"]


def test_remove_this_phone_warns_about_unsent_entries_then_wipes_everything(
        family_phone, phone, nurse):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    family.context.set_offline(True)
    record_temperature(page, 37.0)
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("link", name="Settings").tap()
    page.get_by_role("button", name="Remove this phone").tap()
    expect(page.get_by_role("heading", name="Connect this phone")).to_be_visible()
    assert questions == ["1 entry is not sent yet. It will be lost. Remove anyway?"]
    expect(page.get_by_text("This phone was removed.")).to_be_visible()
    left = page.evaluate("""async () => {
        const store = window.homeward.store;
        return {outbox: (await store.outbox.list()).length,
                journal: (await store.journal.list()).length,
                items: (await store.items.list("questionnaire")).length,
                enrolment: (await store.get("enrolment")) ?? null,
                key: (await store.get("journal_key")) ?? null};
    }""")
    assert left == {"outbox": 0, "journal": 0, "items": 0, "enrolment": None, "key": None}


def test_an_entry_the_server_rejects_is_held_and_explained_with_try_again(
        family_phone, phone, nurse, db):
    patient_id, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    family.context.set_offline(True)
    record_temperature(page, 37.3)
    # The sealed bytes damaged on the phone (a storage fault): the server cannot open them.
    page.evaluate("""async () => {
        const store = window.homeward.store;
        const [record] = await store.outbox.list();
        const tail = record.sealed.endsWith("A") ? "B" : "A";
        await store.outbox.put({...record, sealed: record.sealed.slice(0, -1) + tail});
    }""")
    family.context.set_offline(False)
    expect(page.locator("#sync-line")).to_have_text("1 entry was not delivered. See History.")
    page.get_by_role("link", name="History").tap()
    entry = page.locator(".entry")
    expect(entry.locator(".entry-status")).to_have_text("Not delivered", timeout=15_000)
    expect(entry).to_contain_text("If you are worried about your child, call the care team now.")
    expect(entry).to_contain_text("The clinic could not open it.")
    expect(entry.get_by_role("button", name="Try again")).to_be_visible()
    expect(entry.locator(".ask-team")).to_contain_text("call the care team")
    assert stored_entries(db, patient_id) == []
    states = page.evaluate(
        "window.homeward.client.outbox.list().then((all) => all.map((r) => r.state))")
    assert states == ["rejected"]  # kept on the phone, never dropped
