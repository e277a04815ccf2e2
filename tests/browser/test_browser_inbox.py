"""The alert inbox in a real browser: a fever pushed by a family's phone over HTTP appears
without a reload, is acknowledged by keyboard with a message the family then pulls, and is
resolved; emergencies cannot be missed; a dead session and a forged form are refused."""
import re

import pytest
from playwright.sync_api import expect

from browsing import screenshot, sign_in
from support.family import enrolled_family

pytestmark = pytest.mark.browser

POLL_WAIT_MS = 12_000  # the page polls every 5 s; allow two rounds
POLL_MS = 5_000


def fever_document(family):
    # Taken at 10:58 in New York, pushed at 14:00: the inbox must say it came 3 h late.
    return family.document({"temperature_c": 38.6, "temperature_method": "axillary"},
                           recorded_at="2026-11-20T10:58:00-05:00")


def press_tab_until(page, predicate_js, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"keyboard focus never reached: {predicate_js}")


def test_it_shows_a_pushed_fever_without_reloading_and_handles_it_by_keyboard(
        page, live, phone, staff, clock, db):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    page.clock.install()  # the page's timers only: its requests to the server stay real
    sign_in(page, nurse, "/alerts")
    expect(page.locator(".banner-calm")).to_contain_text("No alert is waiting")
    page.evaluate("window.stillTheSamePage = true")

    pushed = family.push([family.envelope(fever_document(family))])
    assert pushed.status_code == 200
    [result] = pushed.get_json()["results"]
    assert result["status"] == "accepted" and result["alert"]["level"] == "urgent"
    alert_id = result["alert"]["alert_id"]

    card = page.locator(f"#alert-{alert_id}")
    page.clock.fast_forward(POLL_MS)  # the next poll, now rather than in up to 5 s
    expect(card).to_be_visible(timeout=POLL_WAIT_MS)
    assert page.evaluate("window.stillTheSamePage") is True  # updated in place
    expect(card.locator(".level-badge")).to_have_text("Urgent")
    expect(card.locator(".evidence")).to_have_text(
        "38.6 °C axillary at 10:58 EST, reported 3 h 2 min late")
    expect(card).to_contain_text("Day 3")
    expect(card).to_contain_text("11 years")
    expect(card.locator(".escalation")).to_contain_text("Escalates at 14:15 EST")
    expect(page.locator(".banner-urgent")).to_contain_text("Urgent — 1 alert")
    expect(page.locator("#inbox-announce")).to_contain_text("New alert")
    assert re.match(r"\(1 waiting\) Alert inbox", page.title())
    screenshot(page, "inbox-urgent-fever")

    # Keyboard only: Tab to the card's disclosure, open it, write, acknowledge.
    press_tab_until(page, f"document.activeElement.matches('#alert-{alert_id} summary')")
    page.keyboard.press("Enter")
    expect(page.locator(f"#ack-message-{alert_id}")).to_be_visible()  # fetched on opening
    page.keyboard.press("Tab")  # "I'm calling" comes first: claim, then phone
    assert page.evaluate("document.activeElement.textContent") == "I'm calling"
    press_tab_until(page, f"document.activeElement.id === 'ack-message-{alert_id}'", limit=3)
    page.keyboard.type("Nurse Ana is calling you now. Keep the thermometer handy.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Alert acknowledged.")).to_be_visible()
    handled = page.locator(f"#list-handled #alert-{alert_id}")
    expect(handled).to_contain_text(f"Acknowledged by {nurse.username} at Fri 20 Nov 14:00 EST")
    expect(handled.locator(".family-message")).to_have_text(
        "Nurse Ana is calling you now. Keep the thermometer handy.")

    changes = family.pull().get_json()["changes"]
    [seen] = [change for change in changes if change["type"] == "alert"]
    assert seen["id"] == alert_id and seen["data"]["status"] == "acknowledged"
    assert seen["data"]["message"] == "Nurse Ana is calling you now. Keep the thermometer handy."

    handled.locator("summary").click()
    handled.get_by_label("Outcome").select_option(label="Advice given, stays at home")
    handled.get_by_label("Note for the team (optional)").fill("Paracetamol, recheck at 16:00.")
    handled.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status").filter(has_text="Alert resolved.")).to_be_visible()
    expect(page.locator(f"#alert-{alert_id}")).to_have_count(0)
    row = db.execute("SELECT status, outcome, resolved_by FROM alerts WHERE id = ?",
                     [alert_id]).fetchone()
    assert tuple(row) == ("resolved", "advice_given_at_home", nurse.username)
    actions = [action for (action,) in db.execute(
        "SELECT action FROM audit_log WHERE target = ? ORDER BY id", [alert_id])]
    assert actions == ["alert.acknowledge", "alert.resolve"]


def test_it_makes_an_emergency_impossible_to_miss(page, live, phone, staff, clock):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    family.push([family.envelope(family.document(
        {"temperature_c": 38.2, "temperature_method": "oral", "neuro_signs": ["seizure"]}))])
    family.push([family.envelope(family.document({"spo2_percent": 92}))])
    sign_in(page, nurse, "/alerts")
    banner = page.locator(".banner-emergency")
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("EMERGENCY — 1 alert needs action now")
    expect(banner).to_contain_text("Mateo Ruiz (seizure")
    assert page.title().startswith("(1 EMERGENCY) (3 waiting)")
    # Emergency first, then the urgent ones; and red is not the only thing telling them apart.
    levels = page.locator("#list-waiting .level-badge").all_text_contents()
    assert levels[0] == "Emergency" and set(levels[1:]) == {"Urgent"}
    colours = page.evaluate("""[...document.querySelectorAll('.banner')].map(
        b => getComputedStyle(b).backgroundColor)""")
    assert len(set(colours)) == len(colours) == 2  # emergency and urgent banners differ
    screenshot(page, "inbox-emergency")
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet held upright
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(banner).to_be_in_viewport()
    screenshot(page, "inbox-emergency-portrait")


def test_it_pauses_after_the_idle_time_without_a_touch_and_resumes_on_a_key(page, live, staff,
                                                                           config):
    # The page's own idle timer: polling must not keep an unattended session alive forever.
    page.clock.install()
    sign_in(page, staff("nurse"), "/alerts")
    status = page.locator("#inbox-connection")
    page.clock.fast_forward((config.session_idle_minutes + 1) * 60 * 1000)
    expect(status).to_contain_text("Paused")
    expect(status).to_contain_text("NOT updating")
    assert page.title().startswith("PAUSED")
    page.keyboard.press("Shift")
    expect(status).to_contain_text("Up to date")
    assert page.title() == "Alert inbox – Homeward"


def test_it_says_loudly_that_the_inbox_stopped_when_the_session_ends(page, live, staff,
                                                                     clock, config):
    page.clock.install()
    sign_in(page, staff("physician"), "/alerts")
    page.allowed_errors.append("status of 401")
    clock.advance(minutes=config.session_idle_minutes + 1)  # the server's idle timeout
    page.clock.fast_forward(POLL_MS)
    status = page.locator("#inbox-connection")
    expect(status).to_contain_text("NOT updating", timeout=POLL_WAIT_MS)
    expect(status.get_by_role("link", name="Sign in again")).to_be_visible()
    assert page.title().startswith("NOT UPDATING (signed out)")


def test_it_refuses_a_form_post_without_the_csrf_token(page, live, phone, staff, clock, db):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    [result] = family.push([family.envelope(fever_document(family))]).get_json()["results"]
    alert_id = result["alert"]["alert_id"]
    sign_in(page, nurse, "/alerts")
    page.allowed_errors.append("status of 403")
    # A form posted from the signed-in browser, as another site's page would, minus the token.
    page.evaluate("""alertId => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/alerts/' + alertId + '/resolve';
        form.innerHTML = '<input name="outcome" value="false_alarm">';
        document.body.append(form);
        form.submit();
    }""", alert_id)
    expect(page.get_by_role("alert")).to_contain_text("did not come from Homeward")
    assert db.execute("SELECT status FROM alerts WHERE id = ?", [alert_id]).fetchone()[0] \
        == "open"
