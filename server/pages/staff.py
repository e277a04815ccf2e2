"""Staff accounts in the browser, for admins: create, change role, disable and enable, and
make a one-time password link. Every change goes through the same domain steps as
`homeward users` (server/auth/users.py, server/auth/resets.py) and writes the same audit
actions, with {"via": "page"}.

A new account gets no password from the admin: it gets a one-time link with which its owner
chooses one, so nobody but that person ever knows it.
"""
import secrets

from flask import g, request, url_for

from ..records import audit
from ..auth import require_staff, resets, users
from ..clock import from_db
from ..web.context import get_config, get_db, now
from ..web.errors import ApiError
from . import blueprint
from .common import NOTICES, ROLE_NAMES, done, render, url_maker
from .site_time import say

NOTICES.update({
    "account_role": "Role changed. It applies from their next page or request.",
    "account_role_kept": "That was already their role; nothing changed.",
    "account_disabled": "Account disabled: its sessions, tokens and password links have "
                        "ended.",
    "account_enabled": "Account enabled. If they forgot their password, make a password link.",
})


def _last_sign_ins(db) -> dict:
    return {row["user_id"]: row["at"] for row in db.query(
        "SELECT user_id, max(created_at) AS at FROM web_sessions GROUP BY user_id")}


def _accounts(db, moment):
    zone, signed_in = get_config().site_timezone, _last_sign_ins(db)
    shown = []
    for account in users.list_users(db):
        last = signed_in.get(account["id"])
        shown.append({
            **account, "role_name": ROLE_NAMES[account["role"]],
            "created": say(account["created_at"], zone),
            "disabled": say(account["disabled_at"], zone, moment),
            "last_sign_in": say(from_db(last), zone, moment) if last else "never",
        })
    return shown


def _account_links():
    """Each account's four form addresses, built without url_for per row (a few hundred
    accounts make a thousand addresses)."""
    return {name: url_maker(f"pages.{endpoint}", "username") for name, endpoint in (
        ("role", "change_account_role"), ("disable", "disable_account"),
        ("enable", "enable_account"), ("reset", "make_reset_link"))}


def _staff_page(status=200, *, form=None, errors=None, problem=None, handover=None):
    moment = now()
    return render("staff.html", status, accounts=_accounts(get_db(), moment),
                  account_links=_account_links(),
                  roles=[(role, ROLE_NAMES[role]) for role in users.ROLES],
                  form=form or {}, errors=errors or {}, problem=problem, handover=handover)


def _handover(user, token, expires_at, made_for):
    return {"username": user.username, "made_for": made_for,
            "link": resets.reset_address(get_config(), token),
            "until": say(expires_at, get_config().site_timezone)}


def _field_errors(error: ApiError) -> dict:
    """{field: sentence}; a refusal about one field carries its sentence as the message
    ("The username 'ann' is taken."), while its details may hold only a code."""
    fields = (error.details or {}).get("fields") or {}
    if len(fields) == 1:
        return {name: error.message for name in fields}
    return {name: messages[0] for name, messages in fields.items() if messages}


@blueprint.get("/staff")
@require_staff("admin")
def staff_accounts():
    return _staff_page()


@blueprint.post("/staff")
@require_staff("admin")
def create_account():
    db, moment = get_db(), now()
    form = {"username": request.form.get("username", ""), "role": request.form.get("role", "")}
    try:
        # Nobody will ever type this: the account's owner sets theirs through the link.
        user = users.create_user(db, form["username"], form["role"], secrets.token_urlsafe(32),
                                 get_config(), moment)
    except ApiError as error:
        return _staff_page(error.status, form=form, errors=_field_errors(error),
                           problem=None if _field_errors(error) else error.message)
    _record(db, "user.create", user, role=user.role)
    _user, token, expires_at = resets.issue_reset(db, user.username, moment,
                                                  issued_by=g.staff.username)
    _record(db, "user.reset_link", user)
    return _staff_page(201, handover=_handover(user, token, expires_at, "new"))


def _record(db, action, user, **details):
    """The command line writes the same actions; `via` tells the two apart in the log."""
    audit.record(db, action, target=user.id,
                 details={"username": user.username, **details, "via": "page"})


def _back_to_account(user, notice):
    return done(url_for("pages.staff_accounts"), notice, anchor=f"account-{user.username}")


def _account_change(change):
    """Run change(db, moment) -> response; a refusal (last admin, unknown account) shows the
    list again with the reason in words, having changed nothing."""
    try:
        return change(get_db(), now())
    except ApiError as error:
        return _staff_page(error.status, problem=error.message)


@blueprint.post("/staff/<username>/role")
@require_staff("admin")
def change_account_role(username):
    def change(db, moment):
        user, before = users.change_role(db, username, request.form.get("role"), moment)
        if before == user.role:
            return _back_to_account(user, "account_role_kept")
        _record(db, "user.set_role", user, role=user.role, previous_role=before)
        return _back_to_account(user, "account_role")
    return _account_change(change)


@blueprint.post("/staff/<username>/disable")
@require_staff("admin")
def disable_account(username):
    def change(db, moment):
        user = users.disable_user(db, username, moment)
        _record(db, "user.disable", user)
        return _back_to_account(user, "account_disabled")
    return _account_change(change)


@blueprint.post("/staff/<username>/enable")
@require_staff("admin")
def enable_account(username):
    def change(db, moment):
        user = users.enable_user(db, username, moment)
        _record(db, "user.enable", user)
        return _back_to_account(user, "account_enabled")
    return _account_change(change)


@blueprint.post("/staff/<username>/reset-link")
@require_staff("admin")
def make_reset_link(username):
    def change(db, moment):
        user, token, expires_at = resets.issue_reset(db, username, moment,
                                                     issued_by=g.staff.username)
        _record(db, "user.reset_link", user)
        return _staff_page(200, handover=_handover(user, token, expires_at, "reset"))
    return _account_change(change)
