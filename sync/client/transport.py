"""HTTP to the Homeward server, and its answers turned into values or exceptions.

Every failure becomes a TransportError that says whether trying again can help
(`retryable`) and, when the server said so, how long to wait first (`retry_after`, seconds).
The retry loop itself is in retry.py; this module makes one attempt per call.
"""
import json
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import requests

API = "/api/v1"
# (connect, read) seconds. A phone on a weak signal connects slowly; a push of 500 entries
# runs the safety rules on each before it answers.
DEFAULT_TIMEOUT = (10, 60)


class TransportError(Exception):
    """A request did not give a usable answer."""

    code, retryable = "transport_error", False

    def __init__(self, message, *, retryable=None, retry_after=None):
        super().__init__(message)
        self.message = message
        if retryable is not None:
            self.retryable = retryable
        self.retry_after = retry_after


class NetworkError(TransportError):
    """No answer at all: offline, refused, timed out. Trying again later can help."""

    code, retryable = "network_error", True


class BadAnswer(TransportError):
    """A 2xx that is not the protocol's JSON (a captive portal, a misrouted proxy)."""

    code, retryable = "bad_answer", True


class ApiError(TransportError):
    """The server's error envelope: {"error": {"code", "message", "details"}}."""

    def __init__(self, status, code, message, details=None, retry_after=None):
        super().__init__(message, retryable=status >= 500 or status in (408, 429),
                         retry_after=retry_after)
        self.status, self.code, self.details = status, code, details or {}

    def __str__(self):
        return f"{self.status} {self.code}: {self.message}"

    def names_field(self, name) -> bool:
        """Whether a 400's details point at this field, however the server shaped them
        ({"fields": {name: [...]}}, {"fields": [name]}, {"field": name} or {name: ...})."""
        fields = self.details.get("fields") or ()
        return name in fields or self.details.get("field") == name or name in self.details


class NeedsEnrolment(ApiError):
    """401: the token was revoked by staff (`device_revoked`) or is unknown (`unauthorized`).
    The outbox is kept; only a new enrolment code gets this phone syncing again."""


def retry_after_seconds(value, now=None) -> float | None:
    """Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def encode(body) -> bytes:
    """The exact bytes sent, so push.py can measure a batch against the 2 MiB limit."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Transport:
    def __init__(self, server_url, *, app_version, device_token=None, session=None,
                 timeout=DEFAULT_TIMEOUT):
        self.base = server_url.rstrip("/") + API
        self.device_token = device_token
        self.timeout = timeout
        self.session = session or requests.Session()
        self.session.headers.update({"Homeward-App-Version": app_version,
                                     "Accept": "application/json"})

    # -- the protocol's calls ----------------------------------------------------------

    def get_keys(self) -> dict:
        return self.call("GET", "/keys", authenticated=False)

    def enrol(self, body: dict) -> dict:
        return self.call("POST", "/devices", body=body, authenticated=False)

    def push(self, body: dict) -> dict:
        return self.call("POST", "/sync/push", body=body)

    def pull(self, cursor: str | None, limit: int) -> dict:
        params = {"limit": limit} if cursor is None else {"cursor": cursor, "limit": limit}
        return self.call("GET", "/sync/pull", params=params)

    # -- one attempt -------------------------------------------------------------------

    def call(self, method, path, *, body=None, params=None, authenticated=True) -> dict:
        headers = {}
        if authenticated:
            headers["Authorization"] = f"Bearer {self.device_token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.session.request(
                method, self.base + path, params=params, headers=headers, timeout=self.timeout,
                data=None if body is None else encode(body))
        except requests.exceptions.SSLError as error:
            # A certificate the phone does not trust will not become trusted by retrying.
            raise TransportError(f"The server's TLS certificate was refused: {error}") from None
        except requests.exceptions.RequestException as error:
            raise NetworkError(f"No answer from {self.base}: {type(error).__name__}.") from None
        if response.status_code >= 300:
            raise self.error_from(response)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise BadAnswer(f"{method} {path} answered {response.status_code} without a JSON "
                            "object; is something between the phone and the server?")
        return answer

    @staticmethod
    def error_from(response) -> ApiError:
        status = response.status_code
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        try:
            error = response.json()["error"]
            code, message = str(error["code"]), str(error["message"])
            details = error.get("details") if isinstance(error.get("details"), dict) else {}
        except (ValueError, KeyError, TypeError):
            # Not our envelope: a proxy's 502 page, a load balancer's 503.
            code, message, details = f"http_{status}", f"The server answered HTTP {status}.", {}
        kind = NeedsEnrolment if status == 401 else ApiError
        return kind(status, code, message, details, retry_after)
