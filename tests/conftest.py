"""Shared fixtures: a fresh data folder and database per test, a clock tests can move, and
staff accounts of any role with a bearer token."""
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from server import create_app
from server.clock import FrozenClock
from server.config import Config
from server.storage.db import connect
from server.storage.installation import initialise
from support.live import LiveServer

START = datetime(2026, 11, 20, 19, 0, tzinfo=timezone.utc)


@pytest.fixture
def config(tmp_path):
    # argon2 at its production cost takes ~100 ms a hash; tests hash hundreds of passwords.
    return Config.from_env({}, data_dir=tmp_path / "data", argon2_memory_kib=64,
                           argon2_time_cost=1, cookie_secure=False)


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture
def app(config, clock):
    initialise(config, clock)  # as `homeward init` does: create_app only opens a data folder
    app = create_app(config, clock=clock)
    app.testing = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app, config):
    database = connect(config.database_path)
    yield database
    database.conn.close()


@dataclass
class Staff:
    id: str
    username: str
    role: str
    password: str
    token: str

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def staff(db, config, clock):
    """staff("nurse") -> a new account of that role, with a bearer token."""
    from server.auth.tokens import issue_token
    from server.auth.users import create_user

    made = []

    def make(role, username=None):
        username = username or f"{role}{len(made) + 1}"
        password = f"correct horse {username} battery"
        user = create_user(db, username, role, password, config, clock.now())
        token, _expires_at = issue_token(db, user.id, config, clock.now())
        made.append(user)
        return Staff(user.id, username, role, password, token)

    return make


@pytest.fixture
def nurse(staff):
    return staff("nurse")


@pytest.fixture
def family(client, nurse, clock):
    """A caregiver's phone enrolled through the real protocol, with its sealing keys."""
    from support.family import enrolled_family

    return enrolled_family(client, nurse.headers, clock=clock)


@pytest.fixture
def no_login_waits(app):
    """Sign-ins answer at once: the throttle's slowing-down is tested on its own."""
    from server.auth.throttle import SLEEP_EXTENSION

    app.extensions[SLEEP_EXTENSION] = lambda seconds: None


@pytest.fixture
def live(config, clock, app):
    """The real server over HTTP on 127.0.0.1, on this test's data folder and clock (`app`
    first: it initialises the folder the staff fixtures write to)."""
    server = LiveServer(config, clock).start()
    yield server
    server.stop()
