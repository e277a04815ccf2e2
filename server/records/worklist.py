"""Who the team has lost sight of in long-term follow-up: patients whose follow-up form is
overdue (none since it fell due, `grace_days` ago or more) and patients none of whose devices
has been in touch for `lost_months`. Staff record each contact they make; the list shows
the latest, so a colleague does not ring the same family twice in a morning.
"""
import dataclasses
from datetime import date, datetime, time, timedelta, timezone

from questionnaires import Patient, tasks_between
from questionnaires.tasks import add_months

from ..clock import from_db, to_db, to_wire
from ..db import write_transaction
from ..patients import day_post_infusion

FOLLOW_UP = "long-term-follow-up"
OUTCOMES = {"reached": "Reached the family", "message_left": "Left a message",
            "no_answer": "No answer", "moved_care": "Care moved to another centre"}
# A form filled in a few days before it fell due still answers it.
EARLY_DAYS = 3


def follow_up_due(schedule, catalog, patient: Patient, until) -> datetime | None:
    """When the latest long-term follow-up fell due on or before `until`, or None."""
    plan = schedule.plan(FOLLOW_UP)
    if plan is None:
        return None
    only = dataclasses.replace(schedule, plans=(plan,))
    start = datetime.combine(patient.infusion_date, time(), timezone.utc) - timedelta(days=2)
    if until <= start:
        return None
    due = [task.due_at for task in tasks_between(only, patient, start, until, catalog)]
    return max(due) if due else None


def followup_worklist(db, schedule, catalog, patients, now, *, grace_days, lost_months):
    """`patients`: active patients as server.patients.describe gives them (with date of
    birth). Returns the rows to show, those never contacted about it first."""
    rows = []
    lost_before = add_months(now.astimezone(timezone.utc).date(), -lost_months)
    for patient in patients:
        patient_id = patient["patient_id"]
        facts = Patient(patient_id, date.fromisoformat(patient["date_of_birth"]),
                        patient["timezone"], date.fromisoformat(patient["infusion_date"]))
        due = follow_up_due(schedule, catalog, facts, now - timedelta(days=grace_days))
        last_entry = _one(db, "SELECT MAX(corrected_at) FROM entries WHERE patient_id = ? AND "
                              "questionnaire_id = ?", [patient_id, FOLLOW_UP])
        last_seen = _one(db, "SELECT MAX(COALESCE(last_seen_at, enrolled_at)) FROM devices "
                             "WHERE patient_id = ?", [patient_id])
        reasons = []
        if due is not None and (last_entry is None or from_db(last_entry)
                                < due - timedelta(days=EARLY_DAYS)):
            reasons.append("overdue")
        silent_since = from_db(last_seen) if last_seen else None
        reference = (silent_since.date() if silent_since
                     else date.fromisoformat(patient["infusion_date"]))
        if reference < lost_before:
            reasons.append("lost")
        if not reasons:
            continue
        rows.append({
            "patient_id": patient_id, "display_name": patient.get("display_name"),
            "day_post_infusion": day_post_infusion(facts.infusion_date, facts.timezone, now),
            "reasons": reasons, "follow_up_due_at": to_wire(due),
            "last_follow_up_at": to_wire(from_db(last_entry)),
            "last_device_contact_at": to_wire(silent_since),
            "last_contact": last_contact(db, patient_id)})
    rows.sort(key=lambda row: (row["last_contact"] is not None,
                               row["last_contact"]["contacted_at"] if row["last_contact"]
                               else "", -row["day_post_infusion"]))
    return rows


def _one(db, sql, params):
    return db.execute(sql, params).fetchone()[0]


def last_contact(db, patient_id) -> dict | None:
    """The latest contact, codes and times only: the note is read on the patient's page."""
    row = db.execute("SELECT id, outcome, contacted_by, contacted_at FROM followup_contacts "
                     "WHERE patient_id = ? ORDER BY contacted_at DESC, id DESC LIMIT 1",
                     [patient_id]).fetchone()
    if row is None:
        return None
    return {"contact_id": row[0], "outcome": row[1], "contacted_by": row[2],
            "contacted_at": to_wire(from_db(row[3]))}


def record_contact(db, cipher, patient_id, *, outcome, note, contacted_by, now) -> dict:
    with write_transaction(db):
        row_id = db["followup_contacts"].insert({
            "patient_id": patient_id, "outcome": outcome, "contacted_by": contacted_by,
            "contacted_at": to_db(now)}).last_pk
        if note:
            db["followup_contacts"].update(row_id, {"note": cipher.seal_text(
                "followup_contacts", str(row_id), "note", note)})
    return last_contact(db, patient_id)


def contacts(db, cipher, patient_id) -> list[dict]:
    """Every contact about follow-up, newest first, notes unsealed."""
    return [{"contact_id": row["id"], "outcome": row["outcome"],
             "contacted_by": row["contacted_by"],
             "contacted_at": to_wire(from_db(row["contacted_at"])),
             "note": cipher.open_text("followup_contacts", str(row["id"]), "note", row["note"])}
            for row in db.query("SELECT * FROM followup_contacts WHERE patient_id = ? "
                                "ORDER BY contacted_at DESC, id DESC", [patient_id])]
