"""Closing a patient's row on the follow-up worklist, so the list shrinks as the team works
it. A list that never shrinks is a list nobody reads.

A closure has a reason. Some last until someone reopens the row (the child's care moved to
another centre, the family withdrew from follow-up, the child died); `on_schedule` (the
family was reached and the form is coming) only hides the reasons the row had when it was
closed: a reason that arises after it (the next form overdue, months of silence that began
later) brings the patient back. The log is append-only: a close or a reopening is a new row,
the latest one per patient is in force. The note is sealed; the audit log names the code.
"""
from datetime import datetime

from ..clock import from_db, to_db, to_wire
from ..storage.db import write_transaction

REASONS = {"on_schedule": "Reached; back on schedule",
           "moved_care": "Care moved to another centre",
           "withdrew": "Withdrew from follow-up",
           "died": "Died"}
# Closed until someone reopens them, whatever the worklist finds later.
LASTING = frozenset({"moved_care", "withdrew", "died"})
TABLE = "followup_closures"


class ClosureConflict(Exception):
    """Closing what is closed for good, or reopening what is open (server/web/errors.py)."""

    status, code = 409, "conflict"

    def __init__(self, message):
        super().__init__(message)
        self.message = message
        self.details = {}


def _describe(row, cipher=None) -> dict:
    closure = {"closure_id": row["id"], "action": row["action"], "reason": row["reason"],
               "reason_text": REASONS.get(row["reason"]),
               "lasting": row["reason"] in LASTING,
               "closed_by": row["recorded_by"],
               "closed_at": to_wire(from_db(row["recorded_at"]))}
    if cipher is not None:
        closure["note"] = cipher.open_text(TABLE, str(row["id"]), "note", row["note"])
    return closure


def closures_in_force(db) -> dict[str, dict]:
    """Each patient whose latest row is a close -> that closure (codes and times only), in
    one pass for the whole cohort."""
    latest = {}
    for row in db.query("SELECT id, patient_id, action, reason, recorded_by, recorded_at "
                        "FROM followup_closures ORDER BY id"):
        latest[row["patient_id"]] = row
    return {patient_id: _describe(row) for patient_id, row in latest.items()
            if row["action"] == "close"}


def closure_in_force(db, patient_id, cipher=None) -> dict | None:
    rows = list(db.query("SELECT * FROM followup_closures WHERE patient_id = ? "
                         "ORDER BY id DESC LIMIT 1", [patient_id]))
    if not rows or rows[0]["action"] != "close":
        return None
    return _describe(rows[0], cipher)


def hidden_reasons(closure, reasons: dict) -> list[str]:
    """Of `reasons` ({reason: when it arose}), those a closure in force still hides."""
    if closure is None:
        return []
    if closure["lasting"]:
        return list(reasons)
    closed_at = datetime.fromisoformat(closure["closed_at"])
    return [reason for reason, arose in reasons.items() if arose <= closed_at]


def _append(db, cipher, patient_id, action, reason, note, by, now) -> None:
    row_id = db[TABLE].insert({"patient_id": patient_id, "action": action, "reason": reason,
                               "recorded_by": by, "recorded_at": to_db(now)}).last_pk
    if note:
        db[TABLE].update(row_id, {"note": cipher.seal_text(TABLE, str(row_id), "note", note)})


def close(db, cipher, patient_id, *, reason, note, closed_by, now) -> dict:
    """Close the patient's row; refused while a lasting closure is in force (a temporary
    one is simply replaced: the patient came back and is being closed again)."""
    with write_transaction(db):
        current = closure_in_force(db, patient_id)
        if current is not None and current["lasting"]:
            raise ClosureConflict(
                f"This patient's follow-up is already closed ({current['reason_text']}, by "
                f"{current['closed_by']}); reopen it first to close it for another reason.")
        _append(db, cipher, patient_id, "close", reason, note, closed_by, now)
    return closure_in_force(db, patient_id, cipher)


def reopen(db, cipher, patient_id, *, note, reopened_by, now) -> dict:
    """End the closure in force; the patient is on the worklist again if a reason holds.
    Returns the closure that was ended."""
    with write_transaction(db):
        current = closure_in_force(db, patient_id)
        if current is None:
            raise ClosureConflict("This patient's follow-up is not closed; there is nothing "
                                  "to reopen.")
        _append(db, cipher, patient_id, "reopen", None, note, reopened_by, now)
    return current


def closure_history(db, cipher, patient_id) -> list[dict]:
    """Every close and reopening, newest first, notes unsealed."""
    return [_describe(row, cipher) for row in db.query(
        "SELECT * FROM followup_closures WHERE patient_id = ? ORDER BY id DESC", [patient_id])]
