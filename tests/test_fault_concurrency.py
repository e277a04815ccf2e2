"""Several gunicorn workers and a scheduler writing to one SQLite file at once.

`homeward serve --workers 3` and `homeward scheduler` run on one data folder; many phones
push at once (every few entries a fever, so alerts and notifications are written in the
pushes' transactions while the scheduler's dispatcher claims and records them), and nurses
acknowledge and resolve alerts through the clinic API meanwhile. Every answer any of them
gets is recorded: none may be a 5xx, none may mention "database is locked", and neither
process's log may either. Entries are stored once each, and the dispatcher keeps up.

The reduced size runs in the suite; `bench/faults.py concurrency` runs the full size.
"""
import threading
import time
from collections import Counter

import pytest

from fault_support import Journal, Workspace, enrolment_code, wait_for
from test_fault_server_kill import phone

pytestmark = pytest.mark.e2e


def nurse(url, token, journal, action, stop, deadline, statuses, errors):
    """Acknowledge open alerts (or resolve acknowledged ones) until the phones are done."""
    session, headers = journal.session(), {"Authorization": f"Bearer {token}"}
    wanted = "open" if action == "acknowledge" else "acknowledged"
    body = ({"message": "We have seen this; a nurse will call you."} if action == "acknowledge"
            else {"outcome": "advice_given_at_home", "note": "Paracetamol, call back if worse."})
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            listed = session.get(f"{url}/api/v1/alerts", params={"status": wanted},
                                 headers=headers, timeout=60)
            for alert in (listed.json().get("alerts", []) if listed.ok else [])[:5]:
                session.get(f"{url}/api/v1/alerts/{alert['alert_id']}", headers=headers,
                            timeout=60)
                answer = session.post(f"{url}/api/v1/alerts/{alert['alert_id']}/{action}",
                                      json=body, headers=headers, timeout=60)
                statuses.append(answer.status_code)
            time.sleep(0.05)
    except BaseException as error:  # reported by the main thread
        errors.append(error)
    finally:
        session.close()


def run_concurrency(root, *, clients=8, entries=40, workers=3, per_sync=4, fever_every=3,
                    timeout=240):
    started = time.monotonic()
    deadline = started + timeout
    env = {"HOMEWARD_SCHEDULER_LEASE_SECONDS": "5", "HOMEWARD_SCHEDULER_HEARTBEAT_SECONDS": "1"}
    with Workspace(root, env) as workspace:
        server = workspace.serve(workers=workers)
        scheduler = workspace.scheduler()
        # Two nurses acknowledging (who is first is a race the API must settle with 409s)
        # and one resolving, so new fevers open new episodes.
        tokens = [workspace.staff_token("nurse") for _ in range(3)]
        codes = [enrolment_code(server.url, tokens[0], index) for index in range(clients)]
        journal, stop = Journal(), threading.Event()
        outcomes = [{} for _ in range(clients)]
        tallies, errors = {"acknowledge": [], "resolve": []}, []
        phones = [threading.Thread(target=phone, name=f"phone-{index}", daemon=True, args=(
            index, root / f"phone-{index}.db", server.url, codes[index], journal, entries,
            per_sync, fever_every, deadline, outcomes[index])) for index in range(clients)]
        nurses = [threading.Thread(target=nurse, name=f"nurse-{action}", daemon=True, args=(
            server.url, token, journal, action, stop, deadline, tallies[action], errors))
            for token, action in zip(tokens, ("acknowledge", "acknowledge", "resolve"))]
        for thread in phones + nurses:
            thread.start()
        for thread in phones:
            thread.join(max(1, deadline - time.monotonic()))
        stop.set()
        for thread in nurses:
            thread.join(max(1, deadline - time.monotonic()))
        alive = [thread.name for thread in phones + nurses if thread.is_alive()]
        assert not alive, f"still running at the deadline: {alive}"
        pushed_for = time.monotonic() - started
        wait_for(lambda: not workspace.query("SELECT id FROM notifications WHERE status IN "
                                             "('pending', 'sending')"),
                 max(30, deadline - time.monotonic()), "the dispatcher to catch up",
                 interval=0.2)
        assert scheduler.stop() == 0, scheduler.log()
        assert server.stop() == 0, server.log()
        if errors:
            raise errors[0]
        figures = check_promises(workspace, journal, outcomes,
                                 {action: Counter(found) for action, found in tallies.items()})
    figures.update(clients=clients, entries_per_client=entries, workers=workers,
                   pushing_seconds=round(pushed_for, 1),
                   seconds=round(time.monotonic() - started, 1))
    return figures


def check_promises(workspace, journal, outcomes, tallies) -> dict:
    for outcome in outcomes:
        if "error" in outcome:
            raise outcome["error"]
    for outcome in outcomes:
        assert outcome["last"].ok and outcome["outbox"] == 0, outcome["last"]
    assert not journal.bad(), journal.bad()[:5]
    assert not journal.errors, journal.errors[:5]
    logs = workspace.logs()
    assert "database is locked" not in logs, logs[-3000:]
    assert "Traceback" not in logs, logs[-3000:]
    recorded = [entry for outcome in outcomes for entry in outcome["recorded"]]
    stored = workspace.stored_entries()
    assert sorted(stored) == sorted(recorded) and set(stored.values()) == {1}
    for action, tally in tallies.items():
        # 409: the other nurse (or an earlier run of this loop) was first; never a 5xx.
        assert set(tally) <= {200, 409}, (action, tally)
    assert tallies["acknowledge"].get(200), tallies
    alerts = workspace.query("SELECT status, COUNT(*) AS n FROM alerts GROUP BY status")
    sent = workspace.query("SELECT COUNT(*) AS n FROM notifications WHERE status = 'sent'")
    return {"requests": len(journal.answers), "statuses": dict(journal.statuses()),
            "entries": len(recorded), "alerts": {row["status"]: row["n"] for row in alerts},
            "notifications_sent": sent[0]["n"], "acknowledge": dict(tallies["acknowledge"]),
            "resolve": dict(tallies["resolve"])}


def test_it_never_answers_5xx_or_locked_with_three_workers_and_a_scheduler_writing(tmp_path):
    figures = run_concurrency(tmp_path, clients=10, entries=48, workers=3, per_sync=3)
    print(figures)
    assert figures["entries"] == 480
