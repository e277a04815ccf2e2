"""The dispatcher: claim due notifications, send them, record what happened.

Claiming and recording are short transactions of their own; sending happens between them
with no transaction open, so a slow mail relay never holds SQLite's write lock against the
pushes that raise new alerts. Each channel sends from a thread of its own, so a relay that
times out does not keep the pager waiting; the outcomes come back to this thread, the only
one that touches the database connection.

Delivery is at least once: a dispatcher killed between sending and recording leaves its
claim to expire, and the next run sends again with the same idempotency key.
"""
import logging
import os
import queue
import random
import secrets
import socket
import threading
import time
from dataclasses import replace
from datetime import timedelta

from ..scheduler import Job
from ..storage import immediate
from . import outbox
from .channels import DeliveryError
from .payload import evidence_text
from .routing import load_routing

FILE_SETTING = "HOMEWARD_NOTIFICATIONS_FILE"
DISPATCH_EVERY_SECONDS = 1.0
# A claim must outlast a run (BUDGET_SECONDS, plus one slow send): if it does not, the
# cost is a duplicate, never a loss. It is also how long a standby on another host waits
# before resending what a killed scheduler had in hand; on the same host, a dead
# dispatcher's claims are released at once (outbox.release_dead_claims).
CLAIM_SECONDS = 120
BATCH = 10
BUDGET_SECONDS = 30
# A receiver that says "Retry-After: 0" must not turn one run into a tight loop.
MIN_RETRY_AFTER_SECONDS = 1.0

log = logging.getLogger("homeward.notifications")


def dispatch_due(db, routing, now, worker, *, evidence=None, lease_seconds=CLAIM_SECONDS,
                 limit=BATCH, max_attempts=outbox.MAX_ATTEMPTS, budget_seconds=BUDGET_SECONDS,
                 rng=random) -> dict:
    """Send what is due at `now`; counts of rows claimed, sent, retried and failed.

    `evidence(db, alert_id)` (optional) returns the alert's evidence, unsealed, for channels
    whose detail is "clinical"; without it every channel gets the minimal payload.
    """
    if db.conn.in_transaction:
        raise RuntimeError("dispatch_due must not run inside a transaction: it would hold "
                           "the database write lock while talking to mail and web servers")
    started = time.monotonic()

    def moment():
        # `now` is when the run started; later steps of a long run must not pretend
        # otherwise, or claims would expire early and retry times would be in the past.
        return now + timedelta(seconds=time.monotonic() - started)

    counts = {"claimed": 0, "sent": 0, "retry": 0, "failed": 0}
    outbox.release_dead_claims(db, now)
    while True:
        batch = outbox.claim_due(db, worker, moment(), lease_seconds, limit, max_attempts)
        counts["claimed"] += len(batch)
        for finished in _send(db, routing, batch, moment, evidence):
            # One write transaction for whatever finished together: under a burst of
            # pushes each transaction queues for the write lock, and ten of them per batch
            # kept the eleventh notification waiting seconds (bench/RESULTS.md).
            with immediate(db):
                for notification, result, duration_ms in finished:
                    counts[_record(db, notification, result, duration_ms, worker,
                                   max_attempts, rng)] += 1
        if len(batch) < limit or time.monotonic() - started > budget_seconds:
            return counts


def _with_evidence(db, channel, notification, evidence):
    if channel.detail != "clinical" or evidence is None or not notification.alert_id:
        return notification
    try:
        text = evidence_text(evidence(db, notification.alert_id))
    except Exception:
        # An erased patient has no evidence left; the minimal message must still go out.
        log.exception("no evidence for alert %s; sending the minimal message",
                      notification.alert_id)
        return notification
    if not text:
        return notification
    return replace(notification, payload=dict(notification.payload, evidence=text))


def _send(db, routing, batch, moment, evidence):
    """Yield lists of (notification, None | note | DeliveryError, duration_ms) as sends
    finish: each list holds all that finished since the last one was taken."""
    groups = {}
    for notification in batch:
        channel = routing.channel(notification.channel)
        if channel is None:
            yield [(replace(notification, attempt_at=moment()), DeliveryError(
                f"channel {notification.channel!r} is not in the notifications settings "
                f"({routing.source})", retryable=False), None)]
            continue
        groups.setdefault(notification.channel, (channel, []))[1].append(
            _with_evidence(db, channel, notification, evidence))
    results = queue.Queue()

    def send_all(channel, notifications):
        for notification in notifications:
            notification = replace(notification, attempt_at=moment())
            began = time.monotonic()
            try:
                result = channel.send(notification)
            except DeliveryError as error:
                result = error
            except Exception as error:
                # A bug in a channel is retried like an outage, and never stops the batch.
                log.exception("channel %s failed unexpectedly", channel.name)
                result = DeliveryError(f"unexpected {type(error).__name__} in channel "
                                       f"{channel.name}", retryable=True)
            results.put((notification, result, round((time.monotonic() - began) * 1000)))

    threads = [threading.Thread(target=send_all, args=group, daemon=True,
                                name=f"notify-{name}") for name, group in groups.items()]
    for thread in threads:
        thread.start()
    waiting = sum(len(rows) for _channel, rows in groups.values())
    while waiting:
        finished = [results.get()]
        while True:
            try:
                finished.append(results.get_nowait())
            except queue.Empty:
                break
        waiting -= len(finished)
        yield finished
    for thread in threads:
        thread.join()


def _record(db, notification, result, duration_ms, worker, max_attempts, rng) -> str:
    at, key = notification.attempt_at, notification.idempotency_key
    if not isinstance(result, DeliveryError):
        outbox.mark_sent(db, notification, worker, at, duration_ms, note=result)
        log.info("notification %s sent via %s (attempt %d)", key, notification.channel,
                 notification.attempts)
        return "sent"
    if result.retryable and notification.attempts < max_attempts:
        retry_after = result.retry_after
        if retry_after is not None:
            retry_after = max(MIN_RETRY_AFTER_SECONDS, retry_after)
        next_at = outbox.schedule_retry(db, notification, worker, at, result.message,
                                        duration_ms, retry_after=retry_after, rng=rng)
        log.warning("notification %s via %s failed (attempt %d), retrying at %s: %s", key,
                    notification.channel, notification.attempts,
                    next_at.isoformat() if next_at else "(claim lost)", result.message)
        return "retry"
    error = result.message if not result.retryable else (
        f"gave up after {notification.attempts} attempts: {result.message}")
    outbox.mark_failed(db, notification, worker, at, error, duration_ms)
    # A notification nobody received is a nurse who does not know: the loudest log level.
    log.error("notification %s via %s FAILED for good: %s", key, notification.channel, error)
    return "failed"


def new_worker_id() -> str:
    return f"dispatch:{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def register_jobs(registry, routing=None, *, evidence=None,
                  every_seconds=DISPATCH_EVERY_SECONDS, worker=None):
    """Add the `notifications` job to a scheduler registry; returns the routing it uses.

    Without `routing`, the file named by HOMEWARD_NOTIFICATIONS_FILE is loaded (and checked)
    now, so a broken file stops the scheduler at start; with neither, the built-in `log`
    channel is used.
    """
    if routing is None:
        routing = load_routing(os.environ.get(FILE_SETTING) or None)
    worker = worker or new_worker_id()

    def dispatch_notifications(db, now):
        counts = dispatch_due(db, routing, now, worker, evidence=evidence)
        if counts["claimed"]:
            log.info("dispatched notifications: %s", counts)
        return counts

    registry.add(Job("notifications", every_seconds, dispatch_notifications,
                     wake_probe=outbox.newest_id))
    return routing
