"""Recording an entry: the entry document of PROTOCOL.md, sealed the moment it is made.

The plaintext document exists only in memory, inside `sealed_envelope`; what reaches the
disk is the envelope {entry_id, kid, sealed} and a journal line of ids and times.
"""
import json
import uuid
from datetime import datetime

from ..sealing import seal_entry
from .keyset import current_key

RESPONDENTS = ("caregiver", "patient")


class EntryError(ValueError):
    """The entry cannot be recorded as given; the message says which argument and why."""


def rfc3339(moment: datetime) -> str:
    """2026-11-20T14:02:00-05:00: the device's local time with its offset, to the second."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise EntryError("Times must carry a UTC offset; got a naive datetime.")
    return moment.isoformat(timespec="seconds")


def recorded_at_text(recorded_at) -> str:
    if isinstance(recorded_at, str):
        try:
            return rfc3339(datetime.fromisoformat(recorded_at))
        except ValueError:
            raise EntryError(f"recorded_at {recorded_at!r} is not an RFC 3339 time.") from None
    if isinstance(recorded_at, datetime):
        return rfc3339(recorded_at)
    raise EntryError("recorded_at must be a datetime with an offset or an RFC 3339 string.")


def checked_answers(answers) -> dict:
    """Answers the server can read: an object keyed by item linkId with JSON values.
    Whether they are valid for the questionnaire is the server's call (it quarantines)."""
    if not isinstance(answers, dict) or not all(isinstance(key, str) and key
                                                for key in answers):
        raise EntryError("answers must be an object keyed by item linkId.")
    try:
        # allow_nan=False: NaN and Infinity are not JSON, and the server could not read them.
        json.dumps(answers, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise EntryError(f"answers must be plain JSON values ({error}).") from None
    return answers


def checked_entry_id(value, name) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise EntryError(f"{name} must be an entry id (a UUID), not {value!r}.") from None


def entry_document(enrolment: dict, *, questionnaire_id, questionnaire_version, answers,
                   respondent, task_id, supersedes, recorded_at: str) -> dict:
    for name, value in (("questionnaire_id", questionnaire_id),
                        ("questionnaire_version", questionnaire_version)):
        if not isinstance(value, str) or not value:
            raise EntryError(f"{name} must be a non-empty string.")
    if respondent not in RESPONDENTS:
        raise EntryError(f"respondent must be one of {', '.join(RESPONDENTS)}.")
    if task_id is not None and (not isinstance(task_id, str) or not task_id):
        raise EntryError("task_id must be a task id or None.")
    return {
        "entry_id": str(uuid.uuid4()),   # made on the device, so a retry can never duplicate
        "device_id": enrolment["device_id"],
        "patient_id": enrolment["patient_id"],
        "questionnaire_id": questionnaire_id,
        "questionnaire_version": questionnaire_version,
        "task_id": task_id,
        "respondent": respondent,
        "recorded_at": recorded_at,
        "supersedes": checked_entry_id(supersedes, "supersedes"),
        "answers": checked_answers(answers),
    }


def sealed_envelope(document: dict, key_set: dict) -> dict:
    """What the outbox keeps and the push sends: the document sealed to the current key."""
    kid, public_key = current_key(key_set)
    return {"entry_id": document["entry_id"], "kid": kid,
            "sealed": seal_entry(document, public_key)}


def journal_line(document: dict, kid: str) -> dict:
    """Everything about the entry the app may show later, minus the answers."""
    keep = ("entry_id", "questionnaire_id", "questionnaire_version", "task_id", "respondent",
            "recorded_at", "supersedes", "device_id")
    return {**{name: document[name] for name in keep}, "kid": kid}

