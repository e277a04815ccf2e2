"""Notifications: the transactional outbox, its channels (email, signed webhook, the
built-in log) and the dispatcher the scheduler runs. docs/notifications.md tells the story.

The episode code calls `enqueue` inside the transaction that writes the alert; the
scheduler's `notifications` job calls `dispatch_due`; the staff pages read
`delivery_history` and `failed_notifications`.
"""
from .channels import DeliveryError, LogChannel
from .dispatch import dispatch_due, register_jobs
from .mail import EmailChannel
from .outbox import (Notification, backlog, claim_due, delivery_history, enqueue,
                     failed_notifications, mark_failed, mark_sent, record_attempt,
                     retry_failed, schedule_retry)
from .payload import build_payload
from .routing import ROUTES, Routing, RoutingError, builtin_routing, load_routing
from .webhook import WebhookChannel, sign, verify_signature


def notifier(db, routing, base_url, now):
    """The `notify(alert_row, kind, route, key)` that alerts.episodes expects: a minimal
    payload into the outbox, inside the caller's transaction."""
    def notify(alert, kind, route, key):
        return enqueue(db, routing, alert_id=alert["id"], kind=kind, route=route,
                       payload=build_payload(alert, kind, base_url), idempotency_key=key,
                       now=now)
    return notify


__all__ = ["DeliveryError", "EmailChannel", "LogChannel", "Notification", "ROUTES",
           "Routing", "RoutingError", "WebhookChannel", "backlog", "build_payload",
           "builtin_routing", "claim_due", "delivery_history", "dispatch_due", "enqueue",
           "failed_notifications", "load_routing", "mark_failed", "mark_sent", "notifier",
           "record_attempt", "register_jobs", "retry_failed", "schedule_retry", "sign",
           "verify_signature"]
