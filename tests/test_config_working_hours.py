"""HOMEWARD_WORKING_DAYS, HOMEWARD_WORKING_HOURS and HOMEWARD_HOLIDAYS as an installer might
type them: each one the server cannot read stops start-up, and `homeward config` (the
command that shows what was understood), with a sentence naming the setting, an example and
what is wrong."""
import pytest

from server.cli import main
from server.config import Config, ConfigError

HOURS = "HOMEWARD_WORKING_HOURS must be two local times like 08:00-18:00: "
DAYS = "HOMEWARD_WORKING_DAYS must name days like mon-fri or mon-thu,sat: "
HOLIDAYS = "HOMEWARD_HOLIDAYS must be dates like 2026-12-25,2027-01-01: "

REFUSED = [
    ("HOMEWARD_WORKING_HOURS", "25:00-26:00", HOURS + "'25:00-26:00' names no hour 25"),
    ("HOMEWARD_WORKING_HOURS", "18:00-08:00", HOURS + "'18:00-08:00' runs past midnight"),
    ("HOMEWARD_WORKING_HOURS", "08:00-08:00", HOURS + "'08:00-08:00' opens and closes at "
                                              "the same time"),
    ("HOMEWARD_WORKING_HOURS", "8-18", HOURS + "'8-18' is not two times in hours and minutes"),
    ("HOMEWARD_WORKING_HOURS", "08:00\u201318:00", HOURS + "'08:00\u201318:00' has a "
                                                   "typographic dash"),
    ("HOMEWARD_WORKING_HOURS", "", HOURS + "it is empty"),
    ("HOMEWARD_WORKING_DAYS", "", DAYS + "it names no day"),
    ("HOMEWARD_WORKING_DAYS", "mon-mon", DAYS + "'mon-mon' runs from a day to itself"),
    ("HOMEWARD_WORKING_DAYS", "monday-friday", DAYS + "'monday-friday' is not a day"),
    ("HOMEWARD_WORKING_DAYS", "mon,tue,mon", DAYS + "'mon,tue,mon' names mon twice"),
    ("HOMEWARD_HOLIDAYS", "25/12/2026", HOLIDAYS + "'25/12/2026' is not a date"),
    ("HOMEWARD_HOLIDAYS", "2026-13-01", HOLIDAYS + "'2026-13-01' is not a date"),
]


@pytest.mark.parametrize("variable, value, sentence", REFUSED)
def test_it_stops_start_up_on_a_working_time_it_cannot_read(variable, value, sentence):
    with pytest.raises(ConfigError) as raised:
        Config.from_env({variable: value})
    assert str(raised.value).startswith(sentence)
    assert str(raised.value).endswith(".")


@pytest.mark.parametrize("variable, value, sentence", REFUSED[:2] + REFUSED[6:8] + REFUSED[-1:])
def test_it_makes_homeward_config_say_the_same_sentence(capsys, tmp_path, variable, value,
                                                         sentence):
    status = main(["config"], environ={"HOMEWARD_DATA_DIR": str(tmp_path), variable: value})
    assert status == 2
    assert f"homeward: {sentence}" in capsys.readouterr().err


def test_it_shows_the_working_time_it_understood(capsys, tmp_path):
    status = main(["config"], environ={"HOMEWARD_DATA_DIR": str(tmp_path),
                                       "HOMEWARD_WORKING_DAYS": " Sat-Mon ",
                                       "HOMEWARD_WORKING_HOURS": "8:30 - 17:00",
                                       "HOMEWARD_HOLIDAYS": "2027-01-01, 2026-12-25"})
    assert status == 0
    out = capsys.readouterr().out
    assert "HOMEWARD_WORKING_DAYS=sat-mon\n" in out
    assert "HOMEWARD_WORKING_HOURS=08:30-17:00\n" in out
    assert "HOMEWARD_HOLIDAYS=2026-12-25,2027-01-01\n" in out


def test_it_has_no_holidays_unless_the_site_names_them():
    assert Config.from_env({}).holidays == ""
    assert Config.from_env({"HOMEWARD_HOLIDAYS": " "}).holidays == ""
