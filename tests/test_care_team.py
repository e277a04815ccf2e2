"""Who a family calls (issue 12): the team's day and night numbers and the emergency number
are site settings, served to the app in the profile and re-sent when they change; a site
without them is warned on `homeward serve` and on the staff home page."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server import create_app
from server.config import Config, ConfigError
from support.pages import sign_in
from test_serve import free_port
from test_sync_pull import by_type, pull_all

ROOT = Path(__file__).resolve().parent.parent
NUMBERS = {"care_team_phone_day": "+1 (555) 010-0100", "care_team_phone_night": "555 010 0199",
           "emergency_number": "911"}


@pytest.mark.parametrize("value", ["call the ward", "12", "+1 555 0100 ext. 4", " "])
def test_it_stops_on_a_phone_number_nobody_could_dial(value):
    with pytest.raises(ConfigError, match="HOMEWARD_EMERGENCY_NUMBER must be a phone number"):
        Config.from_env({"HOMEWARD_EMERGENCY_NUMBER": value})


def test_it_refuses_day_hours_that_end_before_they_start():
    with pytest.raises(ConfigError, match="HOMEWARD_CARE_TEAM_DAY_HOURS"):
        Config.from_env({"HOMEWARD_CARE_TEAM_DAY_HOURS": "18:00-08:00"})


def with_numbers(config, clock, **numbers):
    app = create_app(config.with_overrides(**numbers), clock=clock)
    app.testing = True
    return app


def test_it_serves_the_numbers_with_what_a_tel_link_needs(app, config, clock, nurse, family):
    family.client = with_numbers(config, clock, **NUMBERS).test_client()
    changes, _cursor, _pages = pull_all(family)
    care_team = by_type(changes, "profile")[family.patient_id]["data"]["care_team"]
    assert care_team == {
        "day": {"display": "+1 (555) 010-0100", "tel": "+15550100100"},
        "night": {"display": "555 010 0199", "tel": "5550100199"},
        "emergency": {"display": "911", "tel": "911"},
        "day_hours": {"from": "08:00", "to": "18:00"}}


def test_it_lets_one_team_number_answer_day_and_night(app, config, clock, family):
    family.client = with_numbers(config, clock, care_team_phone_night="555 010 0199").test_client()
    changes, _cursor, _pages = pull_all(family)
    care_team = by_type(changes, "profile")[family.patient_id]["data"]["care_team"]
    assert care_team["day"] == care_team["night"] == {"display": "555 010 0199",
                                                      "tel": "5550100199"}


def test_it_sends_a_changed_number_to_a_phone_that_already_synced(family, config, clock):
    _changes, cursor, _pages = pull_all(family)
    family.client = with_numbers(config, clock, **NUMBERS).test_client()
    changes, _cursor, _pages = pull_all(family, cursor)
    profile = by_type(changes, "profile")[family.patient_id]["data"]
    assert profile["care_team"]["emergency"]["tel"] == "911"


def test_it_warns_staff_on_the_home_page_until_the_numbers_are_set(client, nurse, config,
                                                                     clock):
    sign_in(client, nurse)
    page = client.get("/").get_data(as_text=True)
    assert "No care team phone number is set" in page and "No emergency number is set" in page
    configured = with_numbers(config, clock, **NUMBERS).test_client()
    sign_in(configured, nurse)
    page = configured.get("/").get_data(as_text=True)
    assert "No care team phone number" not in page and "No emergency number" not in page


def serve_until_ready(tmp_path, **environment):
    """Start `homeward serve`, wait for its banner, stop it; returns what it printed."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")},
           "HOMEWARD_DATA_DIR": str(tmp_path / "data"), **environment}
    tmp_path.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "server.cli", "init"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=60)
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port",
                                    str(free_port()), "--workers", "1"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "Homeward serving on" not in log_path.read_text() or \
                "Booting worker" not in log_path.read_text():
            assert process.poll() is None, "serve exited:\n" + log_path.read_text()
            assert time.monotonic() < deadline, "serve never started:\n" + log_path.read_text()
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return log_path.read_text()


@pytest.mark.e2e
def test_it_warns_on_serve_when_a_site_has_no_numbers_and_not_once_they_are_set(tmp_path):
    said = serve_until_ready(tmp_path / "bare")
    assert "Warning: No care team phone number is set" in said
    assert "Warning: No emergency number is set" in said
    said = serve_until_ready(tmp_path / "set", HOMEWARD_CARE_TEAM_PHONE_DAY="555 010 0100",
                             HOMEWARD_EMERGENCY_NUMBER="112")
    assert "Homeward serving on" in said and "Warning" not in said
