"""The transactional outbox: notifications written with their alert, delivered later.

A row moves pending -> sending (claimed by one dispatcher until `claimed_until`) -> sent,
back to pending with a later `next_attempt_at`, or failed. Every change is a conditional
statement inside BEGIN IMMEDIATE, so two dispatchers serialise on SQLite's write lock and
the loser's UPDATE matches nothing. `attempts` counts claims, not recorded outcomes: a
dispatcher that dies mid-send has still used an attempt, so a message that crashes every
dispatcher gives up after `max_attempts` instead of looping for ever.
"""
import json
import os
import random
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..storage import immediate, utc

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
MAX_ATTEMPTS = 12
FIRST_RETRY_SECONDS = 5.0
MAX_RETRY_SECONDS = 600.0

# When a backlog builds up (a mail server down for an hour), the rows that page someone for
# a child in danger go first; within a rank, the oldest due first.
_PRIORITY = ("CASE route WHEN 'emergency' THEN 0 WHEN 'escalation' THEN 1 "
             "WHEN 'urgent' THEN 2 WHEN 'attention' THEN 3 ELSE 4 END")
_DUE = ("((status = 'pending' AND next_attempt_at <= :now) "
        "OR (status = 'sending' AND claimed_until <= :now))")


@dataclass(frozen=True)
class Notification:
    id: int
    alert_id: str | None
    kind: str
    route: str
    channel: str
    idempotency_key: str
    payload: dict
    attempts: int
    attempt_at: datetime | None = None  # when this delivery attempt started (on-call choice)


def enqueue(db, routing, *, alert_id, kind, route, payload: dict, idempotency_key, now,
            team=None):
    """One pending row per channel of `route` (or of `team`'s own route, when the site
    gave the alert's team one: routing.py); the ids of rows written (none if a repeat).
    The row keeps the level's `route`, which orders a backlog.

    Call it inside the transaction that writes the alert, so both commit or neither does.
    """
    if not kind or not idempotency_key:
        raise ValueError("a notification needs a kind and an idempotency key")
    if "evidence" in payload:
        # notifications.payload is stored in clear; answers must only be at rest sealed.
        # Clinical detail is added at send time by the dispatcher's evidence hook.
        raise ValueError("store the minimal payload; evidence is added when sending")
    body, stamp = json.dumps(payload, sort_keys=True, ensure_ascii=False), utc(now)
    written = []
    with immediate(db):
        for channel in routing.channels_for(route, team):
            # ON CONFLICT names the one constraint a repeat may hit; a plain INSERT OR
            # IGNORE would also swallow a NOT NULL violation and drop the row silently.
            cursor = db.execute(
                "INSERT INTO notifications (alert_id, kind, route, channel, idempotency_key, "
                "payload, status, attempts, next_attempt_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
                "ON CONFLICT (idempotency_key) DO NOTHING",
                [alert_id, kind, route, channel, f"{idempotency_key}:{channel}", body, stamp,
                 stamp])
            if cursor.rowcount:
                written.append(cursor.lastrowid)
    return written


def newest_id(db) -> int | None:
    """Changes whenever a notification is enqueued: what wakes the dispatcher."""
    return db.execute("SELECT max(id) FROM notifications").fetchone()[0]


def claim_due(db, worker, now, lease_seconds, limit, max_attempts=MAX_ATTEMPTS):
    """Claim up to `limit` due rows for `worker` until now + lease_seconds.

    A row still `sending` after its claim ran out belonged to a dispatcher that stopped
    mid-send: its lost attempt goes into the history under that dispatcher's name, and the
    row is sent again (at least once; receivers de-duplicate on the idempotency key).
    """
    stamp, until = utc(now), utc(now + timedelta(seconds=lease_seconds))
    claimed = []
    with immediate(db):
        rows = db.execute(
            f"SELECT id, status, claimed_by, claimed_until, attempts FROM notifications "
            f"WHERE {_DUE} ORDER BY {_PRIORITY}, next_attempt_at, id LIMIT :limit",
            {"now": stamp, "limit": limit}).fetchall()
        for row_id, status, previous, previous_until, attempts in rows:
            if status == SENDING:
                lost = (f"no outcome recorded before the claim expired at {previous_until}: "
                        "the dispatcher stopped mid-send, so the message may or may not "
                        "have gone out")
                if attempts >= max_attempts:
                    _finish(db, row_id, FAILED, previous, now, f"{lost}; gave up after "
                            f"{attempts} attempts", None, require_claim=False)
                    continue
                record_attempt(db, row_id, at=now, outcome="retry", worker=previous,
                               error=f"{lost}; sending again")
            updated = db.execute(
                f"UPDATE notifications SET status = 'sending', claimed_by = :worker, "
                f"claimed_until = :until, attempts = attempts + 1 WHERE id = :id AND {_DUE}",
                {"worker": worker, "until": until, "id": row_id, "now": stamp}).rowcount
            if updated:
                claimed.append(row_id)
        if not claimed:
            return []
        marks = ",".join("?" * len(claimed))
        found = db.execute(
            f"SELECT id, alert_id, kind, route, channel, idempotency_key, payload, attempts "
            f"FROM notifications WHERE id IN ({marks})", claimed).fetchall()
    by_id = {row[0]: Notification(*row[:6], json.loads(row[6]), row[7]) for row in found}
    return [by_id[row_id] for row_id in claimed]


def release_dead_claims(db, now, host=None, alive=None) -> int:
    """Claims held by a dispatcher on this host whose process is gone (a scheduler killed
    and restarted) fall due now, instead of waiting out the claim: an emergency page must
    not sit for minutes behind a dead process. Returns how many were released."""
    host = host or socket.gethostname()
    alive = alive or process_alive
    released = 0
    with immediate(db):
        for row_id, worker in db.execute(
                "SELECT id, claimed_by FROM notifications WHERE status = 'sending' "
                "AND claimed_until > ?", [utc(now)]).fetchall():
            parts = (worker or "").split(":")
            if len(parts) >= 3 and parts[1] == host and parts[2].isdigit() \
                    and not alive(int(parts[2])):
                released += db.execute(
                    "UPDATE notifications SET claimed_until = ? WHERE id = ? AND "
                    "status = 'sending' AND claimed_by = ?", [utc(now), row_id, worker]
                ).rowcount
    return released


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, not ours to judge
    return True


def record_attempt(db, notification_id, *, at, outcome, worker, error=None, duration_ms=None):
    db.execute("INSERT INTO notification_attempts (notification_id, at, outcome, error, "
               "duration_ms, worker) VALUES (?, ?, ?, ?, ?, ?)",
               [notification_id, utc(at), outcome, error, duration_ms, worker])


def _finish(db, notification_id, status, worker, at, error, duration_ms, require_claim=True,
            next_attempt_at=None):
    outcome = {SENT: "sent", PENDING: "retry", FAILED: "failed"}[status]
    record_attempt(db, notification_id, at=at, outcome=outcome, worker=worker, error=error,
                   duration_ms=duration_ms)
    if status == SENT:
        # A delivery that happened is the truth even if this worker's claim ran out and
        # another dispatcher has since given up on the row.
        condition, params = "status != 'sent'", []
    elif require_claim:
        # Only the claim holder decides a retry or a failure: a dispatcher that lost its
        # claim must not undo the newer holder's delivery or schedule.
        condition, params = "status = 'sending' AND claimed_by = ?", [worker]
    else:
        condition, params = "status = 'sending'", []
    return db.execute(
        f"UPDATE notifications SET status = ?, sent_at = COALESCE(?, sent_at), "
        f"next_attempt_at = COALESCE(?, next_attempt_at), last_error = ?, claimed_by = NULL, "
        f"claimed_until = NULL WHERE id = ? AND {condition}",
        [status, utc(at) if status == SENT else None,
         utc(next_attempt_at) if next_attempt_at else None, error, notification_id,
         *params]).rowcount == 1


def mark_sent(db, notification, worker, at, duration_ms=None, note=None) -> bool:
    with immediate(db):
        return _finish(db, notification.id, SENT, worker, at, note, duration_ms)


def mark_failed(db, notification, worker, at, error, duration_ms=None) -> bool:
    with immediate(db):
        return _finish(db, notification.id, FAILED, worker, at, error, duration_ms)


def retry_delay(attempts: int, rng=random) -> float:
    """5 s, 10 s, 20 s ... at most 10 min, each shortened by up to a fifth at random so a
    backlog released by a recovered receiver does not come back as one burst."""
    base = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    return base * rng.uniform(0.8, 1.0)


def schedule_retry(db, notification, worker, at, error, duration_ms=None, retry_after=None,
                   rng=random):
    """Back to pending after the backoff (or the receiver's Retry-After, capped at 10 min
    so no receiver can park an emergency for a day); the time chosen, or None if this
    worker no longer held the claim."""
    if retry_after is not None:
        delay = min(MAX_RETRY_SECONDS, max(0.0, retry_after))
    else:
        delay = retry_delay(notification.attempts, rng)
    next_at = at + timedelta(seconds=delay)
    with immediate(db):
        done = _finish(db, notification.id, PENDING, worker, at, error, duration_ms,
                       next_attempt_at=next_at)
    return next_at if done else None


def retry_failed(db, notification_id, now) -> bool:
    """An administrator's "send it again" once a channel is fixed: a fresh set of attempts
    (the history keeps the old ones)."""
    with immediate(db):
        return db.execute(
            "UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = ?, "
            "last_error = NULL WHERE id = ? AND status = 'failed'",
            [utc(now), notification_id]).rowcount == 1


_SUMMARY = ("SELECT n.id, n.alert_id, n.kind, n.route, n.channel, n.idempotency_key, n.status, "
            "n.attempts, n.next_attempt_at, n.created_at, n.sent_at, n.last_error, "
            "(SELECT MAX(at) FROM notification_attempts a WHERE a.notification_id = n.id) "
            "AS last_attempt_at FROM notifications n")


def _dicts(cursor):
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def failed_notifications(db, limit=200):
    """Notifications that gave up, newest first, for the admin page and health checks."""
    return _dicts(db.execute(f"{_SUMMARY} WHERE n.status = 'failed' "
                             "ORDER BY n.created_at DESC, n.id DESC LIMIT ?", [limit]))


def delivery_history(db, alert_id):
    """Every notification of one alert with every attempt, oldest first, for the alert page."""
    notifications = _dicts(db.execute(f"{_SUMMARY} WHERE n.alert_id = ? ORDER BY n.id",
                                      [alert_id]))
    for notification in notifications:
        notification["history"] = _dicts(db.execute(
            "SELECT at, outcome, error, duration_ms, worker FROM notification_attempts "
            "WHERE notification_id = ? ORDER BY id", [notification["id"]]))
    return notifications


def backlog(db, now):
    """Counts by status and how overdue the oldest due row is, for the health report."""
    counts = dict(db.execute("SELECT status, COUNT(*) FROM notifications GROUP BY status"))
    oldest = db.execute(f"SELECT MIN(next_attempt_at) FROM notifications WHERE {_DUE}",
                        {"now": utc(now)}).fetchone()[0]
    overdue = (now - datetime.fromisoformat(oldest)).total_seconds() if oldest else 0.0
    return {"pending": counts.get(PENDING, 0), "sending": counts.get(SENDING, 0),
            "sent": counts.get(SENT, 0), "failed": counts.get(FAILED, 0),
            "oldest_due_seconds": overdue}
