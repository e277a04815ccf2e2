"""The scheduler process: the decisions of alerts/scheduler.py on APScheduler's threads.

A heartbeat renews or takes the lease; each job runs on its interval (or at once when its
wake probe sees new work, alerts/wake.py) only while this process holds the lease; SIGTERM
and SIGINT stop it after running jobs finish, and the lease is released on the way out so a
standby takes over at once.
"""
import logging
import signal
import threading
import time
from datetime import datetime, timezone
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler

from . import lease
from .scheduler import (ACQUIRED, LEASE_NAME, LOST, STANDBY, Job, LeaseState, Settings,
                        new_holder_id, run_job, tick)
from .wake import WriteWatcher

SHUTDOWN_WAIT_SECONDS = 60

log = logging.getLogger("homeward.scheduler")


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
