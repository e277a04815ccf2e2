"""Handling an alert from the inbox in a real browser: opening "Handle this alert" fetches the
card's forms in place (the inbox is not left), the live updates leave an open card and what
the nurse typed alone, and acknowledging works; without JavaScript the same link leads to
the alert's own page and back."""
import re

import pytest
from playwright.sync_api import expect

from browsing import screenshot, sign_in
from support.family import enrolled_family

pytestmark = pytest.mark.browser

POLL_MS = 5_000
POLL_WAIT_MS = 12_000
TABLET = {"width": 1024, "height": 768}


def push_fever(family, temperature=38.6):
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": temperature, "temperature_method": "oral"}))]).get_json()["results"]
    return result["alert"]["alert_id"]


def test_it_opens_the_forms_in_the_card_and_keeps_them_through_live_updates(
        page, live, phone, staff, clock, db):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    alert_id = push_fever(family)
    page.clock.install()
    sign_in(page, nurse, "/alerts")
    card = page.locator(f"#alert-{alert_id}")
    expect(card.locator("textarea")).to_have_count(0)  # no forms until the card is opened
    forms_requests = []
    page.on("request", lambda request: forms_requests.append(request.url)
            if "/forms" in request.url else None)

    card.get_by_role("link", name="Handle this alert").click()  # the summary's link
    acknowledge = card.locator("form").filter(has=page.get_by_role("button", name="Acknowledge"))
    message = acknowledge.get_by_label("Message for the family (optional)")
    expect(message).to_be_visible()
    assert page.url.endswith("/alerts")  # opened in place, not followed
    assert len(forms_requests) == 1
    expect(card.get_by_label("Outcome")).to_be_visible()
    expect(card.get_by_label("Snooze escalation for")).to_be_visible()
    message.fill("Nurse Ana will call you in two minutes.")
    acknowledge.evaluate("form => { form.dataset.opened = 'first'; }")
    screenshot(page, "inbox-card-forms-open")

    # Another family's fever arrives and a colleague messages this family: the inbox
    # updates around the open card, which keeps the nurse's words and says it changed.
    other = enrolled_family(phone, nurse.headers, clock=clock, display_name="Ben Okafor",
                            date_of_birth="2011-08-01", mrn="MRN-2")
    second = push_fever(other, 39.1)
    assert phone.session.post(f"{live.url}/api/v1/alerts/{alert_id}/message",
                              json={"message": "Please recheck now."},
                              headers=nurse.headers, timeout=10).status_code == 200
    page.clock.fast_forward(POLL_MS)
    expect(page.locator(f"#alert-{second}")).to_be_visible(timeout=POLL_WAIT_MS)
    expect(card).to_have_class(re.compile(r"\bstale\b"))
    expect(message).to_have_value("Nurse Ana will call you in two minutes.")
    # The open card was left as it was, forms and all (the page may ask the server what
    # changed, but it never swaps the forms the nurse is typing in).
    expect(acknowledge).to_have_attribute("data-opened", "first")

    card.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status").filter(has_text="Alert acknowledged.")).to_be_visible()
    handled = page.locator(f"#list-handled #alert-{alert_id}")
    expect(handled.locator(".family-message")).to_have_text(
        "Nurse Ana will call you in two minutes.")
    expect(handled.locator("details.actions")).not_to_have_attribute("open", "")
    handled.locator("summary").click()
    expect(handled.get_by_label("Message for the family", exact=True)).to_be_visible()
    expect(handled.get_by_role("button", name="Send message")).to_be_visible()
    row = db.execute("SELECT status, acknowledged_by FROM alerts WHERE id = ?",
                     [alert_id]).fetchone()
    assert tuple(row) == ("acknowledged", nurse.username)


def test_without_javascript_the_link_leads_to_the_alerts_own_page_and_back(
        browser, live, phone, staff, clock, db):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    alert_id = push_fever(family)
    context = browser.new_context(base_url=live.url, viewport=TABLET,
                                  java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, nurse, "/alerts")
        page.locator(f"#alert-{alert_id}").get_by_role("link",
                                                        name="Handle this alert").click()
        page.wait_for_url(f"**/alerts/{alert_id}?next=%2Falerts")
        expect(page.get_by_role("heading", level=1)).to_have_text("Handle this alert")
        expect(page.locator(".evidence")).to_contain_text("38.6 °C oral")
        screenshot(page, "alert-page-without-javascript")
        page.get_by_label("Outcome").select_option(label="False alarm")
        page.get_by_label("Note for the team (optional)").fill("Thermometer error.")
        page.get_by_role("button", name="Resolve").click()
        page.wait_for_url("**/alerts?notice=resolved")
        expect(page.get_by_role("status").filter(has_text="Alert resolved.")).to_be_visible()
        expect(page.locator(f"#alert-{alert_id}")).to_have_count(0)
        row = db.execute("SELECT status, outcome FROM alerts WHERE id = ?",
                         [alert_id]).fetchone()
        assert tuple(row) == ("resolved", "false_alarm")
    finally:
        context.close()


def test_a_card_left_stale_while_open_catches_up_once_closed(page, live, phone, staff, clock):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    alert_id = push_fever(family)
    page.clock.install()
    sign_in(page, nurse, "/alerts")
    card = page.locator(f"#alert-{alert_id}")
    card.locator("summary").click()
    expect(card.get_by_role("button", name="Acknowledge")).to_be_visible()
    phone.session.post(f"{live.url}/api/v1/alerts/{alert_id}/acknowledge",
                       json={"message": "Dr Lee is calling."}, headers=nurse.headers, timeout=10)
    page.clock.fast_forward(POLL_MS)
    expect(card).to_have_class(re.compile(r"\bstale\b"), timeout=POLL_WAIT_MS)
    # Who did what, in words, above the forms the nurse still has open.
    said = card.locator(".action-forms > .colleague-change:first-child")
    expect(said).to_contain_text(f"{nurse.username} acknowledged this alert at Fri 20 Nov "
                                 "14:00 EST", timeout=POLL_WAIT_MS)
    expect(card.get_by_role("button", name="Acknowledge")).to_be_visible()
    card.locator("summary").click()  # closed, but focus is still on the card
    page.locator("h1").click()       # and now the nurse has moved on
    page.clock.fast_forward(POLL_MS)
    fresh = page.locator(f"#list-handled #alert-{alert_id}")
    expect(fresh.locator(".family-message")).to_have_text("Dr Lee is calling.",
                                                          timeout=POLL_WAIT_MS)
    expect(fresh).not_to_have_class(re.compile(r"\bstale\b"))
    expect(page.locator(f"#list-waiting #alert-{alert_id}")).to_have_count(0)


def test_a_card_changed_by_a_colleague_is_replaced_not_repeated(page, live, phone, staff, clock):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    alert_id = push_fever(family)
    page.clock.install()
    sign_in(page, nurse, "/alerts")
    phone.session.post(f"{live.url}/api/v1/alerts/{alert_id}/snooze",
                       json={"until": "2026-11-20T20:00:00Z", "reason": "Family driving in"},
                       headers=nurse.headers, timeout=10)
    page.clock.fast_forward(POLL_MS)
    card = page.locator(f"#list-waiting #alert-{alert_id}")
    expect(card.locator(".escalation")).to_contain_text("Snoozed until 15:00 EST",
                                                        timeout=POLL_WAIT_MS)
    expect(page.locator(".alert-card")).to_have_count(1)
