"""The notifications file: what it may say, and the sentence a site gets when it is wrong."""
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from alerts.notifications import (EmailChannel, LogChannel, RoutingError, WebhookChannel,
                                  load_routing)
from alerts.notifications.channels import on_call_now, parse_rota

ENV = {"PAGER_SECRET": "s3cret", "SMTP_PASSWORD": "hunter2"}
MADRID = ZoneInfo("Europe/Madrid")


def site_file(**changes):
    document = {
        "_comment": "Hospital X, CAR T unit",
        "detail": "minimal",
        "defaults": {"email": {"host": "smtp.hospital.example", "security": "starttls",
                               "from": "homeward@hospital.example", "username": "homeward",
                               "password_env": "SMTP_PASSWORD", "timezone": "Europe/Madrid"}},
        "channels": {
            "ward-email": {"type": "email", "to": ["cart-ward@hospital.example"]},
            "psychosocial-email": {"type": "email", "to": ["psychosocial@hospital.example"]},
            "oncall-email": {"type": "email", "on_call": [
                {"to": ["day-nurse@hospital.example"], "days": "mon-fri", "hours": "08:00-20:00"},
                {"to": ["night-nurse@hospital.example"]}]},
            "pager": {"type": "webhook", "url": "https://pager.hospital.example/hooks/h1",
                      "secret_env": "PAGER_SECRET", "detail": "clinical"},
        },
        "routes": {"emergency": ["pager", "ward-email"], "urgent": ["pager", "oncall-email"],
                   "attention": ["ward-email"], "info": ["psychosocial-email"],
                   "escalation": ["pager"]},
    }
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if name:
            document[section][name.replace("_", "-")] = value
        else:
            document[section] = value
    return document


def test_it_uses_the_built_in_log_channel_for_every_route_when_no_file_is_configured():
    routing = load_routing(None)
    assert isinstance(routing.channel("log"), LogChannel)
    staff_routes = {route: channels for route, channels in routing.routes.items()
                    if route != "reminder"}
    assert set(staff_routes.values()) == {("log",)}
    assert routing.channels_for("emergency") == ("log",)
    assert routing.channels_for("reminder") == ()  # families' reminders go nowhere unrouted


def test_it_loads_a_site_file_with_defaults_secrets_from_the_environment_and_rotas(tmp_path):
    path = tmp_path / "notifications.json"
    path.write_text(json.dumps(site_file()))
    routing = load_routing(path, environ=ENV)
    ward, pager = routing.channel("ward-email"), routing.channel("pager")
    assert isinstance(ward, EmailChannel) and isinstance(pager, WebhookChannel)
    assert (ward.host, ward.port, ward.security, ward.username) == (
        "smtp.hospital.example", 587, "starttls", "homeward")
    assert (ward.detail, pager.detail) == ("minimal", "clinical")
    assert routing.channels_for("urgent") == ("pager", "oncall-email")
    assert set(routing.env_names) == {"PAGER_SECRET", "SMTP_PASSWORD"}


def test_it_picks_whoever_is_on_call_in_the_channels_own_timezone(tmp_path):
    routing = load_routing(site_file(), environ=ENV)
    rota = routing.channel("oncall-email")
    friday_noon = datetime(2026, 11, 20, 11, 0, tzinfo=ZoneInfo("UTC"))   # 12:00 Madrid
    friday_late = datetime(2026, 11, 20, 19, 30, tzinfo=ZoneInfo("UTC"))  # 20:30 Madrid
    saturday = datetime(2026, 11, 21, 11, 0, tzinfo=ZoneInfo("UTC"))
    assert rota.recipients(friday_noon) == ["day-nurse@hospital.example"]
    assert rota.recipients(friday_late) == ["night-nurse@hospital.example"]
    assert rota.recipients(saturday) == ["night-nurse@hospital.example"]


def test_it_counts_an_overnight_shift_as_part_of_the_day_it_starts():
    rota = parse_rota([{"to": ["fri-night@h.example"], "days": ["fri"], "hours": "20:00-08:00"},
                       {"to": ["anyone@h.example"]}], "to")
    saturday_3am = datetime(2026, 11, 21, 3, 0, tzinfo=MADRID)
    friday_3am = datetime(2026, 11, 20, 3, 0, tzinfo=MADRID)
    assert on_call_now(rota, MADRID, saturday_3am) == ("fri-night@h.example",)
    assert on_call_now(rota, MADRID, friday_3am) == ("anyone@h.example",)


@pytest.mark.parametrize("changes, message", [
    ({"routes": {"emergency": ["pagr"], "urgent": ["pager"], "escalation": ["pager"]}},
     "route 'emergency': names channel 'pagr', which is not defined"),
    ({"routes": {"urgent": ["pager"], "escalation": ["pager"]}},
     "route 'emergency': is missing; it must reach a person"),
    ({"routes": {"emergency": ["pager"], "urgent": ["pager"], "escalation": ["pager"],
                 "urgnet": ["pager"]}}, "route 'urgnet': unknown route"),
    ({"channels__pager": {"type": "webhook", "secret_env": "PAGER_SECRET"}},
     "channel 'pager': needs a url or an on_call rota"),
    ({"channels__pager": {"type": "webhook", "url": "https://p.example/h",
                          "secret_env": "PAGER_SECRETS"}},
     "channel 'pager': secret_env names the environment variable PAGER_SECRETS, "
     "which is not set"),
    ({"channels__pager": {"type": "webhook", "url": "https://p.example/h"}},
     "channel 'pager': needs secret_env"),
    ({"channels__pager": {"type": "webhook", "url": "http://pager.example/h",
                          "secret_env": "PAGER_SECRET"}}, "channel 'pager': url must use https"),
    ({"channels__pager": {"type": "webhook", "url": "https://pager.example:99999/h",
                          "secret_env": "PAGER_SECRET"}},
     "channel 'pager': url must be an http(s) address, not 'https://pager.example:99999/h'"),
    ({"channels__ward_email": {"type": "email", "security": "ssl", "to": ["w@h.example"]}},
     "channel 'ward-email': security must be one of starttls, tls, none, not 'ssl'"),
    ({"channels__ward_email": {"type": "email", "security": "none", "to": ["w@h.example"]}},
     "channel 'ward-email': a username with security 'none' would send the password"),
    ({"channels__ward_email": {"type": "email", "to": ["ward at hospital"]}},
     "channel 'ward-email': 'to' holds 'ward at hospital', which is not an email address"),
    ({"channels__ward_email": {"type": "email", "to": ["w@h.example"], "secuirty": "tls"}},
     "channel 'ward-email': unknown setting 'secuirty' for email channels"),
    ({"channels__ward_email": {"type": "email", "on_call": [
        {"to": ["d@h.example"], "days": "mon-fri"}]}},
     "channel 'ward-email': the last on_call line must have no days or hours"),
    ({"channels__ward_email": {"type": "email", "to": ["w@h.example"], "on_call": [
        {"to": ["d@h.example"], "hours": "8-18"}]}},
     "channel 'ward-email' on_call: line 1: hours must look like \"08:00-18:00\""),
    ({"channels__ward_email": {"type": "email", "to": ["w@h.example"],
                               "timezone": "Europe/Madird"}},
     "channel 'ward-email': unknown timezone 'Europe/Madird'"),
    ({"channels__log": {"type": "email", "to": ["w@h.example"]}},
     "channel 'log': 'log' is the built-in channel"),
    ({"detail": "everything"}, "detail: must be one of minimal, clinical"),
])
def test_it_says_which_channel_or_route_is_wrong_and_how(tmp_path, changes, message):
    path = tmp_path / "notifications.json"
    path.write_text(json.dumps(site_file(**changes)))
    with pytest.raises(RoutingError) as caught:
        load_routing(path, environ=ENV)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_it_points_at_the_line_of_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "notifications.json"
    path.write_text('{\n  "channels": {},\n  "routes": {,}\n}')
    with pytest.raises(RoutingError, match=rf"^{path}: not valid JSON at line 3, column 14"):
        load_routing(path, environ=ENV)


def test_it_says_so_when_the_configured_file_does_not_exist(tmp_path):
    with pytest.raises(RoutingError, match="cannot read the notifications file"):
        load_routing(tmp_path / "missing.json", environ=ENV)
