"""The signed webhook channel: a JSON POST a paging system or the hospital's integration
engine can trust and de-duplicate.

Headers: `X-Homeward-Timestamp` (unix seconds), `X-Homeward-Signature: sha256=<hex>` (HMAC-
SHA256 with the shared secret over "<timestamp>.<body>"), `Idempotency-Key`. The body holds
the idempotency key too, so it survives proxies that drop headers. `verify_signature` is the
receiver's side, written out so integrators can copy it (docs/notifications.md).

2xx is delivered; 408, 429, 5xx and network errors are retried (a 429 or 503 with
Retry-After sets the next attempt); a redirect or any other 4xx is permanent, because the
same request to the same address will be refused again.
"""
import hashlib
import hmac
import json
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests

from .channels import DeliveryError, on_call_now, scrub

REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str,
                     now: datetime, window_seconds: int = REPLAY_WINDOW_SECONDS) -> bool:
    """What a receiver checks: a fresh timestamp and a matching HMAC (constant-time)."""
    try:
        age = abs(now.timestamp() - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > window_seconds:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from `now`: either delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


class WebhookChannel:
    def __init__(self, name, *, secret, url=None, on_call=(), zone=timezone.utc, timeout=10.0,
                 ca_file=None, detail="minimal"):
        self.name, self.detail = name, detail
        self.url, self.on_call, self.zone = url, tuple(on_call), zone
        self._secret, self.timeout, self.ca_file = secret, timeout, ca_file

    def target(self, moment: datetime) -> str | None:
        """A paging target takes one POST: the on-call line's URL, else the channel's."""
        chosen = on_call_now(self.on_call, self.zone, moment)
        return chosen[0] if chosen else self.url

    def body(self, notification) -> bytes:
        document = dict(notification.payload, idempotency_key=notification.idempotency_key)
        return json.dumps(document, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()

    def send(self, notification) -> None:
        moment = notification.attempt_at or datetime.now(timezone.utc)
        url = self.target(moment)
        if not url:
            raise DeliveryError(f"nobody is on call for {self.name} at {moment.isoformat()}",
                                retryable=True)
        body, timestamp = self.body(notification), str(int(moment.timestamp()))
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "User-Agent": "Homeward-notifications",
                   "X-Homeward-Timestamp": timestamp,
                   "X-Homeward-Signature": sign(self._secret, timestamp, body),
                   "Idempotency-Key": notification.idempotency_key}
        where = self._where(url)
        try:
            # No redirects: following one would re-send the signed body to an address
            # nobody configured, perhaps over plain HTTP.
            response = requests.post(url, data=body, headers=headers, timeout=self.timeout,
                                     allow_redirects=False, verify=self.ca_file or True)
        except requests.RequestException as error:
            raise DeliveryError(self._clean(f"webhook {where}: {type(error).__name__}: {error}",
                                            url), retryable=True) from None
        status = response.status_code
        if 200 <= status < 300:
            return None
        excerpt = " ".join(response.text[:200].split())
        message = self._clean(f"webhook {where}: HTTP {status} {response.reason or ''}"
                              + (f": {excerpt}" if excerpt else ""), url)
        if 300 <= status < 400:
            raise DeliveryError(message + " (redirect not followed; configure the final URL)",
                                retryable=False)
        if status in (408, 429) or status >= 500:
            retry_after = None
            if status in (429, 503):
                retry_after = parse_retry_after(response.headers.get("Retry-After"), moment)
            raise DeliveryError(message, retryable=True, retry_after=retry_after)
        raise DeliveryError(message, retryable=False)

    @staticmethod
    def _where(url):
        # Scheme and host only: paging providers often put a token in the path.
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def _clean(self, text, url):
        parts = urlsplit(url)
        hidden = parts.path + (f"?{parts.query}" if parts.query else "")
        return scrub(text, [self._secret] + ([hidden] if len(hidden) > 1 else []))
