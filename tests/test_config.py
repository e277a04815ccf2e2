from pathlib import Path

import pytest

from server.cli import main
from server.config import Config, ConfigError, settings_table


def test_it_reads_settings_from_homeward_variables():
    config = Config.from_env({"HOMEWARD_DATA_DIR": "/srv/hw", "HOMEWARD_PORT": "9000",
                              "HOMEWARD_COOKIE_SECURE": "no"})
    assert config.data_dir == Path("/srv/hw")
    assert config.port == 9000
    assert config.cookie_secure is False
    assert config.database_path == Path("/srv/hw/homeward.db")
    assert config.master_key_path == Path("/srv/hw/master.key")


def test_it_binds_loopback_by_default():
    assert Config.from_env({}).host == "127.0.0.1"


@pytest.mark.parametrize("name, value, words", [
    ("HOMEWARD_PORT", "eighty", "HOMEWARD_PORT must be a whole number"),
    ("HOMEWARD_PORT", "70000", "HOMEWARD_PORT must be a whole number from 1 to 65535"),
    ("HOMEWARD_COOKIE_SECURE", "maybe", "HOMEWARD_COOKIE_SECURE must be true or false"),
    ("HOMEWARD_LOG_LEVEL", "LOUD", "HOMEWARD_LOG_LEVEL must be one of"),
    ("HOMEWARD_DATA_DIR", "  ", "HOMEWARD_DATA_DIR must be a path"),
    ("HOMEWARD_PROT", "8000", "HOMEWARD_PROT is not a Homeward setting"),
])
def test_it_stops_on_a_bad_value_with_a_sentence_naming_the_variable(name, value, words):
    with pytest.raises(ConfigError) as raised:
        Config.from_env({name: value})
    assert words in str(raised.value)


def test_it_refuses_a_lease_shorter_than_two_heartbeats():
    with pytest.raises(ConfigError, match="HOMEWARD_SCHEDULER_LEASE_SECONDS"):
        Config.from_env({"HOMEWARD_SCHEDULER_LEASE_SECONDS": "10",
                         "HOMEWARD_SCHEDULER_HEARTBEAT_SECONDS": "6"})


def test_it_makes_the_command_line_exit_2_with_the_sentence(capsys, tmp_path):
    status = main(["init"], environ={"HOMEWARD_DATA_DIR": str(tmp_path),
                                     "HOMEWARD_WORKERS": "0"})
    assert status == 2
    assert "HOMEWARD_WORKERS must be a whole number from 1 to 64" in capsys.readouterr().err
    assert not (tmp_path / "homeward.db").exists()


def test_it_documents_every_setting():
    documented = (Path(__file__).parent.parent / "docs" / "configuration.md").read_text()
    for name, _default, meaning in settings_table():
        assert meaning, f"{name} has no description"
        assert name in documented, f"{name} is missing from docs/configuration.md"
