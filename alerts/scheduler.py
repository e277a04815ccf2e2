"""The scheduler process: time-based work, done by whichever process holds the lease.

Its own process (`homeward scheduler`): APScheduler 3 cannot share a job store between web
workers, and one inside each worker would send every alert several times. Any number may
run; the holder of the `scheduler` lease acts, the others stand by and take over once its
heartbeats stop for the lease time.

The decisions are plain functions (`tick`, `run_job`) over a database handle and a `now`,
so tests drive them with a frozen clock; `SchedulerProcess` wires them to APScheduler's
threads and to the signals that stop the process.
"""
import logging
import os
import secrets
import signal
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import import_module
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler

from . import lease
from .wake import WriteWatcher

LEASE_NAME = "scheduler"
ACQUIRED, RENEWED, LOST, STANDBY = "acquired", "renewed", "lost", "standby"
SHUTDOWN_WAIT_SECONDS = 60

# Modules whose `register_jobs(registry)` adds their jobs: missed check-ins, escalation and
# notification dispatch join this list as they are written.
JOB_MODULES: tuple[str, ...] = ()

log = logging.getLogger("homeward.scheduler")


@dataclass(frozen=True)
class Job:
    """Work to do every `every_seconds`: `function(db, now)`, on a connection of its own.

    A job must be safe to run late and to run again after a crash (claim rows with a
    conditional UPDATE): a late run catches up on everything due since the last one.
    """

    name: str
    every_seconds: float
    function: Callable
    # `probe(db)` -> a value that changes when new work for the job appears (the newest
    # outbox row's id): the job then runs at once, not at its next tick (alerts/wake.py).
    wake_probe: Callable | None = None


class Registry:
    def __init__(self, jobs=()):
        self._jobs: dict[str, Job] = {}
        for job in jobs:
            self.add(job)

    def add(self, job: Job) -> Job:
        if job.name in self._jobs:
            raise ValueError(f"A scheduler job named {job.name!r} is already registered.")
        if job.every_seconds <= 0:
            raise ValueError(f"Scheduler job {job.name!r} must run every so many seconds.")
        self._jobs[job.name] = job
        return job

    def job(self, name: str, every_seconds: float):
        """Decorator form: `@registry.job("missed_checkins", every_seconds=60)`."""
        def register(function):
            self.add(Job(name, every_seconds, function))
            return function
        return register

    def __iter__(self):
        return iter(self._jobs.values())

    def __len__(self):
        return len(self._jobs)


def standard_jobs() -> Registry:
    registry = Registry()
    for module in JOB_MODULES:
        import_module(module).register_jobs(registry)
    return registry


@dataclass(frozen=True)
class Settings:
    lease_seconds: float
    heartbeat_seconds: float

    def __post_init__(self):
        if self.heartbeat_seconds * 2 > self.lease_seconds:
            raise ValueError("The lease must last at least two heartbeats, or a healthy "
                             "scheduler could lose it between them.")


@dataclass
class LeaseState:
    """What this process believes about the lease; the database has the last word."""

    holder: str
    holding: bool = False


def new_holder_id() -> str:
    # Host and pid tell an operator which process it is; the random part tells a restarted
    # process with a recycled pid from its predecessor.
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def tick(db, state: LeaseState, now: datetime, settings: Settings) -> str:
    """One heartbeat: renew the lease if we hold it, else try to take it."""
    if state.holding:
        if lease.renew(db, LEASE_NAME, state.holder, now, settings.lease_seconds):
            return RENEWED
        state.holding = False
        return LOST
    if lease.acquire(db, LEASE_NAME, state.holder, now, settings.lease_seconds):
        state.holding = True
        return ACQUIRED
    return STANDBY


def run_job(db, state: LeaseState, now: datetime, job: Job) -> bool:
    """Run `job` if this process holds a live lease in the database; True if it ran.

    Asking the database, not `state`, keeps a process that was paused past its lease (and
    replaced meanwhile) from acting on what it believed before the pause.
    """
    if not lease.holds(db, LEASE_NAME, state.holder, now):
        return False
    job.function(db, now)
    return True


class SchedulerProcess:
    def __init__(self, open_db: Callable, clock, settings: Settings, jobs=(), holder=None):
        self._open_db = open_db
        self._clock = clock
        self._settings = settings
        self._jobs = list(jobs)
        self.state = LeaseState(holder or new_holder_id())
        self._last_event = None
        self._stop_requested = threading.Event()
        self._start_returned = threading.Event()
        self._shut_down = threading.Event()
        # One run of a job at a time whether a tick or a wake started it; a wake during a
        # run asks for one more run after it (`_wanted`), so no new row waits for a tick.
        self._running = {job.name: threading.Lock() for job in self._jobs}
        self._wanted = {job.name: threading.Event() for job in self._jobs}
        self._watcher = WriteWatcher(
            open_db, {job.name: job.wake_probe for job in self._jobs if job.wake_probe},
            self._wake)
        self._scheduler = BlockingScheduler(
            timezone=timezone.utc,
            # A pool of its own for the heartbeat: a slow job must never delay a renewal
            # until the lease runs out under a healthy process.
            executors={"default": ThreadPoolExecutor(max(1, min(len(self._jobs), 8))),
                       "heartbeat": ThreadPoolExecutor(1)},
            # Late is better than never for an escalation: no grace limit, so a run missed
            # while the host was busy or asleep still happens, and coalesce folds a backlog
            # of missed runs into one.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
        self._scheduler.add_job(self.heartbeat, "interval", id="heartbeat",
                                seconds=settings.heartbeat_seconds, executor="heartbeat",
                                next_run_time=datetime.now(timezone.utc))
        for job in self._jobs:
            self._scheduler.add_job(self._run, "interval", args=[job], id=f"job:{job.name}",
                                    name=job.name, seconds=job.every_seconds)

    def heartbeat(self):
        try:
            db = self._open_db()
            try:
                event = tick(db, self.state, self._clock.now(), self._settings)
                current = lease.read(db, LEASE_NAME) if event == STANDBY else None
            finally:
                db.close()
        except Exception:
            # Jobs ask the database before acting, so a failed renewal cannot let this
            # process act on a lease it may have lost; the next tick tries again.
            log.exception("scheduler heartbeat failed; retrying in %s s",
                          self._settings.heartbeat_seconds)
            return
        if event == ACQUIRED:
            log.info("took the scheduler lease as %s", self.state.holder)
            self._run_all_now()
        elif event == LOST:
            log.warning("lost the scheduler lease (another process holds it); standing by")
        elif event == STANDBY and self._last_event != STANDBY:
            log.info("standing by as %s: the lease is held by %s until %s",
                     self.state.holder, current.holder if current else "?",
                     current.expires_at.isoformat() if current else "?")
        self._last_event = event

    def _run_all_now(self):
        # A new holder catches up at once on what was due while nobody held the lease.
        moment = datetime.now(timezone.utc)
        for job in self._jobs:
            self._scheduler.modify_job(f"job:{job.name}", next_run_time=moment)

    def _wake(self, name: str):
        if self.state.holding and not self._stop_requested.is_set():
            self._run(next(job for job in self._jobs if job.name == name))

    def _run(self, job: Job):
        wanted, running = self._wanted[job.name], self._running[job.name]
        wanted.set()
        # Whoever holds the job's lock runs it again while wakes keep arriving; checking
        # `wanted` after releasing closes the gap between the last check and the release.
        while wanted.is_set() and running.acquire(blocking=False):
            try:
                while wanted.is_set():
                    wanted.clear()
                    self._run_once(job)
            finally:
                running.release()

    def _run_once(self, job: Job):
        try:
            db = self._open_db()
            try:
                ran = run_job(db, self.state, self._clock.now(), job)
            finally:
                db.close()
        except Exception:
            log.exception("scheduler job %s failed; it runs again in %s s", job.name,
                          job.every_seconds)
            return
        if ran:
            log.debug("ran scheduler job %s", job.name)

    def run(self, handle_signals: bool = True):
        """Block until `stop()`, SIGTERM or SIGINT; release the lease on the way out."""
        previous = {}
        if handle_signals:
            for number in (signal.SIGTERM, signal.SIGINT):
                previous[number] = signal.signal(number, self._on_signal)
        try:
            if not self._stop_requested.is_set():
                self._watcher.start()
                self._scheduler.start()
        finally:
            self._start_returned.set()
            if self._stop_requested.is_set():
                # The main loop can return before stop() has waited out the running jobs;
                # releasing now would let a standby start the same job alongside them.
                self._shut_down.wait(SHUTDOWN_WAIT_SECONDS)
            else:
                self._shutdown()
            # A wake may be running a job on the watcher's thread: it finishes before the
            # lease goes, like the scheduler's own runs.
            self._watcher.stop(SHUTDOWN_WAIT_SECONDS)
            self._release()
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _on_signal(self, number, frame):
        # Shutting down waits for running jobs; doing that inside the handler would re-enter
        # the scheduler's locks on the main thread, so a helper thread does it.
        log.info("received %s; stopping after running jobs finish",
                 signal.Signals(number).name)
        threading.Thread(target=self.stop, name="scheduler-stop", daemon=True).start()

    def stop(self):
        if self._stop_requested.is_set():
            return
        self._stop_requested.set()
        try:
            deadline = time.monotonic() + SHUTDOWN_WAIT_SECONDS
            while (not self._scheduler.running and not self._start_returned.is_set()
                   and time.monotonic() < deadline):
                time.sleep(0.01)
            self._shutdown()
        finally:
            self._shut_down.set()

    def _shutdown(self):
        try:
            self._scheduler.shutdown(wait=True)
        except SchedulerNotRunningError:
            pass

    def _release(self):
        if not self.state.holding:
            return
        try:
            db = self._open_db()
            try:
                released = lease.release(db, LEASE_NAME, self.state.holder, self._clock.now())
            finally:
                db.close()
        except Exception:
            log.exception("could not release the scheduler lease; a standby takes over "
                          "once it expires")
            return
        self.state.holding = False
        if released:
            log.info("released the scheduler lease")
