"""Staff bearer tokens for scripts and integrations.

A token is shown once; the database keeps only its SHA-256, so a copied database or backup
holds nothing that signs anyone in. The `hws_` prefix lets secret scanners and people
recognise a leaked Homeward staff token, and tells it apart from a device token.
"""
import hashlib
import secrets
from datetime import timedelta

from ..clock import from_db, to_db
from .users import StaffUser

PREFIX = "hws_"
# Writing last_used_at on every request would turn each read into a write; a minute's
# precision is plenty for "when was this token last used".
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_staff_token(token) -> bool:
    return isinstance(token, str) and token.startswith(PREFIX) and len(token) < 200


def issue_token(db, user_id, config, now):
    """-> (the token, shown once; when it expires)."""
    token = PREFIX + secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=config.token_lifetime_hours)
    db["staff_tokens"].insert({
        "token_hash": hash_token(token), "user_id": user_id, "created_at": to_db(now),
        "expires_at": to_db(expires_at), "revoked_at": None, "last_used_at": None,
    })
    return token, expires_at


def verify_token(db, token, now) -> StaffUser | None:
    """The active account the token belongs to, or None if it is unknown, expired, revoked
    or its account disabled."""
    if not looks_like_staff_token(token):
        return None
    rows = list(db.query(
        """SELECT t.token_hash, t.expires_at, t.revoked_at, t.last_used_at,
                  u.id, u.username, u.role, u.disabled_at
           FROM staff_tokens t JOIN staff_users u ON u.id = t.user_id
           WHERE t.token_hash = ?""", [hash_token(token)]))
    if not rows:
        return None
    row = rows[0]
    if row["revoked_at"] is not None or row["disabled_at"] is not None:
        return None
    if from_db(row["expires_at"]) <= now:
        return None
    last_used = from_db(row["last_used_at"])
    if last_used is None or now - last_used >= LAST_USED_PRECISION:
        db.execute("UPDATE staff_tokens SET last_used_at = ? WHERE token_hash = ?",
                   [to_db(now), row["token_hash"]])
    return StaffUser(id=row["id"], username=row["username"], role=row["role"])


def revoke_token(db, token, now) -> bool:
    """True if a live token was revoked; revoking twice is harmless."""
    if not looks_like_staff_token(token):
        return False
    cursor = db.execute(
        "UPDATE staff_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        [to_db(now), hash_token(token)])
    return cursor.rowcount > 0
