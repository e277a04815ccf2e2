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
    ("HOMEWARD_HOST", "localhost:8712", "HOMEWARD_HOST must be a host name or IP address alone"),
    ("HOMEWARD_SITE_TIMEZONE", "EST", "HOMEWARD_SITE_TIMEZONE must be the clinic's time zone"),
    ("HOMEWARD_SITE_TIMEZONE", "UTC", "as an IANA place such as America/New_York"),
    ("HOMEWARD_SITE_TIMEZONE", "Mars/Olympus", "not 'Mars/Olympus'"),
    ("HOMEWARD_REQUIRE_MRN", "sometimes", "HOMEWARD_REQUIRE_MRN must be true or false"),
    ("HOMEWARD_HOST", "http://localhost", "no scheme and no port"),
    ("HOMEWARD_BASE_URL", "homeward.hospital.example", "must be an http:// or https://"),
    ("HOMEWARD_BASE_URL", "javascript:alert(1)", "must be an http:// or https://"),
    ("HOMEWARD_BASE_URL", "https://", "must be an http:// or https://"),
    ("HOMEWARD_BASE_URL", "https://h.example:99999", "must be an http:// or https://"),
    ("HOMEWARD_BASE_URL", "https://[::1", "must be an http:// or https://"),
    ("HOMEWARD_BASE_URL", "https://h.example/?x=1", "no query, fragment or user name"),
    ("HOMEWARD_BASE_URL", "https://h.example/#top", "no query, fragment or user name"),
    ("HOMEWARD_BASE_URL", "https://nurse@h.example", "no query, fragment or user name"),
    ("HOMEWARD_SITE_CODE", "St Mary's/Leeds", "HOMEWARD_SITE_CODE must be the centre's"),
    ("HOMEWARD_SITE_CODE", "-GOSH", "HOMEWARD_SITE_CODE must be the centre's"),
])
def test_it_stops_on_a_bad_value_with_a_sentence_naming_the_variable(name, value, words):
    with pytest.raises(ConfigError) as raised:
        Config.from_env({name: value})
    assert words in str(raised.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0", "::1", "[::1]", "localhost",
                                  "homeward-1.ward.internal"])
def test_it_accepts_a_host_name_or_an_address(host):
    assert Config.from_env({"HOMEWARD_HOST": host}).host == host.strip("[]")


def test_it_derives_the_public_address_from_the_port_unless_one_is_set():
    assert Config.from_env({"HOMEWARD_PORT": "8711"}).public_url == "http://127.0.0.1:8711"
    assert Config.from_env({"HOMEWARD_HOST": "::1"}).public_url == "http://[::1]:8000"
    given = Config.from_env({"HOMEWARD_PORT": "8711",
                             "HOMEWARD_BASE_URL": " https://homeward.hospital.example/hw/ "})
    assert given.public_url == "https://homeward.hospital.example/hw"


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
