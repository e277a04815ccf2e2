"""The staff web pages: server-rendered HTML that works on a ward tablet, with a little
plain JavaScript (static files only) for the inbox's live updates and the charts.

This module: the blueprint, sign in, sign out, error pages. The sign-in form is itself
CSRF-protected (a random nonce in a cookie, and the same nonce signed with the app's secret
key in the form), so another site cannot sign a nurse's browser into an account of its
choosing. The other pages live in home, inbox, patients, timeline and wellbeing, imported
at the end so their routes land on this blueprint.
"""
import hmac
import logging
import secrets
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, g, redirect, render_template, request, url_for)
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

from ..records import audit
from ..auth import attempt_login, require_staff, session_from_cookie, sessions
from ..web.context import get_config, get_db, now
from ..web.errors import HTTP_CODES, ApiError, RateLimited, Unauthorized, is_domain_error
from . import present
from .common import CARE_TEAM, readable, safe_next

log = logging.getLogger("homeward.pages")

blueprint = Blueprint("pages", __name__, template_folder="templates",
                      static_folder="static", static_url_path="/static")

LOGIN_COOKIE = "homeward_login"
LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}  # browsers keep Secure cookies from these
INSECURE_WARNED = "homeward.warned_plain_http_sign_in"
LOGIN_FORM_MAX_AGE = 2 * 60 * 60  # a sign-in page left open over a handover still works
# Scripts only from Homeward's own static files: no inline script, no other site, so an
# injected <script> in a patient's free text cannot run. Chart.js draws without eval.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# Fetched by the pages' scripts: a redirect to the sign-in form would be read as the inbox
# or as a card's forms.
SCRIPT_ENDPOINTS = {"pages.inbox_live", "pages.alert_forms"}


def _signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="homeward.login-csrf")


@blueprint.after_request
def _page_headers(response):
    # Pages carry patient data and CSRF tokens: no cache may keep them.
    if request.endpoint != "pages.static":
        response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


def _cookie_problem():
    """Why signing in cannot work here, or None. Browsers keep a Secure cookie only from
    https (or localhost): over plain http on any other name they drop the sign-in cookies,
    and every attempt would fail its CSRF check as "expired", for ever."""
    if not get_config().cookie_secure or request.scheme != "http":
        return None
    try:
        host = urlsplit("//" + request.host).hostname or ""
    except ValueError:  # a Host header no browser sends
        host = ""
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return None
    shown = "".join(c for c in host if c.isprintable())[:100] or "this address"
    if not current_app.extensions.get(INSECURE_WARNED):
        current_app.extensions[INSECURE_WARNED] = True  # once: the log is not a counter
        log.warning("sign-in page served over plain HTTP at %s while HOMEWARD_COOKIE_SECURE "
                    "is true: browsers drop the Secure sign-in cookies, so no one can sign "
                    "in; serve over HTTPS (a TLS proxy, HOMEWARD_PROXY_COUNT) or set "
                    "HOMEWARD_COOKIE_SECURE=false for a trial", shown)
    return (f"Signing in cannot work at this address. This page came over plain HTTP to "
            f"{shown}, and Homeward sends its sign-in cookies over HTTPS only, so your "
            f"browser drops them. Open Homeward at its https:// address; for a trial without "
            f"HTTPS, an administrator can set HOMEWARD_COOKIE_SECURE=false.")


def _login_page(status=200, message=None, username="", headers=None):
    """The sign-in form, with a login CSRF nonce kept in (or first put in) a cookie."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or len(nonce) > 100:
        nonce = secrets.token_urlsafe(24)
    problem = _cookie_problem()
    html = render_template("login.html", csrf_token=_signer().dumps(nonce),
                           message=message, cookie_problem=problem,
                           username=username, next=safe_next(request.values.get("next")))
    response = current_app.make_response((html, status, headers or {}))
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_FORM_MAX_AGE, httponly=True,
                        samesite="Lax", secure=get_config().cookie_secure, path="/login")
    return response


def _login_csrf_ok():
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    try:
        signed = _signer().loads(request.form.get("csrf_token", ""), max_age=LOGIN_FORM_MAX_AGE)
    except BadData:
        return False
    return bool(nonce) and isinstance(signed, str) and hmac.compare_digest(signed, nonce)


@blueprint.app_template_filter("calendar_day")
def _calendar_day(value):
    return present.calendar_day(value)


@blueprint.get("/login")
def login_form():
    if session_from_cookie() is not None:
        return redirect(url_for("pages.home"), code=303)
    return _login_page()


@blueprint.post("/login")
def login():
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not _login_csrf_ok():
        # The cookie problem, not "expired", is the real cause: _login_page shows it.
        message = None if _cookie_problem() else ("This sign-in form had expired. Please "
                                                  "sign in again.")
        return _login_page(400, message, username)
    if not username or not password:
        return _login_page(400, "Enter your username and your password.", username)
    db = get_db()
    try:
        user = attempt_login(db, username, password)
    except RateLimited as error:
        return _login_page(429, error.message, username, error.headers)
    except Unauthorized as error:
        return _login_page(401, error.message, username)
    # A nurse signs in to work alerts: straight to the inbox unless a link asked elsewhere.
    target = safe_next(request.form.get("next")) or url_for(
        "pages.inbox" if user.role in CARE_TEAM else "pages.home")
    # A session id planted before sign-in must not become a signed-in one.
    sessions.end_session_by_id(db, request.cookies.get(sessions.COOKIE_NAME), now())
    session_id, _csrf = sessions.start_session(db, user.id, get_config(), now())
    audit.record(db, "auth.web_login", target=user.id)
    response = redirect(target, code=303)
    sessions.set_cookie(response, session_id, get_config())
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@blueprint.post("/logout")
@require_staff()
def logout():
    session = g.get("web_session")
    response = redirect(url_for("pages.login_form"), code=303)
    if session is not None:
        sessions.end_session(get_db(), session, now())
        audit.record(get_db(), "auth.web_logout", target=g.staff.id)
        sessions.clear_cookie(response, get_config())
    return response


def _error_page(status, message):
    html = render_template("error.html", status=status, message=readable(status, message))
    return current_app.make_response((html, status))


@blueprint.errorhandler(Unauthorized)
def _to_login(error):
    if request.endpoint in SCRIPT_ENDPOINTS:
        return current_app.make_response((error.message, 401, {"Content-Type": "text/plain"}))
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    response = redirect(url_for("pages.login_form",
                                next=target if target and target != "/" else None), code=303)
    if sessions.COOKIE_NAME in request.cookies:
        sessions.clear_cookie(response, get_config())
    return response


@blueprint.errorhandler(ApiError)
def _api_error_page(error):
    response = _error_page(error.status, error.message)
    response.headers.update(error.headers)
    return response


@blueprint.errorhandler(HTTPException)
def _http_error_page(error):
    status = error.code or 500
    return _error_page(status, HTTP_CODES.get(status, (None, error.description))[1])


@blueprint.errorhandler(Exception)
def _unexpected_error_page(error):
    if is_domain_error(error):  # e.g. a patient erased since the page was drawn: its status
        return _error_page(error.status, getattr(error, "message", None) or str(error))
    log.exception("unhandled error on page, request %s", g.get("request_id"), exc_info=error)
    return _error_page(500, "Something went wrong on our side; it has been logged with "
                            f"reference {g.get('request_id')}.")


# Imported last: they add their routes to `blueprint`, defined above.
from . import calls, contacts, handling, home, inbox, patients, timeline, wellbeing  # noqa: E402,F401,E501
from . import records  # noqa: E402,F401
from . import audit_log, password_reset, printing, staff, words  # noqa: E402,F401
