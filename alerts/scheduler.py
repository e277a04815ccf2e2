"""The scheduler's decisions: what a job is, which jobs there are, and who may run them.

Time-based work runs in its own process (`homeward scheduler`): APScheduler 3 cannot share a
job store between web workers, and one inside each worker would send every alert several
times. Any number may run; the holder of the `scheduler` lease acts, the others stand by
and take over once its heartbeats stop for the lease time.

The decisions are plain functions (`tick`, `run_job`) over a database handle and a `now`,
so tests drive them with a frozen clock; `alerts/scheduler_process.py` wires them to
APScheduler's threads and to the signals that stop the process, and `alerts/jobs.py` holds
each job's work.
"""
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Callable

from . import lease

LEASE_NAME = "scheduler"
ACQUIRED, RENEWED, LOST, STANDBY = "acquired", "renewed", "lost", "standby"

# Modules whose `register_jobs(registry)` adds their jobs: missed check-ins, escalation and
# notification dispatch join this list as they are written.
JOB_MODULES: tuple[str, ...] = ()

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
