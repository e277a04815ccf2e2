"""Shared fixtures: a fresh data folder and database per test, a clock tests can move, and
staff accounts of any role with a bearer token."""
import os
import shutil
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
MEMORY_FOLDER = "/dev/shm"


def pytest_configure(config):
    """Test folders in memory where the machine has a tmpfs: SQLite waits for the disk at
    every commit, and on a busy 2-core machine that was a tenth of the suite's time. Nothing
    here tests a power cut, so a commit in memory proves what a commit on disk proved."""
    if "PYTEST_DEBUG_TEMPROOT" not in os.environ and os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        os.environ["PYTEST_DEBUG_TEMPROOT"] = MEMORY_FOLDER


@pytest.fixture
def config(tmp_path):
    # argon2 at its production cost takes ~100 ms a hash; tests hash hundreds of passwords.
    return Config.from_env({}, data_dir=tmp_path / "data", argon2_memory_kib=64,
                           argon2_time_cost=1, cookie_secure=False)


@pytest.fixture
def clock():
    return FrozenClock(START)


@pytest.fixture(scope="session")
def initialised_folders(tmp_path_factory):
    """Data folders `initialise` made once per session, by the frozen time they were made at:
    each test gets a copy (migrations and key generation run once, not 1,700 times). The copies
    share their keys, which no test can tell: each test's data is still its own."""
    made = {}

    def folder_for(now):
        if now not in made:
            template = Config.from_env({}, data_dir=tmp_path_factory.mktemp("template") / "data")
            initialise(template, FrozenClock(now))
            made[now] = template.data_dir
        return made[now]

    return folder_for


def initialise_for_test(config, clock, initialised_folders):
    """As `homeward init` does, or a copy of a folder it made at the same frozen time when
    this test's folder is the plain kind (keys and database inside, nothing there yet)."""
    plain = (isinstance(clock, FrozenClock) and not config.data_dir.exists()
             and config.database is None and config.master_key is None
             and config.master_key_file is None and config.secret_key_file is None)
    if not plain:
        initialise(config, clock)
        return
    # copy2 keeps the modes init set (0700 folder, 0600 files) that tests check.
    shutil.copytree(initialised_folders(clock.now()), config.data_dir,
                    copy_function=shutil.copy2)


@pytest.fixture
def app(config, clock, initialised_folders):
    # create_app only opens a data folder: `homeward init` (or its copy) makes it first.
    initialise_for_test(config, clock, initialised_folders)
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
