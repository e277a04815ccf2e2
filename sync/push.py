"""The push's write, under the write lock (DESIGN.md, "One entry's way through"; issue 15):
only what needs the lock. sync/prepare.py has opened, parsed, validated, scored and sealed
every entry before it; here each entry is checked for a duplicate, inserted, and handed to
`on_entry_stored` (the alert room: episodes and outbox rows; triggered tasks).

The batch is one transaction and commits once (one fsync, not 500) before the push
answers; an error anywhere rolls the whole push back, and the phone sends it again.
"""
from dataclasses import dataclass, field
from datetime import datetime

from .dedupe import is_same_content
from .opening import rejected
from .prepare import ENTRY_COLUMNS, Prepared, StoredEntry  # noqa: F401 (re-exported)

INSERT_ENTRY = (f"INSERT INTO entries ({', '.join(ENTRY_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})")


@dataclass
class PushContext:
    db: object
    keyring: object            # sync.sealing.KeyRing
    catalog: object            # questionnaires.Catalog
    cipher: object             # the patient's PatientCipher: seal_json, mac
    device: dict               # the authenticated device's row
    patient: dict              # {"patient_id", "date_of_birth": date, "timezone"}
    now: datetime
    clock_offset_seconds: float
    # The alert room's call site, under the lock: (db, StoredEntry, foreseen_holds) ->
    # {"alert_id", "level"} or None. `foreseen_holds` is False once an entry turned out
    # stored or not otherwise than the preparation read (what it foresaw assumed it).
    on_entry_stored: object = None
    device_ids: list = field(default_factory=list)  # own id first, then replaced devices
    # (db, entry_id) -> the entry's current {"alert_id", "level"} or None, for `duplicate`.
    alert_of_entry: object = None
    # (task_id, questionnaire_id, recorded_at) -> whether this patient has or will have
    # that task; None: task ids are not checked.
    task_is_known: object = None
    stored: list = field(default_factory=list)  # what `write_entries` inserted, in order


def write_entries(context: PushContext, prepared: list[Prepared]) -> list[dict]:
    """One result per prepared envelope, in order; `context.stored` gets what was inserted.
    The caller holds the write transaction."""
    found = stored_now(context.db, [item.entry_id for item in prepared
                                    if item.rejection is None])
    results, holds = [], True
    for item in prepared:
        if item.rejection is not None:
            results.append(item.rejection)
            continue
        existing = found.get(item.entry_id)
        if (existing is not None) != item.existed:
            holds = False  # stored or not since it was read: later entries assumed otherwise
        if existing is not None:
            results.append(duplicate_or_conflict(context, item, existing))
            continue
        row, stored = item.row, item.stored
        if item.task is not None and context.task_is_known(*item.task):
            # An earlier entry of this push, or a pull since, made the task: not a problem.
            # The rules' findings do not depend on it (alerts/foresight.py).
            row, stored = item.remake()
            stored.foreseen = item.stored.foreseen
        context.db.execute(INSERT_ENTRY, row)
        found[item.entry_id] = (stored.patient_id, item.content_mac)
        context.stored.append(stored)
        alert = (context.on_entry_stored(context.db, stored, holds)
                 if context.on_entry_stored else None)
        results.append(result_of(stored, alert))
    return results


def stored_now(db, entry_ids) -> dict:
    """entry_id -> (patient_id, content_mac) of those already stored, in one query a 500."""
    found = {}
    for chunk in range(0, len(entry_ids), 500):
        part = entry_ids[chunk:chunk + 500]
        found.update((row[0], (row[1], row[2])) for row in db.execute(
            f"SELECT entry_id, patient_id, content_mac FROM entries WHERE entry_id IN "
            f"({', '.join('?' * len(part))})", part))
    return found


def duplicate_or_conflict(context, item, existing) -> dict:
    if existing[0] == context.device["patient_id"] and is_same_content(
            context.db, context.cipher, item.entry_id, existing[1], item.content_mac,
            item.raw):
        alert = (context.alert_of_entry(context.db, item.entry_id)
                 if context.alert_of_entry else None)
        return {"entry_id": item.entry_id, "status": "duplicate", "alert": alert}
    return rejected(item.entry_id, "conflict",
                    "Another entry with this entry_id was stored with other content.")


def result_of(stored, alert) -> dict:
    if stored.status == "quarantined":
        first = stored.problems[0]
        return {"entry_id": stored.entry_id, "status": "quarantined", "alert": alert,
                "error": {"code": first["code"], "message": first["message"],
                          "field": first.get("field")}}
    return {"entry_id": stored.entry_id, "status": "accepted", "alert": alert}
