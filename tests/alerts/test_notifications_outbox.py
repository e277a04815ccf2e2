"""The outbox on a real SQLite database: enqueue, claims, backoff, giving up, admin views."""
import json
import random
import threading
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerts.episodes import record_findings
from alerts.evaluate import Finding
from alerts.notifications import (Routing, backlog, build_payload, builtin_routing,
                                  claim_due, enqueue, failed_notifications, notifier,
                                  retry_failed)
from alerts.notifications.outbox import (MAX_RETRY_SECONDS, mark_failed, retry_delay,
                                         schedule_retry)
from alerts.storage import immediate as transaction
from notification_support import (PATIENT_ID, START, database_path, db,  # noqa: F401
                                  later, make_alert, rows)
from server.storage.db import connect

BASE = "https://homeward.hospital.example"


def enqueue_alert(db, alert, routing=None, kind="alert_raised", route=None):
    return enqueue(db, routing or builtin_routing(), alert_id=alert["id"], kind=kind,
                   route=route or alert["level"],
                   payload=build_payload(alert, kind, BASE),
                   idempotency_key=f"{alert['id']}:{kind}:{alert['level']}", now=START)


def two_channel_routing():
    # enqueue only asks a routing which channels a route has; sending is tested elsewhere.
    routing = builtin_routing()
    return Routing(routing.channels, dict(routing.routes, urgent=("pager", "ward-email")))


def test_it_writes_one_pending_row_per_channel_of_the_route(db):
    alert = make_alert(db)
    ids = enqueue_alert(db, alert, two_channel_routing())
    written = rows(db, "SELECT * FROM notifications ORDER BY id")
    assert [row["id"] for row in written] == ids
    assert [row["channel"] for row in written] == ["pager", "ward-email"]
    assert [row["idempotency_key"] for row in written] == [
        "al_fever1:alert_raised:urgent:pager", "al_fever1:alert_raised:urgent:ward-email"]
    assert {(row["status"], row["attempts"], row["next_attempt_at"]) for row in written} == {
        ("pending", 0, START.isoformat(timespec="microseconds"))}


def test_it_does_nothing_when_the_same_notification_is_enqueued_twice(db):
    alert = make_alert(db)
    assert len(enqueue_alert(db, alert, two_channel_routing())) == 2
    assert enqueue_alert(db, alert, two_channel_routing()) == []
    assert db.execute("SELECT COUNT(*) FROM notifications").fetchone()[0] == 2


def test_it_vanishes_with_the_alert_when_the_alert_transaction_rolls_back(db):
    with pytest.raises(RuntimeError):
        with transaction(db):
            alert = make_alert(db)
            enqueue_alert(db, alert)
            raise RuntimeError("the push failed after the rules ran")
    assert db.execute("SELECT COUNT(*) FROM notifications").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 0


def test_it_refuses_a_route_it_does_not_know_rather_than_dropping_the_notification(db):
    alert = make_alert(db)
    with pytest.raises(ValueError, match="unknown notification route 'urgnet'"):
        enqueue_alert(db, alert, route="urgnet")


def test_it_refuses_to_keep_clinical_evidence_in_clear_in_the_outbox(db):
    alert = make_alert(db, evidence="38.6 °C axillary")
    with pytest.raises(ValueError, match="evidence is added when sending"):
        enqueue(db, builtin_routing(), alert_id=alert["id"], kind="alert_raised",
                route="urgent", payload=build_payload(alert, "alert_raised", BASE, "clinical"),
                idempotency_key="k", now=START)


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=2**32))
def test_it_backs_off_from_five_seconds_doubling_up_to_ten_minutes_with_jitter(attempts, seed):
    delay = retry_delay(attempts, random.Random(seed))
    nominal = min(MAX_RETRY_SECONDS, 5 * 2 ** (attempts - 1))
    assert 0.8 * nominal <= delay <= nominal <= MAX_RETRY_SECONDS


def test_it_spreads_retries_of_many_rows_over_time_rather_than_one_burst():
    rng = random.Random(7)
    assert len({round(retry_delay(3, rng), 3) for _ in range(20)}) > 10


def test_it_never_gives_two_claimers_the_same_row(db, database_path):
    alert = make_alert(db)
    for number in range(60):
        enqueue(db, builtin_routing(), alert_id=alert["id"], kind="alert_raised",
                route="urgent", payload={"n": number}, idempotency_key=f"k{number}", now=START)
    claimed, barrier = {}, threading.Barrier(3)

    def claimer(worker):
        # Rounds in lock-step: all three ask at the same moment, every round.
        own = connect(database_path)
        got = []
        for _round in range(8):
            barrier.wait()
            got += [n.id for n in claim_due(own, worker, later(1), lease_seconds=60, limit=3)]
        claimed[worker] = got
        own.close()

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [row_id for got in claimed.values() for row_id in got]
    assert sorted(everything) == sorted(set(everything)) and len(everything) == 60
    assert all(len(got) >= 9 for got in claimed.values())


def test_it_claims_emergencies_before_older_routine_rows(db):
    routine, emergency = make_alert(db, "al_info", "info"), make_alert(db, "al_seize",
                                                                       "emergency")
    enqueue_alert(db, routine)
    enqueue(db, builtin_routing(), alert_id=emergency["id"], kind="emergency",
            route="emergency", payload={}, idempotency_key="seizure",
            now=START + timedelta(seconds=1))
    first = claim_due(db, "w", later(5), lease_seconds=60, limit=1)
    assert [notification.alert_id for notification in first] == ["al_seize"]


def test_it_lets_only_the_claim_holder_decide_a_retry_or_a_failure(db):
    enqueue_alert(db, make_alert(db))
    [notification] = claim_due(db, "slow", START, lease_seconds=30, limit=5)
    [again] = claim_due(db, "fresh", later(31), lease_seconds=30, limit=5)
    assert schedule_retry(db, notification, "slow", later(40), "timeout") is None
    assert not mark_failed(db, notification, "slow", later(40), "refused")
    row = rows(db, "SELECT status, claimed_by FROM notifications")[0]
    assert row == {"status": "sending", "claimed_by": "fresh"}
    assert again.attempts == 2


def test_it_gives_up_on_a_row_that_took_every_dispatcher_down_with_it(db):
    enqueue_alert(db, make_alert(db))
    moment = START
    for attempt in range(3):
        assert claim_due(db, f"crashed{attempt}", moment, lease_seconds=30, limit=5,
                         max_attempts=3)
        moment += timedelta(seconds=31)
    assert claim_due(db, "next", moment, lease_seconds=30, limit=5, max_attempts=3) == []
    [failed] = failed_notifications(db)
    assert failed["attempts"] == 3 and "gave up after 3 attempts" in failed["last_error"]


def test_it_lets_an_admin_send_a_failed_notification_again_once_the_channel_is_fixed(db):
    enqueue_alert(db, make_alert(db))
    [notification] = claim_due(db, "w", START, lease_seconds=30, limit=5)
    mark_failed(db, notification, "w", later(1), "HTTP 404")
    assert retry_failed(db, notification.id, later(60))
    assert failed_notifications(db) == []
    [again] = claim_due(db, "w", later(60), lease_seconds=30, limit=5)
    assert again.id == notification.id and again.attempts == 1


def test_it_tells_the_health_report_how_far_behind_delivery_is(db):
    enqueue_alert(db, make_alert(db), two_channel_routing())
    [first, _second] = claim_due(db, "w", START, lease_seconds=30, limit=5)
    mark_failed(db, first, "w", later(1), "HTTP 400")
    assert backlog(db, later(90)) == {"pending": 0, "sending": 1, "sent": 0, "failed": 1,
                                      "oldest_due_seconds": 90.0}


def test_it_queues_what_the_episode_code_raises_in_the_same_transaction(db):
    fever = Finding("high_fever", "urgent", True, {"temperature_c": 39.4}, {})
    with transaction(db):
        record_findings(db, patient_id=PATIENT_ID, findings=[fever], now=START,
                        notify=notifier(db, two_channel_routing(), BASE, START),
                        seal=lambda alert_id, column, value: b"sealed:" + repr(value).encode())
    queued = rows(db, "SELECT kind, route, channel, payload FROM notifications ORDER BY id")
    assert [(row["kind"], row["route"]) for row in queued] == [
        ("alert_raised", "urgent"), ("alert_raised", "urgent"),
        ("alert_escalated", "escalation")]
    payload = json.loads(queued[0]["payload"])
    assert payload["reasons"] == ["high_fever"] and payload["patient"] == PATIENT_ID
    assert "39.4" not in queued[0]["payload"] and "sealed" not in queued[0]["payload"]


def test_it_releases_at_once_the_claims_of_a_dispatcher_that_died_on_this_host(db):
    from alerts.notifications.outbox import release_dead_claims

    enqueue_alert(db, make_alert(db), builtin_routing())
    [claimed] = claim_due(db, "dispatch:ward-host:4242:ab", START, 120, 10)
    assert claim_due(db, "dispatch:ward-host:5151:cd", START, 120, 10) == []  # still held
    assert release_dead_claims(db, START, host="other-host", alive=lambda pid: False) == 0
    assert release_dead_claims(db, START, host="ward-host", alive=lambda pid: True) == 0
    assert release_dead_claims(db, START, host="ward-host", alive=lambda pid: False) == 1
    [again] = claim_due(db, "dispatch:ward-host:5151:cd", START, 120, 10)
    assert again.id == claimed.id and again.attempts == 2
