"""A notifications file's `teams` as a hostile or careless site might write it, and what each
kind of message says about whom an alert is for, through a real SMTP relay (aiosmtpd) and a
real webhook receiver on 127.0.0.1."""
import pytest

from alerts.notifications import RoutingError, build_payload, dispatch_due, enqueue
from alerts.notifications.routing import load_routing
from notification_support import (ENV, START, database_path, db, email_channel,  # noqa: F401
                                   later, make_alert, receiver, relay, routing_for,
                                   webhook_channel)

BASE = "https://homeward.hospital.example"
KINDS = ("alert_raised", "alert_escalated", "alert_level_raised", "emergency",
         "alert_recheck_missed")


def file_with(teams):
    return {"channels": {"pager": {"type": "webhook", "url": "https://p.example/h",
                                   "secret_env": "PAGER_SECRET"}},
            "routes": {"emergency": ["pager"], "urgent": ["pager"], "escalation": ["pager"]},
            "teams": teams}


@pytest.mark.parametrize("teams, problem", [
    ([], "teams: must be an object mapping a team to a list of channels"),
    ("rheumatology", "teams: must be an object mapping a team to a list of channels"),
    (None, "teams: must be an object mapping a team to a list of channels"),
    ({"reumatología": ["pager"]}, "team 'reumatología': team names use lowercase letters"),
    ({"ревматология": ["pager"]}, "team 'ревматология': team names use lowercase letters"),
    ({"rheumatology\n": ["pager"]}, "team 'rheumatology\\\\n': team names use lowercase"),
    ({"": ["pager"]}, "team '': team names use lowercase letters"),
    ({"rheumatology": []}, "team 'rheumatology': must list at least one channel"),
    ({"rheumatology": "pager"}, "team 'rheumatology': must list at least one channel"),
    ({"rheumatology": {"pager": True}}, "team 'rheumatology': must list at least one channel"),
    ({"rheumatology": ["rheum-mail"]}, "team 'rheumatology': names channel 'rheum-mail', "
                                       "which is not defined"),
    ({"rheumatology": [["pager"]]}, "team 'rheumatology': names \\['pager'\\], which is not "
                                    "a channel name"),
    ({"rheumatology": [7]}, "team 'rheumatology': names 7, which is not a channel name"),
    ({"rheumatology": ["pager", "pager"]}, "team 'rheumatology': names a channel twice"),
])
def test_it_refuses_a_teams_section_it_cannot_follow_with_a_sentence(teams, problem):
    with pytest.raises(RoutingError, match=f"^notifications settings: {problem}"):
        load_routing(file_with(teams), environ=ENV)


def test_it_reads_comments_and_the_builtin_log_channel_in_teams():
    routing = load_routing(file_with({"_why": "rheumatology reads its own inbox",
                                      "rheumatology": ["log", "pager"]}), environ=ENV)
    assert routing.teams == {"rheumatology": ("log", "pager")}


def raise_for(db, routing, team, kind, alert_id):
    alert = dict(make_alert(db, alert_id=alert_id, level="urgent", reasons=("new_lump",)),
                 team=team)
    enqueue(db, routing, alert_id=alert_id, kind=kind, route="urgent",
            payload=build_payload(alert, kind, BASE), idempotency_key=f"{alert_id}:{kind}",
            now=START, team=team)


@pytest.mark.parametrize("team, words, in_subject", [
    ("physician", "a physician", True), ("rheumatology", "rheumatology", True),
    ("oncology_nurses", "oncology nurses", True), ("car_t", "the CAR T team", False)])
def test_it_names_the_team_in_words_in_every_email_and_webhook_message(
        db, relay, receiver, team, words, in_subject):
    routing = routing_for({"ward-email": email_channel(relay),
                           "pager": webhook_channel(receiver)})
    for number, kind in enumerate(KINDS):
        raise_for(db, routing, team, kind, f"al_{number}")
    counts = dispatch_due(db, routing, later(1), "dispatcher-1", limit=50)
    assert counts["sent"] == 2 * len(KINDS)
    assert len(relay.messages) == len(receiver.accepted) == len(KINDS)
    for _recipients, message in relay.messages:
        assert f"For:      {words}" in message.get_content().splitlines()
        assert (f"— for {words} —" in message["Subject"]) is in_subject, message["Subject"]
    for body in receiver.accepted:
        assert (body["team"], body["for_team"]) == (team, f"For {words}")


@pytest.mark.parametrize("hours", ["08:00+01:00-18:00", "0800-1800", "08:00:30-18:00"])
def test_it_refuses_rota_hours_that_are_not_plain_hours_and_minutes(hours):
    document = file_with({})
    document["channels"]["pager"]["on_call"] = [{"url": "https://p.example/day",
                                                 "hours": hours}]
    with pytest.raises(RoutingError, match="line 1: hours must look like \"08:00-18:00\""):
        load_routing(document, environ=ENV)
