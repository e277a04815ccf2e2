"""Schema changes, one function per step, applied in order by `homeward init` and at start.

Never edit a step once it has shipped: databases in hospitals already ran it. Add a new step.
Sensitive columns are BLOBs written by the vault; everything in clear is an id, a code or a
time (docs/security.md lists them).
"""
import json
import secrets
from contextlib import contextmanager
from contextvars import ContextVar

from sqlite_utils import Migrations

migrations = Migrations("homeward")

# Steps that seal values need the patients' keys, which live outside the database: when
# such a step has something to seal, `migrate` stops before it and `Vault.open` runs it once
# the master key is checked (server/storage/db.py, migrate_with_keys).
KEYED_STEPS = ("m005_seal_clinical_details",)
_sealing_vault: ContextVar = ContextVar("homeward_sealing_vault", default=None)


def waits_for_keys(db, name) -> bool:
    """Whether step `name` has values to seal, so must wait for the vault."""
    if name != "m005_seal_clinical_details" or not db["patient_rule_overrides"].exists():
        return False
    return db.execute("SELECT 1 FROM patient_rule_overrides WHERE typeof(overrides) = "
                      "'text' LIMIT 1").fetchone() is not None


@contextmanager
def sealing_with(vault):
    token = _sealing_vault.set(vault)
    try:
        yield
    finally:
        _sealing_vault.reset(token)


@migrations()
def m001_foundation(db):
    db["staff_users"].create({
        "id": str, "username": str, "role": str, "password_hash": str,
        "created_at": str, "password_changed_at": str, "disabled_at": str,
    }, pk="id", not_null={"username", "role", "password_hash", "created_at"})
    db["staff_users"].create_index(["username"], unique=True)

    db["staff_tokens"].create({
        "token_hash": str, "user_id": str, "created_at": str, "expires_at": str,
        "revoked_at": str, "last_used_at": str,
    }, pk="token_hash", foreign_keys=[("user_id", "staff_users", "id")],
        not_null={"user_id", "created_at", "expires_at"})
    db["staff_tokens"].create_index(["user_id"])

    db["web_sessions"].create({
        "session_hash": str, "user_id": str, "csrf_token": str, "created_at": str,
        "last_seen_at": str, "expires_at": str, "ended_at": str,
    }, pk="session_hash", foreign_keys=[("user_id", "staff_users", "id")],
        not_null={"user_id", "csrf_token", "created_at", "last_seen_at", "expires_at"})

    db["login_failures"].create({
        "id": int, "username": str, "client_address": str, "at": str,
    }, pk="id", not_null={"at"})
    db["login_failures"].create_index(["username", "at"])
    db["login_failures"].create_index(["client_address", "at"])

    db["audit_log"].create({
        "id": int, "at": str, "actor_id": str, "actor_username": str, "actor_role": str,
        "action": str, "patient_id": str, "target": str, "client_address": str,
        "request_id": str, "details": str,
    }, pk="id", not_null={"at", "action"})
    db["audit_log"].create_index(["patient_id", "at"])
    db["audit_log"].create_index(["at"])

    db["master_keys"].create({
        "kek_id": str, "created_at": str, "retired_at": str,
    }, pk="kek_id", not_null={"created_at"})

    db["patients"].create({
        "id": str, "created_at": str, "created_by": str, "infusion_date": str,
        "timezone": str, "language": str, "product": str, "status": str,
        "display_name": bytes, "date_of_birth": bytes, "mrn": bytes, "contact": bytes,
        "erased_at": str,
    }, pk="id", not_null={"created_at", "infusion_date", "timezone", "language", "status"})
    db["patients"].create_index(["infusion_date"])

    db["patient_keys"].create({
        "patient_id": str, "kek_id": str, "wrapped_key": bytes, "created_at": str,
        "destroyed_at": str,
    }, pk="patient_id", foreign_keys=[("patient_id", "patients", "id"),
                                      ("kek_id", "master_keys", "kek_id")],
        not_null={"created_at"})

    db["leases"].create({
        "name": str, "holder": str, "acquired_at": str, "heartbeat_at": str, "expires_at": str,
    }, pk="name", not_null={"holder", "acquired_at", "heartbeat_at", "expires_at"})


@migrations()
def m002_sync(db):
    db["sealing_keys"].create({
        "kid": str, "public_key": bytes, "kek_id": str, "wrapped_private": bytes,
        "created_at": str, "retired_at": str,
    }, pk="kid", foreign_keys=[("kek_id", "master_keys", "kek_id")],
        not_null={"public_key", "kek_id", "wrapped_private", "created_at"})

    db["enrollment_codes"].create({
        "code_hash": str, "patient_id": str, "respondent": str, "created_at": str,
        "created_by": str, "expires_at": str, "used_at": str, "device_id": str,
    }, pk="code_hash", foreign_keys=[("patient_id", "patients", "id")],
        not_null={"patient_id", "respondent", "created_at", "expires_at"})

    db["enrollment_attempts"].create({
        "id": int, "client_address": str, "at": str, "succeeded": int,
    }, pk="id", not_null={"client_address", "at", "succeeded"})
    db["enrollment_attempts"].create_index(["client_address", "at"])

    db["devices"].create({
        "id": str, "patient_id": str, "respondent": str, "token_hash": str,
        "device_name": bytes, "platform": str, "app_version": str, "enrolled_at": str,
        "revoked_at": str, "revoked_by": str, "last_seen_at": str, "last_sync_at": str,
        "outbox_pending": int, "clock_offset_seconds": float, "replaces_device_id": str,
    }, pk="id", foreign_keys=[("patient_id", "patients", "id")],
        not_null={"patient_id", "respondent", "token_hash", "platform", "enrolled_at"})
    db["devices"].create_index(["token_hash"], unique=True)
    db["devices"].create_index(["patient_id"])

    # One row per entry a phone sent that opened. `document` is the whole decrypted entry,
    # sealed; the clear columns are ids, codes and times only (docs/security.md).
    db["entries"].create({
        "entry_id": str, "patient_id": str, "device_id": str, "questionnaire_id": str,
        "questionnaire_version": str, "variant": str, "task_id": str, "respondent": str, "status": str,
        "recorded_at": str, "received_at": str, "clock_offset_seconds": float,
        "corrected_at": str, "supersedes": str, "kid": str, "content_mac": bytes,
        "document": bytes, "valid_answers": bytes, "problems": bytes, "scores": bytes,
    }, pk="entry_id", foreign_keys=[("patient_id", "patients", "id"),
                                    ("device_id", "devices", "id")],
        not_null={"patient_id", "device_id", "status", "received_at", "content_mac",
                  "document"})
    db["entries"].create_index(["patient_id", "corrected_at"])
    db["entries"].create_index(["patient_id", "questionnaire_id", "corrected_at"])
    db["entries"].create_index(["status", "received_at"])

    db["tasks"].create({
        "task_id": str, "patient_id": str, "questionnaire_id": str,
        "questionnaire_version": str, "variant": str, "respondent": str, "due_at": str, "closes_at": str,
        "created_at": str,
    }, pk="task_id", foreign_keys=[("patient_id", "patients", "id")],
        not_null={"patient_id", "questionnaire_id", "respondent", "due_at", "closes_at"})
    db["tasks"].create_index(["patient_id", "due_at"])

    # The change feed devices pull from. patient_id NULL: a change for every device (keys).
    db["changes"].create({
        "seq": int, "patient_id": str, "type": str, "item_id": str, "op": str, "at": str,
    }, pk="seq", not_null={"type", "item_id", "op", "at"})
    db["changes"].create_index(["patient_id", "seq"])

    # What the feed last told devices about a patient, to notice birthdays and new variants.
    db["patient_feed_state"].create({
        "patient_id": str, "age_band": str, "tasks_until": str, "variants": str,
        "rules": str,
    }, pk="patient_id", foreign_keys=[("patient_id", "patients", "id")])


@migrations()
def m003_alerts(db):
    # An alert is an episode: one per patient and concern while it is open, extended by
    # every entry that meets it again, so ten fevers in an hour are one alert, not ten.
    db["alerts"].create({
        "id": str, "patient_id": str, "concern": str, "reasons": str, "level": str,
        "status": str, "raised_at": str, "updated_at": str, "last_finding_at": str,
        "first_entry_id": str, "reported_late_minutes": int, "escalate_at": str,
        "escalated_at": str, "acknowledged_at": str, "acknowledged_by": str,
        "resolved_at": str, "resolved_by": str, "outcome": str, "snoozed_until": str,
        "snoozed_by": str, "evidence": bytes, "note": bytes, "family_message": bytes,
        "snooze_reason": bytes,
    }, pk="id", foreign_keys=[("patient_id", "patients", "id")],
        not_null={"patient_id", "concern", "reasons", "level", "status", "raised_at",
                  "updated_at", "last_finding_at"})
    db["alerts"].create_index(["status", "level", "raised_at"])
    db["alerts"].create_index(["patient_id", "concern", "status"])

    db["alert_entries"].create({
        "alert_id": str, "entry_id": str, "reasons": str, "level": str, "added_at": str,
    }, pk=("alert_id", "entry_id"), foreign_keys=[("alert_id", "alerts", "id")],
        not_null={"reasons", "level", "added_at"})

    # The transactional outbox: written with the alert, delivered by the scheduler.
    db["notifications"].create({
        "id": int, "alert_id": str, "kind": str, "route": str, "channel": str,
        "idempotency_key": str, "payload": str, "status": str, "attempts": int,
        "next_attempt_at": str, "claimed_by": str, "claimed_until": str, "created_at": str,
        "sent_at": str, "last_error": str,
    }, pk="id", foreign_keys=[("alert_id", "alerts", "id")],
        not_null={"kind", "channel", "idempotency_key", "payload", "status", "attempts",
                  "next_attempt_at", "created_at"})
    db["notifications"].create_index(["idempotency_key"], unique=True)
    db["notifications"].create_index(["status", "next_attempt_at"])

    db["notification_attempts"].create({
        "id": int, "notification_id": int, "at": str, "outcome": str, "error": str,
        "duration_ms": int, "worker": str,
    }, pk="id", foreign_keys=[("notification_id", "notifications", "id")],
        not_null={"notification_id", "at", "outcome"})
    db["notification_attempts"].create_index(["notification_id"])

    db["patient_rule_overrides"].create({
        "id": int, "patient_id": str, "overrides": str, "reason": bytes, "set_by": str,
        "set_at": str, "ended_at": str, "ended_by": str,
    }, pk="id", foreign_keys=[("patient_id", "patients", "id")],
        not_null={"patient_id", "overrides", "set_by", "set_at"})

    # Times only, in clear, so the scheduler can find silent families without unsealing.
    db["patient_checkins"].create({
        "patient_id": str, "last_temperature_at": str, "last_entry_at": str,
    }, pk="patient_id", foreign_keys=[("patient_id", "patients", "id")])


@migrations()
def m004_override_index(db):
    # Every push and pull reads a child's current overrides; without it, each scans the
    # table of every override a physician ever set (bench/RESULTS.md).
    db["patient_rule_overrides"].create_index(["patient_id", "set_at"])


@migrations()
def m005_seal_clinical_details(db):
    # A physician's overrides say what is normal for this child ("baseline_signs":
    # {"neuro_signs": ["tremor"]}): clinical facts, sealed with the patient's key like any
    # other. The audit log keeps the kind of change only. The column keeps its declared
    # type; SQLite stores a BLOB as a BLOB whatever the column's affinity.
    from .vault import PatientCipher, PatientErased

    vault = _sealing_vault.get()
    rows = list(db.query("SELECT id, patient_id, overrides FROM patient_rule_overrides "
                         "WHERE typeof(overrides) = 'text'"))
    if rows and vault is None:
        raise RuntimeError("m005_seal_clinical_details needs the patients' keys: it runs "
                           "from Vault.open, after the master key was checked.")
    # Overwrite the clear values' old bytes instead of leaving them in free pages.
    db.execute("PRAGMA secure_delete=ON")
    for row in rows:
        try:
            cipher = vault.for_patient(db, row["patient_id"])
        except PatientErased:
            # Nothing of an erased child may be readable again: a key nobody keeps.
            cipher = PatientCipher(row["patient_id"], secrets.token_bytes(32))
        sealed = cipher.seal_json("patient_rule_overrides", str(row["id"]), "overrides",
                                  json.loads(row["overrides"]))
        db.execute("UPDATE patient_rule_overrides SET overrides = ? WHERE id = ?",
                   [sealed, row["id"]])
    for row in list(db.query("SELECT id, details FROM audit_log WHERE action = "
                             "'rule_overrides.set' AND details LIKE '%\"overrides\"%'")):
        details = json.loads(row["details"])
        overrides = details.get("overrides") or {}
        kept = {"sections": sorted(key for key, value in overrides.items() if value)}
        db.execute("UPDATE audit_log SET details = ? WHERE id = ?",
                   [json.dumps(kept, sort_keys=True), row["id"]])


@migrations()
def m006_advice_drift(db):
    # Entries whose phone showed other advice than the server found (alerts/drift.py):
    # ids, levels and rules signatures only, in clear, so IT can count them in /healthz.
    db["advice_drift"].create({
        "entry_id": str, "patient_id": str, "phone_level": str, "server_level": str,
        "server_higher": int, "phone_rules_signature": str, "server_rules_signature": str,
        "at": str,
    }, pk="entry_id", foreign_keys=[("entry_id", "entries", "entry_id"),
                                    ("patient_id", "patients", "id")],
        not_null={"patient_id", "server_higher", "at"})
    db["advice_drift"].create_index(["at"])


@migrations()
def m007_alert_entries_by_entry(db):
    # A `duplicate` push result carries the entry's current alert: without it, a retried
    # batch of 500 entries scanned every alert's entries 500 times.
    db["alert_entries"].create_index(["entry_id"])


@migrations()
def m009_calls(db):
    # The nurse's call (issue 13). Clear columns are ids, codes and times, as everywhere:
    # the scheduler finds due rechecks and lapsed claims without unsealing anything.
    # Contacts (names, phone numbers) are sealed with the patient's key, like the name.
    db["patients"].add_column("contacts", bytes)
    db["alerts"].add_column("claimed_by", str)
    db["alerts"].add_column("claimed_at", str)
    db["alerts"].add_column("claim_expires_at", str)
    db["alerts"].add_column("last_call_at", str)
    db["alerts"].add_column("recheck_at", str)
    db["alerts"].add_column("recheck_set_at", str)
    db["alerts"].create_index(["recheck_at"])

    # One row per call attempt, "no answer" included; `details` holds who was reached,
    # the findings, the neuro assessment and the note, sealed.
    db["alert_calls"].create({
        "id": str, "alert_id": str, "patient_id": str, "called_by": str, "called_at": str,
        "reached": int, "disposition": str, "recheck_minutes": int, "triage": str,
        "neuro_variant": str, "details": bytes,
    }, pk="id", foreign_keys=[("alert_id", "alerts", "id"), ("patient_id", "patients", "id")],
        not_null={"alert_id", "patient_id", "called_by", "called_at", "reached"})
    db["alert_calls"].create_index(["alert_id", "called_at"])

    # The team's messages to the family about an alert: a thread, never overwritten.
    db["alert_messages"].create({
        "id": str, "alert_id": str, "patient_id": str, "kind": str, "sent_by": str,
        "sent_at": str, "delivered_at": str, "read_at": str, "body": bytes,
    }, pk="id", foreign_keys=[("alert_id", "alerts", "id"), ("patient_id", "patients", "id")],
        not_null={"alert_id", "patient_id", "kind", "sent_at", "body"})
    db["alert_messages"].create_index(["alert_id", "sent_at"])


@migrations()
def m010_password_resets(db):
    # One-time links an admin hands to a colleague to choose a password. Only the link's
    # SHA-256 is kept, like session ids and tokens: a copied database signs nobody in.
    db["password_resets"].create({
        "token_hash": str, "user_id": str, "created_at": str, "created_by": str,
        "expires_at": str, "used_at": str, "ended_at": str,
    }, pk="token_hash", foreign_keys=[("user_id", "staff_users", "id")],
        not_null={"user_id", "created_at", "expires_at"})
    db["password_resets"].create_index(["user_id"])
    # The audit page offers the actions recorded so far and filters on one: both read this.
    db["audit_log"].create_index(["action"])
    # The accounts page shows each person's last sign-in, and disabling an account ends its
    # sessions: both look sessions up by account, in a table that gains a row per sign-in.
    db["web_sessions"].create_index(["user_id", "created_at"])


@migrations()
def m011_clinical_records(db):
    # The clinic's own records (server/records). Codes, dates and counts in clear, because
    # rules and registry exports read them without unsealing; free text and product names
    # sealed with the patient's key (docs/security.md). Rows are never updated in place
    # except to mark them superseded: an edit is a new row, so the history stays.
    db["patient_profiles"].create({
        "id": int, "patient_id": str, "diagnosis": str, "organs_involved": str,
        "car_target": str, "lymphodepletion": str, "sex_at_birth": str,
        "registry_consents": str, "diagnosis_text": bytes, "product_name": bytes,
        "car_target_text": bytes, "lymphodepletion_text": bytes, "recorded_by": str,
        "recorded_at": str, "superseded_at": str,
    }, pk="id", foreign_keys=[("patient_id", "patients", "id")],
        not_null={"patient_id", "diagnosis", "organs_involved", "car_target",
                  "registry_consents", "recorded_by", "recorded_at"})
    db["patient_profiles"].create_index(["patient_id", "superseded_at"])

    db["toxicity_events"].create({
        "id": int, "event_id": str, "patient_id": str, "revision": int, "status": str,
        "kind": str, "grading_system": str, "grade": int, "onset_date": str,
        "resolution_date": str, "treatments": str, "icu_days": int, "alert_ids": str,
        "treatments_text": bytes, "note": bytes, "change_reason": bytes,
        "recorded_by": str, "recorded_at": str, "superseded_at": str,
    }, pk="id", foreign_keys=[("patient_id", "patients", "id")],
        not_null={"event_id", "patient_id", "revision", "status", "kind", "grading_system",
                  "grade", "onset_date", "treatments", "alert_ids", "recorded_by",
                  "recorded_at"})
    db["toxicity_events"].create_index(["event_id", "revision"], unique=True)
    db["toxicity_events"].create_index(["patient_id", "superseded_at"])

    db["followup_contacts"].create({
        "id": int, "patient_id": str, "outcome": str, "note": bytes, "contacted_by": str,
        "contacted_at": str,
    }, pk="id", foreign_keys=[("patient_id", "patients", "id")],
        not_null={"patient_id", "outcome", "contacted_by", "contacted_at"})
    db["followup_contacts"].create_index(["patient_id", "contacted_at"])


@migrations()
def m012_registry_pseudonym_key(db):
    # The key behind registry pseudonyms (server/records/registry/pseudonyms.py), wrapped by
    # the master key like the sealing keys: it travels with backups (a restore elsewhere
    # keeps every child's pseudonym, so a registry never counts one child twice) and a
    # stolen backup alone cannot link a registry's rows back to patient ids.
    db["pseudonym_keys"].create({
        "id": int, "kek_id": str, "wrapped_key": bytes, "created_at": str,
    }, pk="id", not_null={"kek_id", "wrapped_key", "created_at"})


@migrations()
def m013_alert_teams(db):
    # Whom an alert is for and whether it may wait for working hours (alerts/teams.py),
    # from the rule that raised it. Alerts raised before are NULL: the CAR T team, any time.
    db["alerts"].add_column("team", str)
    db["alerts"].add_column("escalate", str)


@migrations()
def m014_followup_closures(db):
    # Closing a patient's row on the follow-up worklist (server/records/closures.py): an
    # append-only log of closes and reopenings, the latest row per patient in force. The
    # reason is a code in clear (the worklist reads it without unsealing); the note is
    # sealed with the patient's key.
    db["followup_closures"].create({
        "id": int, "patient_id": str, "action": str, "reason": str, "note": bytes,
        "recorded_by": str, "recorded_at": str,
    }, pk="id", foreign_keys=[("patient_id", "patients", "id")],
        not_null={"patient_id", "action", "recorded_by", "recorded_at"})
    db["followup_closures"].create_index(["patient_id", "id"])


@migrations()
def m015_entries_by_task(db):
    # The pull says when a task was answered (sync/sources.py, TaskSource), looking up the
    # entries of one patient and task for each open task of a snapshot.
    db["entries"].create_index(["patient_id", "task_id"])
