"""Whom an alert is for and when it may wait: the rule fields, the site's team routes and
working hours, and what an episode keeps when its findings disagree."""
import json
from datetime import datetime, timezone

import pytest

from alerts.notifications import RoutingError, load_routing
from alerts.ruleset import DEFAULT_PATH, RulesError, parse_ruleset
from alerts.working_hours import parse_working_hours
from server.config import Config, ConfigError

ENV = {"PAGER_SECRET": "s3cret"}


def rules_with(rule_id, **changes):
    document = json.loads(DEFAULT_PATH.read_text())
    rule = next(rule for rule in document["rules"] if rule["id"] == rule_id)
    rule.update(changes)
    return document


def test_it_reads_the_team_and_escalation_of_each_shipped_rule():
    rules = {rule.id: rule for rule in parse_ruleset(json.loads(DEFAULT_PATH.read_text())).rules}
    assert (rules["new-lump"].team, rules["new-lump"].escalate) == ("physician", "working_hours")
    assert (rules["disease-flare"].team, rules["disease-flare"].escalate) == (
        "rheumatology", "any_time")
    assert (rules["fever"].team, rules["fever"].escalate) == ("car_t", "any_time")


@pytest.mark.parametrize("rule_id, message", [
    ("seizure", "rule 'seizure': escalate: an emergency cannot wait for working hours"),
    ("high-fever", "rule 'high-fever': escalate: a rule with escalate_now cannot wait"),
])
def test_it_refuses_a_rule_that_would_let_an_emergency_or_a_high_fever_wait(rule_id, message):
    with pytest.raises(RulesError, match=message):
        parse_ruleset(rules_with(rule_id, escalate="working_hours"), "site-rules.json")


@pytest.mark.parametrize("changes, message", [
    ({"escalate": "tomorrow"}, "escalate"), ({"team": "Rheumatology Team"}, "team")])
def test_it_refuses_a_team_or_escalation_it_cannot_read(changes, message):
    with pytest.raises(RulesError, match=f"rule 'disease-flare': {message}"):
        parse_ruleset(rules_with("disease-flare", **changes), "site-rules.json")


def routing(**teams):
    return load_routing({"channels": {
        "pager": {"type": "webhook", "url": "https://pager.example/h", "secret_env": "PAGER_SECRET"},
        "rheum": {"type": "webhook", "url": "https://rheum.example/h", "secret_env": "PAGER_SECRET"}},
        "routes": {"emergency": ["pager"], "urgent": ["pager"], "escalation": ["pager"]},
        **({"teams": teams} if teams else {})}, environ=ENV)


def test_it_sends_a_teams_alerts_to_its_route_but_never_an_emergency_only_there():
    site = routing(rheumatology=["rheum"])
    assert site.channels_for("attention", "rheumatology") == ("rheum",)
    assert site.channels_for("attention", "physician") == ("log",)  # no route of its own
    assert site.channels_for("attention") == ("log",)
    assert site.channels_for("escalation", "rheumatology") == ("pager",)
    assert site.channels_for("emergency", "rheumatology") == ("pager", "rheum")


@pytest.mark.parametrize("teams, message", [
    ({"rheumatology": ["rheum-mail"]}, "team 'rheumatology': names channel 'rheum-mail', "
                                       "which is not defined"),
    ({"rheumatology": []}, "team 'rheumatology': must list at least one channel"),
    ({"Rheumatology": ["rheum"]}, "team 'Rheumatology': team names use lowercase")])
def test_it_refuses_a_team_route_it_cannot_follow(teams, message):
    with pytest.raises(RoutingError, match=message):
        routing(**teams)


def test_it_refuses_at_start_a_team_route_for_a_team_no_rule_names(tmp_path, monkeypatch):
    from questionnaires import load_catalog
    from server.alert_runtime import AlertConfigError, load_alert_runtime

    monkeypatch.setenv("PAGER_SECRET", "s3cret")
    path = tmp_path / "notifications.json"
    path.write_text(json.dumps({
        "channels": {"pager": {"type": "webhook", "url": "https://p.example/h",
                               "secret_env": "PAGER_SECRET"}},
        "routes": {"emergency": ["pager"], "urgent": ["pager"], "escalation": ["pager"]},
        "teams": {"rheumatolgy": ["pager"]}}))
    config = Config.from_env({}, data_dir=tmp_path, notifications_file=path)
    with pytest.raises(AlertConfigError, match="no rule is for the team 'rheumatolgy'"):
        load_alert_runtime(config, load_catalog())


def at(text):
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def test_it_knows_the_working_day_in_the_sites_zone_across_a_weekend_and_a_clock_change():
    hours = parse_working_hours("mon-fri", "08:00-18:00", "America/New_York")
    assert hours.contains(at("2026-11-20T17:59:00-05:00"))
    assert not hours.contains(at("2026-11-20T18:00:00-05:00"))
    assert not hours.contains(at("2026-11-21T10:00:00-05:00"))  # Saturday
    assert hours.next_start(at("2026-11-20T23:00:00-05:00")) == at("2026-11-23T08:00:00-05:00")
    # Sunday 8 March 2026 the clocks go forward: Monday 08:00 is EDT, -04:00.
    assert hours.next_start(at("2026-03-07T12:00:00-05:00")) == at("2026-03-09T08:00:00-04:00")
    assert hours.next_start(at("2026-11-23T09:30:00-05:00")) == at("2026-11-23T09:30:00-05:00")


@pytest.mark.parametrize("variable, value, message", [
    ("HOMEWARD_WORKING_HOURS", "18:00-08:00", "must be two local times like 08:00-18:00: "
                                              "'18:00-08:00' runs past midnight"),
    ("HOMEWARD_WORKING_HOURS", "8 to 6", "must be two local times like 08:00-18:00"),
    ("HOMEWARD_WORKING_DAYS", "weekdays", "must name days like mon-fri")])
def test_it_stops_start_up_on_working_hours_it_cannot_read(variable, value, message):
    with pytest.raises(ConfigError, match=f"{variable} {message}"):
        Config.from_env({variable: value})


def test_it_reads_working_days_as_a_list_of_ranges():
    config = Config.from_env({"HOMEWARD_WORKING_DAYS": "mon-thu, sat"})
    hours = parse_working_hours(config.working_days, config.working_hours, "UTC")
    assert sorted(hours.days) == ["mon", "sat", "thu", "tue", "wed"]
