"""Who is asking: staff bearer tokens and web sessions, roles, CSRF, and throttled login.

Views say what they need with `@require_staff("nurse", "physician")`; everything about how
the caller proved it (header or cookie) stays here.
"""
import hmac
import math
from functools import wraps

from flask import current_app, g, request

from ..web.context import client_address, get_config, get_db, now
from ..web.errors import Forbidden, RateLimited, Unauthorized
from . import sessions, throttle, tokens
from .users import ROLES, StaffUser, authenticate

__all__ = ["require_staff", "current_staff", "attempt_login", "session_from_cookie",
           "check_csrf", "ROLES", "StaffUser"]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
BAD_PAIR_MESSAGE = "That username and password don't match an active account."


def current_staff() -> StaffUser | None:
    """The staff member a `require_staff` check let through in this request."""
    return g.get("staff")


def _bearer_token():
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Send the token as the header 'Authorization: Bearer <token>'.")
    return value.strip()


def session_from_cookie():
    """The live web session of this request's cookie, or None; remembered for the request."""
    if "web_session" not in g:
        session_id = request.cookies.get(sessions.COOKIE_NAME)
        g.web_session = (sessions.load_session(get_db(), session_id, get_config(), now(),
                                               touch=not g.get("passive_request", False))
                         if session_id else None)
    return g.web_session


def _authenticate() -> StaffUser:
    token = _bearer_token()
    if token is not None:
        user = tokens.verify_token(get_db(), token, now())
        if user is None:
            raise Unauthorized("That token is not valid: it may have expired or been "
                               "revoked. Get a new one from POST /api/v1/auth/token.")
        g.staff_token = token
        return user
    session = session_from_cookie()
    if session is None:
        had_cookie = sessions.COOKIE_NAME in request.cookies
        raise Unauthorized("Your session has ended; sign in again." if had_cookie
                           else "Sign in, or send a staff bearer token.")
    return session.user


def check_csrf(session) -> None:
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    if not hmac.compare_digest(sent.encode("utf-8"), session.csrf_token.encode("utf-8")):
        raise Forbidden("This form is out of date or did not come from Homeward; reload the "
                        "page and try again.", details={"reason": "csrf"})


def require_staff(*roles, passive=False):
    """Let the view run only for a signed-in, active staff member with one of `roles`
    (any role when none are given); sets g.staff. A `passive` view (a page polling by
    itself) does not count as activity, so the idle timeout still ends the session."""
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            g.passive_request = passive
            user = _authenticate()
            if "staff_token" not in g and request.method in UNSAFE_METHODS:
                # A cookie rides along on any cross-site form; a bearer header cannot.
                check_csrf(g.web_session)
            if roles and user.role not in roles:
                raise Forbidden(f"This needs the role {' or '.join(roles)}.",
                                details={"required_roles": list(roles)})
            g.staff = user
            return view(*args, **kwargs)

        return checked

    return decorator


def attempt_login(db, username, password) -> StaffUser:
    """Check a username and password under the login throttle; the account, or raises
    Unauthorized (same message whether the name exists or not) or RateLimited."""
    config, address = get_config(), client_address()
    verdict, failure_id = throttle.admit(db, username, address, config, now())
    if verdict.locked:
        minutes = math.ceil(verdict.retry_after_seconds / 60)
        raise RateLimited(f"Too many failed sign-ins; wait {minutes} minute"
                          f"{'s' if minutes != 1 else ''} and try again.",
                          retry_after_seconds=verdict.retry_after_seconds)
    if verdict.delay_seconds:
        sleep = current_app.extensions.get(throttle.SLEEP_EXTENSION, throttle.default_sleep)
        sleep(verdict.delay_seconds)
    user = authenticate(db, username, password, config, now())
    throttle.settle(db, failure_id, username, succeeded=user is not None)
    if user is None:
        raise Unauthorized(BAD_PAIR_MESSAGE)
    g.staff = user
    return user
