"""The signed webhook channel against a real HTTP receiver on 127.0.0.1 that checks the
signature itself, as an integrator following docs/notifications.md would."""
from datetime import datetime, timedelta

from alerts.notifications import (build_payload, delivery_history, dispatch_due, enqueue,
                                  failed_notifications, sign, verify_signature)
from notification_support import (CHILD_NAME, SECRET, START, database_path,  # noqa: F401
                                  db, free_port, later, make_alert, receiver, rows, routing_for,
                                  webhook_channel)

BASE = "https://homeward.hospital.example"


def raise_alert(db, routing, alert, kind="alert_raised"):
    enqueue(db, routing, alert_id=alert["id"], kind=kind, route=alert["level"],
            payload=build_payload(alert, kind, BASE), idempotency_key=f"{alert['id']}:{kind}",
            now=START)


def dispatch_at(db, routing, receiver, moment):
    receiver.set_now(moment)
    return dispatch_due(db, routing, moment, "dispatcher-1")


def next_attempt(db):
    return datetime.fromisoformat(rows(db, "SELECT next_attempt_at FROM notifications")[0]
                                  ["next_attempt_at"])


def test_it_delivers_on_the_third_attempt_after_two_503s_exactly_once(db, receiver):
    receiver.replies = [(503, {}), (503, {})]
    routing = routing_for({"pager": webhook_channel(receiver)})
    raise_alert(db, routing, make_alert(db))

    assert dispatch_at(db, routing, receiver, later(1))["retry"] == 1
    first_retry = next_attempt(db)
    assert later(1 + 4) <= first_retry <= later(1 + 5 + 1)
    assert dispatch_at(db, routing, receiver, first_retry - timedelta(seconds=1))[
        "claimed"] == 0
    assert dispatch_at(db, routing, receiver, first_retry)["retry"] == 1
    second_retry = next_attempt(db)
    assert timedelta(seconds=8) <= second_retry - first_retry <= timedelta(seconds=11)
    assert dispatch_at(db, routing, receiver, second_retry)["sent"] == 1

    assert len(receiver.requests) == 3
    assert all(request["signature_ok"] for request in receiver.requests)
    [delivered] = receiver.accepted
    assert delivered["idempotency_key"] == "al_fever1:alert_raised:pager"
    assert delivered["link"] == f"{BASE}/alerts/al_fever1" and delivered["level"] == "urgent"
    assert CHILD_NAME not in str(receiver.requests)
    assert {request["headers"]["Idempotency-Key"] for request in receiver.requests} == {
        "al_fever1:alert_raised:pager"}
    [history] = delivery_history(db, "al_fever1")
    assert history["status"] == "sent" and history["attempts"] == 3
    assert [attempt["outcome"] for attempt in history["history"]] == ["retry", "retry", "sent"]
    assert "HTTP 503" in history["history"][0]["error"]
    assert all(attempt["duration_ms"] is not None for attempt in history["history"])


def test_it_fails_for_good_on_a_400_and_lists_it_for_admins(db, receiver):
    receiver.replies = [(400, {})]
    routing = routing_for({"pager": webhook_channel(receiver)})
    raise_alert(db, routing, make_alert(db))
    assert dispatch_at(db, routing, receiver, later(1)) == {
        "claimed": 1, "sent": 0, "retry": 0, "failed": 1}
    [failed] = failed_notifications(db)
    assert (failed["alert_id"], failed["channel"], failed["attempts"]) == ("al_fever1",
                                                                           "pager", 1)
    assert failed["last_error"].startswith("webhook http://127.0.0.1:")
    assert "HTTP 400" in failed["last_error"]
    assert dispatch_at(db, routing, receiver, later(3600))["claimed"] == 0


def test_it_waits_as_long_as_a_429_retry_after_asks(db, receiver):
    receiver.replies = [(429, {"Retry-After": "120"})]
    routing = routing_for({"pager": webhook_channel(receiver)})
    raise_alert(db, routing, make_alert(db))
    dispatch_at(db, routing, receiver, later(1))
    [attempt] = delivery_history(db, "al_fever1")[0]["history"]
    assert next_attempt(db) - datetime.fromisoformat(attempt["at"]) == timedelta(seconds=120)
    assert dispatch_at(db, routing, receiver, later(100))["claimed"] == 0
    assert dispatch_at(db, routing, receiver, later(122))["sent"] == 1
    assert len(receiver.accepted) == 1


def test_it_never_lets_a_receiver_park_a_notification_for_more_than_ten_minutes(db, receiver):
    receiver.replies = [(503, {"Retry-After": "86400"})]
    routing = routing_for({"pager": webhook_channel(receiver)})
    raise_alert(db, routing, make_alert(db))
    dispatch_at(db, routing, receiver, later(1))
    assert next_attempt(db) <= later(1 + 600 + 1)


def test_it_treats_a_redirect_as_a_misconfigured_address_not_something_to_follow(db, receiver):
    receiver.replies = [(308, {"Location": "http://elsewhere.example/hook"})]
    routing = routing_for({"pager": webhook_channel(receiver)})
    raise_alert(db, routing, make_alert(db))
    assert dispatch_at(db, routing, receiver, later(1))["failed"] == 1
    assert "configure the final URL" in failed_notifications(db)[0]["last_error"]


def test_it_keeps_the_secret_and_the_url_path_out_of_recorded_errors(db, receiver):
    routing = routing_for({"pager": webhook_channel(
        receiver, url=f"http://127.0.0.1:{free_port()}/hooks/homeward?token=abc")})
    raise_alert(db, routing, make_alert(db))
    dispatch_at(db, routing, receiver, later(1))
    [row] = rows(db, "SELECT last_error FROM notifications")
    assert "ConnectionError" in row["last_error"]
    assert "token=abc" not in row["last_error"] and SECRET not in row["last_error"]
    assert "/hooks/homeward" not in row["last_error"]


def test_it_accepts_a_signature_only_with_the_right_secret_body_and_a_fresh_timestamp():
    body, stamp = b'{"alert_id":"al_1"}', str(int(START.timestamp()))
    signature = sign(SECRET, stamp, body)
    assert verify_signature(SECRET, stamp, body, signature, START + timedelta(seconds=299))
    assert not verify_signature(SECRET, stamp, body, signature, START + timedelta(seconds=301))
    assert not verify_signature(SECRET, stamp, body, signature, START - timedelta(seconds=301))
    assert not verify_signature("other", stamp, body, signature, START)
    assert not verify_signature(SECRET, stamp, body + b" ", signature, START)
    assert not verify_signature(SECRET, "not-a-time", body, signature, START)
