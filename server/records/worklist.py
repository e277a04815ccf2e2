"""Who the team has lost sight of in long-term follow-up: patients whose follow-up form is
overdue (none since it fell due, `grace_days` ago or more) and patients none of whose devices
has been in touch for `lost_months`. Staff record each contact they make; the list shows
the latest, so a colleague does not ring the same family twice in a morning.
"""
from datetime import date, datetime, time, timedelta, timezone

from questionnaires import Patient
from questionnaires.tasks import add_months, due_times

from ..clock import from_db, to_db, to_wire
from ..storage.db import write_transaction
from .closures import closures_in_force, hidden_reasons
from .patients import day_post_infusion

FOLLOW_UP = "long-term-follow-up"
OUTCOMES = {"reached": "Reached the family", "message_left": "Left a message",
            "no_answer": "No answer", "moved_care": "Care moved to another centre"}
# A form filled in a few days before it fell due still answers it.
EARLY_DAYS = 3
LOOK_BACK = timedelta(days=800)


def follow_up_due(schedule, patient: Patient, until) -> datetime | None:
    """When the latest long-term follow-up fell due on or before `until`, or None. Only the
    last LOOK_BACK is searched: follow-ups come at least yearly while they last."""
    start = max(datetime.combine(patient.infusion_date, time(), timezone.utc)
                - timedelta(days=2), until - LOOK_BACK)
    if until <= start:
        return None
    due = due_times(schedule, patient, FOLLOW_UP, start, until)
    return due[-1] if due else None


def latest_by_patient(db, sql, params=()) -> dict:
    return {patient_id: value for patient_id, value in db.execute(sql, params)}


def followup_worklist(db, schedule, patients, now, *, grace_days, lost_months,
                      closed_out=None):
    """`patients`: dicts of patient_id, timezone, infusion_date, display_name. Returns rows
    to show, those never contacted about it first; patients a closure hides are left out
    (and appended to `closed_out` when given). A few grouped queries for the cohort, not
    several per patient (bench/RESULTS.md)."""
    rows = []
    closures = closures_in_force(db)
    lost_before = add_months(now.astimezone(timezone.utc).date(), -lost_months)
    last_entries = latest_by_patient(
        db, "SELECT patient_id, MAX(corrected_at) FROM entries WHERE questionnaire_id = ? "
            "GROUP BY patient_id", [FOLLOW_UP])
    last_seen_at = latest_by_patient(
        db, "SELECT patient_id, MAX(COALESCE(last_seen_at, enrolled_at)) FROM devices "
            "GROUP BY patient_id")
    contacted = latest_contacts(db)
    for patient in patients:
        patient_id = patient["patient_id"]
        facts = Patient(patient_id, None, patient["timezone"],
                        date.fromisoformat(patient["infusion_date"]))
        due = follow_up_due(schedule, facts, now - timedelta(days=grace_days))
        last_entry, last_seen = last_entries.get(patient_id), last_seen_at.get(patient_id)
        arose = {}  # each reason, and when it began to hold
        if due is not None and (last_entry is None or from_db(last_entry)
                                < due - timedelta(days=EARLY_DAYS)):
            arose["overdue"] = due + timedelta(days=grace_days)
        silent_since = from_db(last_seen) if last_seen else None
        reference = (silent_since.date() if silent_since
                     else date.fromisoformat(patient["infusion_date"]))
        if reference < lost_before:
            arose["lost"] = datetime.combine(add_months(reference, lost_months), time(),
                                             timezone.utc)
        closure = closures.get(patient_id)
        hidden = hidden_reasons(closure, arose)
        reasons = [reason for reason in arose if reason not in hidden]
        # Listed as closed while the closure is what keeps them off (a lasting one, or one
        # hiding a reason); a family reached and now up to date is simply not listed.
        if (closure is not None and not reasons and closed_out is not None
                and (closure["lasting"] or hidden)):
            closed_out.append({"patient_id": patient_id,
                               "display_name": patient.get("display_name"),
                               "closure": closure})
        if not reasons:
            continue
        rows.append({
            "patient_id": patient_id, "display_name": patient.get("display_name"),
            "day_post_infusion": day_post_infusion(facts.infusion_date, facts.timezone, now),
            "reasons": reasons, "follow_up_due_at": to_wire(due),
            "last_follow_up_at": to_wire(from_db(last_entry)),
            "last_device_contact_at": to_wire(silent_since),
            "last_contact": contacted.get(patient_id), "closure": closure})
    rows.sort(key=lambda row: (row["last_contact"] is not None,
                               row["last_contact"]["contacted_at"] if row["last_contact"]
                               else "", -row["day_post_infusion"]))
    return rows


def _contact(row) -> dict:
    return {"contact_id": row[0], "outcome": row[1], "contacted_by": row[2],
            "contacted_at": to_wire(from_db(row[3]))}


def latest_contacts(db) -> dict:
    """Each patient's latest contact, codes and times only, in one pass."""
    return {row[4]: _contact(row) for row in db.execute(
        "SELECT id, outcome, contacted_by, contacted_at, patient_id FROM followup_contacts "
        "ORDER BY contacted_at, id")}


def last_contact(db, patient_id) -> dict | None:
    """The latest contact, codes and times only: the note is read on the patient's page."""
    row = db.execute("SELECT id, outcome, contacted_by, contacted_at FROM followup_contacts "
                     "WHERE patient_id = ? ORDER BY contacted_at DESC, id DESC LIMIT 1",
                     [patient_id]).fetchone()
    return None if row is None else _contact(row)


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
