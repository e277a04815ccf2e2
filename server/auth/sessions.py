"""Staff web sessions: a random id in an HttpOnly cookie, its SHA-256 in web_sessions.

A session ends after `session_idle_minutes` without a request (a tablet left on a ward
counter) and after `session_lifetime_hours` in any case (a shift). Each session has its own
CSRF token that every form posts back.
"""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from ..clock import from_db, to_db
from .users import StaffUser

COOKIE_NAME = "homeward_session"
# Idle time is tracked to the half minute: rewriting the row on every page load buys
# nothing a nurse would notice.
LAST_SEEN_PRECISION = timedelta(seconds=30)


@dataclass(frozen=True)
class WebSession:
    session_hash: str
    user: StaffUser
    csrf_token: str


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(db, user_id, config, now):
    """-> (session id for the cookie, the session's CSRF token)."""
    session_id = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    db["web_sessions"].insert({
        "session_hash": hash_session_id(session_id), "user_id": user_id,
        "csrf_token": csrf_token, "created_at": to_db(now), "last_seen_at": to_db(now),
        "expires_at": to_db(now + timedelta(hours=config.session_lifetime_hours)),
        "ended_at": None,
    })
    return session_id, csrf_token


def load_session(db, session_id, config, now, touch=True) -> WebSession | None:
    """The live session for this cookie value, marking it seen unless `touch` is False (a
    page polling in the background is not a person at the keyboard); None if it is
    unknown, ended, idle too long, past its lifetime, or its account is disabled."""
    if not isinstance(session_id, str) or not session_id or len(session_id) > 200:
        return None
    rows = list(db.query(
        """SELECT s.session_hash, s.csrf_token, s.last_seen_at, s.expires_at, s.ended_at,
                  u.id, u.username, u.role, u.disabled_at
           FROM web_sessions s JOIN staff_users u ON u.id = s.user_id
           WHERE s.session_hash = ?""", [hash_session_id(session_id)]))
    if not rows or rows[0]["ended_at"] is not None or rows[0]["disabled_at"] is not None:
        return None
    row = rows[0]
    last_seen = from_db(row["last_seen_at"])
    idle_limit = last_seen + timedelta(minutes=config.session_idle_minutes)
    if now >= from_db(row["expires_at"]) or now >= idle_limit:
        _end(db, row["session_hash"], now)
        return None
    if touch and now - last_seen >= LAST_SEEN_PRECISION:
        db.execute("UPDATE web_sessions SET last_seen_at = ? WHERE session_hash = ?",
                   [to_db(now), row["session_hash"]])
    return WebSession(session_hash=row["session_hash"], csrf_token=row["csrf_token"],
                      user=StaffUser(id=row["id"], username=row["username"], role=row["role"]))


def _end(db, session_hash, now):
    db.execute("UPDATE web_sessions SET ended_at = ? WHERE session_hash = ? AND ended_at IS NULL",
               [to_db(now), session_hash])


def end_session(db, session: WebSession, now) -> None:
    _end(db, session.session_hash, now)


def end_session_by_id(db, session_id, now) -> None:
    if isinstance(session_id, str) and session_id:
        _end(db, hash_session_id(session_id), now)


def set_cookie(response, session_id, config) -> None:
    # No Expires: the browser forgets it when closed, and the server ends it anyway.
    response.set_cookie(COOKIE_NAME, session_id, httponly=True, samesite="Lax",
                        secure=config.cookie_secure, path="/")


def clear_cookie(response, config) -> None:
    response.delete_cookie(COOKIE_NAME, httponly=True, samesite="Lax",
                           secure=config.cookie_secure, path="/")
