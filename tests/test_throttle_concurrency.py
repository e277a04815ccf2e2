"""Throttles under concurrency: guesses sent all at once, over real HTTP to a threaded
server, are counted as they arrive, so no more than the limit ever reach a password check
or an enrolment code lookup."""
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
import requests
from werkzeug.serving import make_server

from server import create_app
from server.api.sync import ENROL_MAX_FAILURES
from server.auth.throttle import SLEEP_EXTENSION
from server.storage.installation import initialise

ATTEMPTS = 60

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(config, clock):
    """The app on 127.0.0.1 with a real password cost, so a check takes as long as it does
    in a hospital and concurrent guesses overlap."""
    initialise(config, clock)  # as `homeward init` does; safe if a fixture already did
    app = create_app(replace(config, argon2_memory_kib=8192, argon2_time_cost=2,
                             login_slowdown_after=5, login_lockout_after=10), clock=clock)
    app.extensions[SLEEP_EXTENSION] = lambda seconds: None  # the slowing is tested elsewhere
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def all_at_once(send, times):
    start = threading.Barrier(times)

    def one(_):
        start.wait()
        return send()
    with ThreadPoolExecutor(max_workers=times) as pool:
        return sorted(pool.map(one, range(times)))


def test_it_lets_no_more_failed_sign_ins_through_than_the_limit_when_they_race(served, nurse):
    app, base = served
    statuses = all_at_once(lambda: requests.post(
        f"{base}/api/v1/auth/token", json={"username": nurse.username,
                                           "password": "not the password"},
        timeout=60).status_code, ATTEMPTS)
    assert set(statuses) == {401, 429}
    assert statuses.count(401) == 10


def test_it_lets_no_more_wrong_enrolment_codes_through_than_the_limit_when_they_race(served):
    _app, base = served
    statuses = all_at_once(lambda: requests.post(
        f"{base}/api/v1/devices", json={"enrollment_code": "AAAA-BBBB-CCCC",
                                        "device_name": "phone", "platform": "android",
                                        "app_version": "1.0"}, timeout=60).status_code,
        ATTEMPTS)
    assert set(statuses) == {404, 429}
    assert statuses.count(404) == ENROL_MAX_FAILURES
