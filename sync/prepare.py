"""A push's entries made ready before the write lock (DESIGN.md, "One entry's way through";
bench/RESULTS.md, issue 15): open them (sync/opening.py), check their ids, validate, score
and seal each one, and read what the duplicate check expects. None of it writes, so two
workers do it side by side; `sync.push.write_entries` then does under the lock only what
needs it.

What is read here (does the entry exist, is its task known) is read again under the lock
wherever the answer could have changed in between, and the write follows the later answer.
"""
from dataclasses import dataclass, field
from datetime import timedelta, timezone

from questionnaires.model import NoVariantError, UnknownQuestionnaireError
from questionnaires.scoring import score
from questionnaires.validation import validate_answers

from .dedupe import content_of
from .opening import open_envelopes, rejected
from .plausible import correct_time

ENTRY_COLUMNS = ("entry_id", "patient_id", "device_id", "questionnaire_id",
                 "questionnaire_version", "variant", "task_id", "respondent", "status",
                 "recorded_at", "received_at", "clock_offset_seconds", "corrected_at",
                 "supersedes", "kid", "content_mac", "document", "valid_answers", "problems",
                 "scores")
UNKNOWN_TASK = {"code": "unknown_task", "field": "task_id",
                "message": "This patient has no task with this task_id for this "
                           "questionnaire; use a task_id from the pull feed, or one made "
                           "from the schedule as the server makes it."}


@dataclass
class StoredEntry:
    """What the safety rules see of an entry that is stored."""

    entry_id: str
    patient_id: str
    status: str                      # accepted or quarantined
    questionnaire_id: str | None
    definition: object | None        # the exact questionnaires.Definition, when known
    valid_answers: dict
    scores: dict
    recorded_at: object              # datetime as the device said, or None
    corrected_at: object             # recorded_at moved by the device's clock offset
    received_at: object
    reported_late_minutes: int
    supersedes: str | None
    problems: list = field(default_factory=list)
    phone_advice: object = None      # what the app says it advised (alerts/drift.py), unchecked
    task_id: str | None = None       # the task it answers: the family's other phones hear of it
    # What the rules found before the lock, from a snapshot of the child's history
    # (alerts/foresight.py), or None: judged under the lock.
    foreseen: object = None


@dataclass
class Prepared:
    """One envelope, ready to be written: a rejection, or the entry's row and what the
    rules see of it."""

    entry_id: str
    rejection: dict | None = None
    content_mac: bytes = b""
    raw: object = None
    row: list | None = None          # the INSERT's values, in ENTRY_COLUMNS order
    stored: StoredEntry | None = None
    existed: bool = False            # the entry id was already stored when this was read
    task: tuple | None = None        # (task_id, questionnaire_id, at) found unknown: ask again
    remake: object = None            # () -> (row, stored) without the unknown_task problem


def utc(moment) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def prepare_entries(context, envelopes: list[dict]) -> list[Prepared]:
    """One Prepared per envelope, in order. `context`: a sync.push.PushContext whose
    database is read, never written."""
    opened = open_envelopes(context.keyring, context.device, context.device_ids, envelopes)
    ids = [envelope["entry_id"] for envelope in envelopes]
    stored_ids = set()
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        stored_ids.update(row[0] for row in context.db.execute(
            f"SELECT entry_id FROM entries WHERE entry_id IN ({', '.join('?' * len(part))})",
            part))
    prepared, coming = [], set()
    for envelope, found in zip(envelopes, opened):
        item = prepare_entry(context, envelope, found)
        if item.rejection is None:
            # A second copy in the same push finds the first one stored, as a retry would.
            item.existed = item.entry_id in stored_ids or item.entry_id in coming
            if not item.existed:
                coming.add(item.entry_id)
        prepared.append(item)
    return prepared


def prepare_entry(context, envelope, opened) -> Prepared:
    entry_id, kid = envelope["entry_id"], envelope["kid"]
    if isinstance(opened, dict):
        return Prepared(entry_id, rejection=opened)
    device_id, plaintext, (raw, document, problems) = opened
    # First: whatever else the server looks up by this time must not see an implausible one.
    recorded_at = plausible_recorded_at(context, document, problems)
    if raw is not None:
        if raw.get("device_id") != device_id:
            return Prepared(entry_id, rejection=rejected(
                entry_id, "wrong_device",
                "The entry names another device than the one pushing it."))
        if raw.get("patient_id") != context.device["patient_id"]:
            return Prepared(entry_id, rejection=rejected(
                entry_id, "wrong_patient",
                "The entry names another patient than this device's."))
        if raw.get("entry_id") != entry_id:
            problems.append({"code": "invalid_document", "field": "entry_id",
                             "message": "The entry id inside differs from the envelope's; "
                                        "stored under the envelope's."})
    content_mac = context.cipher.mac("entry", content_of(raw, plaintext))
    before_task = list(problems)
    task = unknown_task(context, document, recorded_at or context.now)

    def make(problems):
        return build_entry(context, device_id, entry_id, kid, plaintext, raw, document,
                           problems, content_mac, recorded_at)
    row, stored = make(before_task + [dict(UNKNOWN_TASK)] if task else before_task)
    return Prepared(entry_id, content_mac=content_mac, raw=raw, row=row, stored=stored,
                    task=task, remake=(lambda: make(list(before_task))) if task else None)


def unknown_task(context, document, recorded_at):
    """(task_id, questionnaire_id, at) when the entry names a task this patient does not
    have, for the write to ask again under the lock (an earlier entry of the same push, or
    a pull in between, may add it); None when it is known or names none. A task id must be
    one of this patient's tasks for the same questionnaire; anything else is kept, checked
    by the rules, and flagged for staff (docs/protocol.md)."""
    if document is None or document["task_id"] is None or context.task_is_known is None:
        return None
    asked = (document["task_id"], document["questionnaire_id"], recorded_at)
    return None if context.task_is_known(*asked) else asked


def find_definition(context, document, problems, recorded_at):
    try:
        return context.catalog.for_entry(
            document["questionnaire_id"], document["questionnaire_version"],
            respondent=document["respondent"],
            date_of_birth=context.patient["date_of_birth"],
            timezone=context.patient["timezone"], recorded_at=recorded_at,
            variant=document["questionnaire_variant"])
    except (UnknownQuestionnaireError, NoVariantError) as error:
        problems.append({"code": "unknown_questionnaire", "field": "questionnaire_version",
                         "message": f"The server does not know this questionnaire: {error}."})
        return None


def plausible_recorded_at(context, document, problems):
    """The document's recorded_at, or None with a problem when no offset of the phone's
    clock explains it (sync.plausible): the entry is then kept on its arrival time."""
    if document is None:
        return None
    recorded_at = document["recorded_at"]
    if correct_time(recorded_at, context.clock_offset_seconds, context.now) is not None:
        return recorded_at
    problems.append({"code": "implausible_time", "field": "recorded_at", "message": (
        f"recorded_at {recorded_at.isoformat()}, corrected by the phone's clock offset "
        f"({context.clock_offset_seconds:g} s), is before 2000-01-01 or over a day after the "
        "push was sent: the app or the phone's clock is wrong. The entry is kept on the time "
        "it arrived.")})
    return None


def build_entry(context, device_id, entry_id, kid, plaintext, raw, document, problems,
                content_mac, recorded_at):
    """(the row to insert, the StoredEntry the rules see): validated, scored and sealed."""
    definition, valid, scores = None, {}, {}
    corrected_at = context.now
    if recorded_at is not None:
        # The device's clock was off by the offset measured at this push; a time that
        # still lands in the future is one more clock problem, so cap it at arrival.
        corrected_at = min(context.now,
                           recorded_at + timedelta(seconds=context.clock_offset_seconds))
    if document is not None:
        # The child's age on the server's clock picks the variant: a phone reset to 1970
        # must not make the child unborn.
        definition = find_definition(context, document, problems, corrected_at)
    if definition is not None:
        checked = validate_answers(definition, document["answers"])
        valid = checked.valid_answers
        problems.extend(error.to_dict() for error in checked.errors)
        # score() validates the answers again; a definition without scores (the diary)
        # has nothing to compute, and {} is what it would return.
        scores = score(definition, valid) if definition.scores else {}
    late_minutes = max(0, int((context.now - corrected_at).total_seconds() // 60))
    status = "quarantined" if problems else "accepted"
    seal = context.cipher.seal_json
    row = [
        entry_id, context.device["patient_id"], device_id,
        document["questionnaire_id"] if document else None,
        document["questionnaire_version"] if document else None,
        definition.variant if definition is not None else None,
        document["task_id"] if document else None,
        document["respondent"] if document else context.device["respondent"],
        status, utc(recorded_at) if recorded_at else None, utc(context.now),
        context.clock_offset_seconds, utc(corrected_at),
        document["supersedes"] if document else None, kid, content_mac,
        # The exact bytes the phone sealed, even when they are not JSON: nothing is lost.
        context.cipher.seal_bytes("entries", entry_id, "document", plaintext),
        seal("entries", entry_id, "valid_answers", valid),
        seal("entries", entry_id, "problems", problems) if problems else None,
        seal("entries", entry_id, "scores", scores) if scores else None,
    ]
    stored = StoredEntry(
        entry_id=entry_id, patient_id=context.device["patient_id"], status=status,
        questionnaire_id=document["questionnaire_id"] if document else None,
        definition=definition, valid_answers=valid, scores=scores, recorded_at=recorded_at,
        corrected_at=corrected_at, received_at=context.now, reported_late_minutes=late_minutes,
        supersedes=document["supersedes"] if document else None, problems=problems,
        phone_advice=raw.get("phone_advice") if isinstance(raw, dict) else None,
        task_id=document["task_id"] if document else None)
    return row, stored
