"""Drift between the advice a phone showed and what the server found (issue 12).

The family app evaluates the same rules offline and may say, inside the sealed entry, what
it found: `"phone_advice": {"level": "urgent", "rules_signature": "..."}` (docs/protocol.md).
When the server's most severe level for that entry differs, both levels are kept in
`advice_drift` and logged with ids only, so a site can see drift (a phone on old rules, a
context the phone lacked, a bug in one evaluator) without reading anyone's diary.

Whatever the phone wrote there is advisory: absent or malformed, it is ignored, and it can
never change what the server decides or quarantine an entry.
"""
import logging
from dataclasses import dataclass
from datetime import timedelta

from .storage import utc

log = logging.getLogger("homeward.alerts.drift")

PHONE_LEVELS = ("emergency", "urgent", "attention", "info")  # most severe first
SIGNATURE_MAX = 64


@dataclass(frozen=True)
class PhoneAdvice:
    level: str | None                 # None: the phone found nothing
    rules_signature: str | None


def read_phone_advice(value) -> PhoneAdvice | None:
    """The phone's claim, or None when it made none or made it in a shape we cannot trust."""
    if not isinstance(value, dict) or "level" not in value:
        return None
    level, signature = value["level"], value.get("rules_signature")
    if level is not None and level not in PHONE_LEVELS:
        return None
    if not (isinstance(signature, str) and 0 < len(signature) <= SIGNATURE_MAX):
        signature = None
    return PhoneAdvice(level, signature)


def highest_level(findings) -> str | None:
    levels = [finding.level for finding in findings if finding.level in PHONE_LEVELS]
    return min(levels, key=PHONE_LEVELS.index) if levels else None


def note_phone_advice(db, stored, findings, now, rules_signature=None):
    """Compare the phone's advice for `stored` with the server's `findings`; on a difference
    keep a row and log a line. Returns the row written, or None."""
    advice = read_phone_advice(getattr(stored, "phone_advice", None))
    if advice is None:
        return None
    server_level = highest_level(findings)
    if advice.level == server_level:
        return None
    def rank(level):  # None, nothing found, ranks below info
        return PHONE_LEVELS.index(level) if level is not None else len(PHONE_LEVELS)
    server_higher = rank(server_level) < rank(advice.level)
    row = {"entry_id": stored.entry_id, "patient_id": stored.patient_id,
           "phone_level": advice.level, "server_level": server_level,
           "server_higher": int(server_higher),
           "phone_rules_signature": advice.rules_signature,
           "server_rules_signature": rules_signature, "at": utc(now)}
    db.execute("INSERT OR IGNORE INTO advice_drift (entry_id, patient_id, phone_level, "
               "server_level, server_higher, phone_rules_signature, server_rules_signature, at) "
               "VALUES (:entry_id, :patient_id, :phone_level, :server_level, :server_higher, "
               ":phone_rules_signature, :server_rules_signature, :at)", row)
    # Ids and levels only: a log line must never carry what a family wrote.
    log.warning("phone advice differs: entry=%s patient=%s phone=%s server=%s "
                "phone_rules=%s server_rules=%s", stored.entry_id, stored.patient_id,
                advice.level or "none", server_level or "none",
                advice.rules_signature or "-", rules_signature or "-")
    return row


def drift_counts(db, now) -> dict:
    """For /healthz: entries whose phone advice differed, in all and in the last day."""
    since = now - timedelta(hours=24)
    total, recent, higher = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(at >= :since), 0), "
        "COALESCE(SUM(server_higher AND at >= :since), 0) FROM advice_drift",
        {"since": utc(since)}).fetchone()
    return {"total": total, "last_24_hours": recent, "server_higher_last_24_hours": higher}
