"""The clinic's read model of a patient's entries and tasks: unsealed, on corrected time,
with correction chains resolved. No Flask: the API, pages and exports all read through here.

PROTOCOL.md: entries are immutable; a correction is a new entry whose `supersedes` names the
old one, both are kept, and "the newest one wins in views and trends".
"""
from dataclasses import dataclass
from datetime import datetime

from ..clock import from_db, to_db, to_wire
from ..web.errors import NotFound

# PROTOCOL.md: views show both times when they differ by over two minutes.
CLOCK_DIFFERS_SECONDS = 120
STATUSES = ("accepted", "quarantined")


@dataclass(frozen=True)
class Entry:
    entry_id: str
    patient_id: str
    device_id: str
    questionnaire_id: str | None
    version: str | None
    variant: str | None
    task_id: str | None
    respondent: str
    status: str
    recorded_at: datetime | None  # as the device's clock said; None if the document broke
    received_at: datetime
    corrected_at: datetime
    clock_offset_seconds: float | None
    supersedes: str | None
    superseded_by: str | None
    answers: dict                 # the answers that passed validation
    scores: dict
    problems: list
    document: str | None          # the raw text the phone sealed, for quarantined entries

    @property
    def clock_differs(self) -> bool:
        # Compared with the corrected time rather than the offset alone, because the
        # corrected time is also capped at arrival: a future-dated entry differs too.
        if self.recorded_at is None:
            return False
        return abs((self.corrected_at - self.recorded_at).total_seconds()) > CLOCK_DIFFERS_SECONDS

    @property
    def reported_late_minutes(self) -> int:
        return max(0, int((self.received_at - self.corrected_at).total_seconds() // 60))

    def view(self) -> dict:
        return {
            "entry_id": self.entry_id, "questionnaire_id": self.questionnaire_id,
            "questionnaire_version": self.version, "variant": self.variant,
            "task_id": self.task_id, "respondent": self.respondent,
            "device_id": self.device_id, "status": self.status,
            "recorded_at": to_wire(self.recorded_at), "received_at": to_wire(self.received_at),
            "corrected_at": to_wire(self.corrected_at),
            "clock_offset_seconds": self.clock_offset_seconds,
            "clock_differs": self.clock_differs,
            "reported_late_minutes": self.reported_late_minutes,
            "answers": self.answers, "scores": self.scores, "problems": self.problems,
            "document": self.document, "supersedes": self.supersedes,
            "superseded_by": self.superseded_by,
        }


def corrections(db, patient_id) -> dict[str, str]:
    """Old entry id -> the newest entry naming it in `supersedes`.

    A quarantined correction counts too: the family withdrew the old answers even if the new
    ones need review, and showing a withdrawn reading would mislead more than a gap.
    """
    rows = db.execute(
        "SELECT supersedes, entry_id FROM entries WHERE patient_id = ? "
        "AND supersedes IS NOT NULL AND supersedes != entry_id "
        "ORDER BY corrected_at, received_at, entry_id", [patient_id])
    return {old: new for old, new in rows}  # later rows overwrite earlier: newest wins


def read_entries(db, cipher, patient_id, *, questionnaire_ids=None, status=None, since=None,
                 until=None, limit=None, newest_first=True) -> list[Entry]:
    """The patient's entries by corrected time; `since` inclusive, `until` exclusive."""
    where, params = ["patient_id = ?"], [patient_id]
    if questionnaire_ids is not None:
        where.append(f"questionnaire_id IN ({', '.join('?' * len(questionnaire_ids))})")
        params += list(questionnaire_ids)
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if since is not None:
        where.append("corrected_at >= ?")
        params.append(to_db(since))
    if until is not None:
        where.append("corrected_at < ?")
        params.append(to_db(until))
    order = "DESC" if newest_first else "ASC"
    sql = (f"SELECT * FROM entries WHERE {' AND '.join(where)} "
           f"ORDER BY corrected_at {order}, received_at {order}, entry_id {order}")
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    winners = corrections(db, patient_id)
    return [unseal(row, cipher, winners.get(row["entry_id"])) for row in db.query(sql, params)]


def read_entry(db, cipher, patient_id, entry_id) -> Entry:
    rows = list(db.query("SELECT * FROM entries WHERE entry_id = ? AND patient_id = ?",
                         [entry_id, patient_id]))
    if not rows:
        raise NotFound(f"Patient {patient_id} has no entry {entry_id}.")
    return unseal(rows[0], cipher, corrections(db, patient_id).get(entry_id))


def unseal(row, cipher, superseded_by) -> Entry:
    entry_id = row["entry_id"]

    def opened(column, empty):
        value = cipher.open_json("entries", entry_id, column, row[column])
        return empty if value is None else value

    document = None
    if row["status"] == "quarantined":
        # Staff reviewing a quarantined entry need what the phone really sent, even if it is
        # not JSON; replacement characters keep a broken encoding readable.
        raw = cipher.open_bytes("entries", entry_id, "document", row["document"])
        document = raw.decode("utf-8", errors="replace")
    return Entry(
        entry_id=entry_id, patient_id=row["patient_id"], device_id=row["device_id"],
        questionnaire_id=row["questionnaire_id"], version=row["questionnaire_version"],
        variant=row["variant"], task_id=row["task_id"], respondent=row["respondent"],
        status=row["status"], recorded_at=from_db(row["recorded_at"]),
        received_at=from_db(row["received_at"]), corrected_at=from_db(row["corrected_at"]),
        clock_offset_seconds=row["clock_offset_seconds"], supersedes=row["supersedes"],
        superseded_by=superseded_by, answers=opened("valid_answers", {}),
        scores=opened("scores", {}), problems=opened("problems", []), document=document)


def read_tasks(db, patient_id, start, end, now, questionnaire_ids=None) -> list[dict]:
    """Stored tasks open at any time in [start, end), due order, each with the accepted
    entry that completed it (the newest, when a correction carried the task id on).
    `questionnaire_ids` (None: all) narrows them to what the reader's role may see."""
    where, params = "", []
    if questionnaire_ids is not None:
        where = f"AND questionnaire_id IN ({', '.join('?' * len(questionnaire_ids))}) "
        params = list(questionnaire_ids)
    rows = list(db.query(
        f"SELECT * FROM tasks WHERE patient_id = ? AND due_at < ? AND closes_at > ? {where}"
        "ORDER BY due_at, questionnaire_id, respondent, task_id",
        [patient_id, to_db(end), to_db(start), *params]))
    completed = {}
    for chunk in range(0, len(rows), 500):
        ids = [row["task_id"] for row in rows[chunk:chunk + 500]]
        completed.update(db.execute(
            f"SELECT task_id, entry_id FROM entries WHERE patient_id = ? AND status = "
            f"'accepted' AND task_id IN ({', '.join('?' * len(ids))}) "
            f"ORDER BY corrected_at, received_at, entry_id", [patient_id, *ids]).fetchall())
    return [task_view(row, completed.get(row["task_id"]), now) for row in rows]


def task_view(row, entry_id, now) -> dict:
    due_at, closes_at = from_db(row["due_at"]), from_db(row["closes_at"])
    if entry_id is not None:
        state = "completed"
    elif now < due_at:
        state = "upcoming"
    elif now < closes_at:
        state = "open"
    else:
        state = "missed"
    return {"task_id": row["task_id"], "questionnaire_id": row["questionnaire_id"],
            "questionnaire_version": row["questionnaire_version"], "variant": row["variant"],
            "respondent": row["respondent"], "due_at": to_wire(due_at),
            "closes_at": to_wire(closes_at), "state": state, "completed_by_entry": entry_id}
