"""Schema changes, one function per step, applied in order by `homeward init` and at start.

Never edit a step once it has shipped: databases in hospitals already ran it. Add a new step.
Sensitive columns are BLOBs written by the vault; everything in clear is an id, a code or a
time (docs/security.md lists them).
"""
from sqlite_utils import Migrations

migrations = Migrations("homeward")


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
