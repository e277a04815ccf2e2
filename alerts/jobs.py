"""The scheduler's alert jobs. Each works from what the database says now, not from what
the last run did, so a run after two hours of downtime catches up on everything due and a
run repeated after a crash changes nothing: escalations are claimed with a conditional
UPDATE, silences extend their open episode, notifications carry idempotency keys.
"""
import logging
from datetime import timedelta

from .calls import recheck_due
from .episodes import escalate_due, record_findings, utc
from .evaluate import evaluate_silence
from .intake import patient_values, silent_patients
from .ruleset import effective_parameters
from .scheduler import Job
from .storage import immediate

log = logging.getLogger("homeward.alerts.jobs")

ESCALATION_EVERY_SECONDS = 15
REMINDER_EVERY_SECONDS = 300
REMIND_AFTER = timedelta(hours=1)
CHECKIN_EVERY_SECONDS = 60
RECHECK_EVERY_SECONDS = 15


def in_transaction(db, work):
    with immediate(db):
        return work()


def escalation_job(notifier, working_hours=None) -> Job:
    """`notifier(db, now)` -> notify(alert, kind, route, key), writing to the outbox.
    `working_hours`: when alerts that may wait for the working day escalate."""
    def escalate(db, now):
        escalated = in_transaction(db, lambda: escalate_due(db, now, notifier(db, now),
                                                            working_hours))
        if escalated:
            log.warning("escalated %d unacknowledged alert(s): %s", len(escalated),
                        ", ".join(escalated))
        return escalated
    return Job("escalation", ESCALATION_EVERY_SECONDS, escalate)


def recheck_job(notifier) -> Job:
    """A nurse's `recheck` that nobody answered (no call, no family entry) in time: the
    alert escalates again, through the same outbox and route as an unacknowledged one."""
    def recheck(db, now):
        escalated = in_transaction(db, lambda: recheck_due(db, now, notifier(db, now)))
        if escalated:
            log.warning("recheck missed on %d alert(s): %s", len(escalated),
                        ", ".join(escalated))
        return escalated
    return Job("rechecks", RECHECK_EVERY_SECONDS, recheck)


def check_silences(db, now, *, settings, notifier, patient_facts, cipher_for):
    """Missed check-ins (CLINICAL.md): no temperature for 12 h in the monitoring window is
    `missed_checkin`, 24 h is `no_contact`. Returns the patients with a finding."""
    window = effective_parameters(settings.ruleset, settings.parameters)["monitoring_window_days"]
    flagged = []
    for patient_id, _tz, _day0, last_temperature_at, watch_started in silent_patients(
            db, now, window):
        facts = patient_facts(db, patient_id, now)
        context = {"now": now, "last_temperature_at": last_temperature_at,
                   "watch_started_at": watch_started, **patient_values(facts, now),
                   "parameters": settings.parameters, "patient_overrides": None}
        findings = evaluate_silence(settings.ruleset, context, now)
        if not findings:
            continue
        cipher = cipher_for(db, patient_id)

        def record(findings=findings, cipher=cipher, patient_id=patient_id):
            return record_findings(
                db, patient_id=patient_id, findings=findings, now=now,
                notify=notifier(db, now),
                seal=lambda alert_id, column, value: cipher.seal_json("alerts", alert_id,
                                                                     column, value))
        in_transaction(db, record)
        flagged.append(patient_id)
    return flagged


def checkin_job(**dependencies) -> Job:
    def run(db, now):
        return check_silences(db, now, **dependencies)
    return Job("missed_checkins", CHECKIN_EVERY_SECONDS, run)


def remind_overdue(db, now, *, routing, enqueue):
    """An hour after a task fell due with no entry for it, one reminder to the family's
    route, while the task is still open. Returns the task ids reminded."""
    if not routing.channels_for("reminder"):
        return []
    rows = db.execute(
        "SELECT t.task_id, t.patient_id, t.questionnaire_id, t.due_at FROM tasks t "
        "JOIN patients p ON p.id = t.patient_id AND p.status = 'active' "
        "WHERE t.due_at <= ? AND t.closes_at > ? AND NOT EXISTS "
        "(SELECT 1 FROM entries e WHERE e.task_id = t.task_id AND e.patient_id = t.patient_id)",
        [utc(now - REMIND_AFTER), utc(now)]).fetchall()
    reminded = []
    for task_id, patient_id, questionnaire_id, due_at in rows:
        payload = {"kind": "task_reminder", "patient": patient_id, "task_id": task_id,
                   "questionnaire_id": questionnaire_id, "due_at": due_at}
        if in_transaction(db, lambda: enqueue(db, routing, alert_id=None, kind="task_reminder",
                                              route="reminder", payload=payload,
                                              idempotency_key=f"{task_id}:reminder", now=now)):
            reminded.append(task_id)
    return reminded


def reminder_job(routing, enqueue) -> Job:
    def run(db, now):
        return remind_overdue(db, now, routing=routing, enqueue=enqueue)
    return Job("task_reminders", REMINDER_EVERY_SECONDS, run)
