"""The nurse's call about an alert: claiming it ("I'm calling"), recording each call attempt,
and the recheck a call can ask for.

A claim tells colleagues who is on the phone, so two nurses do not ring the same family; it
lapses by itself after the site's claim time without a call record. A call record is kept
for every attempt, "no answer" included, and acknowledges an open alert: someone is on it.
A `recheck` disposition sets a deadline the scheduler watches (`recheck_due`): if neither
a call nor a family entry arrives by then, the alert is open and escalated again.

Conditional UPDATEs, as in lifecycle.py: two nurses pressing "I'm calling" at once cannot
both hold the claim, and the second is told who has it.
"""
import secrets
from datetime import timedelta

from .episodes import OPEN_STATUSES, change, insert_row, utc
from .lifecycle import AlertConflict, AlertError, _refuse, load_alert

DISPOSITIONS = ("home_advice", "recheck", "day_unit", "emergency_department", "ambulance")
RECHECK_MINUTES = (5, 24 * 60)
OPEN_SQL = f"status IN ({', '.join(repr(status) for status in OPEN_STATUSES)})"


def active_claim(alert, now) -> dict | None:
    """{"by", "since", "until"} while someone's claim holds, else None."""
    if not alert.get("claimed_by") or not alert.get("claim_expires_at"):
        return None
    if alert["claim_expires_at"] <= utc(now) or alert["status"] not in OPEN_STATUSES:
        return None
    return {"by": alert["claimed_by"], "since": alert["claimed_at"],
            "until": alert["claim_expires_at"]}


def _claimed_elsewhere(alert, staff_id, now):
    held = active_claim(alert, now) or {"by": alert["claimed_by"],
                                        "since": alert["claimed_at"] or utc(now)}
    since = held["since"][11:16]
    raise AlertConflict(f"{held['by']} is already calling this family (since {since} UTC).",
                        {"claimed_by": held["by"], "claimed_at": held["since"]})


def claim(db, alert_id, staff_id, now, lapse: timedelta):
    """Claim the alert for `staff_id` until `now + lapse`; renewing one's own keeps `since`."""
    alert = load_alert(db, alert_id)
    done = db.execute(
        "UPDATE alerts SET claimed_at = CASE WHEN claimed_by = ? AND claim_expires_at > ? "
        "THEN claimed_at ELSE ? END, claimed_by = ?, claim_expires_at = ?, updated_at = ? "
        f"WHERE id = ? AND {OPEN_SQL} AND (claimed_by IS NULL OR claimed_by = ? "
        "OR claim_expires_at IS NULL OR claim_expires_at <= ?)",
        [staff_id, utc(now), utc(now), staff_id, utc(now + lapse), utc(now), alert_id,
         staff_id, utc(now)])
    if done.rowcount != 1:
        if alert["status"] not in OPEN_STATUSES:
            _refuse(alert, "call about it")
        _claimed_elsewhere(alert, staff_id, now)
    return load_alert(db, alert_id)


def release(db, alert_id, staff_id, now):
    """Give up one's own claim (e.g. handing over); someone else's is theirs to release."""
    alert = load_alert(db, alert_id)
    held = active_claim(alert, now)
    if held and held["by"] != staff_id:
        _claimed_elsewhere(alert, staff_id, now)
    db.execute("UPDATE alerts SET claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL, "
               "updated_at = ? WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ? "
               "OR claim_expires_at <= ?)", [utc(now), alert_id, staff_id, utc(now)])
    return load_alert(db, alert_id)


def check_call(reached: bool, disposition, recheck_minutes):
    """What a call record must say: a disposition when someone was reached, none when not;
    recheck minutes with `recheck` and only then."""
    fields = {}
    if reached and disposition not in DISPOSITIONS:
        fields["disposition"] = [f"Use one of {', '.join(DISPOSITIONS)}."]
    if not reached and disposition is not None:
        fields["disposition"] = ["Nobody was reached: record no disposition."]
    low, high = RECHECK_MINUTES
    if disposition == "recheck":
        if not isinstance(recheck_minutes, int) or not low <= recheck_minutes <= high:
            fields["recheck_minutes"] = [f"Give {low} to {high} minutes for a recheck."]
    elif recheck_minutes is not None:
        fields["recheck_minutes"] = ["Only a recheck takes minutes."]
    if fields:
        raise AlertError("The call record is incomplete: " + "; ".join(
            f"{name}: {problems[0]}" for name, problems in fields.items()), {"fields": fields})


def record_call(db, alert_id, *, staff_id, now, reached, disposition=None,
                recheck_minutes=None, triage=None, neuro_variant=None, seal_details,
                lapse: timedelta):
    """Store one call attempt and apply it to the alert; returns (alert row, call id).

    `seal_details(call_id)` seals who was reached, findings, assessment and note with the
    patient's key. A call with nobody reached keeps (or takes) the caller's claim for
    another `lapse`, because they will try again; one that reached someone ends the claim.
    """
    check_call(reached, disposition, recheck_minutes)
    alert = load_alert(db, alert_id)
    if alert["status"] not in OPEN_STATUSES:
        _refuse(alert, "record a call on it")
    call_id = "call_" + secrets.token_hex(8)
    insert_row(db, "alert_calls", {
        "id": call_id, "alert_id": alert_id, "patient_id": alert["patient_id"],
        "called_by": staff_id, "called_at": utc(now), "reached": int(bool(reached)),
        "disposition": disposition, "recheck_minutes": recheck_minutes, "triage": triage,
        "neuro_variant": neuro_variant, "details": seal_details(call_id)})
    recheck_at = utc(now + timedelta(minutes=recheck_minutes)) if recheck_minutes else None
    if reached:
        claimed = {"claimed_by": None, "claimed_at": None, "claim_expires_at": None}
    else:
        held = active_claim(alert, now)
        claimed = {"claimed_by": staff_id, "claim_expires_at": utc(now + lapse),
                   "claimed_at": held["since"] if held and held["by"] == staff_id
                   else utc(now)}
    updates = {"status": "acknowledged", "last_call_at": utc(now), "updated_at": utc(now),
               **claimed}
    if alert["status"] == "open":
        updates.update({"acknowledged_at": utc(now), "acknowledged_by": staff_id})
    if reached:  # a new decision replaces the last one's recheck
        updates.update({"recheck_at": recheck_at, "recheck_set_at": utc(now)})
    sets = ", ".join(f"{column} = ?" for column in updates)
    done = db.execute(f"UPDATE alerts SET {sets} WHERE id = ? AND {OPEN_SQL}",
                      [*updates.values(), alert_id])
    if done.rowcount != 1:
        _refuse(load_alert(db, alert_id), "record a call on it")
    change(db, alert["patient_id"], alert_id, now)
    return load_alert(db, alert_id), call_id


def list_calls(db, alert_id) -> list[dict]:
    return list(db.query("SELECT * FROM alert_calls WHERE alert_id = ? "
                         "ORDER BY called_at, rowid", [alert_id]))


def recheck_due(db, now, notify) -> list[str]:
    """Rechecks whose time came with no call and no family entry since they were set: the
    alert is open again and escalated, once per recheck (the conditional UPDATE on
    `recheck_at` lets one scheduler run claim each). One answered by a family entry is
    simply cleared: the entry went through the rules like any other."""
    escalated = []
    rows = list(db.query(
        "SELECT a.*, c.last_entry_at FROM alerts a LEFT JOIN patient_checkins c "
        "ON c.patient_id = a.patient_id WHERE a.recheck_at IS NOT NULL AND a.recheck_at <= ? "
        f"AND a.{OPEN_SQL}", [utc(now)]))
    for alert in rows:
        answered = (alert["last_entry_at"] or "") > (alert["recheck_set_at"] or "")
        if answered:
            db.execute("UPDATE alerts SET recheck_at = NULL WHERE id = ? AND recheck_at = ?",
                       [alert["id"], alert["recheck_at"]])
            continue
        claimed = db.execute(
            "UPDATE alerts SET recheck_at = NULL, status = 'open', escalated_at = ?, "
            "snoozed_until = NULL, updated_at = ? WHERE id = ? AND recheck_at = ? "
            f"AND {OPEN_SQL}", [utc(now), utc(now), alert["id"], alert["recheck_at"]])
        if claimed.rowcount == 1:
            alert = {key: value for key, value in alert.items() if key != "last_entry_at"}
            notify({**alert, "status": "open", "escalated_at": utc(now)}, "alert_recheck_missed",
                   "escalation", f"{alert['id']}:recheck:{alert['recheck_at']}")
            change(db, alert["patient_id"], alert["id"], now)
            escalated.append(alert["id"])
    return escalated
