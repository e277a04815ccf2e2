"""kill -9 of `homeward serve` in the middle of pushes from several phones.

Several reference clients (a thread each, each its own state file and family) record diary
entries and sync in a loop against a real gunicorn server. Once some pushes have been
answered and while others are in flight, the whole server process group is killed with
SIGKILL; the server is started again on the same port and data folder, and the phones carry
on and then sync until their outboxes are empty. Every entry a phone recorded must be in
the `entries` table exactly once: no loss, no double.

The reduced size runs in the suite; `bench/faults.py server-kill` runs the full size.
"""
import math
import sqlite3
import threading
import time

import pytest

from fault_support import CALM, FEVER, Journal, Workspace, enrolment_code, short_sleep, wait_for
from sync.client import Client

pytestmark = pytest.mark.e2e


def phone(index, state_path, url, code, journal, entries, per_sync, fever_every, deadline,
          outcome):
    """A family's phone: record `per_sync` entries, sync, again; then sync until empty."""
    client = Client(state_path, sleep=short_sleep, session=journal.session())
    try:
        outcome["patient_id"] = client.enrol(url, code, f"Phone {index}")["patient_id"]
        recorded, failed_syncs = [], 0
        while len(recorded) < entries and time.monotonic() < deadline:
            for _ in range(min(per_sync, entries - len(recorded))):
                answers = FEVER if (len(recorded) + 1) % fever_every == 0 else CALM
                recorded.append(client.record("symptom-diary", "1.0.0", answers))
            failed_syncs += not client.sync().ok
        report = None
        while time.monotonic() < deadline:
            report = client.sync()
            if report.ok and report.outbox_left == 0:
                break
            failed_syncs += 1
        outcome.update(recorded=recorded, failed_syncs=failed_syncs, last=report,
                       outbox=client.status()["outbox"],
                       results=[line["status"] for line in client.entries()])
    except BaseException as error:  # reported by the main thread
        outcome["error"] = error
    finally:
        client.close()


def kill_mid_push(workspace, server, journal, deadline, kill_log):
    """Wait for the database to take a commit while pushes are in flight, kill -9 the
    server's process group at once (as often as not between a push's commit and its answer),
    start it again on the same port and data; returns the new server."""
    watch = sqlite3.connect(f"file:{workspace.database_path}?mode=ro", uri=True)
    try:
        version = watch.execute("PRAGMA data_version").fetchone()[0]

        def committed_in_flight():
            nonlocal version
            seen, version = version, watch.execute("PRAGMA data_version").fetchone()[0]
            return seen != version and journal.flying
        wait_for(committed_in_flight, deadline - time.monotonic(),
                 "a commit while pushes are in flight", interval=0.0005)
    finally:
        watch.close()
    with journal.lock:
        in_flight = set(journal.flying)
    answered_before = journal.pushes_answered
    server.kill9()
    with journal.lock:
        in_flight |= journal.flying
    killed_at = time.monotonic()
    server = workspace.serve(port=server.port, workers=server.workers,
                             name=f"serve-{len(kill_log) + 2}")
    kill_log.append({"answered_before": answered_before, "in_flight": in_flight,
                     "restart_seconds": time.monotonic() - killed_at})
    wait_for(lambda: not in_flight & journal.flying, 60, "the cut pushes to fail")
    return server


def run_server_kill(root, *, clients=4, entries=60, kills=1, per_sync=4, workers=2,
                    fever_every=15, timeout=240):
    """The whole scenario; asserts the promises and returns the figures."""
    started = time.monotonic()
    deadline = started + timeout
    with Workspace(root) as workspace:
        server = workspace.serve(workers=workers)
        token = workspace.staff_token()
        codes = [enrolment_code(server.url, token, index) for index in range(clients)]
        journal, outcomes = Journal(), [{} for _ in range(clients)]
        threads = [threading.Thread(target=phone, name=f"phone-{index}", daemon=True, args=(
            index, root / f"phone-{index}.db", server.url, codes[index], journal, entries,
            per_sync, fever_every, deadline, outcomes[index])) for index in range(clients)]
        for thread in threads:
            thread.start()
        expected_pushes = clients * math.ceil(entries / per_sync)
        kill_log = []
        for kill in range(kills):
            threshold = expected_pushes * (kill + 1) // (kills + 1)
            wait_for(lambda: journal.pushes_answered >= threshold,
                     deadline - time.monotonic(), f"{threshold} pushes answered")
            # A push can finish between seeing it in flight and the kill landing: then the
            # kill was a plain crash, and we kill again (at most 5 times) to catch one.
            for _attempt in range(5):
                server = kill_mid_push(workspace, server, journal, deadline, kill_log)
                if kill_log[-1]["in_flight"] & journal.push_failed:
                    break
        for thread in threads:
            thread.join(max(1, deadline - time.monotonic()))
        alive = [thread.name for thread in threads if thread.is_alive()]
        assert not alive, f"phones still syncing at the deadline: {alive}"
        server.stop()
        figures = check_promises(workspace, journal, outcomes, kill_log, kills)
    figures.update(clients=clients, entries_per_client=entries, kills=kills,
                   workers=workers, seconds=round(time.monotonic() - started, 1))
    return figures


def check_promises(workspace, journal, outcomes, kill_log, kills) -> dict:
    for outcome in outcomes:
        if "error" in outcome:
            raise outcome["error"]
        assert outcome["last"] is not None and outcome["last"].ok, outcome["last"]
        assert outcome["outbox"] == 0
        assert set(outcome["results"]) <= {"accepted", "duplicate"}, outcome["results"]
    recorded = [entry for outcome in outcomes for entry in outcome["recorded"]]
    assert len(recorded) == len(set(recorded)) == sum(len(o["recorded"]) for o in outcomes)
    stored = workspace.stored_entries()
    lost = set(recorded) - set(stored)
    doubled = {entry: count for entry, count in stored.items() if count > 1}
    unknown = set(stored) - set(recorded)
    assert not lost, f"{len(lost)} recorded entries are not on the server: {sorted(lost)[:5]}"
    assert not doubled, f"entries stored more than once: {doubled}"
    assert not unknown, f"entries on the server that no phone recorded: {sorted(unknown)[:5]}"
    # Each kill asked for cut off at least one push in mid-request (see run_server_kill).
    cut = [len(kill["in_flight"] & journal.push_failed) for kill in kill_log]
    assert sum(map(bool, cut)) >= kills, f"kills caught too few pushes in flight: {kill_log}"
    assert not journal.bad(), journal.bad()[:5]
    [(integrity,)] = [tuple(row.values()) for row in workspace.query("PRAGMA integrity_check")]
    assert integrity == "ok"
    # The outbox is written in the alert's transaction: no alert without its notification.
    orphans = workspace.query("SELECT id FROM alerts a WHERE NOT EXISTS "
                              "(SELECT 1 FROM notifications n WHERE n.alert_id = a.id)")
    assert orphans == [], orphans
    logs = workspace.logs()
    assert "database is locked" not in logs and "Traceback" not in logs, logs[-3000:]
    results = [status for outcome in outcomes for status in outcome["results"]]
    return {"recorded": len(recorded), "stored": sum(stored.values()),
            "answered_duplicate": results.count("duplicate"),
            "pushes_answered": journal.pushes_answered,
            "pushes_cut_by_kills": cut, "requests_without_answer": len(journal.errors),
            "failed_syncs": sum(o["failed_syncs"] for o in outcomes),
            "alerts": workspace.query("SELECT COUNT(*) AS n FROM alerts")[0]["n"],
            "kills_made": len(kill_log),
            "restart_seconds": [round(k["restart_seconds"], 2) for k in kill_log]}


def test_it_loses_and_doubles_no_entry_when_the_server_is_killed_mid_push(tmp_path):
    figures = run_server_kill(tmp_path, clients=4, entries=60, kills=1)
    print(figures)
    assert figures["recorded"] == figures["stored"] == 240
