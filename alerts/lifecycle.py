"""What the care team does with an alert: acknowledge, message the family, snooze, resolve.

Each step is a conditional UPDATE on the status it expects, so two nurses pressing at once
cannot both resolve, and the loser is told who was first. Every step is also a change in
the family's feed: the app shows the team's message on its next pull.
"""
from datetime import timedelta

from .episodes import OPEN_STATUSES, change, utc

OUTCOMES = ("advised_to_come_in", "admitted", "seen_in_clinic", "advice_given_at_home",
            "false_alarm", "no_action_needed")
MAX_SNOOZE = timedelta(hours=24)


class AlertError(Exception):
    status, code = 400, "invalid_request"

    def __init__(self, message, details=None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class AlertNotFound(AlertError):
    status, code = 404, "not_found"


class AlertConflict(AlertError):
    status, code = 409, "conflict"


def load_alert(db, alert_id):
    rows = list(db.query("SELECT * FROM alerts WHERE id = ?", [alert_id]))
    if not rows:
        raise AlertNotFound(f"No alert has the id {alert_id}.")
    return rows[0]


def _refuse(alert, doing):
    who = alert["resolved_by"] if alert["status"] == "resolved" else alert["acknowledged_by"]
    when = alert["resolved_at"] if alert["status"] == "resolved" else alert["acknowledged_at"]
    raise AlertConflict(f"Cannot {doing}: the alert is already {alert['status']}"
                        + (f" (by {who} at {when})." if who else "."),
                        {"status": alert["status"]})


def acknowledge(db, alert_id, staff_id, now, family_message=None):
    """`family_message` is already sealed by the caller, or None."""
    alert = load_alert(db, alert_id)
    updates = {"status": "acknowledged", "acknowledged_at": utc(now),
               "acknowledged_by": staff_id, "updated_at": utc(now)}
    if family_message is not None:
        updates["family_message"] = family_message
    sets = ", ".join(f"{column} = ?" for column in updates)
    done = db.execute(f"UPDATE alerts SET {sets} WHERE id = ? AND status = 'open'",
                      [*updates.values(), alert_id])
    if done.rowcount != 1:
        _refuse(alert, "acknowledge it")
    change(db, alert["patient_id"], alert_id, now)
    return load_alert(db, alert_id)


def send_family_message(db, alert_id, sealed_message, now):
    alert = load_alert(db, alert_id)
    done = db.execute("UPDATE alerts SET family_message = ?, updated_at = ? WHERE id = ? "
                      "AND status IN ('open', 'acknowledged')",
                      [sealed_message, utc(now), alert_id])
    if done.rowcount != 1:
        _refuse(alert, "message the family about it")
    change(db, alert["patient_id"], alert_id, now)
    return load_alert(db, alert_id)


def snooze(db, alert_id, staff_id, until, sealed_reason, now):
    """Pause escalation until `until` (at most 24 h); worse news still gets through."""
    if until <= now:
        raise AlertError("Snooze until a time in the future.",
                         {"fields": {"until": ["Must be in the future."]}})
    if until - now > MAX_SNOOZE:
        raise AlertError("Snooze for at most 24 hours.",
                         {"fields": {"until": ["At most 24 hours ahead."]}})
    alert = load_alert(db, alert_id)
    done = db.execute(
        "UPDATE alerts SET snoozed_until = ?, snoozed_by = ?, snooze_reason = ?, "
        "updated_at = ? WHERE id = ? AND status IN ('open', 'acknowledged')",
        [utc(until), staff_id, sealed_reason, utc(now), alert_id])
    if done.rowcount != 1:
        _refuse(alert, "snooze it")
    return load_alert(db, alert_id)


def resolve(db, alert_id, staff_id, outcome, sealed_note, now, family_message=None):
    if outcome not in OUTCOMES:
        raise AlertError(f"outcome must be one of {', '.join(OUTCOMES)}.",
                         {"fields": {"outcome": [f"Use one of {', '.join(OUTCOMES)}."]}})
    alert = load_alert(db, alert_id)
    message_sql, params = "", []
    if family_message is not None:
        message_sql, params = ", family_message = ?", [family_message]
    done = db.execute(
        "UPDATE alerts SET status = 'resolved', resolved_at = ?, resolved_by = ?, outcome = ?, "
        f"note = ?, updated_at = ?{message_sql} WHERE id = ? AND status IN "
        f"({', '.join('?' * len(OPEN_STATUSES))})",
        [utc(now), staff_id, outcome, sealed_note, utc(now), *params, alert_id,
         *OPEN_STATUSES])
    if done.rowcount != 1:
        _refuse(alert, "resolve it")
    change(db, alert["patient_id"], alert_id, now)
    return load_alert(db, alert_id)
