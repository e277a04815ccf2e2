"""The latest call to the family as a panel near the top of the patient's timeline and of
the alert's page, in words and most urgent first: the next step, the triage colour and why,
who called when and who answered."""
import re
from html import unescape

import pytest

from support.family import enrolled_family
from support.pages import sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")


@pytest.fixture
def config(config):
    # The clock moves past an hour-long recheck: the session must outlast it.
    return config.with_overrides(session_idle_minutes=180)


@pytest.fixture
def home(client, staff, clock):
    nina = staff("nurse", "nina")
    family = enrolled_family(client, nina.headers, clock=clock)
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": 38.6, "temperature_method": "oral"}))]).get_json()["results"]
    return nina, family.patient_id, result["alert"]["alert_id"], sign_in(client, nina)


def panel(html):
    """The panel's sentences in reading order, as a screen reader would meet them."""
    section = html.split('id="latest-call"', 1)[1].split("</section>", 1)[0]
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", line)).split())
            for line in re.findall(r"<(?:p|li)[^>]*>.*?</(?:p|li)>", section)]


def call(client, token, alert_id, **form):
    answer = client.post(f"/alerts/{alert_id}/calls", data={"csrf_token": token, **form})
    assert answer.status_code == 303, answer.get_data(as_text=True)


def test_it_says_no_call_yet_on_the_timeline(client, home):
    _nina, patient_id, _alert_id, _token = home
    assert panel(client.get(f"/patients/{patient_id}").get_data(as_text=True)) == [
        "No call to the family is recorded yet."]


def test_it_puts_the_next_step_first_then_the_colour_then_who_called(client, home, clock):
    _nina, patient_id, alert_id, token = home
    call(client, token, alert_id, answered="yes", reached="Ana (mother)", temperature_c="38.9",
         drinking="less", disposition="recheck", recheck_minutes="60")
    clock.advance(minutes=10)
    timeline = client.get(f"/patients/{patient_id}").get_data(as_text=True)
    lines = panel(timeline)
    assert lines[:3] == [
        "Next step: Call back by 15:00 EST (in 50 min); if no call or entry comes, the alert "
        "escalates again.",
        "Triage: Red — temperature 38.9 °C: fever after CAR T; drinking less than usual.",
        "nina called at Fri 20 Nov 14:00 EST (10 min ago) and spoke to Ana (mother)."]
    assert "About the fever alert (still open). Every call on this alert" in lines
    assert 'class="latest-call triage-red"' in timeline
    # Near the top: in the open-alerts panel, before the grading and the charts.
    assert timeline.index('id="latest-call"') < timeline.index('id="grading"')

    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert panel(page)[0].startswith("Next step: Call back by 15:00 EST")
    assert page.index('id="latest-call"') < page.index('id="call-form"')
    assert "T14:" not in " ".join(panel(page))  # no ISO strings

    clock.advance(minutes=55)
    late = panel(client.get(f"/patients/{patient_id}").get_data(as_text=True))
    assert late[0] == "Next step: The call back was due at 15:00 EST (5 min ago)."


def test_a_call_nobody_answered_says_so_and_has_no_colour(client, home):
    _nina, patient_id, alert_id, token = home
    call(client, token, alert_id, answered="no")
    lines = panel(client.get(f"/patients/{patient_id}").get_data(as_text=True))
    assert lines[0] == "Next step: Nobody answered: call again."
    assert lines[1] == "nina called at Fri 20 Nov 14:00 EST (just now): no answer."
    assert not any(line.startswith("Triage") for line in lines)


def test_it_shows_the_newest_call_and_the_resolution_that_followed(client, home, clock):
    _nina, patient_id, alert_id, token = home
    call(client, token, alert_id, answered="no")
    clock.advance(minutes=5)
    call(client, token, alert_id, answered="yes", reached="Ana", breathing="struggling",
         disposition="ambulance")
    lines = panel(client.get(f"/patients/{patient_id}").get_data(as_text=True))
    assert lines[0] == "Next step: Call an ambulance."
    assert lines[1] == "Triage: Red — struggling to breathe."
    client.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": token,
                                                    "outcome": "advised_to_come_in"})
    lines = panel(client.get(f"/patients/{patient_id}").get_data(as_text=True))
    assert lines[0] == ("Next step: Alert resolved by nina at Fri 20 Nov 14:05 EST: "
                        "Advised to come in.")
    assert "About the fever alert (resolved). Every call on this alert" in lines
