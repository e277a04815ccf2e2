"""The push pipeline (DESIGN.md, "One entry's way through"): open, check ids, dedupe,
validate, store sealed, evaluate, answer per entry.

Each entry runs in its own savepoint inside the batch's transaction, so an entry is stored
with everything derived from it or not at all, and the batch commits once (one fsync, not
500) before the push answers.
"""
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from questionnaires.model import NoVariantError, UnknownQuestionnaireError
from questionnaires.scoring import score
from questionnaires.validation import validate_answers

from .dedupe import content_of, is_same_content
from .documents import MAX_DEPTH, is_deeper_than, parse_document
from .entry_check import check_entry_document
from .plausible import correct_time
from .sealing import OpenFailed, is_b64url

ENTRY_COLUMNS = ("entry_id", "patient_id", "device_id", "questionnaire_id",
                 "questionnaire_version", "variant", "task_id", "respondent", "status",
                 "recorded_at", "received_at", "clock_offset_seconds", "corrected_at",
                 "supersedes", "kid", "content_mac", "document", "valid_answers", "problems",
                 "scores")
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
    # The alert room's call site: StoredEntry -> {"alert_id", "level"} or None.
    on_entry_stored: object = None
    device_ids: list = field(default_factory=list)  # own id first, then replaced devices
    # (db, entry_id) -> the entry's current {"alert_id", "level"} or None, for `duplicate`.
    alert_of_entry: object = None
    # (task_id, questionnaire_id, recorded_at) -> whether this patient has or will have
    # that task; None: task ids are not checked.
    task_is_known: object = None


@dataclass
class StoredEntry:
    """What the safety rules see of an entry that was stored."""

    entry_id: str
    patient_id: str
    status: str                      # accepted or quarantined
    questionnaire_id: str | None
    definition: object | None        # the exact questionnaires.Definition, when known
    valid_answers: dict
    scores: dict
    recorded_at: datetime | None     # as the device said
    corrected_at: datetime           # recorded_at moved by the device's clock offset
    received_at: datetime
    reported_late_minutes: int
    supersedes: str | None
    problems: list = field(default_factory=list)
    phone_advice: object = None      # what the app says it advised (alerts/drift.py), unchecked


def utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def rejected(entry_id, code, message):
    return {"entry_id": entry_id, "status": "rejected", "error": {"code": code,
                                                                  "message": message}}


def push_entries(context: PushContext, envelopes: list[dict], opened=None) -> list[dict]:
    """One result per envelope, in order. The caller holds the write transaction;
    `opened` (from `open_envelopes`, before it took the lock) saves opening them here."""
    if opened is None:
        opened = open_envelopes(context.keyring, context.device, context.device_ids, envelopes)
    results = []
    for envelope, found in zip(envelopes, opened):
        with context.db.atomic():  # a savepoint: this entry, whole or not at all
            results.append(handle_envelope(context, envelope, found))
    return results


@dataclass(frozen=True)
class Opener:
    """What opening needs, all of it outside the write lock's care."""

    keyring: object
    device: dict
    device_ids: list


def open_envelopes(keyring, device, device_ids, envelopes: list[dict]) -> list:
    """Open and parse each envelope. Nothing here reads or writes what the write lock
    guards, so a push does it before taking the lock, and two workers do it side by side
    (bench/RESULTS.md); one result per envelope, as `open_envelope` gives it."""
    opener = Opener(keyring, device, device_ids or [device["id"]])
    return [open_envelope(opener, envelope) for envelope in envelopes]


def open_envelope(context, envelope):
    """(device_id, plaintext, (raw, document, problems)), or the rejection as a dict."""
    entry_id, kid = envelope["entry_id"], envelope["kid"]
    if not is_b64url(envelope["sealed"]):
        return rejected(entry_id, "invalid_encoding",
                        "sealed must be unpadded base64url (RFC 4648 section 5: A-Z, a-z, "
                        "0-9, '-' and '_', no '=' padding, no spaces); this is a bug in the "
                        "app's encoder.")
    if kid not in context.keyring:
        return rejected(entry_id, "unknown_key",
                        f"The server has no key {kid}; refresh the key set from /api/v1/keys.")
    opened = open_as_any(context, kid, envelope["sealed"], entry_id)
    if opened is None:
        return rejected(entry_id, "decrypt_failed",
                        "The entry did not open: it was sealed to another key, entry id or "
                        "device, or it was altered.")
    device_id, plaintext = opened
    return device_id, plaintext, parse_entry(plaintext)


def handle_envelope(context, envelope, opened) -> dict:
    if isinstance(opened, dict):
        return opened  # rejected before the lock
    entry_id, kid = envelope["entry_id"], envelope["kid"]
    device_id, plaintext, (raw, document, problems) = opened
    # First: whatever else the server looks up by this time must not see an implausible one.
    recorded_at = plausible_recorded_at(context, document, problems)
    if raw is not None:
        if raw.get("device_id") != device_id:
            return rejected(entry_id, "wrong_device",
                            "The entry names another device than the one pushing it.")
        if raw.get("patient_id") != context.device["patient_id"]:
            return rejected(entry_id, "wrong_patient",
                            "The entry names another patient than this device's.")
        if raw.get("entry_id") != entry_id:
            problems.append({"code": "invalid_document", "field": "entry_id",
                             "message": "The entry id inside differs from the envelope's; "
                                        "stored under the envelope's."})
    content_mac = context.cipher.mac("entry", content_of(raw, plaintext))
    existing = context.db.execute(
        "SELECT patient_id, content_mac FROM entries WHERE entry_id = ?", [entry_id]).fetchone()
    if existing is not None:
        if existing[0] == context.device["patient_id"] and is_same_content(
                context.db, context.cipher, entry_id, existing[1], content_mac, raw):
            alert = (context.alert_of_entry(context.db, entry_id)
                     if context.alert_of_entry else None)
            return {"entry_id": entry_id, "status": "duplicate", "alert": alert}
        return rejected(entry_id, "conflict",
                        "Another entry with this entry_id was stored with other content.")
    check_task(context, document, problems, recorded_at or context.now)
    stored = store_entry(context, device_id, entry_id, kid, plaintext, raw, document,
                         problems, content_mac, recorded_at)
    alert = context.on_entry_stored(context.db, stored) if context.on_entry_stored else None
    if stored.status == "quarantined":
        first = stored.problems[0]
        return {"entry_id": entry_id, "status": "quarantined", "alert": alert,
                "error": {"code": first["code"], "message": first["message"],
                          "field": first.get("field")}}
    return {"entry_id": entry_id, "status": "accepted", "alert": alert}


def check_task(context, document, problems, recorded_at):
    """A task id must be one of this patient's tasks for the same questionnaire; anything
    else is kept, checked by the rules, and flagged for staff (docs/protocol.md)."""
    if document is None or document["task_id"] is None or context.task_is_known is None:
        return
    if not context.task_is_known(document["task_id"], document["questionnaire_id"],
                                 recorded_at):
        problems.append({"code": "unknown_task", "field": "task_id",
                         "message": "This patient has no task with this task_id for this "
                                    "questionnaire; use a task_id from the pull feed, or one "
                                    "made from the schedule as the server makes it."})


def parse_entry(plaintext):
    """sync.documents.parse_document, with the compiled checker on the common path (it
    answers as the schema does: tests/test_entry_check.py); anything that does not load
    cleanly goes through parse_document itself, for its exact problems."""
    try:
        raw = json.loads(plaintext.decode("utf-8"))
        if isinstance(raw, dict) and not is_deeper_than(raw, MAX_DEPTH):
            loaded, problems = check_entry_document(raw)
            if not problems:
                return raw, loaded, []
    except (UnicodeDecodeError, ValueError, RecursionError):
        pass
    return parse_document(plaintext)


def open_as_any(context, kid, sealed, entry_id):
    """(the device id it was sealed under, plaintext), trying this device's own id first and
    then the devices it replaced (entries a phone sealed before it was re-enrolled)."""
    for device_id in context.device_ids or [context.device["id"]]:
        try:
            return device_id, context.keyring.open(kid, sealed, entry_id, device_id)
        except OpenFailed:
            continue
    return None


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


def store_entry(context, device_id, entry_id, kid, plaintext, raw, document, problems,
                content_mac, recorded_at):
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
    row = {
        "entry_id": entry_id, "patient_id": context.device["patient_id"],
        "device_id": device_id,
        "questionnaire_id": document["questionnaire_id"] if document else None,
        "questionnaire_version": document["questionnaire_version"] if document else None,
        "variant": definition.variant if definition is not None else None,
        "task_id": document["task_id"] if document else None,
        "respondent": document["respondent"] if document else context.device["respondent"],
        "status": status,
        "recorded_at": utc(recorded_at) if recorded_at else None,
        "received_at": utc(context.now),
        "clock_offset_seconds": context.clock_offset_seconds,
        "corrected_at": utc(corrected_at),
        "supersedes": document["supersedes"] if document else None,
        "kid": kid, "content_mac": content_mac,
        # The exact bytes the phone sealed, even when they are not JSON: nothing is lost.
        "document": context.cipher.seal_bytes("entries", entry_id, "document", plaintext),
        "valid_answers": seal("entries", entry_id, "valid_answers", valid),
        "problems": seal("entries", entry_id, "problems", problems) if problems else None,
        "scores": seal("entries", entry_id, "scores", scores) if scores else None,
    }
    # A plain INSERT: sqlite-utils' insert() inspects the table and rebuilds its SQL on
    # every call, which cost a third of the time of storing an entry.
    context.db.execute(INSERT_ENTRY, [row[column] for column in ENTRY_COLUMNS])
    return StoredEntry(
        entry_id=entry_id, patient_id=context.device["patient_id"], status=status,
        questionnaire_id=document["questionnaire_id"] if document else None,
        definition=definition, valid_answers=valid, scores=scores, recorded_at=recorded_at,
        corrected_at=corrected_at, received_at=context.now, reported_late_minutes=late_minutes,
        supersedes=document["supersedes"] if document else None, problems=problems,
        phone_advice=raw.get("phone_advice") if isinstance(raw, dict) else None)
