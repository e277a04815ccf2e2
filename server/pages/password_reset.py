"""The page a one-time password link opens: it needs no session, since its owner cannot
sign in yet. The link's secret is the proof, so the form carries it back instead of a
session's CSRF token: another site that could forge this form would already hold the
secret, and could use it directly.

Opening the link changes nothing (a chat app's preview opens it too); only posting a new
password uses it up, once (server/auth/resets.py).
"""
from flask import current_app, render_template, request

from ..records.audit import record_as
from ..auth import resets
from ..web.context import client_address, get_config, get_db, now
from ..web.errors import ApiError
from . import blueprint


def _page(template, status=200, **context):
    response = current_app.make_response((render_template(template, **context), status))
    # The address holds the secret: no page it links to may learn it.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _unusable(error):
    return _page("password_reset.html", error.status, unusable=error.message)


@blueprint.get("/password-reset")
def password_reset_form():
    token = request.args.get("token", "")
    try:
        username = resets.check_reset(get_db(), token, now())
    except resets.ResetLinkUnusable as error:
        return _unusable(error)
    return _page("password_reset.html", username=username, token=token, errors={})


@blueprint.post("/password-reset")
def reset_password():
    db, moment = get_db(), now()
    token = request.form.get("token", "")
    password = request.form.get("password", "")
    try:
        username = resets.check_reset(db, token, moment)
    except resets.ResetLinkUnusable as error:
        return _unusable(error)
    errors = {}
    if password != request.form.get("password_again", ""):
        errors["password_again"] = "The two passwords differ; type the same one twice."
    else:
        try:
            user = resets.redeem_reset(db, token, password, get_config(), moment)
        except resets.ResetLinkUnusable as error:  # used by a twin request a moment ago
            return _unusable(error)
        except ApiError as error:
            errors["password"] = error.message
    if errors:
        return _page("password_reset.html", 400, username=username, token=token,
                     errors=errors)
    # The person is not signed in: the row names them as the actor, as a sign-in does.
    record_as(db, "user.password_reset", actor_id=user.id, actor_username=user.username,
              actor_role=user.role, now=moment, target=user.id,
              details={"username": user.username, "via": "link"},
              client_address=client_address())
    return _page("password_reset.html", done_for=user.username)
