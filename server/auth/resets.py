"""One-time password links: an admin makes one for a colleague who forgot their password
(or has a new account), hands it over, and the colleague chooses a password on a page that
needs no session.

A link works once and for RESET_LIFETIME; a newer link for the same account, disabling the
account or setting its password by any other way ends it. The database keeps only the
SHA-256 of the secret part, as for sessions and bearer tokens, and the `hwr_` prefix tells a
leaked one apart from a staff token (`hws_`).
"""
import secrets
from datetime import timedelta

from ..clock import from_db, to_db
from ..storage.db import write_transaction
from ..web.errors import ApiError, Conflict
from . import users
from .tokens import hash_token

PREFIX = "hwr_"
# Long enough to reach a colleague on another shift, short enough that a link forgotten in
# a chat or on a sticky note soon stops working.
RESET_LIFETIME = timedelta(hours=24)


class ResetLinkUnusable(ApiError):
    """The link is unknown, used, superseded or expired: one sentence for all, so the page
    does not tell a guesser which links exist."""
    status, code = 410, "reset_link_unusable"

    def __init__(self):
        super().__init__("This password link no longer works: it was used, replaced by a "
                         "newer one, or has expired. Ask an administrator for a new link.")


def looks_like_reset_token(token) -> bool:
    return isinstance(token, str) and token.startswith(PREFIX) and 20 < len(token) < 200


def issue_reset(db, username, now, issued_by=None):
    """-> (the account, the secret for its link, shown once; when it expires). Ends the
    account's earlier links: only the newest handed-over link works."""
    token = PREFIX + secrets.token_urlsafe(32)
    expires_at = now + RESET_LIFETIME
    with write_transaction(db):
        account = users.get_account(db, username)  # NotFound in the usual words
        if account["disabled_at"] is not None:
            raise Conflict(f"{account['username']} is disabled: enable the account before "
                           "making a password link for it.", details={"reason": "disabled"})
        user = users.StaffUser(account["id"], account["username"], account["role"])
        db.execute("UPDATE password_resets SET ended_at = ? WHERE user_id = ? AND "
                   "ended_at IS NULL AND used_at IS NULL", [to_db(now), user.id])
        db["password_resets"].insert({
            "token_hash": hash_token(token), "user_id": user.id, "created_at": to_db(now),
            "created_by": issued_by, "expires_at": to_db(expires_at), "used_at": None,
            "ended_at": None,
        })
    return user, token, expires_at


def _usable_row(db, token, now):
    if not looks_like_reset_token(token):
        raise ResetLinkUnusable()
    rows = list(db.query(
        """SELECT r.token_hash, r.expires_at, r.used_at, r.ended_at, u.username, u.disabled_at
           FROM password_resets r JOIN staff_users u ON u.id = r.user_id
           WHERE r.token_hash = ?""", [hash_token(token)]))
    if (not rows or rows[0]["used_at"] or rows[0]["ended_at"] or rows[0]["disabled_at"]
            or from_db(rows[0]["expires_at"]) <= now):
        raise ResetLinkUnusable()
    return rows[0]


def check_reset(db, token, now) -> str:
    """The username the link is for, if it still works; raises ResetLinkUnusable. Opening
    the link does not use it up (a chat app's link preview opens it too)."""
    return _usable_row(db, token, now)["username"]


def redeem_reset(db, token, password, config, now) -> users.StaffUser:
    """Set the account's password from the link, once; ends its sessions, tokens and
    other links. Raises ResetLinkUnusable, or InvalidRequest for a password too short."""
    users.check_password(password)
    _usable_row(db, token, now)  # a dead link costs no password hashing
    # Hashed again inside the lock by set_password: a reset is rare, and checking the link
    # and using it in one transaction is what makes it single-use under concurrency.
    with write_transaction(db):
        row = _usable_row(db, token, now)
        user = users.set_password(db, row["username"], password, config, now)
        db.execute("UPDATE password_resets SET used_at = ? WHERE token_hash = ?",
                   [to_db(now), row["token_hash"]])
    return user


def reset_address(config, token) -> str:
    """The link to hand over. The secret rides in the query string, which the access log
    leaves out (server/web/access_log.py); the page itself sends no Referer."""
    return f"{config.public_url}/password-reset?token={token}"
