"""The scheduler lease and the tick that keeps it, driven by a frozen clock: no threads."""
import threading
from datetime import timedelta

import pytest

from alerts import lease
from alerts.scheduler import (ACQUIRED, LEASE_NAME, LOST, RENEWED, STANDBY, Job, LeaseState,
                              Registry, Settings, run_job, tick)
from alerts.scheduler_process import SchedulerProcess
from server.clock import FrozenClock, SystemClock
from server.storage.db import connect, migrate
from tests.conftest import START

SETTINGS = Settings(lease_seconds=30, heartbeat_seconds=10)


@pytest.fixture
def database_path(tmp_path):
    path = tmp_path / "homeward.db"
    database = connect(path)
    migrate(database)
    database.close()
    return path


@pytest.fixture
def db(database_path):
    database = connect(database_path)
    yield database
    database.close()


@pytest.fixture
def clock():
    return FrozenClock(START)


def test_it_gives_a_free_lease_to_the_first_asker_only(db, clock):
    assert lease.acquire(db, "scheduler", "a", clock.now(), 30)
    assert not lease.acquire(db, "scheduler", "b", clock.now(), 30)
    held = lease.read(db, "scheduler")
    assert held.holder == "a"
    assert held.expires_at == clock.now() + timedelta(seconds=30)


def test_it_lets_the_holder_take_its_own_lease_again_keeping_when_it_was_first_taken(db, clock):
    lease.acquire(db, "scheduler", "a", clock.now(), 30)
    clock.advance(seconds=10)
    assert lease.acquire(db, "scheduler", "a", clock.now(), 30)
    held = lease.read(db, "scheduler")
    assert held.acquired_at == START
    assert held.heartbeat_at == clock.now()


def test_it_hands_an_expired_lease_to_someone_else_but_not_a_second_before(db, clock):
    lease.acquire(db, "scheduler", "a", clock.now(), 30)
    clock.advance(seconds=29, microseconds=999_999)
    assert not lease.acquire(db, "scheduler", "b", clock.now(), 30)
    clock.advance(microseconds=1)
    assert lease.acquire(db, "scheduler", "b", clock.now(), 30)
    assert lease.read(db, "scheduler").acquired_at == clock.now()
    assert not lease.renew(db, "scheduler", "a", clock.now(), 30)


def test_it_releases_only_the_holders_own_lease(db, clock):
    lease.acquire(db, "scheduler", "a", clock.now(), 30)
    assert not lease.release(db, "scheduler", "b", clock.now())
    assert lease.holds(db, "scheduler", "a", clock.now())
    clock.advance(seconds=5)
    assert lease.release(db, "scheduler", "a", clock.now())
    released = lease.read(db, "scheduler")
    assert not released.is_live(clock.now()) and released.was_released()
    assert lease.acquire(db, "scheduler", "b", clock.now(), 30)


def test_it_tells_a_crashed_holder_from_a_released_one(db, clock):
    lease.acquire(db, "scheduler", "a", clock.now(), 30)
    clock.advance(seconds=31)
    crashed = lease.read(db, "scheduler")
    assert not crashed.is_live(clock.now()) and not crashed.was_released()


def test_it_lets_only_one_of_many_racing_processes_take_the_lease(database_path, clock):
    winners, barrier = [], threading.Barrier(8)

    def contend(holder):
        database = connect(database_path)
        try:
            barrier.wait()
            if lease.acquire(database, "scheduler", holder, clock.now(), 30):
                winners.append(holder)
        finally:
            database.close()

    threads = [threading.Thread(target=contend, args=(f"p{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(winners) == 1


def test_it_keeps_a_second_scheduler_idle_while_the_first_heartbeats(db, clock):
    first, second = LeaseState("first"), LeaseState("second")
    assert tick(db, first, clock.now(), SETTINGS) == ACQUIRED
    for _ in range(10):  # 100 s of heartbeats, far past one lease time
        assert tick(db, second, clock.now(), SETTINGS) == STANDBY
        clock.advance(seconds=SETTINGS.heartbeat_seconds)
        assert tick(db, first, clock.now(), SETTINGS) == RENEWED
    assert lease.read(db, LEASE_NAME).holder == "first"
    assert not second.holding


def test_it_hands_over_to_the_standby_once_the_first_stops_heartbeating(db, clock):
    first, second = LeaseState("first"), LeaseState("second")
    tick(db, first, clock.now(), SETTINGS)
    clock.advance(seconds=SETTINGS.heartbeat_seconds)
    tick(db, first, clock.now(), SETTINGS)
    last_heartbeat = clock.now()
    while clock.now() < last_heartbeat + timedelta(seconds=SETTINGS.lease_seconds):
        assert tick(db, second, clock.now(), SETTINGS) == STANDBY
        clock.advance(seconds=SETTINGS.heartbeat_seconds)
    assert tick(db, second, clock.now(), SETTINGS) == ACQUIRED
    assert tick(db, first, clock.now(), SETTINGS) == LOST
    assert not first.holding
    assert tick(db, first, clock.now(), SETTINGS) == STANDBY


def test_it_runs_a_registered_job_only_in_the_process_holding_the_lease(db, clock):
    runs = []
    registry = Registry()

    @registry.job("count", every_seconds=60)
    def count(database, now):
        runs.append(now)

    (job,) = list(registry)
    first, second = LeaseState("first"), LeaseState("second")
    tick(db, first, clock.now(), SETTINGS)
    tick(db, second, clock.now(), SETTINGS)
    assert run_job(db, first, clock.now(), job)
    assert not run_job(db, second, clock.now(), job)
    assert runs == [START]


def test_it_stops_a_paused_holder_acting_once_the_standby_has_taken_over(db, clock):
    runs = []
    job = Job("count", 60, lambda database, now: runs.append(now))
    first, second = LeaseState("first"), LeaseState("second")
    tick(db, first, clock.now(), SETTINGS)
    clock.advance(seconds=SETTINGS.lease_seconds)
    tick(db, second, clock.now(), SETTINGS)
    assert first.holding  # it has not heard yet: it was paused
    assert not run_job(db, first, clock.now(), job)
    assert run_job(db, second, clock.now(), job)
    assert runs == [clock.now()]


def test_it_refuses_two_jobs_with_one_name_and_a_lease_shorter_than_two_heartbeats():
    registry = Registry([Job("dispatch", 5, print)])
    with pytest.raises(ValueError, match="already registered"):
        registry.add(Job("dispatch", 10, print))
    with pytest.raises(ValueError, match="two heartbeats"):
        Settings(lease_seconds=10, heartbeat_seconds=6)


def test_it_runs_jobs_on_apscheduler_threads_and_releases_the_lease_on_stop(database_path):
    ran = threading.Event()
    job = Job("signal", 0.05, lambda database, now: ran.set())
    process = SchedulerProcess(lambda: connect(database_path), SystemClock(),
                               Settings(lease_seconds=10, heartbeat_seconds=1), jobs=[job])
    runner = threading.Thread(target=process.run, kwargs={"handle_signals": False})
    runner.start()
    try:
        assert ran.wait(timeout=5), "the job never ran while its process held the lease"
    finally:
        process.stop()
        runner.join(timeout=10)
    assert not runner.is_alive()
    database = connect(database_path)
    try:
        released = lease.read(database, LEASE_NAME)
    finally:
        database.close()
    assert released.holder == process.state.holder
    assert released.was_released()
