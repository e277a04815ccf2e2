"""What the fault tests (and bench/faults.py) share: real `homeward serve` and `homeward
scheduler` processes on a temporary data folder, each in a process group of its own so that
`kill9()` takes the gunicorn master and its workers down at once, the way a crash or the OOM
killer would; HTTP sessions that record every answer; staff tokens and families.

Everything binds 127.0.0.1; every wait is bounded; `Workspace` kills whatever it started on
the way out, failure or not.
"""
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
CALM = {"temperature_c": 36.8, "temperature_method": "oral"}
FEVER = {"temperature_c": 38.6, "temperature_method": "axillary"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout, what, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def short_sleep(seconds):
    """The phones' backoff, capped: a test waits for the server, not for jitter."""
    time.sleep(min(seconds, 0.3))


class Proc:
    """A `homeward` subprocess leading its own process group."""

    def __init__(self, name, popen, log_path):
        self.name, self.popen, self.log_path = name, popen, log_path

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def log(self):
        return self.log_path.read_text(errors="replace")

    def kill9(self):
        """SIGKILL to the whole group (gunicorn's master and workers together): no graceful
        stop, no finally blocks, requests cut off wherever they are."""
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait(timeout=30)

    def stop(self, timeout=40):
        """SIGTERM and wait; SIGKILL if it will not go. Returns the exit status."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill9()
        return self.popen.returncode


class Workspace:
    """A data folder after `homeward init`, and the processes started on it."""

    def __init__(self, root, env=None):
        from server.commands.init import initialise
        from server.config import Config

        self.root = Path(root)
        self.data_dir = self.root / "data"
        self.config = Config.from_env({}, data_dir=self.data_dir, argon2_memory_kib=64,
                                      argon2_time_cost=1)
        initialise(self.config)
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")},
                    "HOMEWARD_DATA_DIR": str(self.data_dir), "HOMEWARD_COOKIE_SECURE": "false",
                    "HOMEWARD_ARGON2_MEMORY_KIB": "64", "HOMEWARD_ARGON2_TIME_COST": "1",
                    **(env or {})}
        self.procs = []

    @property
    def database_path(self) -> Path:
        return self.config.database_path

    def start(self, name, *args) -> Proc:
        log_path = self.root / f"{name}.log"
        with open(log_path, "ab") as log:
            popen = subprocess.Popen([sys.executable, "-m", "server.cli", *args], cwd=ROOT,
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        proc = Proc(name, popen, log_path)
        self.procs.append(proc)
        return proc

    def serve(self, port=None, workers=2, name="serve", timeout=60) -> Proc:
        port = port or free_port()
        proc = self.start(name, "serve", "--port", str(port), "--workers", str(workers))
        proc.port, proc.url, proc.workers = port, f"http://127.0.0.1:{port}", workers

        def answering():
            assert proc.alive(), f"{name} exited:\n{proc.log()}"
            try:
                return requests.get(f"{proc.url}/healthz", timeout=5).status_code in (200, 503)
            except requests.RequestException:
                return False
        wait_for(answering, timeout, f"{name} to answer /healthz", interval=0.1)
        return proc

    def scheduler(self, name="scheduler") -> Proc:
        return self.start(name, "scheduler")

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log()}" for p in self.procs)

    def close(self):
        for proc in self.procs:
            if proc.alive():
                proc.kill9()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def query(self, sql, params=()):
        connection = sqlite3.connect(self.database_path, timeout=30)
        try:
            connection.row_factory = sqlite3.Row
            return [dict(row) for row in connection.execute(sql, params)]
        finally:
            connection.close()

    def execute(self, sql, params=()):
        connection = sqlite3.connect(self.database_path, timeout=30, isolation_level=None)
        try:
            return connection.execute(sql, params).rowcount
        finally:
            connection.close()

    def staff_token(self, role="nurse") -> str:
        """An account and its bearer token, written straight into the database, as
        `homeward users create` would."""
        from server.auth.tokens import issue_token
        from server.auth.users import create_user
        from server.storage.db import connect

        db = connect(self.database_path)
        try:
            now = datetime.now(timezone.utc)
            user = create_user(db, f"{role}-{uuid.uuid4().hex[:8]}", role,
                               "correct horse battery staple", self.config, now)
            return issue_token(db, user.id, self.config, now)[0]
        finally:
            db.conn.close()

    def stored_entries(self) -> Counter:
        return Counter(row["entry_id"] for row in self.query("SELECT entry_id FROM entries"))


def enrolment_code(base_url, staff_token, index) -> str:
    """A child in the monitoring window, made through the clinic API; its enrolment code."""
    today = date.today()
    headers = {"Authorization": f"Bearer {staff_token}"}
    child = {"display_name": f"Fault Child {index}", "date_of_birth": "2015-03-14",
             "infusion_date": (today - timedelta(days=2)).isoformat(),
             "timezone": "Europe/Madrid", "language": "es", "mrn": f"MRN-F{index:05d}"}
    made = requests.post(f"{base_url}/api/v1/patients", json=child, headers=headers, timeout=30)
    assert made.status_code == 201, made.text
    code = requests.post(f"{base_url}/api/v1/patients/{made.json()['patient_id']}/enrollments",
                         json={"respondent": "caregiver"}, headers=headers, timeout=30)
    assert code.status_code == 201, code.text
    return code.json()["code"]


class Journal:
    """Every answer any recording session got, and the pushes in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers = []  # (method, path, status, first 300 characters of the body)
        self.errors = []   # (method, path, the exception): no answer at all
        self.flying = set()        # pushes sent and not yet answered
        self.push_failed = set()   # pushes that never got an answer
        self.pushes_answered = 0
        self._next = 0

    def session(self) -> requests.Session:
        return RecordingSession(self)

    def bad(self) -> list:
        """Answers no client should ever get: a 5xx, or the database being locked."""
        return [a for a in self.answers if a[2] >= 500 or "database is locked" in a[3]]

    def statuses(self, path_part="") -> Counter:
        return Counter(a[2] for a in self.answers if path_part in a[1])


class RecordingSession(requests.Session):
    def __init__(self, journal):
        super().__init__()
        self.journal = journal

    def request(self, method, url, *args, **kwargs):
        journal, push = self.journal, url.endswith("/sync/push")
        with journal.lock:
            journal._next += 1
            ticket = journal._next
            if push:
                journal.flying.add(ticket)
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as error:
            with journal.lock:
                journal.errors.append((method, urlsplit(url).path, repr(error)))
                if push:
                    journal.push_failed.add(ticket)
            raise
        finally:
            with journal.lock:
                journal.flying.discard(ticket)
        with journal.lock:
            journal.answers.append((method, urlsplit(url).path, response.status_code,
                                    response.text[:300]))
            journal.pushes_answered += push and response.status_code == 200
        return response
