"""`homeward client`: enrol, record, sync and status from a terminal."""
import argparse
import io
import json

from client_double import error_body, fake  # noqa: F401 (fixture)

from server.commands import client as client_command


def homeward(*argv):
    parser = argparse.ArgumentParser(prog="homeward")
    client_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["client", *argv])
    return args.run(args, None)


def test_it_enrols_records_syncs_and_shows_status(fake, tmp_path, capsys, monkeypatch):
    state = ["--state", str(tmp_path / "cli.db")]
    fake.add_code("K7QF-29XD")
    assert homeward("enrol", "K7QF-29XD", "--server", fake.url, "--name", "CLI", *state) == 0
    assert "Enrolled as dev_1 for patient pt_1" in capsys.readouterr().out
    assert next(iter(fake.devices.values()))["enrolment"]["device_name"] == "CLI"

    assert homeward("record", "symptom-diary", "1.0.0", "--answers",
                    '{"temperature_c": 38.6}', "--task", "tsk_1", *state) == 0
    first = capsys.readouterr().out.strip()
    monkeypatch.setattr("sys.stdin", io.StringIO('{"pain": 3}'))
    assert homeward("record", "symptom-diary", "1.0.0", "--answers-stdin", *state) == 0
    capsys.readouterr()

    assert homeward("status", *state) == 0
    assert "Outbox: 2 (0 rejected)" in capsys.readouterr().out
    assert homeward("sync", *state) == 0
    assert "Pushed: 2 accepted." in capsys.readouterr().out
    assert fake.stored[first]["answers"] == {"temperature_c": 38.6}

    assert homeward("status", "--json", *state) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["outbox"] == 0 and status["device_id"] == "dev_1"


def test_it_enrols_from_what_the_qr_code_holds(fake, tmp_path, capsys):
    fake.add_code("AB12-CD34-EF56")
    uri = f"homeward:enrol?server={fake.url}&code=AB12-CD34-EF56"
    assert homeward("enrol", uri, "--state", str(tmp_path / "cli.db")) == 0
    assert "Enrolled as dev_1" in capsys.readouterr().out
    assert homeward("enrol", "homeward:enrol?code=X", "--state", str(tmp_path / "b.db")) == 1
    assert "not a Homeward enrolment code" in capsys.readouterr().err


def test_it_says_so_when_an_entry_or_code_is_wrong(fake, tmp_path, capsys):
    state = ["--state", str(tmp_path / "cli.db")]
    assert homeward("enrol", "NO-SUCH-CODE", "--server", fake.url, *state) == 1
    assert "404 not_found" in capsys.readouterr().err
    assert homeward("record", "symptom-diary", "1.0.0", "--answers", "{}", *state) == 1
    assert "not enrolled" in capsys.readouterr().err
    fake.add_code("C")
    homeward("enrol", "C", "--server", fake.url, *state)
    assert homeward("record", "symptom-diary", "1.0.0", "--answers", "{oops", *state) == 1
    assert "not valid JSON" in capsys.readouterr().err


def test_it_exits_3_when_the_device_must_be_enrolled_again(fake, tmp_path, capsys):
    state = ["--state", str(tmp_path / "cli.db")]
    fake.add_code("C")
    homeward("enrol", "C", "--server", fake.url, *state)
    homeward("record", "symptom-diary", "1.0.0", "--answers", '{"pain": 1}', *state)
    fake.script("POST", "/api/v1/sync/push", 401,
                body=error_body(401, "device_revoked", "Ask the care team for a new code."))
    capsys.readouterr()
    assert homeward("sync", *state) == 3
    assert "new code" in capsys.readouterr().err
    assert homeward("status", *state) == 0
    assert "must be enrolled again" in capsys.readouterr().out
