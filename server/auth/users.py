"""Staff accounts: who may sign in, with which role. No account exists until an operator
creates one with `homeward users create`; there are no default accounts or passwords."""
import re
import secrets
import sqlite3
from dataclasses import dataclass

from ..clock import from_db, to_db
from ..storage.db import write_transaction
from ..web.errors import Conflict, InvalidRequest, NotFound
from . import passwords

ROLES = ("nurse", "physician", "psychosocial", "admin")
USERNAME_PATTERN = re.compile(r"[a-z0-9._-]{3,64}")


@dataclass(frozen=True)
class StaffUser:
    id: str
    username: str
    role: str


def _invalid(field, message):
    return InvalidRequest(message, details={"fields": {field: [message]}})


def normalise_username(username) -> str:
    return username.strip().lower() if isinstance(username, str) else ""


def check_username(username) -> str:
    name = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise _invalid("username", "A username is 3 to 64 characters: letters, digits, "
                                   "dots, dashes or underscores.")
    return name


def check_role(role) -> str:
    if role not in ROLES:
        raise _invalid("role", f"The role must be one of {', '.join(ROLES)}.")
    return role


def check_password(password) -> str:
    if not isinstance(password, str) or len(password) < passwords.MIN_LENGTH:
        raise _invalid("password", f"A password needs at least {passwords.MIN_LENGTH} "
                                   "characters; a few unrelated words are easy to remember.")
    if len(password) > passwords.MAX_LENGTH:
        raise _invalid("password", f"A password can have at most {passwords.MAX_LENGTH} "
                                   "characters.")
    return password


def _user(row) -> StaffUser:
    return StaffUser(id=row["id"], username=row["username"], role=row["role"])


def _row_by_username(db, username):
    rows = list(db.query("SELECT * FROM staff_users WHERE username = ?",
                         [normalise_username(username)]))
    return rows[0] if rows else None


def _existing(db, username):
    row = _row_by_username(db, username)
    if row is None:
        raise NotFound(f"There is no staff account named {normalise_username(username)!r}.")
    return row


def create_user(db, username, role, password, config, now) -> StaffUser:
    username = check_username(username)
    role = check_role(role)
    password_hash = passwords.hash_password(check_password(password), config)
    user = StaffUser(id="usr_" + secrets.token_urlsafe(12), username=username, role=role)
    try:
        db["staff_users"].insert({
            "id": user.id, "username": username, "role": role,
            "password_hash": password_hash, "created_at": to_db(now),
            "password_changed_at": to_db(now), "disabled_at": None,
        })
    except sqlite3.IntegrityError:
        # The unique index decides, so two operators creating the same name at once
        # can't both succeed.
        raise Conflict(f"The username {username!r} is taken.",
                       details={"fields": {"username": ["taken"]}}) from None
    return user


def authenticate(db, username, password, config, now) -> StaffUser | None:
    """The account if the pair is right and the account is active, else None. Every path
    verifies one argon2 hash, so the answer time doesn't reveal which names exist."""
    row = _row_by_username(db, username) if isinstance(password, str) else None
    if row is None:
        passwords.spend_verify_time(password if isinstance(password, str) else "", config)
        return None
    if not passwords.verify_password(row["password_hash"], password, config):
        return None
    if row["disabled_at"] is not None:
        return None
    if passwords.needs_rehash(row["password_hash"], config):
        db["staff_users"].update(row["id"], {
            "password_hash": passwords.hash_password(password, config)})
    return _user(row)


def get_active_user(db, user_id) -> StaffUser | None:
    rows = list(db.query("SELECT * FROM staff_users WHERE id = ? AND disabled_at IS NULL",
                         [user_id]))
    return _user(rows[0]) if rows else None


def find_user(db, username) -> StaffUser | None:
    row = _row_by_username(db, username)
    return None if row is None else _user(row)


def _account(row) -> dict:
    return {"id": row["id"], "username": row["username"], "role": row["role"],
            "created_at": from_db(row["created_at"]),
            "disabled_at": from_db(row["disabled_at"])}


def list_users(db) -> list[dict]:
    return [_account(row) for row in db.query("SELECT * FROM staff_users ORDER BY username")]


def get_account(db, username) -> dict:
    """The account as list_users shows it; raises NotFound."""
    return _account(_existing(db, username))


def _end_access(db, user_id, now):
    """A disabled account or a reset password must not live on in a browser or a script,
    nor in a password-reset link handed out before."""
    db.execute("UPDATE staff_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
               [to_db(now), user_id])
    db.execute("UPDATE web_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
               [to_db(now), user_id])
    db.execute("UPDATE password_resets SET ended_at = ? WHERE user_id = ? AND "
               "ended_at IS NULL", [to_db(now), user_id])


def _keep_an_admin(db, row, verb):
    """Refuse to leave the site without an active admin: nobody could then manage accounts
    except an operator at the server's terminal. Called inside the write transaction, so two
    admins demoting each other at once cannot both succeed."""
    if row["role"] != "admin" or row["disabled_at"] is not None:
        return
    others = db.execute("SELECT count(*) FROM staff_users WHERE role = 'admin' AND "
                        "disabled_at IS NULL AND id != ?", [row["id"]]).fetchone()[0]
    if not others:
        raise Conflict(f"{row['username']} is the last active admin, so cannot be {verb}: "
                       "give another account the admin role first.",
                       details={"reason": "last_admin"})


def disable_user(db, username, now) -> StaffUser:
    with write_transaction(db):
        row = _existing(db, username)
        _keep_an_admin(db, row, "disabled")
        if row["disabled_at"] is None:
            db["staff_users"].update(row["id"], {"disabled_at": to_db(now)})
        _end_access(db, row["id"], now)
    return _user(row)


def change_role(db, username, role, now) -> tuple[StaffUser, str]:
    """-> (the account with its new role, its previous role). Sessions and tokens read the
    role from the account on every request, so the change reaches them at once."""
    role = check_role(role)
    with write_transaction(db):
        row = _existing(db, username)
        if role != "admin":
            _keep_an_admin(db, row, "given another role")
        if row["role"] != role:
            db["staff_users"].update(row["id"], {"role": role})
    return StaffUser(id=row["id"], username=row["username"], role=role), row["role"]


def enable_user(db, username, now) -> StaffUser:
    with write_transaction(db):
        row = _existing(db, username)
        db["staff_users"].update(row["id"], {"disabled_at": None})
    return _user(row)


def set_password(db, username, password, config, now) -> StaffUser:
    password_hash = passwords.hash_password(check_password(password), config)
    with write_transaction(db):
        row = _existing(db, username)
        db["staff_users"].update(row["id"], {"password_hash": password_hash,
                                             "password_changed_at": to_db(now)})
        _end_access(db, row["id"], now)
    return _user(row)
