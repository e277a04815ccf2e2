"""Two real `homeward scheduler` processes: one acts, the other takes over when it dies."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alerts import lease
from alerts.scheduler import LEASE_NAME
from server.clock import SystemClock
from server.commands.init import initialise
from server.config import Config
from server.storage.db import connect

ROOT = Path(__file__).resolve().parent.parent
LEASE_SECONDS, HEARTBEAT_SECONDS = 5, 1

pytestmark = pytest.mark.e2e


def holder_pid(database_path):
    database = connect(database_path)
    try:
        current = lease.read(database, LEASE_NAME)
    finally:
        database.close()
    if current is None or not current.is_live(SystemClock().now()):
        return None
    return int(current.holder.split(":")[-2])


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def schedulers(tmp_path):
    data_dir = tmp_path / "data"
    initialise(Config.from_env({}, data_dir=data_dir))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")},
           "HOMEWARD_DATA_DIR": str(data_dir),
           "HOMEWARD_SCHEDULER_LEASE_SECONDS": str(LEASE_SECONDS),
           "HOMEWARD_SCHEDULER_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS)}
    started = []

    def start(name):
        log = open(tmp_path / f"{name}.log", "wb")
        process = subprocess.Popen([sys.executable, "-m", "server.cli", "scheduler"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        started.append((name, process))
        return process

    start.database_path = data_dir / "homeward.db"
    start.log = lambda name: (tmp_path / f"{name}.log").read_text(errors="replace")
    try:
        yield start
    finally:
        for _name, process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
        # pytest shows this only when the test failed: the schedulers' own account.
        for name, _process in started:
            print(f"--- {name} ---\n{start.log(name)}")


def test_it_hands_the_lease_to_a_standby_within_the_lease_time_after_a_kill_9(schedulers):
    first = schedulers("first")
    wait_for(lambda: holder_pid(schedulers.database_path) == first.pid, 20,
             "the first scheduler to take the lease")
    assert "took the scheduler lease" in schedulers.log("first")

    second = schedulers("second")
    wait_for(lambda: "standing by" in schedulers.log("second"), 20,
             "the second scheduler to stand by")
    time.sleep(HEARTBEAT_SECONDS * 2)
    assert holder_pid(schedulers.database_path) == first.pid
    assert second.poll() is None

    first.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    first.wait(timeout=10)
    # The lease outlives the last heartbeat (at most one heartbeat before the kill) by
    # LEASE_SECONDS; the standby notices at its next tick.
    allowed = LEASE_SECONDS + HEARTBEAT_SECONDS + 1.5
    wait_for(lambda: holder_pid(schedulers.database_path) == second.pid, allowed + 5,
             "the standby to take over")
    assert time.monotonic() - killed_at <= allowed
    assert "took the scheduler lease" in schedulers.log("second")


def test_it_releases_the_lease_on_sigterm_so_a_standby_need_not_wait(schedulers):
    first = schedulers("first")
    wait_for(lambda: holder_pid(schedulers.database_path) == first.pid, 20,
             "the scheduler to take the lease")
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=15) == 0
    assert holder_pid(schedulers.database_path) is None
    database = connect(schedulers.database_path)
    try:
        assert lease.read(database, LEASE_NAME).was_released()
    finally:
        database.close()
    assert "released the scheduler lease" in schedulers.log("first")


def test_it_refuses_to_start_without_a_database_rather_than_create_an_empty_one(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")},
           "HOMEWARD_DATA_DIR": str(tmp_path / "mistyped")}
    result = subprocess.run([sys.executable, "-m", "server.cli", "scheduler"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "homeward init" in result.stderr
    assert not (tmp_path / "mistyped").exists()
