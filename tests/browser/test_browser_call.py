"""The whole call in a real browser against the real server: a fever arrives, nurse A says
"I'm calling", nurse B's open inbox shows it, A records a call with the CAPD-style
assessment and a recheck in 60 minutes, the recheck passes unanswered and the scheduler's
job escalates the alert again, A calls again and sends the family to the emergency
department, resolves it, and the family's phone pulls the thread and marks it read."""
import pytest
from playwright.sync_api import expect

from browsing import screenshot, sign_in
from server.storage.db import connect
from server.jobs import build_jobs
from support.family import enrolled_family

pytestmark = pytest.mark.browser

POLL_MS = 5_000
CONTACT = {"name": "Ana Ruiz", "relationship": "mother", "phone": "+1 617 555 0101",
           "language": "es", "best_times": "any time"}
# A child under 12: the nurse's assessment is the CAPD-style one (0 reversed: 4 points).
CAPD = {"eye_contact": "1", "purposeful": "2", "aware": "2", "tells_needs": "2",
        "restless": "2", "inconsolable": "1", "underactive": "2", "slow_response": "1"}


@pytest.fixture
def config(config):
    # The test moves the server's clock past an hour-long recheck: sessions must outlast it.
    return config.with_overrides(session_idle_minutes=180)


def record_call(page, disposition, recheck=None, neuro=None):
    form = page.locator("#call-form")
    form.get_by_label("Who you spoke to").fill("Ana Ruiz (mother)")
    form.get_by_label("Temperature (°C)").fill("38.4")
    form.get_by_label("Measured").select_option(label="Under the arm")
    form.get_by_label("Breathing").select_option(label="Normal")
    form.get_by_label("Drinking").select_option(label="Less than usual")
    for link_id, value in (neuro or {}).items():
        form.locator(f"#neuro_{link_id}").select_option(value)
    form.get_by_label("Disposition").select_option(label=disposition)
    if recheck:
        form.get_by_label("Recheck in (for a recheck)").select_option(label=recheck)
    form.get_by_role("button", name="Record the call").click()
    expect(page.get_by_role("status").filter(has_text="Call recorded.")).to_be_visible()


def test_two_nurses_one_call_a_missed_recheck_and_the_thread_the_family_reads(
        page, browser, live, phone, staff, clock, config, db):
    nina, bea = staff("nurse", "nina"), staff("nurse", "bea")
    family = enrolled_family(phone, nina.headers, clock=clock, contacts=[CONTACT])
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": 38.6, "temperature_method": "oral"}))]).get_json()["results"]
    alert_id = result["alert"]["alert_id"]

    colleague = browser.new_context(base_url=live.url, viewport={"width": 1024, "height": 768})
    colleague.set_default_timeout(10_000)
    bea_page = colleague.new_page()
    try:
        bea_page.clock.install()
        sign_in(bea_page, bea, "/alerts")
        bea_card = bea_page.locator(f"#alert-{alert_id}")
        expect(bea_card.locator("a.tel")).to_have_attribute("href", "tel:+16175550101")

        sign_in(page, nina, f"/alerts/{alert_id}")
        page.get_by_role("button", name="I'm calling").click()
        expect(page.locator("#call .claim")).to_have_text("nina is calling since 14:00 EST.")
        screenshot(page, "alert-page-calling-with-the-call-form")

        bea_page.clock.fast_forward(POLL_MS)  # the inbox's next poll
        expect(bea_card.locator(".claim")).to_have_text("nina is calling since 14:00 EST")
        screenshot(bea_page, "inbox-colleague-sees-the-claim")
    finally:
        colleague.close()

    record_call(page, "Call back to recheck", "60 minutes", CAPD)
    entry = page.locator("#call-log .call-entry").first
    expect(entry.locator(".triage-colour")).to_have_text("RED")
    expect(entry.locator(".grades")).to_contain_text("ICANS grade 3 — not a clinical grade")
    expect(page.locator("#call .recheck")).to_contain_text("Recheck due by 15:00 EST")
    page.get_by_label("Message for the family", exact=True).fill(
        "Ana, we will call you back at 3 pm. Call us before if he is worse.")
    page.get_by_role("button", name="Send message").click()
    screenshot(page, "alert-page-after-the-first-call")

    # An hour passes with no call and no entry: the scheduler's job escalates it again.
    clock.advance(minutes=61)
    connection = connect(config.database_path)
    try:
        jobs = {job.name: job for job in build_jobs(config, connection, clock)}
        assert jobs["rechecks"].function(connection, clock.now()) == [alert_id]
    finally:
        connection.close()
    page.goto("/alerts")
    expect(page.locator(f"#list-waiting #alert-{alert_id}")).to_be_visible()

    page.goto(f"/alerts/{alert_id}")
    record_call(page, "Go to the emergency department")
    expect(page.locator("#call-log .call-entry")).to_have_count(2)
    page.get_by_label("Outcome").select_option(label="Advised to come in")
    page.get_by_label("Message for the family (optional)").last.fill(
        "Please go to the emergency department now; they know you are coming.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status").filter(has_text="Alert resolved.")).to_be_visible()

    pulled = family.pull().get_json()
    [alert] = [change["data"] for change in pulled["changes"] if change["type"] == "alert"]
    assert alert["status"] == "resolved"
    assert [message["kind"] for message in alert["thread"]] == ["message", "resolution"]
    assert alert["thread"][-1]["text"].startswith("Please go to the emergency department")
    read = phone.post("/api/v1/sync/read", headers=family.headers, json={
        "alert_id": alert_id, "message_ids": [m["message_id"] for m in alert["thread"]],
        "read_at": pulled["server_time"]})
    assert read.get_json()["read"] == [m["message_id"] for m in alert["thread"]]

    page.goto(f"/alerts/{alert_id}")
    expect(page.locator("#thread .thread-message")).to_have_count(2)
    expect(page.locator("#thread")).to_contain_text("read 15:01 EST")
    screenshot(page, "alert-page-resolved-with-calls-and-thread")
    for width in (1280, 820, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"alert-page-call-{width}")
        # The call log and thread fit a phone's width: nothing to scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    kinds = [row[0] for row in db.execute("SELECT kind FROM notifications ORDER BY id")]
    assert "alert_recheck_missed" in kinds
