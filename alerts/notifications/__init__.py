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

__all__ = ["DeliveryError", "EmailChannel", "LogChannel", "Notification", "ROUTES",
           "Routing", "RoutingError", "WebhookChannel", "backlog", "build_payload",
           "builtin_routing", "claim_due", "delivery_history", "dispatch_due", "enqueue",
           "failed_notifications", "load_routing", "mark_failed", "mark_sent",
           "record_attempt", "register_jobs", "retry_failed", "schedule_retry", "sign",
           "verify_signature"]
