"""Alert episodes: findings open an alert or extend the open one for the same patient and
concern, and write their notifications to the outbox in the same transaction.

Alert fatigue is the enemy (PRO-TECT: a third of surveys alerted, 60 % led to action), so a
repeated finding extends its episode silently; only a rise in level notifies again. Related
reasons share one concern: a 39.2 °C reading meets both `fever` and `high_fever`, and a
nurse should see one temperature alert with both reasons, not two alerts.
"""
import json
import secrets
from datetime import timedelta

from .storage import utc
from .teams import ANY_TIME, WORKING_HOURS, episode_escalation, episode_team

LEVELS = ("info", "attention", "urgent", "emergency")
CONCERNS = {
    "fever": "temperature", "high_fever": "temperature", "borderline_temperature": "temperature",
    "felt_hot": "temperature",
    "breathing": "breathing",
    "neuro_sign": "neuro", "seizure": "neuro", "unresponsive": "neuro",
    "neuro_check_drop": "neuro", "delirium_screen": "neuro",
    "organ_flare": "organ_flare",
    "missed_checkin": "checkin", "no_contact": "checkin",
    "qol_drop": "quality_of_life", "caregiver_distress": "caregiver_distress",
}
# Concerns about the caregiver themselves (their distress, and the psychosocial team's answer
# to it) are for the caregiver's devices only, never the child's own phone.
CAREGIVER_CONCERNS = ("caregiver_distress",)
ACKNOWLEDGE_WITHIN = timedelta(minutes=15)
OPEN_STATUSES = ("open", "acknowledged")


def rank(level: str) -> int:
    return LEVELS.index(level)


def concern_of(reason: str) -> str:
    return CONCERNS.get(reason, reason)


def concerns_hidden_from(respondent: str) -> tuple[str, ...]:
    """The concerns whose alerts a device of this respondent must not receive."""
    return () if respondent == "caregiver" else CAREGIVER_CONCERNS


def group_findings(findings) -> dict[str, list]:
    groups: dict[str, list] = {}
    for finding in findings:
        groups.setdefault(concern_of(finding.reason), []).append(finding)
    return groups


def record_findings(db, *, patient_id, findings, now, notify, seal, entry_id=None,
                    reported_late_minutes=0):
    """Open or extend an episode per concern; returns the most severe alert touched as
    {"alert_id", "level"} (what the push result carries), or None without findings.

    `notify(alert_row, kind, route, key)` writes to the outbox; `seal(alert_id, column,
    value)` seals evidence with the patient's key. The caller holds the transaction.
    """
    touched = []
    for concern, group in group_findings(findings).items():
        level = max((f.level for f in group), key=rank)
        # Most severe first; alphabetical among equals, so lists compare and read the same.
        severity = {}
        for finding in group:
            severity[finding.reason] = max(severity.get(finding.reason, 0), rank(finding.level))
        reasons = sorted(severity, key=lambda reason: (-severity[reason], reason))
        escalate_now = level == "emergency" or any(f.escalate_now for f in group)
        evidence = [f.evidence for f in group]
        # Whom it is for and when it may page: the most severe finding's team; working
        # hours only if every finding allows it (alerts/teams.py).
        team = episode_team(sorted(group, key=lambda f: -rank(f.level)))
        existing = open_episode(db, patient_id, concern)
        if existing is None:
            alert = open_alert(db, patient_id, concern, reasons, level, now, entry_id,
                               reported_late_minutes, escalate_now, evidence, seal,
                               team, episode_escalation(group))
            notify(alert, "alert_raised", level, f"{alert['id']}:raised")
            if escalate_now:
                notify(alert, "alert_escalated", "escalation", f"{alert['id']}:escalated")
        else:
            alert = extend_alert(db, existing, reasons, level, now, escalate_now, evidence,
                                 seal, notify, team, group)
        if entry_id is not None:
            db.execute("INSERT OR IGNORE INTO alert_entries (alert_id, entry_id, reasons, "
                       "level, added_at) VALUES (?, ?, ?, ?, ?)",
                       [alert["id"], entry_id, json.dumps(reasons), level, utc(now)])
        touched.append(alert)
    if not touched:
        return None
    worst = max(touched, key=lambda a: rank(a["level"]))
    return {"alert_id": worst["id"], "level": worst["level"]}


def open_episode(db, patient_id, concern):
    rows = list(db.query(
        "SELECT * FROM alerts WHERE patient_id = ? AND concern = ? AND status IN "
        "('open', 'acknowledged') ORDER BY raised_at DESC LIMIT 1", [patient_id, concern]))
    return rows[0] if rows else None


def open_alert(db, patient_id, concern, reasons, level, now, entry_id, late_minutes,
               escalate_now, evidence, seal, team, escalate):
    alert_id = "al_" + secrets.token_hex(8)
    escalate_at = None
    if level == "urgent" and not escalate_now:
        escalate_at = utc(now + ACKNOWLEDGE_WITHIN)
    alert = {
        "id": alert_id, "patient_id": patient_id, "concern": concern,
        "reasons": json.dumps(reasons), "level": level, "status": "open",
        "raised_at": utc(now), "updated_at": utc(now), "last_finding_at": utc(now),
        "first_entry_id": entry_id, "reported_late_minutes": late_minutes,
        "escalate_at": escalate_at, "escalated_at": utc(now) if escalate_now else None,
        "evidence": seal(alert_id, "evidence", evidence),
        "team": team, "escalate": escalate,
    }
    insert_row(db, "alerts", alert)
    change(db, patient_id, alert_id, now)
    return alert


def extend_alert(db, alert, reasons, level, now, escalate_now, evidence, seal, notify, team,
                 findings):
    merged = list(dict.fromkeys([*reasons, *json.loads(alert["reasons"])]))
    higher = rank(level) > rank(alert["level"])
    updates = {"reasons": json.dumps(merged), "updated_at": utc(now),
               "last_finding_at": utc(now), "evidence": seal(alert["id"], "evidence", evidence),
               "escalate": episode_escalation(findings, alert.get("escalate") or ANY_TIME)}
    if higher:
        # Worse news reopens an acknowledged alert: someone must look again, and it is for
        # the team of the worse news.
        updates.update({"level": level, "status": "open", "snoozed_until": None,
                        "team": team})
        if level == "urgent" and not escalate_now:
            updates["escalate_at"] = utc(now + ACKNOWLEDGE_WITHIN)
    update_alert(db, alert["id"], updates)
    alert = {**alert, **updates}
    if higher:
        notify(alert, "alert_level_raised", level, f"{alert['id']}:level:{level}")
        if escalate_now or level == "emergency":
            update_alert(db, alert["id"], {"escalated_at": utc(now)})
            notify(alert, "alert_escalated", "escalation", f"{alert['id']}:escalated:{level}")
    change(db, alert["patient_id"], alert["id"], now)
    return alert


def change(db, patient_id, alert_id, now):
    """The family's app learns of the alert's state on its next pull."""
    insert_row(db, "changes", {"patient_id": patient_id, "type": "alert", "item_id": alert_id,
                               "op": "upsert", "at": utc(now)})


# Plain statements rather than sqlite-utils' insert() and update(), which inspect the table
# (and read the row back) on every call: they ran for every alerting entry of a push.
def insert_row(db, table, row):
    db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
               list(row.values()))


def update_alert(db, alert_id, updates):
    sets = ", ".join(f"{column} = ?" for column in updates)
    updated = db.execute(f"UPDATE alerts SET {sets} WHERE id = ?", [*updates.values(), alert_id])
    if updated.rowcount != 1:
        raise LookupError(f"no alert {alert_id} to update")


def escalate_due(db, now, notify, working_hours=None) -> list[str]:
    """Urgent alerts nobody acknowledged in time go to the escalation route, once each:
    the conditional UPDATE lets exactly one scheduler run claim each escalation.

    An alert whose rule may wait for the working day (`escalate` = working_hours) is left
    alone outside `working_hours` (alerts/working_hours.py) and escalates at the next start
    of working hours if still open: the first run after it then finds it due. Without
    `working_hours`, every due alert escalates (the behaviour before teams existed)."""
    escalated = []
    waits = working_hours is not None and not working_hours.contains(now)
    rows = list(db.query(
        "SELECT * FROM alerts WHERE status = 'open' AND escalated_at IS NULL "
        "AND escalate_at IS NOT NULL AND escalate_at <= ? "
        "AND (snoozed_until IS NULL OR snoozed_until <= ?) "
        "AND (? = 0 OR escalate IS NULL OR escalate != ?)",
        [utc(now), utc(now), int(waits), WORKING_HOURS]))
    for alert in rows:
        claimed = db.execute("UPDATE alerts SET escalated_at = ?, updated_at = ? "
                             "WHERE id = ? AND escalated_at IS NULL AND status = 'open'",
                             [utc(now), utc(now), alert["id"]])
        if claimed.rowcount == 1:
            notify({**alert, "escalated_at": utc(now)}, "alert_escalated", "escalation",
                   f"{alert['id']}:escalated")
            escalated.append(alert["id"])
    return escalated


def alert_of_entry(db, entry_id) -> dict | None:
    """The push result's `alert` for an entry already stored (a `duplicate`): the most
    severe alert it is part of, at that alert's level now, or None if it is part of none."""
    rows = db.execute("SELECT alerts.id, alerts.level FROM alert_entries JOIN alerts ON "
                      "alerts.id = alert_entries.alert_id WHERE alert_entries.entry_id = ?",
                      [entry_id]).fetchall()
    if not rows:
        return None
    alert_id, level = max(rows, key=lambda row: (rank(row[1]), row[0]))
    return {"alert_id": alert_id, "level": level}
