"""The scheduler runs a job as soon as another connection writes its work, not at its tick."""
import threading
import time

import pytest

from alerts.scheduler import Job, Settings
from alerts.scheduler_process import SchedulerProcess
from server.clock import SystemClock
from server.storage.db import connect, migrate

HOUR = 3600


@pytest.fixture
def database_path(tmp_path):
    path = tmp_path / "homeward.db"
    database = connect(path)
    migrate(database)
    database.execute("CREATE TABLE work (id INTEGER PRIMARY KEY, done INTEGER DEFAULT 0)")
    database.conn.commit()
    database.close()
    return path


def newest_work(db):
    return db.execute("SELECT max(id) FROM work").fetchone()[0]


def add_work(database_path, count=1):
    database = connect(database_path)
    try:
        with database.conn:
            database.conn.executemany("INSERT INTO work DEFAULT VALUES", [()] * count)
    finally:
        database.close()


def wait_for(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def running(database_path):
    started = []

    def start(job):
        process = SchedulerProcess(lambda: connect(database_path), SystemClock(),
                                   Settings(lease_seconds=10, heartbeat_seconds=1), jobs=[job])
        runner = threading.Thread(target=process.run, kwargs={"handle_signals": False})
        runner.start()
        started.append((process, runner))
        return process

    yield start
    for process, runner in started:
        process.stop()
        runner.join(timeout=30)
        assert not runner.is_alive()


def test_it_does_new_work_long_before_the_jobs_hourly_tick(database_path, running):
    done = []

    def finish_work(db, now):
        with db.conn:
            rows = db.execute("SELECT id FROM work WHERE done = 0").fetchall()
            db.conn.executemany("UPDATE work SET done = 1 WHERE id = ?", rows)
        done.extend(row[0] for row in rows)

    process = running(Job("work", HOUR, finish_work, wake_probe=newest_work))
    # Taking the lease runs every job once; after that only a wake can run this one.
    assert wait_for(lambda: process.state.holding)
    time.sleep(0.2)
    for round_ in range(1, 4):
        add_work(database_path)
        assert wait_for(lambda: len(done) == round_), \
            f"work {round_} waited for the hourly tick"
    assert done == [1, 2, 3]


def test_it_runs_again_for_work_written_while_it_was_running(database_path, running):
    done, first_run_started, release_first_run = [], threading.Event(), threading.Event()

    def slow_finish(db, now):
        rows = db.execute("SELECT id FROM work WHERE done = 0").fetchall()
        if rows and not first_run_started.is_set():
            first_run_started.set()
            release_first_run.wait(10)
        with db.conn:
            db.conn.executemany("UPDATE work SET done = 1 WHERE id = ?", rows)
        done.extend(row[0] for row in rows)

    process = running(Job("work", HOUR, slow_finish, wake_probe=newest_work))
    assert wait_for(lambda: process.state.holding)
    time.sleep(0.2)
    add_work(database_path)
    assert first_run_started.wait(10)
    add_work(database_path, count=2)  # while the first run is held
    time.sleep(0.2)
    release_first_run.set()
    assert wait_for(lambda: sorted(done) == [1, 2, 3]), f"only {done} were done"
