"""kill -9 of `homeward scheduler` while it is delivering notifications.

Pushed fevers raise alerts whose notifications wait in the outbox; a real webhook receiver on
127.0.0.1 takes a second over each delivery. The scheduler is killed with SIGKILL after some
deliveries were answered and while another is in the receiver's hands, then started again.
Every notification must reach the receiver at least once and be recorded as sent exactly
once, and the history of each interrupted one must show the attempt the killed dispatcher
never finished.

A scheduler restarted on the same host releases the dead dispatcher's claims at once
(alerts/notifications/outbox.py, release_dead_claims: the claim names host and pid), so
nothing waits out the claim time; a standby on another host would wait CLAIM_SECONDS.
"""
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from alerts.notifications.dispatch import CLAIM_SECONDS
from alerts.storage import utc as to_db
from fault_support import FEVER, Workspace, enrolment_code, short_sleep, wait_for
from sync.client import Client

pytestmark = pytest.mark.e2e

SECRET_ENV, SECRET = "FAULT_PAGER_SECRET", "pager-secret-for-fault-tests"
LOST = "no outcome recorded before the claim expired"


class SlowReceiver:
    """A paging system on 127.0.0.1 that takes `delay` seconds to answer each delivery and
    records, per idempotency key, every arrival and whether its signature was good."""

    def __init__(self, delay=1.0):
        from alerts.notifications.webhook import verify_signature

        self.arrived, self.answered, self.in_progress = [], [], 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = verify_signature(SECRET, self.headers["X-Homeward-Timestamp"], body,
                                         self.headers["X-Homeward-Signature"],
                                         datetime.now(timezone.utc))
                key = self.headers["Idempotency-Key"]
                with receiver.lock:
                    receiver.arrived.append((key, valid))
                    receiver.in_progress += 1
                try:
                    time.sleep(delay)
                    self.send_response(200 if valid else 401)
                    self.end_headers()
                    with receiver.lock:
                        receiver.answered.append(key)
                except OSError:
                    pass  # the dispatcher died while we took our time
                finally:
                    with receiver.lock:
                        receiver.in_progress -= 1

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/page"

    def notifications_file(self, path) -> Path:
        routes = {"channels": {"pager": {"type": "webhook", "url": self.url,
                                         "secret_env": SECRET_ENV}},
                  "routes": {route: ["pager"] for route in
                             ("emergency", "urgent", "escalation", "attention", "info")}}
        Path(path).write_text(json.dumps(routes))
        return Path(path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def raise_fevers(workspace, families) -> list[str]:
    """One fever from each of `families` phones through a real server: one alert and one
    pager notification each, in the outbox."""
    server = workspace.serve(workers=1)
    try:
        token = workspace.staff_token()
        alerts = []
        for index in range(families):
            code = enrolment_code(server.url, token, index)
            with Client(workspace.root / f"phone-{index}.db", sleep=short_sleep) as phone:
                phone.enrol(server.url, code, f"Phone {index}")
                phone.record("symptom-diary", "1.0.0", FEVER)
                report = phone.sync()
                assert report.ok and report.pushed["accepted"] == 1, report
                alerts += [alert["alert_id"] for alert in report.alerts]
    finally:
        assert server.stop() == 0
    return alerts


def notifications(workspace):
    return workspace.query("SELECT id, idempotency_key, status, attempts, claimed_by, sent_at "
                           "FROM notifications ORDER BY id")


def run_scheduler_kill(root, *, families=5, delay=1.0, answered_before_kill=2,
                       real_claim_expiry=False, timeout=180):
    started = time.monotonic()
    receiver = SlowReceiver(delay)
    root = Path(root)
    try:
        env = {SECRET_ENV: SECRET,
               "HOMEWARD_NOTIFICATIONS_FILE": str(receiver.notifications_file(
                   root / "notifications.json")),
               "HOMEWARD_SCHEDULER_LEASE_SECONDS": "5",
               "HOMEWARD_SCHEDULER_HEARTBEAT_SECONDS": "1"}
        with Workspace(root, env) as workspace:
            alerts = raise_fevers(workspace, families)
            assert len(alerts) == families
            queued = notifications(workspace)
            assert len(queued) == families and {n["status"] for n in queued} == {"pending"}

            first = workspace.scheduler("scheduler-1")
            wait_for(lambda: len(receiver.answered) >= answered_before_kill
                     and receiver.in_progress, 60 + families * delay,
                     "deliveries answered and one in the receiver's hands", interval=0.005)
            first.kill9()
            killed_at = time.monotonic()
            at_kill = notifications(workspace)
            interrupted = {n["id"] for n in at_kill if n["status"] == "sending"}
            dead_workers = {n["claimed_by"] for n in at_kill if n["status"] == "sending"}
            assert interrupted, at_kill

            second = workspace.scheduler("scheduler-2")
            wait_for(lambda: {n["status"] for n in notifications(workspace)} == {"sent"},
                     timeout + (CLAIM_SECONDS if real_claim_expiry else 0),
                     "every notification to be sent after the restart", interval=0.2)
            recovered_after = time.monotonic() - killed_at
            assert second.stop() == 0, second.log()
            figures = check_promises(workspace, receiver, interrupted, dead_workers)
            assert "took the scheduler lease" in second.log()
    finally:
        receiver.close()
    figures.update(families=families, receiver_delay_seconds=delay,
                   all_sent_seconds_after_kill=round(recovered_after, 1),
                   real_claim_expiry=real_claim_expiry,
                   seconds=round(time.monotonic() - started, 1))
    return figures


def check_promises(workspace, receiver, interrupted, dead_workers) -> dict:
    rows = notifications(workspace)
    arrivals = {}
    for key, valid in receiver.arrived:
        assert valid, f"a delivery of {key} had a bad signature"
        arrivals[key] = arrivals.get(key, 0) + 1
    attempts = {}
    for row in workspace.query("SELECT notification_id, outcome, error, worker "
                               "FROM notification_attempts ORDER BY id"):
        attempts.setdefault(row["notification_id"], []).append(row)
    for row in rows:
        assert row["status"] == "sent" and row["sent_at"], row
        assert arrivals.get(row["idempotency_key"], 0) >= 1, f"never delivered: {row}"
        history = attempts[row["id"]]
        assert [a["outcome"] for a in history].count("sent") == 1, history
        if row["id"] in interrupted:
            # The killed dispatcher's attempt, recorded under its own name, then the resend.
            assert [a["outcome"] for a in history] == ["retry", "sent"], history
            assert LOST in history[0]["error"] and history[0]["worker"] in dead_workers
            assert history[1]["worker"] not in dead_workers and row["attempts"] == 2
        else:
            assert [a["outcome"] for a in history] == ["sent"], history
    twice = [key for key, count in arrivals.items() if count > 1]
    # The delivery in the receiver's hands at the kill arrived again: at least once.
    assert twice, arrivals
    logs = workspace.logs()
    assert "Traceback" not in logs and "database is locked" not in logs, logs[-3000:]
    return {"notifications": len(rows), "interrupted": len(interrupted),
            "delivered_twice": len(twice), "deliveries": len(receiver.arrived)}


def test_it_delivers_every_notification_after_the_scheduler_is_killed_mid_dispatch(tmp_path):
    figures = run_scheduler_kill(tmp_path, families=5, delay=1.0)
    print(figures)
    assert figures["notifications"] == 5 and figures["interrupted"] >= 1
