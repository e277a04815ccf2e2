"""The call on a phone-sized screen, by keyboard, in a real browser against the real server:
a refused call form comes back with what the nurse typed and the focus on the problem (and,
once mended, the latest call heads the alert's page and the timeline), and "I'm calling" from an inbox card's pop-out shows a colleague, whose own pop-out is open, who
is calling and since when."""
import pytest
from playwright.sync_api import expect

from browsing import horizontal_overflow, screenshot, sign_in
from support.family import enrolled_family

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
POLL_MS = 5_000
CONTACT = {"name": "Ana Ruiz", "relationship": "mother", "phone": "+1 617 555 0101"}


def fever_alert(phone, nurse, clock):
    family = enrolled_family(phone, nurse.headers, clock=clock, contacts=[CONTACT])
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": 38.6, "temperature_method": "oral"}))]).get_json()["results"]
    return result["alert"]["alert_id"]


def press_tab_until(page, predicate_js, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"keyboard focus never reached: {predicate_js}")


def test_a_refused_call_comes_back_as_typed_with_the_focus_on_the_problem(
        page, live, phone, staff, clock, db):
    nina = staff("nurse", "nina")
    alert_id = fever_alert(phone, nina, clock)
    page.set_viewport_size(PHONE)
    page.allowed_errors.append("status of 400")  # the refused form's answer, on purpose
    sign_in(page, nina, f"/alerts/{alert_id}")
    form = page.locator("#call-form")
    form.get_by_label("Who you spoke to").fill("Ana Ruiz (mother)")
    form.get_by_label("Measured").select_option(label="Under the arm")
    form.get_by_label("Drinking").select_option(label="Less than usual")
    form.get_by_label("Disposition").select_option(label="Call back to recheck")
    form.get_by_label("Recheck in (for a recheck)").select_option(label="60 minutes")
    form.get_by_label("Note").fill("Paracetamol at 13:00")
    temperature = form.get_by_label("Temperature (°C)")
    temperature.focus()
    page.keyboard.type("389")  # the decimal point missed, as on a phone keypad at 3 am
    page.keyboard.press("Enter")

    expect(page.locator("#call-form-errors")).to_contain_text("The call is not recorded yet.")
    temperature = page.locator("#call-form").get_by_label("Temperature (°C)")
    expect(temperature).to_be_focused()
    expect(temperature).to_have_value("389")
    expect(page.locator("#temperature_c-error")).to_have_text(
        "Enter a temperature between 30 and 45 °C (389 is outside).")
    expect(temperature).to_have_attribute("aria-describedby", "temperature_c-error")
    form = page.locator("#call-form")
    expect(form.get_by_label("Who you spoke to")).to_have_value("Ana Ruiz (mother)")
    expect(form.get_by_label("Measured")).to_have_value("axillary")
    expect(form.get_by_label("Drinking")).to_have_value("less")
    expect(form.get_by_label("Disposition")).to_have_value("recheck")
    expect(form.get_by_label("Recheck in (for a recheck)")).to_have_value("60")
    expect(form.get_by_label("Note")).to_have_value("Paracetamol at 13:00")
    assert horizontal_overflow(page) == 0
    screenshot(page, "alert-page-call-form-refused", widths={390: 844})
    assert db.execute("SELECT count(*) FROM alert_calls").fetchone()[0] == 0

    # Mend the one field by keyboard and send again: nothing else to type.
    page.keyboard.press("Control+A")
    page.keyboard.type("38.9")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Call recorded.")).to_be_visible()
    entry = page.locator("#call-log .call-entry").first
    expect(entry.locator(".triage-colour")).to_have_text("RED")
    expect(entry).to_contain_text("Paracetamol at 13:00")
    assert db.execute("SELECT disposition, recheck_minutes FROM alert_calls").fetchone() == (
        "recheck", 60)

    # The latest call heads the page, next step first, and reads on the phone.
    latest = page.locator("#latest-call")
    expect(latest.locator(".next-step")).to_have_text(
        "Next step: Call back by 15:00 EST (in 1 h); if no call or entry comes, the alert "
        "escalates again.")
    expect(latest.locator(".triage")).to_contain_text("Triage: Red — temperature 38.9 °C")
    patient_id = db.execute("SELECT patient_id FROM alerts WHERE id = ?",
                            [alert_id]).fetchone()[0]
    page.goto(f"/patients/{patient_id}")
    expect(page.locator("#latest-call .who")).to_have_text(
        "nina called at Fri 20 Nov 14:00 EST (just now) and spoke to Ana Ruiz (mother).")
    assert horizontal_overflow(page) == 0
    screenshot(page, "timeline-latest-call", widths={390: 844})


def test_im_calling_from_the_inbox_pop_out_by_keyboard_shows_colleagues_who_and_since_when(
        page, browser, live, phone, staff, clock, db):
    nina, bea = staff("nurse", "nina"), staff("nurse", "bea")
    alert_id = fever_alert(phone, nina, clock)

    colleague = browser.new_context(base_url=live.url, viewport=PHONE)
    colleague.set_default_timeout(10_000)
    bea_page = colleague.new_page()
    try:
        bea_page.clock.install()
        sign_in(bea_page, bea, "/alerts")
        bea_card = bea_page.locator(f"#alert-{alert_id}")
        bea_card.locator("summary").click()  # bea has the card's forms open meanwhile
        expect(bea_card.get_by_role("button", name="I'm calling")).to_be_visible()

        page.set_viewport_size(PHONE)
        sign_in(page, nina, "/alerts")
        card = page.locator(f"#alert-{alert_id}")
        press_tab_until(page, f"document.activeElement.matches('#alert-{alert_id} summary')")
        page.keyboard.press("Enter")
        claim = card.get_by_role("button", name="I'm calling")
        expect(claim).to_be_visible()  # fetched into the card on opening
        press_tab_until(page, f"document.activeElement.matches('#alert-{alert_id} "
                              f"form.claim-form button')")
        assert horizontal_overflow(page) == 0
        screenshot(page, "inbox-pop-out-im-calling", widths={390: 844})
        page.keyboard.press("Enter")

        expect(page.get_by_role("status").filter(has_text="You are calling")).to_be_visible()
        assert page.url.endswith(f"#alert-{alert_id}")
        expect(card.locator(".claim")).to_have_text("nina is calling since 14:00 EST")

        # bea's open pop-out is left as it was (she may be typing), but says at the next
        # poll, above her forms, who is calling and since when.
        bea_page.clock.fast_forward(POLL_MS)
        expect(bea_card.locator(".colleague-change")).to_contain_text(
            "nina is calling since 14:00 EST.")
        expect(bea_card.get_by_role("button", name="I'm calling")).to_be_hidden()
        assert horizontal_overflow(bea_page) == 0
        screenshot(bea_page, "inbox-pop-out-colleague-sees-the-claim", widths={390: 844})
        bea_card.locator("summary").click()  # closed and left: the card catches up
        bea_page.locator("h1").click()
        bea_page.clock.fast_forward(POLL_MS)
        expect(bea_card.locator("p.claim")).to_have_text("nina is calling since 14:00 EST")
    finally:
        colleague.close()

    # nina gives the call back from the same pop-out, by keyboard.
    card = page.locator(f"#alert-{alert_id}")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(card.get_by_role("button", name="I'm not calling after all")).to_be_visible()
    press_tab_until(page, f"document.activeElement.matches('#alert-{alert_id} "
                          f"form.claim-form button')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="no longer marked")).to_be_visible()
    assert db.execute("SELECT claimed_by FROM alerts WHERE id = ?",
                      [alert_id]).fetchone()[0] is None
