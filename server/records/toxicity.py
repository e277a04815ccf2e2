"""Toxicity events a physician records: what happened (CRS, ICANS, ...), its grade on the
system registries use for it, when it began and ended, and how it was treated.

Nothing is ever deleted. An edit writes the next revision of the event and marks the one
before superseded; a retraction is a revision whose status is `retracted`, with its reason.
The note and free-text treatments are sealed with the patient's key; the rest are codes,
dates and counts, in clear, for summaries and registry exports.
"""
import json
import secrets
from datetime import date

from ..clock import from_db, to_db, to_wire
from ..storage.db import write_transaction
from .vocabulary import SYSTEM_OF_KIND, grade_problem

TABLE = "toxicity_events"
SEALED = ("treatments_text", "note", "change_reason")


class RecordProblem(Exception):
    """A record that cannot be kept as given; carries its HTTP status (server/web/errors.py)."""

    status, code = 400, "invalid_request"

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.details = {"fields": {field: [message]}} if field else {}


class EventNotFound(RecordProblem):
    status, code = 404, "not_found"


class EventRetracted(RecordProblem):
    status, code = 409, "conflict"


class StaleRevision(RecordProblem):
    """A change made from a revision that is no longer the latest: someone saved first."""

    status, code = 409, "conflict"

    def __init__(self, expected, current):
        super().__init__(f"This event was changed since revision {expected}: revision "
                         f"{current} is in force. Read it again and make your change to it.")
        self.details = {"current_revision": current}


def check_revision(current, expected) -> None:
    if expected is not None and current["revision"] != expected:
        raise StaleRevision(expected, current["revision"])


def check_event(patient_row, event: dict) -> dict:
    """The event with its grading system filled in; raises RecordProblem on what the edge's
    schema cannot see alone (the grade range of the kind's system, dates against day 0)."""
    system = event.get("grading_system") or SYSTEM_OF_KIND[event["kind"]]
    problem = grade_problem(event["kind"], system, event["grade"])
    if problem:
        raise RecordProblem(problem, "grade" if system == SYSTEM_OF_KIND[event["kind"]]
                            else "grading_system")
    onset, resolution = event["onset_date"], event.get("resolution_date")
    infusion = date.fromisoformat(patient_row["infusion_date"])
    if (onset - infusion).days < -30:
        raise RecordProblem("The onset is more than 30 days before the infusion; a toxicity "
                            "of the CAR T cells starts after them.", "onset_date")
    if resolution is not None and resolution < onset:
        raise RecordProblem("The resolution date is before the onset.", "resolution_date")
    treatments = sorted(set(event.get("treatments") or []))
    if event.get("icu_days") is not None and "icu" not in treatments:
        raise RecordProblem("ICU days are given but ICU admission is not ticked.", "icu_days")
    if "other" in treatments and not (event.get("treatments_text") or "").strip():
        raise RecordProblem("Name the other treatment.", "treatments_text")
    return {**event, "grading_system": system, "treatments": treatments}


def linked_alerts_problem(db, patient_id, alert_ids) -> str | None:
    if not alert_ids:
        return None
    marks = ",".join("?" * len(alert_ids))
    found = {row[0] for row in db.execute(
        f"SELECT id FROM alerts WHERE patient_id = ? AND id IN ({marks})",
        [patient_id, *alert_ids])}
    missing = [alert_id for alert_id in alert_ids if alert_id not in found]
    return f"Not alerts of this patient: {', '.join(missing)}." if missing else None


def _insert(db, cipher, patient_id, event_id, revision, status, event, recorded_by, now,
            change_reason=None):
    row_id = db[TABLE].insert({
        "event_id": event_id, "patient_id": patient_id, "revision": revision,
        "status": status, "kind": event["kind"], "grading_system": event["grading_system"],
        "grade": event["grade"], "onset_date": _iso(event["onset_date"]),
        "resolution_date": _iso(event.get("resolution_date")),
        "treatments": json.dumps(event["treatments"]), "icu_days": event.get("icu_days"),
        "alert_ids": json.dumps(sorted(set(event.get("alert_ids") or []))),
        "recorded_by": recorded_by, "recorded_at": to_db(now)}).last_pk
    texts = {"treatments_text": event.get("treatments_text") or None,
             "note": event.get("note") or None, "change_reason": change_reason}
    db[TABLE].update(row_id, {column: cipher.seal_text(TABLE, str(row_id), column, value)
                              for column, value in texts.items()})


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def record_event(db, cipher, patient_row, event, *, recorded_by, now) -> dict:
    event = check_event(patient_row, event)
    event_id = "tox_" + secrets.token_hex(8)
    with write_transaction(db):
        _insert(db, cipher, patient_row["id"], event_id, 1, "recorded", event, recorded_by, now)
    return read_event(db, cipher, patient_row["id"], event_id)


def _current_row(db, patient_id, event_id):
    rows = list(db.query("SELECT * FROM toxicity_events WHERE patient_id = ? AND event_id = ? "
                         "AND superseded_at IS NULL", [patient_id, event_id]))
    if not rows:
        raise EventNotFound(f"This patient has no toxicity event {event_id}.")
    return rows[0]


def revise_event(db, cipher, patient_row, event_id, event, *, reason, recorded_by, now,
                 expected_revision=None):
    """A corrected version of the event; the earlier one stays in its history. With
    `expected_revision`, refused if another revision was saved since (no lost update)."""
    event = check_event(patient_row, event)
    with write_transaction(db):
        current = _current_row(db, patient_row["id"], event_id)
        check_revision(current, expected_revision)
        if current["status"] == "retracted":
            raise EventRetracted("This event was retracted; record a new one instead.")
        db.execute("UPDATE toxicity_events SET superseded_at = ? WHERE id = ?",
                   [to_db(now), current["id"]])
        _insert(db, cipher, patient_row["id"], event_id, current["revision"] + 1, "recorded",
                event, recorded_by, now, reason)
    return read_event(db, cipher, patient_row["id"], event_id)


def retract_event(db, cipher, patient_row, event_id, *, reason, recorded_by, now,
                  expected_revision=None):
    """Withdraw an event recorded in error: a last revision saying so, never a deletion."""
    with write_transaction(db):
        current = _current_row(db, patient_row["id"], event_id)
        check_revision(current, expected_revision)
        if current["status"] == "retracted":
            raise EventRetracted("This event is already retracted.")
        kept = describe_row(current, cipher)
        db.execute("UPDATE toxicity_events SET superseded_at = ? WHERE id = ?",
                   [to_db(now), current["id"]])
        kept["onset_date"] = current["onset_date"]
        _insert(db, cipher, patient_row["id"], event_id, current["revision"] + 1, "retracted",
                kept, recorded_by, now, reason)
    return read_event(db, cipher, patient_row["id"], event_id)


def describe_row(row, cipher) -> dict:
    event = {
        "event_id": row["event_id"], "revision": row["revision"], "status": row["status"],
        "kind": row["kind"], "grading_system": row["grading_system"], "grade": row["grade"],
        "onset_date": row["onset_date"], "resolution_date": row["resolution_date"],
        "treatments": json.loads(row["treatments"]), "icu_days": row["icu_days"],
        "alert_ids": json.loads(row["alert_ids"]), "recorded_by": row["recorded_by"],
        "recorded_at": to_wire(from_db(row["recorded_at"])),
        "superseded_at": to_wire(from_db(row["superseded_at"])),
    }
    for column in SEALED:
        event[column] = cipher.open_text(TABLE, str(row["id"]), column, row[column])
    return event


def read_event(db, cipher, patient_id, event_id) -> dict:
    """The event as it stands, with every earlier revision under `history` (newest first)."""
    rows = [describe_row(row, cipher) for row in db.query(
        "SELECT * FROM toxicity_events WHERE patient_id = ? AND event_id = ? "
        "ORDER BY revision DESC", [patient_id, event_id])]
    if not rows:
        raise EventNotFound(f"This patient has no toxicity event {event_id}.")
    return {**rows[0], "history": rows[1:]}


def current_events(db, cipher, patient_id, *, include_retracted=False) -> list[dict]:
    """Each event's latest revision, by onset; retracted ones only when asked."""
    where = "" if include_retracted else " AND status != 'retracted'"
    return [describe_row(row, cipher) for row in db.query(
        "SELECT * FROM toxicity_events WHERE patient_id = ? AND superseded_at IS NULL"
        + where + " ORDER BY onset_date, event_id", [patient_id])]
