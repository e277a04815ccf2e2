"""The email channel against a real SMTP relay (aiosmtpd) on 127.0.0.1."""
import hashlib

import pytest
from aiosmtpd.controller import Controller

from alerts.notifications import (build_payload, delivery_history, dispatch_due, enqueue,
                                  failed_notifications, load_routing)
from notification_support import (CHILD_NAME, PATIENT_ID, START, MailRelay,  # noqa: F401
                                  database_path, db, email_channel, free_port, later,
                                  make_alert, relay, rows, routing_for, tls_relay)

BASE = "https://homeward.hospital.example"


def raise_alert(db, routing, alert, kind="alert_raised"):
    return enqueue(db, routing, alert_id=alert["id"], kind=kind, route=alert["level"],
                   payload=build_payload(alert, kind, BASE),
                   idempotency_key=f"{alert['id']}:{kind}", now=START)


def test_it_emails_an_urgent_alert_with_its_idempotency_key_and_without_the_childs_name(
        db, relay):
    routing = routing_for({"ward-email": email_channel(relay)})
    alert = make_alert(db)
    raise_alert(db, routing, alert)

    counts = dispatch_due(db, routing, later(1), "dispatcher-1")

    assert counts == {"claimed": 1, "sent": 1, "retry": 0, "failed": 0}
    [(recipients, message)] = relay.messages
    assert recipients == ["ward@hospital.example"]
    key = "al_fever1:alert_raised:ward-email"
    assert message["X-Homeward-Idempotency-Key"] == key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    assert message["Message-ID"] == f"<homeward.{digest}@hospital.example>"
    assert message["Subject"] == ("[Homeward URGENT] fever — patient pt_1a2b… — "
                                  "open the alert")
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.as_string() + message.get_content()
    assert f"{BASE}/alerts/al_fever1" in message.get_content()
    assert PATIENT_ID in message.get_content()
    assert CHILD_NAME not in text and "Lucía" not in text and "Fern" not in text
    [row] = rows(db, "SELECT status, attempts, sent_at FROM notifications")
    assert row["status"] == "sent" and row["attempts"] == 1
    [history] = delivery_history(db, "al_fever1")
    assert [(h["outcome"], h["worker"]) for h in history["history"]] == [("sent",
                                                                          "dispatcher-1")]


def test_it_sends_the_same_message_id_when_a_notification_is_sent_again(db, relay):
    routing = routing_for({"ward-email": email_channel(relay)})
    raise_alert(db, routing, make_alert(db))
    db.execute("UPDATE notifications SET status = 'pending'")  # as if the record was lost
    dispatch_due(db, routing, later(1), "w")
    db.execute("UPDATE notifications SET status = 'pending'")
    dispatch_due(db, routing, later(2), "w")
    first, second = (message for _to, message in relay.messages)
    assert first["Message-ID"] == second["Message-ID"]


def test_it_adds_whoever_is_on_call_when_the_message_goes_out(db, relay):
    rota = [{"to": ["day@hospital.example"], "days": "mon-fri", "hours": "08:00-20:00"},
            {"to": ["night@hospital.example"]}]
    routing = routing_for({"ward-email": email_channel(relay, timezone="Europe/Madrid",
                                                       on_call=rota)})
    raise_alert(db, routing, make_alert(db))
    dispatch_due(db, routing, later(1), "w")  # Friday 20:00 in Madrid: the night nurse
    [(recipients, message)] = relay.messages
    assert recipients == ["ward@hospital.example", "night@hospital.example"]
    assert message["To"] == "ward@hospital.example, night@hospital.example"


def test_it_retries_when_the_relay_says_try_again_later(db, relay):
    relay.data_replies = ["451 4.3.0 Mail server temporarily rejected message"]
    routing = routing_for({"ward-email": email_channel(relay)})
    raise_alert(db, routing, make_alert(db))
    assert dispatch_due(db, routing, later(1), "w")["retry"] == 1
    [row] = rows(db, "SELECT status, next_attempt_at, last_error FROM notifications")
    assert row["status"] == "pending" and "451" in row["last_error"]
    assert dispatch_due(db, routing, later(2), "w")["claimed"] == 0
    assert dispatch_due(db, routing, later(6), "w")["sent"] == 1
    assert len(relay.messages) == 1


def test_it_fails_for_good_when_the_relay_refuses_every_recipient(db, relay):
    relay.refused = {"ward@hospital.example"}
    routing = routing_for({"ward-email": email_channel(relay)})
    raise_alert(db, routing, make_alert(db))
    assert dispatch_due(db, routing, later(1), "w")["failed"] == 1
    [failed] = failed_notifications(db)
    assert failed["channel"] == "ward-email" and "550" in failed["last_error"]
    assert relay.messages == []


def test_it_counts_a_message_some_recipients_got_as_sent_and_keeps_who_was_refused(
        db, relay):
    relay.refused = {"gone@hospital.example"}
    routing = routing_for({"ward-email": email_channel(
        relay, to=["ward@hospital.example", "gone@hospital.example"])})
    raise_alert(db, routing, make_alert(db))
    assert dispatch_due(db, routing, later(1), "w")["sent"] == 1
    [history] = delivery_history(db, "al_fever1")
    [attempt] = history["history"]
    assert attempt["outcome"] == "sent"
    assert "refused by the relay: gone@hospital.example (550)" in attempt["error"]


def test_it_retries_when_no_relay_is_listening(db):
    closed = {"type": "email", "host": "127.0.0.1", "port": free_port(), "security": "none",
              "from": "homeward@hospital.example", "to": ["ward@hospital.example"],
              "timeout_seconds": 2}
    routing = routing_for({"ward-email": closed})
    raise_alert(db, routing, make_alert(db))
    assert dispatch_due(db, routing, later(1), "w")["retry"] == 1
    [row] = rows(db, "SELECT status, last_error FROM notifications")
    assert row["status"] == "pending"
    assert "SMTP connect to 127.0.0.1" in row["last_error"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_it_retries_a_relay_that_wants_a_login_because_an_admin_can_fix_that_in_time(db):
    handler = MailRelay()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(),
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        handler.port = controller.port
        routing = routing_for({"ward-email": email_channel(handler)})
        raise_alert(db, routing, make_alert(db))
        assert dispatch_due(db, routing, later(1), "w")["retry"] == 1
    finally:
        controller.stop()
    [row] = rows(db, "SELECT status, last_error FROM notifications")
    assert row["status"] == "pending" and "530" in row["last_error"]


def test_it_logs_in_over_starttls_to_a_relay_with_a_hospital_certificate(db, tls_relay):
    routing = load_routing({"channels": {"ward-email": email_channel(
        tls_relay, security="starttls", ca_file=tls_relay.ca_file, username="homeward",
        password_env="SMTP_PASSWORD")}, "routes": {route: ["ward-email"] for route in
                                                   ("emergency", "urgent", "escalation")}},
        environ={"SMTP_PASSWORD": "relay-password"})
    raise_alert(db, routing, make_alert(db))
    assert dispatch_due(db, routing, later(1), "w")["sent"] == 1
    assert len(tls_relay.messages) == 1


def test_it_retries_rather_than_trust_a_certificate_it_cannot_verify(db, tls_relay):
    routing = load_routing({"channels": {"ward-email": email_channel(
        tls_relay, security="starttls", username="homeward", password_env="SMTP_PASSWORD")},
        "routes": {route: ["ward-email"] for route in ("emergency", "urgent", "escalation")}},
        environ={"SMTP_PASSWORD": "relay-password"})
    raise_alert(db, routing, make_alert(db))
    assert dispatch_due(db, routing, later(1), "w")["retry"] == 1
    [row] = rows(db, "SELECT last_error FROM notifications")
    assert "SMTP STARTTLS" in row["last_error"] and "CERTIFICATE_VERIFY_FAILED" in row[
        "last_error"]
    assert "relay-password" not in row["last_error"] and tls_relay.messages == []


def test_it_retries_a_wrong_password_and_never_records_it(db, tls_relay):
    routing = load_routing({"channels": {"ward-email": email_channel(
        tls_relay, security="starttls", ca_file=tls_relay.ca_file, username="homeward",
        password_env="SMTP_PASSWORD")}, "routes": {route: ["ward-email"] for route in
                                                   ("emergency", "urgent", "escalation")}},
        environ={"SMTP_PASSWORD": "stale-password"})
    raise_alert(db, routing, make_alert(db))
    assert dispatch_due(db, routing, later(1), "w")["retry"] == 1
    [row] = rows(db, "SELECT last_error FROM notifications")
    assert row["last_error"].startswith("SMTP login to 127.0.0.1:") and "535" in row[
        "last_error"]
    assert "stale-password" not in row["last_error"]
