"""`homeward users`: the only way staff accounts come to exist."""
import io

import pytest

from server import create_app
from server.auth import tokens, users
from server.cli import main
from server.clock import SystemClock
from server.config import Config
from server.storage.db import connect


@pytest.fixture
def environ(tmp_path):
    # Cheap argon2 so the tests stay fast; everything else as an operator would have it.
    return {"HOMEWARD_DATA_DIR": str(tmp_path / "data"), "HOMEWARD_ARGON2_MEMORY_KIB": "64",
            "HOMEWARD_ARGON2_TIME_COST": "1", "HOMEWARD_COOKIE_SECURE": "false"}


@pytest.fixture
def homeward(environ, monkeypatch, capsys):
    """homeward(*argv, stdin="...") -> (exit status, stdout, stderr)."""
    assert main(["init"], environ=environ) == 0
    capsys.readouterr()

    def run(*argv, stdin=""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        status = main(list(argv), environ=environ)
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def database(environ, homeward):
    db = connect(Config.from_env(environ).database_path)
    yield db
    db.conn.close()


def sign_in(environ, username, password):
    client = create_app(Config.from_env(environ)).test_client()
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_it_has_no_accounts_at_all_after_init(homeward, database):
    status, out, _ = homeward("users", "list")
    assert status == 0 and "No staff accounts yet" in out
    assert database.execute("SELECT count(*) FROM staff_users").fetchone()[0] == 0


def test_it_creates_an_account_that_can_sign_in(homeward, environ):
    status, out, _ = homeward("users", "create", "Ann.Lee", "--role", "admin",
                              "--password-stdin", stdin="  spaces count too  \n")
    assert status == 0 and "ann.lee" in out
    assert sign_in(environ, "ann.lee", "  spaces count too  ").status_code == 200


def test_it_refuses_a_password_unless_it_comes_on_stdin(homeward, database):
    status, _, err = homeward("users", "create", "ann", "--role", "nurse",
                              stdin="long enough password\n")
    assert status == 1 and "--password-stdin" in err and len(err.strip().splitlines()) == 1
    assert database.execute("SELECT count(*) FROM staff_users").fetchone()[0] == 0


@pytest.mark.parametrize("username, password, complaint", [
    ("ann", "short\n", "12 characters"),
    ("a", "long enough password\n", "3 to 64"),
    ("ann lee", "long enough password\n", "3 to 64"),
])
def test_it_refuses_a_bad_account_with_one_clear_line(homeward, database, username, password,
                                                      complaint):
    status, _, err = homeward("users", "create", username, "--role", "nurse",
                              "--password-stdin", stdin=password)
    assert status == 1 and complaint in err and len(err.strip().splitlines()) == 1
    assert database.execute("SELECT count(*) FROM staff_users").fetchone()[0] == 0


def test_it_refuses_a_role_that_does_not_exist(homeward):
    with pytest.raises(SystemExit) as stop:
        homeward("users", "create", "ann", "--role", "superuser", "--password-stdin")
    assert stop.value.code == 2


def test_it_refuses_a_username_that_is_taken(homeward):
    homeward("users", "create", "ann", "--role", "nurse", "--password-stdin",
             stdin="first long password\n")
    status, _, err = homeward("users", "create", "ANN", "--role", "admin",
                              "--password-stdin", stdin="second long password\n")
    assert status == 1 and "taken" in err


def test_it_lists_accounts_with_role_and_status_but_no_secrets(homeward):
    homeward("users", "create", "ann", "--role", "nurse", "--password-stdin",
             stdin="first long password\n")
    homeward("users", "create", "bob", "--role", "psychosocial", "--password-stdin",
             stdin="second long password\n")
    homeward("users", "disable", "bob")
    status, out, _ = homeward("users", "list")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 2
    assert lines[0].split() == ["ann", "nurse", "active"]
    assert lines[1].split()[:3] == ["bob", "psychosocial", "disabled"]
    assert "password" not in out and "argon2" not in out


def test_it_disables_an_account_and_ends_its_tokens(homeward, environ, database):
    homeward("users", "create", "ann", "--role", "nurse", "--password-stdin",
             stdin="first long password\n")
    config = Config.from_env(environ)
    user = users.find_user(database, "ann")
    token, _ = tokens.issue_token(database, user.id, config, SystemClock().now())
    status, out, _ = homeward("users", "disable", "ann")
    assert status == 0 and "Disabled ann" in out
    assert tokens.verify_token(database, token, SystemClock().now()) is None
    assert sign_in(environ, "ann", "first long password").status_code == 401
    assert homeward("users", "enable", "ann")[0] == 0
    assert sign_in(environ, "ann", "first long password").status_code == 200


def test_it_sets_a_new_password(homeward, environ):
    homeward("users", "create", "ann", "--role", "nurse", "--password-stdin",
             stdin="first long password\n")
    status, _, _ = homeward("users", "set-password", "ann", "--password-stdin",
                            stdin="second long password\n")
    assert status == 0
    assert sign_in(environ, "ann", "first long password").status_code == 401
    assert sign_in(environ, "ann", "second long password").status_code == 200


def test_it_says_so_when_the_account_does_not_exist(homeward):
    status, _, err = homeward("users", "disable", "nobody")
    assert status == 1 and "no staff account named 'nobody'" in err


def test_it_writes_account_changes_to_the_audit_log(homeward, database):
    homeward("users", "create", "ann", "--role", "nurse", "--password-stdin",
             stdin="first long password\n")
    homeward("users", "set-password", "ann", "--password-stdin", stdin="second long pass\n")
    homeward("users", "disable", "ann")
    rows = list(database.query("SELECT action, actor_role, details FROM audit_log ORDER BY id"))
    assert [row["action"] for row in rows] == ["user.create", "user.set_password",
                                               "user.disable"]
    assert all(row["actor_role"] == "operator" for row in rows)
    assert all("long" not in row["details"] for row in rows)


def test_it_asks_for_init_when_there_is_no_data_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
    status = main(["users", "create", "ann", "--role", "nurse", "--password-stdin"],
                  environ={"HOMEWARD_DATA_DIR": str(tmp_path / "missing")})
    assert status == 2 and "homeward init" in capsys.readouterr().err


def test_it_prints_a_one_time_password_link_that_sets_the_password(homeward, environ,
                                                                   database):
    homeward("users", "create", "ann", "--role", "nurse", "--password-stdin",
             stdin="first long password\n")
    status, out, _ = homeward("users", "reset-link", "ann")
    assert status == 0 and "works once" in out
    link = out.splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000/password-reset?token=hwr_")
    client = create_app(Config.from_env(environ)).test_client()
    path = link.removeprefix("http://127.0.0.1:8000")
    token = path.split("token=", 1)[1]
    assert "ann" in client.get(path).get_data(as_text=True)
    answer = client.post("/password-reset", data={"token": token, "password": "the link's "
                         "new password", "password_again": "the link's new password"})
    assert answer.status_code == 200
    assert sign_in(environ, "ann", "the link's new password").status_code == 200
    actions = [row["action"] for row in database.query(
        "SELECT action FROM audit_log WHERE action LIKE 'user.%' ORDER BY id")]
    assert actions == ["user.create", "user.reset_link", "user.password_reset"]
    assert token not in "".join(row["details"] or "" for row in
                                database.query("SELECT details FROM audit_log"))


def test_it_changes_a_role_but_never_the_last_admins(homeward, database):
    homeward("users", "create", "ada", "--role", "admin", "--password-stdin",
             stdin="first long password\n")
    homeward("users", "create", "ann", "--role", "nurse", "--password-stdin",
             stdin="second long password\n")
    status, out, _ = homeward("users", "set-role", "ann", "physician")
    assert status == 0 and "ann is now physician" in out
    status, _, err = homeward("users", "set-role", "ada", "nurse")
    assert status == 1 and "ada is the last active admin" in err
    status, _, err = homeward("users", "disable", "ada")
    assert status == 1 and "last active admin" in err
    assert [row["role"] for row in database.query(
        "SELECT role FROM staff_users ORDER BY username")] == ["admin", "physician"]
    set_role = list(database.query("SELECT details FROM audit_log WHERE action = "
                                   "'user.set_role'"))
    assert len(set_role) == 1 and '"previous_role": "nurse"' in set_role[0]["details"]
