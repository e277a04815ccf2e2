"""Waking a scheduler job as soon as its work appears, instead of at its next tick.

SQLite tells a connection, for microseconds, whether any other connection has committed
since it last asked (`PRAGMA data_version`). The watcher asks every 25-50 ms; only when the
answer changes does it run the jobs' probes (one cheap query each, e.g. the newest outbox
row's id), and a probe whose answer changed wakes its job. The job itself is unchanged: it
claims its rows with the same conditional UPDATEs as on its tick, which stays as the
fallback (a retry that falls due, a watcher that failed, a write this process cannot see).
"""
import logging
import random
import threading
from typing import Callable

POLL_SECONDS = (0.025, 0.05)
# After a failure (database locked for long, file replaced by a restore), try again later
# rather than in a tight loop; the jobs' own ticks cover the gap.
RETRY_SECONDS = 1.0

log = logging.getLogger("homeward.scheduler")


def read_data_version(db) -> int:
    return db.execute("PRAGMA data_version").fetchone()[0]


class WriteWatcher:
    """A thread that calls `wake(name)` when `probes[name](db)` answers differently."""

    def __init__(self, open_db: Callable, probes: dict, wake: Callable[[str], None],
                 poll_seconds=POLL_SECONDS):
        self._open_db = open_db
        self._probes = dict(probes)
        self._wake = wake
        self._poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        if not self._probes or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._watch, name="scheduler-wake",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout=None):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _watch(self):
        while not self._stop.is_set():
            try:
                self._watch_connection()
            except Exception:
                log.exception("the outbox watcher failed; jobs run on their ticks until it "
                              "restarts in %s s", RETRY_SECONDS)
                self._stop.wait(RETRY_SECONDS)

    def _watch_connection(self):
        db = self._open_db()
        try:
            version = read_data_version(db)
            answers = {name: probe(db) for name, probe in self._probes.items()}
            while not self._stop.wait(random.uniform(*self._poll_seconds)):
                latest = read_data_version(db)
                if latest == version:
                    continue
                version = latest
                for name, probe in self._probes.items():
                    answer = probe(db)
                    if answer != answers[name]:
                        answers[name] = answer
                        self._wake(name)
        finally:
            db.close()
