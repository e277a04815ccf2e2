"""The phone scores what it records and keeps the measurements an advice asks for: offline,
a thinking check scored on the phone below the child's first one shows the urgent advice
before any request, and back online the nurse has the alert and the app says the team
knows; a borderline temperature shows the attention advice and a "measure again" item on
Today, due an hour later (with a notification where allowed), and the app offers
notifications only then."""
import re

import pytest
from playwright.sync_api import expect

from browsing import screenshot
from family_app import app_link, family_phone, stored_entries  # noqa: F401 (fixture)
from server.config import Config

pytestmark = pytest.mark.browser

THINKING_CHECK = {"what year is it": "Yes", "what month is it": "Yes",
                  "what city or town": "Yes", "name of the hospital": "Yes",
                  "touch their nose": "Yes", "write a short sentence": "Yes",
                  "count down from 100": "Yes", "How many did they name": "3"}


@pytest.fixture
def config(tmp_path):
    return Config.from_env({}, data_dir=tmp_path / "data", argon2_memory_kib=64,
                           argon2_time_cost=1, cookie_secure=False,
                           care_team_phone_day="+1 (555) 010-0100",
                           care_team_phone_night="+1 (555) 010-0199",
                           care_team_day_hours="00:00-23:59", emergency_number="911")


def save_thinking_check(page, **wrong):
    """The ICE-style check from Today, every answer right except the ones named."""
    page.get_by_role("link", name="Daily thinking check", exact=True).tap()
    for question, answer in THINKING_CHECK.items():
        group = page.get_by_role("group", name=re.compile(re.escape(question)))
        group.locator("label", has_text=re.compile(f"^{wrong.get(question, answer)}$")).tap()
    page.get_by_role("button", name="Save").tap()


def test_a_thinking_check_below_the_childs_own_shows_urgent_advice_offline_and_the_team_knows_later(
        family_phone, phone, nurse, db):
    # Twelve or older: the ICE-style check, whose total falls as thinking gets worse.
    patient_id, link = app_link(phone, nurse, language="en", date_of_birth="2012-03-14")
    family = family_phone()
    family.enrol(link)
    page = family.page
    requests = []
    page.on("request", lambda request: requests.append(request.url)
            if "/api/" in request.url else None)
    family.context.set_offline(True)

    save_thinking_check(page)  # 10 of 10: the child's own first check, nothing to say
    expect(page.locator("#notice")).to_contain_text("Saved")
    expect(page.locator(".advice")).to_have_count(0)

    save_thinking_check(page, **{"what year is it": "No", "count down from 100": "No"})
    advice = page.locator(".advice")
    expect(advice).to_have_attribute("data-level", "urgent")
    assert requests == []  # scored and advised on the phone, before any network request
    expect(advice.get_by_role("heading")).to_have_text("Call the CAR T team now")
    expect(advice.get_by_role("link", name="Call the CAR T team")).to_have_attribute(
        "href", "tel:+15550100100")
    expect(advice).to_contain_text("Not sent yet: no connection — call now.")

    family.context.set_offline(False)
    expect(advice).to_contain_text("Sent to the team at", timeout=15_000)
    assert len(stored_entries(db, patient_id)) == 2
    alerts = phone.get("/api/v1/alerts", headers=nurse.headers).get_json()["alerts"]
    assert [alert["level"] for alert in alerts if alert["patient_id"] == patient_id] == ["urgent"]
    # The phone's scores and the server's agree, so the sealed advice counts no drift.
    assert list(db.query("SELECT * FROM advice_drift")) == []


def test_a_borderline_temperature_asks_to_measure_again_and_today_lists_it(family_phone, phone, nurse):
    _, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.page.clock.install()  # the page's clock, to move an hour on without waiting one
    family.enrol(link)
    page = family.page
    # Asked only after an advice that sets a reminder: not on load.
    assert page.evaluate("Notification.permission") == "default"
    family.context.set_offline(True)

    page.get_by_role("link", name="Record a temperature now").tap()
    temperature = page.get_by_label("Temperature (°C)")
    temperature.fill("37.7")
    temperature.blur()
    page.locator("label", has_text="Under the arm").tap()
    page.get_by_role("button", name="Save").tap()
    advice = page.locator(".advice")
    expect(advice).to_have_attribute("data-level", "attention")
    expect(advice).to_contain_text("Take the temperature again in an hour")
    expect(advice).to_contain_text("We will remind you here at")
    offer = advice.get_by_role("button", name="Also remind me with a phone notification")
    expect(offer).to_be_visible()
    family.context.grant_permissions(["notifications"])
    offer.tap()
    expect(advice).to_contain_text("You will get a notification too.")
    screenshot(page, "family-advice-attention")

    advice.get_by_role("link", name="Back to Today").tap()
    due = page.locator("li.reminder")
    expect(due).to_have_count(1)
    expect(due).to_contain_text("Measure again")
    expect(due.get_by_role("link")).to_have_attribute("href", "#record/symptom-diary")
    screenshot(page, "family-today-reminder")

    # An hour later, with the app still open: the reminder is due now, and the phone
    # showed a notification because the family allowed it.
    page.clock.fast_forward("01:00:30")
    expect(due).to_contain_text("Measure again now")
    notified = page.evaluate("""() => window.homeward.store.items.list("reminder")
        .then((items) => items.map((item) => item.data.notified_at))""")
    assert len(notified) == 1 and notified[0] is not None

    # Measuring again settles it.
    page.get_by_role("link", name="Record a temperature now").tap()
    temperature = page.get_by_label("Temperature (°C)")
    temperature.fill("36.9")
    temperature.blur()
    page.locator("label", has_text="Under the arm").tap()
    page.get_by_role("button", name="Save").tap()
    expect(page.locator("#notice")).to_contain_text("Saved")
    expect(due).to_have_count(0)


def test_a_phone_without_rules_says_it_could_not_check_and_offers_the_team(family_phone, phone, nurse):
    _, link = app_link(phone, nurse, language="en")
    family = family_phone()
    family.enrol(link)
    page = family.page
    family.context.set_offline(True)
    # A rules document this phone lost (or never pulled): nothing is claimed as checked.
    page.evaluate('window.homeward.store.items.delete("rules", "rules").then(() => true)')

    page.get_by_role("link", name="Record a temperature now").tap()
    temperature = page.get_by_label("Temperature (°C)")
    temperature.fill("38.6")
    temperature.blur()
    page.locator("label", has_text="Under the arm").tap()
    page.get_by_role("button", name="Save").tap()
    advice = page.locator(".advice")
    expect(advice).to_have_attribute("data-level", "unchecked")
    expect(advice.get_by_role("heading")).to_have_text("This entry could not be checked on the phone")
    expect(advice.get_by_role("link", name="Call the CAR T team")).to_have_attribute(
        "href", "tel:+15550100100")
