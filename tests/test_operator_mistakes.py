"""An operator's mistake gets one sentence on stderr and a non-zero exit, never a traceback,
never a fresh database and master key made where nobody meant to have one."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from server import create_app
from server.storage.installation import NotInitialised

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.e2e


def homeward(*args, data_dir, timeout=60, stdin="", **settings):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")},
           "HOMEWARD_DATA_DIR": str(data_dir),
           **{f"HOMEWARD_{name.upper()}": value for name, value in settings.items()}}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=timeout)


def assert_one_sentence(result, *words):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    said = result.stderr.strip()
    assert len(said.splitlines()) == 1, said
    assert said.startswith("homeward") and said.endswith((".", ")")), said
    for word in words:
        assert word in said


@pytest.fixture
def busy_port():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


@pytest.fixture
def initialised(tmp_path):
    folder = tmp_path / "data"
    assert homeward("init", data_dir=folder).returncode == 0
    return folder


@pytest.mark.parametrize("command", [
    ["serve"], ["scheduler"], ["users", "list"], ["keys", "rotate-master"],
    ["keys", "rotate-sealing"], ["patients", "erase", "pt_0", "--yes"],
])
def test_it_refuses_a_data_folder_that_was_never_initialised_and_creates_nothing(
        tmp_path, command):
    typo = tmp_path / "typo"
    result = homeward(*command, data_dir=typo)
    assert_one_sentence(result, str(typo), "homeward init")
    assert result.returncode == 2
    assert not typo.exists()


def test_it_refuses_an_existing_folder_that_holds_no_homeward_database(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = homeward("serve", data_dir=empty)
    assert_one_sentence(result, str(empty), "homeward init")
    assert list(empty.iterdir()) == []


def test_the_wsgi_app_refuses_an_uninitialised_folder_too(config):
    with pytest.raises(NotInitialised, match="homeward init"):
        create_app(config)
    assert not config.data_dir.exists()


def test_init_into_a_file_says_so_in_one_sentence(tmp_path):
    result = homeward("init", data_dir="/etc/passwd")
    assert_one_sentence(result, "/etc/passwd", "not a folder")
    assert result.returncode == 2


def test_init_is_safe_to_run_again_and_keeps_the_master_key(initialised):
    key = (initialised / "master.key").read_bytes()
    again = homeward("init", data_dir=initialised)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert (initialised / "master.key").read_bytes() == key


def test_simulate_at_a_closed_port_says_it_cannot_reach_the_server(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        closed = probe.getsockname()[1]  # closed again when the block ends
    url = f"http://127.0.0.1:{closed}"
    result = homeward("simulate", "--url", url, "--username", "nurse", "--password-stdin",
                      data_dir=tmp_path, stdin="secret\n")
    assert_one_sentence(result, url)


def test_serve_on_a_busy_port_stops_before_starting_with_one_sentence(initialised, busy_port):
    result = homeward("serve", "--port", str(busy_port), data_dir=initialised, timeout=30)
    assert_one_sentence(result, f"127.0.0.1:{busy_port}", "in use")
    assert result.returncode == 2
    assert "serving on" not in result.stdout


@pytest.mark.parametrize("host", ["localhost:8712", "http://localhost", "a b", ""])
def test_serve_refuses_a_host_that_is_not_a_host(initialised, host):
    result = homeward("serve", "--host", host, data_dir=initialised, timeout=30)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--host" in result.stderr


def test_demo_on_a_busy_port_stops_before_touching_anything(tmp_path, busy_port):
    folder = tmp_path / "demo"
    result = homeward("demo", "--port", str(busy_port), data_dir=folder, timeout=30)
    assert_one_sentence(result, str(busy_port), "in use", "--port")
    assert not folder.exists()


def test_a_bad_base_url_stops_every_command_with_one_sentence(initialised):
    result = homeward("users", "list", data_dir=initialised,
                      base_url="hospital.example/homeward")
    assert_one_sentence(result, "HOMEWARD_BASE_URL")
    assert result.returncode == 2


def test_it_asks_init_to_finish_a_folder_whose_init_was_interrupted(initialised):
    import sqlite3

    with sqlite3.connect(initialised / "homeward.db") as connection:
        connection.execute("DELETE FROM sealing_keys")  # init stopped before its last step
    result = homeward("scheduler", data_dir=initialised)
    assert_one_sentence(result, "homeward init", "finish")
    assert homeward("init", data_dir=initialised).returncode == 0
    assert homeward("users", "list", data_dir=initialised).returncode == 0


def test_it_refuses_a_database_file_that_is_not_homewards(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "homeward.db").write_text("not a database")
    result = homeward("serve", data_dir=folder)
    assert_one_sentence(result, "is not a Homeward database", "homeward init")
