"""Enrolment: a one-time code shown by staff becomes a device with its own secret token.

Codes are 12 characters of Crockford base32 (60 bits): enough that guessing is hopeless at
the rate the server allows, short enough to type from a screen, and free of 0/O and 1/I
confusion. Only hashes of codes and tokens are stored.
"""
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 12
RESPONDENTS = ("caregiver", "patient")
PLATFORMS = ("ios", "android", "web", "other")


class EnrolmentError(Exception):
    status, code = 400, "invalid_request"

    def __init__(self, message, details=None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class CodeUnknown(EnrolmentError):
    status, code = 404, "not_found"


class CodeExpired(EnrolmentError):
    status, code = 410, "enrollment_code_expired"


class CodeUsed(EnrolmentError):
    status, code = 410, "enrollment_code_used"


def utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_code(typed: str) -> str:
    """What a parent types: any case, with or without dashes or spaces, O for 0, I/L for 1."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in "- ")
    return cleaned.translate(str.maketrans("OIL", "011"))


def format_code(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def create_code(db, patient_id, respondent, created_by, now, ttl_hours=72):
    """Returns (code as shown to the family, expires_at)."""
    if respondent not in RESPONDENTS:
        raise EnrolmentError("respondent must be caregiver or patient.",
                             {"fields": {"respondent": ["Use caregiver or patient."]}})
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    expires_at = now + timedelta(hours=ttl_hours)
    db["enrollment_codes"].insert({
        "code_hash": digest(raw), "patient_id": patient_id, "respondent": respondent,
        "created_at": utc(now), "created_by": created_by, "expires_at": utc(expires_at),
    })
    return format_code(raw), expires_at


class ReplacementRefused(EnrolmentError):
    status, code = 403, "forbidden"


def check_replacement(db, replaces, patient_id):
    """A re-enrolling phone proves it held the old device's token, so the entries it sealed
    under the old device id before the revocation can still be delivered. Once only: a
    token copied off a lost phone must not make a second heir to its entries. The caller
    holds the write transaction, so two enrolments racing with one token cannot both pass."""
    rows = list(db.query("SELECT * FROM devices WHERE id = ?", [replaces["device_id"]]))
    if not rows or rows[0]["token_hash"] != digest(replaces["device_token"]) \
            or rows[0]["patient_id"] != patient_id:
        raise ReplacementRefused("The device to replace could not be verified; enrol without "
                                 "`replaces`, and call the care team about unsent entries.")
    heir = db.execute("SELECT id FROM devices WHERE replaces_device_id = ? LIMIT 1",
                      [rows[0]["id"]]).fetchone()
    if heir is not None:
        raise ReplacementRefused("That device was already replaced by another enrolment; "
                                 "enrol without `replaces`, and call the care team about "
                                 "unsent entries.")
    return rows[0]


def sealing_device_ids(db, device) -> list[str]:
    """The ids whose entries this device may push: its own, then those it replaced."""
    ids, current = [device["id"]], device
    while current["replaces_device_id"] and len(ids) < 10:
        ids.append(current["replaces_device_id"])
        found = list(db.query("SELECT * FROM devices WHERE id = ?", [ids[-1]]))
        if not found:
            break
        current = found[0]
    return ids


def redeem_code(db, typed_code, *, device_name, platform, app_version, now, seal_name,
                replaces=None):
    """Exchange a code for a device; `seal_name(patient_id, device_id, name)` seals the
    device's name with the patient's key (names like "Mum's phone" can identify a family).

    The caller holds the write transaction, so two phones racing with one code cannot both
    win: the conditional UPDATE lets exactly one through.
    """
    rows = list(db.query("SELECT * FROM enrollment_codes WHERE code_hash = ?",
                         [digest(normalise_code(typed_code))]))
    if not rows:
        raise CodeUnknown("No enrolment code matches. Check the code, or ask the care team "
                          "for a new one.")
    code = rows[0]
    if code["used_at"] is not None:
        raise CodeUsed("This enrolment code was already used. Ask the care team for a new one.")
    if code["expires_at"] <= utc(now):
        raise CodeExpired("This enrolment code has expired. Ask the care team for a new one.")
    replaced = check_replacement(db, replaces, code["patient_id"]) if replaces else None
    device_id = "dev_" + secrets.token_hex(8)
    token = "hwd_" + secrets.token_urlsafe(32)
    claimed = db.execute("UPDATE enrollment_codes SET used_at = ?, device_id = ? "
                         "WHERE code_hash = ? AND used_at IS NULL",
                         [utc(now), device_id, code["code_hash"]])
    if claimed.rowcount != 1:
        raise CodeUsed("This enrolment code was already used. Ask the care team for a new one.")
    db["devices"].insert({
        "id": device_id, "patient_id": code["patient_id"], "respondent": code["respondent"],
        "token_hash": digest(token),
        "device_name": seal_name(code["patient_id"], device_id, device_name),
        "platform": platform, "app_version": app_version, "enrolled_at": utc(now),
        "replaces_device_id": replaced["id"] if replaced else None,
    })
    if replaced is not None:
        revoke_device(db, replaced["id"], f"replaced by {device_id}", now)
    return {"device_id": device_id, "device_token": token, "patient_id": code["patient_id"],
            "respondent": code["respondent"]}


def find_device_by_token(db, token: str):
    rows = list(db.query("SELECT * FROM devices WHERE token_hash = ?", [digest(token)]))
    return rows[0] if rows else None


def revoke_device(db, device_id, revoked_by, now) -> bool:
    """True if it was active; revoking twice is harmless."""
    result = db.execute("UPDATE devices SET revoked_at = ?, revoked_by = ? "
                        "WHERE id = ? AND revoked_at IS NULL", [utc(now), revoked_by, device_id])
    return result.rowcount == 1


def admit_attempt(db, client_address, now, since, limit) -> int | None:
    """Count an enrolment attempt as failed before its code is looked up, unless the
    address already has `limit` failures since `since`: one conditional INSERT, so codes
    sent all at once cannot all slip under the limit. Returns the attempt's id, or None when
    it is turned away (and not counted). The caller holds the write transaction."""
    counted = db.execute(
        "INSERT INTO enrollment_attempts (client_address, at, succeeded) SELECT ?, ?, 0 "
        "WHERE (SELECT COUNT(*) FROM enrollment_attempts WHERE client_address = ? "
        "AND at >= ? AND succeeded = 0) < ?",
        [client_address, utc(now), client_address, utc(since), limit])
    return counted.lastrowid if counted.rowcount == 1 else None


def note_success(db, attempt_id) -> None:
    db.execute("UPDATE enrollment_attempts SET succeeded = 1 WHERE id = ?", [attempt_id])
