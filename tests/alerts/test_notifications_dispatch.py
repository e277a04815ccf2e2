"""The dispatcher end to end: real SQLite, a real SMTP relay and a real webhook receiver."""
import json
import logging
import threading
import time
from datetime import datetime, timedelta

import pytest

from alerts import lease
from alerts.notifications import (RoutingError, build_payload, builtin_routing, claim_due,
                                  delivery_history, dispatch_due, enqueue,
                                  failed_notifications, register_jobs)
from alerts.scheduler import LEASE_NAME, LeaseState, Registry, run_job
from notification_support import (CHILD_NAME, PATIENT_ID, START, database_path,  # noqa: F401
                                  db, email_channel, later, make_alert, receiver, relay, rows,
                                  routing_for, webhook_channel)
from server.storage.db import connect, write_transaction

BASE = "https://homeward.hospital.example"


def raise_alert(db, routing, alert, kind="alert_raised", key=None):
    return enqueue(db, routing, alert_id=alert["id"], kind=kind, route=alert["level"],
                   payload=build_payload(alert, kind, BASE),
                   idempotency_key=key or f"{alert['id']}:{kind}", now=START)


def test_it_never_sends_a_row_twice_when_two_dispatchers_run_at_once(db, database_path,
                                                                     receiver):
    routing = routing_for({"pager": webhook_channel(receiver)})
    receiver.set_now(later(1))
    for number in range(30):
        raise_alert(db, routing, make_alert(db, f"al_{number}"))
    counts = {}
    # Every request waits at the receiver until both dispatchers are mid-send at once, so
    # the two really do compete for the same rows.
    receiver.hold = threading.Event()

    def dispatcher(worker):
        own = connect(database_path)
        counts[worker] = dispatch_due(own, routing, later(1), worker, limit=3)
        own.close()

    threads = [threading.Thread(target=dispatcher, args=(f"d{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while receiver.held < 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    both_sending = receiver.held >= 2
    receiver.hold.set()
    for thread in threads:
        thread.join()

    assert both_sending, "the two dispatchers were never sending at the same time"
    keys = [body["idempotency_key"] for body in receiver.accepted]
    assert len(keys) == 30 and len(set(keys)) == 30
    assert counts["d1"]["sent"] + counts["d2"]["sent"] == 30
    assert counts["d1"]["sent"] and counts["d2"]["sent"]
    assert rows(db, "SELECT DISTINCT status FROM notifications") == [{"status": "sent"}]


def test_it_sends_again_after_a_dispatcher_died_mid_send_and_shows_the_lost_attempt(db,
                                                                                   relay):
    routing = routing_for({"ward-email": email_channel(relay)})
    raise_alert(db, routing, make_alert(db))
    # The dead dispatcher claimed the row and never came back to record anything.
    assert claim_due(db, "dispatch:dead", later(1), lease_seconds=300, limit=10)

    assert dispatch_due(db, routing, later(200), "dispatch:live")["claimed"] == 0
    assert relay.messages == []
    assert dispatch_due(db, routing, later(302), "dispatch:live")["sent"] == 1

    assert len(relay.messages) == 1
    [notification] = delivery_history(db, "al_fever1")
    assert notification["status"] == "sent" and notification["attempts"] == 2
    lost, sent = notification["history"]
    assert (lost["outcome"], lost["worker"]) == ("retry", "dispatch:dead")
    assert "dispatcher stopped mid-send" in lost["error"]
    assert (sent["outcome"], sent["worker"]) == ("sent", "dispatch:live")


def test_it_gives_up_after_twelve_attempts_and_lists_the_failure(db, receiver):
    receiver.replies = [(503, {})] * 20
    routing = routing_for({"pager": webhook_channel(receiver)})
    raise_alert(db, routing, make_alert(db))
    moment = later(1)
    for _attempt in range(12):
        receiver.set_now(moment)
        dispatch_due(db, routing, moment, "w")
        moment = datetime.fromisoformat(
            rows(db, "SELECT next_attempt_at FROM notifications")[0]["next_attempt_at"])
    assert len(receiver.requests) == 12
    [failed] = failed_notifications(db)
    assert failed["attempts"] == 12
    assert failed["last_error"].startswith("gave up after 12 attempts: webhook ")
    history = delivery_history(db, "al_fever1")[0]["history"]
    assert [attempt["outcome"] for attempt in history] == ["retry"] * 11 + ["failed"]
    # 5 s doubling, capped at 10 min, each up to a fifth shorter: 35 to 50 minutes in all.
    span = datetime.fromisoformat(history[-1]["at"]) - datetime.fromisoformat(history[0]["at"])
    assert timedelta(minutes=35) <= span <= timedelta(minutes=51)


def test_it_writes_notifications_to_the_log_when_no_channels_are_configured(db, caplog):
    routing = builtin_routing()
    raise_alert(db, routing, make_alert(db, level="emergency", reasons=("seizure",)),
                kind="emergency")
    with caplog.at_level(logging.WARNING, logger="homeward.notifications"):
        assert dispatch_due(db, routing, later(1), "w")["sent"] == 1
    [line] = [record.getMessage() for record in caplog.records]
    assert "al_fever1:emergency:log" in line and PATIENT_ID in line
    assert f"{BASE}/alerts/al_fever1" in line and CHILD_NAME not in line
    assert rows(db, "SELECT channel, status FROM notifications") == [
        {"channel": "log", "status": "sent"}]


def test_it_refuses_to_send_while_the_caller_holds_a_transaction_open(db):
    raise_alert(db, builtin_routing(), make_alert(db))
    with pytest.raises(RuntimeError, match="must not run inside a transaction"):
        with write_transaction(db):
            dispatch_due(db, builtin_routing(), later(1), "w")
    assert rows(db, "SELECT status FROM notifications") == [{"status": "pending"}]


def test_it_gives_the_evidence_only_to_channels_trusted_with_clinical_detail(db, relay,
                                                                           receiver):
    routing = routing_for({"pager": webhook_channel(receiver, detail="clinical"),
                           "ward-email": email_channel(relay)})
    raise_alert(db, routing, make_alert(db))
    asked = []

    def evidence(db, alert_id):
        asked.append(alert_id)
        return {"temperature": "38.6 °C axillary"}

    receiver.set_now(later(1))
    assert dispatch_due(db, routing, later(1), "w", evidence=evidence)["sent"] == 2
    [delivered] = receiver.accepted
    assert delivered["evidence"] == "temperature 38.6 °C axillary"
    [(_to, message)] = relay.messages
    assert "38.6" not in message.as_string()
    assert asked == ["al_fever1"]
    assert all("38.6" not in row["payload"]
               for row in rows(db, "SELECT payload FROM notifications"))


def test_it_does_not_keep_one_channel_waiting_behind_another_that_hangs(db, relay, receiver):
    routing = routing_for({"pager": webhook_channel(receiver), "ward-email":
                           email_channel(relay)},
                          routes={"emergency": ["pager", "ward-email"], "urgent": ["pager",
                                  "ward-email"], "escalation": ["pager"]})
    raise_alert(db, routing, make_alert(db))
    receiver.set_now(later(1))
    receiver.hold = threading.Event()
    counts = {}
    sending = threading.Thread(target=lambda: counts.update(
        dispatch_due(db, routing, later(1), "w")))
    sending.start()
    try:
        assert relay.arrived.wait(5), "the email waited for the stuck pager"
        assert receiver.requests == []
    finally:
        receiver.hold.set()
        sending.join(10)
    assert counts["sent"] == 2


def test_it_fails_a_notification_whose_channel_was_removed_from_the_settings(db, relay):
    old = routing_for({"old-email": email_channel(relay)})
    raise_alert(db, old, make_alert(db))
    new = routing_for({"ward-email": email_channel(relay)})
    assert dispatch_due(db, new, later(1), "w")["failed"] == 1
    [failed] = failed_notifications(db)
    assert "channel 'old-email' is not in the notifications settings" in failed["last_error"]


def test_it_runs_as_the_schedulers_notifications_job_while_holding_the_lease(db, relay):
    routing = routing_for({"ward-email": email_channel(relay)})
    registry = Registry()
    register_jobs(registry, routing, worker="dispatch:test")
    [job] = list(registry)
    assert (job.name, job.every_seconds) == ("notifications", 1.0)
    raise_alert(db, routing, make_alert(db))
    state = LeaseState("scheduler-a")
    assert not run_job(db, state, later(1), job), "acted without the lease"
    assert lease.acquire(db, LEASE_NAME, "scheduler-a", later(1), 30)
    assert run_job(db, state, later(1), job)
    assert len(relay.messages) == 1
    assert rows(db, "SELECT worker FROM notification_attempts") == [{"worker": "dispatch:test"}]


def test_it_stops_the_scheduler_at_start_when_the_configured_file_is_broken(tmp_path,
                                                                           monkeypatch):
    path = tmp_path / "notifications.json"
    path.write_text(json.dumps({"channels": {}, "routes": {"emergency": ["pager"]}}))
    monkeypatch.setenv("HOMEWARD_NOTIFICATIONS_FILE", str(path))
    with pytest.raises(RoutingError, match=rf"^{path}: route 'emergency': names channel "):
        register_jobs(Registry())
