"""Alerts for a team other than the CAR T nurses (issue 14): a disease flare reaches the
rheumatology route when the site gives it one, and the attention route when not; a new lump
pages nobody at night or at the weekend, and escalates at the next working-hours start if
nobody has acknowledged it. Real webhook receivers on 127.0.0.1 and a clock the test moves
across a night and a weekend (the site's zone is America/New_York)."""
import json
from datetime import datetime, timezone

import pytest

from server.jobs import build_jobs
from server.storage.db import connect
from support.family import enrolled_family
from support.pages import sign_in
from support.receiver import SECRET, Receiver

pytestmark = pytest.mark.usefixtures("no_login_waits")

FRIDAY_23 = datetime(2026, 11, 21, 4, 0, tzinfo=timezone.utc)      # Fri 23:00 in New York
FRIDAY_23_15 = datetime(2026, 11, 21, 4, 15, tzinfo=timezone.utc)
SATURDAY_10 = datetime(2026, 11, 21, 15, 0, tzinfo=timezone.utc)
SUNDAY_20 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
MONDAY_07_59 = datetime(2026, 11, 23, 12, 59, tzinfo=timezone.utc)
MONDAY_08 = datetime(2026, 11, 23, 13, 0, tzinfo=timezone.utc)
LEVEL_ROUTES = ("emergency", "urgent", "escalation", "attention", "info")


@pytest.fixture
def ward(clock):
    receiver = Receiver(clock)
    yield receiver
    receiver.close()


@pytest.fixture
def rheumatology(clock):
    receiver = Receiver(clock)
    yield receiver
    receiver.close()


def notifications_file(tmp_path, ward, rheumatology=None):
    document = {"channels": {"ward": {"type": "webhook", "url": ward.url,
                                      "secret_env": "PAGER_WEBHOOK_SECRET"}},
                "routes": {route: ["ward"] for route in LEVEL_ROUTES}}
    if rheumatology is not None:
        document["channels"]["rheum"] = {"type": "webhook", "url": rheumatology.url,
                                         "secret_env": "PAGER_WEBHOOK_SECRET"}
        document["teams"] = {"rheumatology": ["rheum"]}
    path = tmp_path / "notifications.json"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def team_routed(request):
    """Whether the site gives rheumatology its own route (parametrised per test)."""
    return getattr(request, "param", True)


@pytest.fixture
def holidays(request):
    """The site's HOMEWARD_HOLIDAYS (parametrised per test; none by default)."""
    return getattr(request, "param", "")


@pytest.fixture
def site_config(config, tmp_path, ward, rheumatology, team_routed, holidays, monkeypatch):
    monkeypatch.setenv("PAGER_WEBHOOK_SECRET", SECRET)
    path = notifications_file(tmp_path, ward, rheumatology if team_routed else None)
    return config.with_overrides(notifications_file=path, holidays=holidays)


@pytest.fixture
def app(site_config, clock):
    from server import create_app
    from server.storage.installation import initialise

    initialise(site_config, clock)
    app = create_app(site_config, clock=clock)
    app.testing = True
    return app


@pytest.fixture
def run_jobs(site_config, clock):
    connection = connect(site_config.database_path)
    jobs = {job.name: job for job in build_jobs(site_config, connection, clock)}

    def run(name):
        return jobs[name].function(connection, clock.now())
    yield run
    connection.close()


@pytest.fixture
def family(client, nurse, clock):
    return enrolled_family(client, nurse.headers, clock=clock)


def push_follow_up(family, clock, **answers):
    document = family.document({"infection": False, "hospital_stay": False, "new_lump": False,
                                **answers}, questionnaire_id="long-term-follow-up",
                               questionnaire_version="1.1.0",
                               recorded_at=clock.now().isoformat())
    response = family.push([family.envelope(document)])
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"][0]["alert"]["alert_id"]


def push_temperature(family, clock, temperature_c):
    document = family.document({"temperature_c": temperature_c, "temperature_method": "ear"},
                               recorded_at=clock.now().isoformat())
    return family.push([family.envelope(document)]).get_json()["results"][0]["alert"]


def bodies(receiver):
    assert all(valid for valid, _key, _body in receiver.received)
    return [body for _valid, _key, body in receiver.received]


def test_it_sends_a_flare_alert_to_the_rheumatology_route_the_site_gave_that_team(
        family, clock, ward, rheumatology, run_jobs):
    push_follow_up(family, clock, flare_foamy_urine="yes")
    run_jobs("notifications")
    [body] = bodies(rheumatology)
    assert (body["reasons"], body["level"], body["team"]) == (
        ["disease_flare"], "attention", "rheumatology")
    assert bodies(ward) == []  # the ward's attention route is not where it went


@pytest.mark.parametrize("team_routed", [False], indirect=True)
def test_it_still_sends_the_flare_alert_to_the_attention_route_without_a_team_route(
        family, clock, ward, rheumatology, run_jobs, db):
    push_follow_up(family, clock, flare_foamy_urine="yes")
    run_jobs("notifications")
    [body] = bodies(ward)
    assert (body["reasons"], body["team"]) == (["disease_flare"], "rheumatology")
    assert bodies(rheumatology) == []
    [row] = db.query("SELECT route, channel FROM notifications")
    assert (row["route"], row["channel"]) == ("attention", "ward")


def test_it_keeps_a_new_lump_raised_on_friday_night_quiet_until_monday_morning(
        family, clock, ward, run_jobs, db):
    clock.set(FRIDAY_23)
    alert_id = push_follow_up(family, clock, new_lump=True)
    run_jobs("notifications")  # the alert itself is sent at once, to the urgent route
    for moment in (FRIDAY_23_15, SATURDAY_10, SUNDAY_20, MONDAY_07_59):
        clock.set(moment)
        assert run_jobs("escalation") == [], f"escalated at {moment}"
        run_jobs("notifications")
    assert [body["kind"] for body in bodies(ward)] == ["alert_raised"]
    clock.set(MONDAY_08)
    assert run_jobs("escalation") == [alert_id]
    run_jobs("notifications")
    kinds = [(body["kind"], body["team"]) for body in bodies(ward)]
    assert kinds == [("alert_raised", "physician"), ("alert_escalated", "physician")]
    assert run_jobs("escalation") == []  # once


def test_it_never_escalates_a_lump_the_night_nurse_acknowledged(client, family, clock, nurse,
                                                                run_jobs, db):
    clock.set(FRIDAY_23)
    alert_id = push_follow_up(family, clock, new_lump=True)
    clock.set(FRIDAY_23_15)
    acknowledged = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={},
                               headers=nurse.headers)
    assert acknowledged.status_code == 200
    for moment in (MONDAY_08, datetime(2026, 11, 24, 13, 0, tzinfo=timezone.utc)):
        clock.set(moment)
        assert run_jobs("escalation") == []
    assert db["alerts"].get(alert_id)["escalated_at"] is None


def test_it_escalates_a_lump_at_once_inside_working_hours_after_15_minutes(
        family, clock, run_jobs):
    clock.set(MONDAY_08)
    alert_id = push_follow_up(family, clock, new_lump=True)
    clock.advance(minutes=14)
    assert run_jobs("escalation") == []
    clock.advance(minutes=1)
    assert run_jobs("escalation") == [alert_id]


def test_it_pages_a_high_fever_at_night_at_once_as_before(family, clock, ward, run_jobs, db):
    clock.set(FRIDAY_23)
    alert = push_temperature(family, clock, 39.6)
    assert db["alerts"].get(alert["alert_id"])["escalated_at"] is not None
    run_jobs("notifications")
    kinds = sorted(body["kind"] for body in bodies(ward))
    assert kinds == ["alert_escalated", "alert_raised"]


def test_it_still_escalates_an_ordinary_fever_at_night_after_15_minutes(family, clock,
                                                                       run_jobs):
    clock.set(FRIDAY_23)
    alert = push_temperature(family, clock, 38.3)
    clock.set(FRIDAY_23_15)
    assert run_jobs("escalation") == [alert["alert_id"]]


def inbox_card(client, nurse, alert_id) -> str:
    sign_in(client, nurse)
    inbox = client.get("/alerts").get_data(as_text=True)
    return inbox.split(f'id="alert-{alert_id}"', 1)[1].split("</li>", 1)[0]


def test_it_says_on_the_card_and_the_alert_page_whom_an_alert_is_for(
        client, family, clock, nurse):
    clock.set(FRIDAY_23)
    lump = push_follow_up(family, clock, new_lump=True)
    fever = push_temperature(family, clock, 38.3)["alert_id"]
    sign_in(client, nurse)
    inbox = client.get("/alerts").get_data(as_text=True)
    card = inbox.split(f'id="alert-{lump}"', 1)[1].split("</li>", 1)[0]
    assert '<p class="for-team">For a physician</p>' in card
    assert "Waits for working hours: escalates Mon 23 Nov 08:00 EST unless acknowledged" \
        in card
    fever_card = inbox.split(f'id="alert-{fever}"', 1)[1].split("</li>", 1)[0]
    assert "for-team" not in fever_card  # the CAR T nurses' own alerts say nothing extra
    page = client.get(f"/alerts/{lump}").get_data(as_text=True)
    assert "For a physician" in page
    api = client.get(f"/api/v1/alerts/{lump}", headers=nurse.headers).get_json()
    assert (api["team"], api["escalate"]) == ("physician", "working_hours")


MONDAY_17_50 = datetime(2026, 11, 23, 22, 50, tzinfo=timezone.utc)
TUESDAY_08 = datetime(2026, 11, 24, 13, 0, tzinfo=timezone.utc)


def test_it_tells_an_api_client_when_a_lump_raised_before_closing_will_really_escalate(
        client, family, clock, staff, run_jobs):
    # 17:50: fifteen minutes later the day is over, so the lump waits for Tuesday 08:00; a
    # client paging at the raw 18:05 mark would wake a physician for nothing.
    clock.set(MONDAY_17_50)
    lump = push_follow_up(family, clock, new_lump=True)
    fever = push_temperature(family, clock, 38.3)["alert_id"]
    nurse = staff("nurse")  # a token of today: the fixture's was issued days ago
    one = client.get(f"/api/v1/alerts/{lump}", headers=nurse.headers).get_json()
    assert (one["escalate_at"], one["escalation_waits"]) == ("2026-11-24T13:00:00Z", True)
    listed = client.get("/api/v1/alerts", headers=nurse.headers).get_json()
    by_id = {alert["alert_id"]: alert for alert in listed["alerts"]}
    assert (by_id[lump]["escalate_at"], by_id[lump]["escalation_waits"]) == (
        "2026-11-24T13:00:00Z", True)
    assert (by_id[fever]["escalate_at"], by_id[fever]["escalation_waits"]) == (
        "2026-11-23T23:05:00Z", False)
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = spec["components"]["schemas"]["Alert"]["properties"]
    assert "working hours" in documented["escalate_at"]["description"]
    assert documented["escalation_waits"]["type"] == "boolean"
    # And the scheduler keeps the API's word.
    clock.set(datetime(2026, 11, 23, 23, 5, tzinfo=timezone.utc))
    assert run_jobs("escalation") == [fever]
    clock.set(datetime(2026, 11, 24, 12, 59, 59, tzinfo=timezone.utc))
    assert "escalates Tue 24 Nov 08:00 EST" in inbox_card(client, nurse, lump)  # as the API
    assert run_jobs("escalation") == []
    clock.set(TUESDAY_08)
    assert run_jobs("escalation") == [lump]


@pytest.mark.parametrize("holidays", ["2026-12-25"], indirect=True)
def test_it_keeps_a_lump_quiet_on_a_public_holiday_morning_the_site_named(
        client, family, clock, staff, ward, run_jobs):
    clock.set(datetime(2026, 12, 24, 22, 50, tzinfo=timezone.utc))  # Thu 24 Dec 17:50 EST
    lump = push_follow_up(family, clock, new_lump=True)
    nurse = staff("nurse")
    api = client.get(f"/api/v1/alerts/{lump}", headers=nurse.headers).get_json()
    assert api["escalate_at"] == "2026-12-28T13:00:00Z"  # Monday 08:00: Friday is Christmas
    for moment in (datetime(2026, 12, 25, 13, 0, tzinfo=timezone.utc),
                   datetime(2026, 12, 25, 15, 0, tzinfo=timezone.utc)):
        clock.set(moment)
        assert run_jobs("escalation") == [], f"escalated on Christmas at {moment}"
    clock.set(datetime(2026, 12, 28, 13, 0, tzinfo=timezone.utc))
    assert run_jobs("escalation") == [lump]
    run_jobs("notifications")
    assert sorted(body["kind"] for body in bodies(ward)) == ["alert_escalated", "alert_raised"]


def test_it_moves_escalate_at_past_a_snooze_and_a_lump_snoozed_into_the_evening_to_morning(
        client, family, clock, staff, run_jobs):
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc))  # Monday 10:00 EST
    lump = push_follow_up(family, clock, new_lump=True)
    fever = push_temperature(family, clock, 38.3)["alert_id"]
    nurse = staff("nurse")

    def snooze(alert_id, until):
        answer = client.post(f"/api/v1/alerts/{alert_id}/snooze", headers=nurse.headers,
                             json={"until": until, "reason": "mother calls back"})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    snoozed = snooze(lump, "2026-11-24T01:00:00Z")  # Monday 20:00 EST
    assert (snoozed["escalate_at"], snoozed["escalation_waits"]) == (
        "2026-11-24T13:00:00Z", True)
    snoozed = snooze(fever, "2026-11-23T16:00:00Z")
    assert (snoozed["escalate_at"], snoozed["escalation_waits"]) == (
        "2026-11-23T16:00:00Z", False)
    clock.set(datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc))
    assert run_jobs("escalation") == [fever]
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc))
    assert "escalates Tue 24 Nov 08:00 EST" in inbox_card(client, nurse, lump)  # as the API
    assert run_jobs("escalation") == []
    clock.set(TUESDAY_08)
    assert run_jobs("escalation") == [lump]


def test_it_says_the_next_morning_for_a_lump_whose_day_passed_while_the_scheduler_was_down(
        client, family, clock, staff, run_jobs):
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc))  # Monday 10:00 EST
    lump = push_follow_up(family, clock, new_lump=True)
    # No escalation run all day: at 19:00 the lump's 10:15 has passed, and a lump does not
    # page at night, so the API says Tuesday 08:00, which is what the scheduler then does.
    clock.set(datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc))
    nurse = staff("nurse")
    api = client.get(f"/api/v1/alerts/{lump}", headers=nurse.headers).get_json()
    assert (api["escalate_at"], api["escalation_waits"]) == ("2026-11-24T13:00:00Z", True)
    assert "escalates Tue 24 Nov 08:00 EST" in inbox_card(client, nurse, lump)  # as the API
    assert run_jobs("escalation") == []
    clock.set(TUESDAY_08)
    assert run_jobs("escalation") == [lump]
