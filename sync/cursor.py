"""Opaque pull cursors. To the app a cursor is a string to store and send back; to the
server it says where the device is in the feed, and it is signed and bound to the device so
a cursor copied to another phone, or edited, is refused instead of silently skipping data.
"""
import base64
import hashlib
import hmac
import json

from .sealing import unb64url


class InvalidCursor(Exception):
    status, code = 400, "invalid_request"

    def __init__(self, message):
        super().__init__(message)
        self.message = message
        self.details = {"fields": {"cursor": [message]}}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


_unb64 = unb64url  # strict: a cursor is handed back exactly as the server wrote it


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, b"homeward/v1/cursor|" + payload, hashlib.sha256).digest()[:16]


def encode_cursor(secret: bytes, device_id: str, seq: int, snapshot_after=None) -> str:
    """`seq`: every change up to it is known. `snapshot_after`: a snapshot in progress,
    resuming after that (rank, id); None once the snapshot is complete."""
    payload = json.dumps({"d": device_id, "s": seq, "a": snapshot_after},
                         separators=(",", ":")).encode()
    return _b64(payload) + "." + _b64(_sign(secret, payload))


def decode_cursor(secret: bytes, device_id: str, cursor: str):
    """(seq, snapshot_after) or InvalidCursor."""
    try:
        payload_text, signature_text = cursor.split(".")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (ValueError, TypeError):
        raise InvalidCursor("This cursor is not one the server gave; pull without a cursor "
                            "for a full snapshot.") from None
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise InvalidCursor("This cursor is not one the server gave; pull without a cursor "
                            "for a full snapshot.")
    fields = json.loads(payload)
    if fields["d"] != device_id:
        raise InvalidCursor("This cursor belongs to another device; pull without a cursor "
                            "for a full snapshot.")
    after = fields["a"]
    return fields["s"], (tuple(after) if after is not None else None)
