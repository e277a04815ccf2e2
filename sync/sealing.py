"""Sealing an entry on the phone and opening it on the server (PROTOCOL.md, "Sealing").

HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM. The info
string binds the entry id and the device id, so a sealed entry cannot be replayed under
another id or pushed by another device: opening it with any other pair fails.
"""
import base64
import json
import re

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

SUITE_NAME = "X25519-HKDF-SHA256-AES128GCM"
SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
ENC_BYTES = 32
B64URL = re.compile(r"[A-Za-z0-9_-]*")


class OpenFailed(Exception):
    """The envelope did not open: wrong key, tampered bytes, or another entry/device id."""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Strict, as the protocol is: only A-Z a-z 0-9 - _, no padding, no whitespace, and
    unused trailing bits zero. Python's decoder quietly drops characters it does not know
    (so `+` and `/` got through), which hid encoder bugs that another server would refuse."""
    if not isinstance(text, str) or not B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url(raw) != text:
        raise ValueError("not unpadded base64url: the unused trailing bits are not zero")
    return raw


def is_b64url(text) -> bool:
    try:
        unb64url(text)
    except ValueError:
        return False
    return True


def entry_info(entry_id: str, device_id: str) -> bytes:
    return ("homeward/v1/entry|" + entry_id + "|" + device_id).encode("utf-8")


def public_key_bytes(public_key: X25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def entry_plaintext(document: dict) -> bytes:
    """The entry document as UTF-8 JSON; any key order is fine, the server reads JSON."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def seal_entry(document: dict, public_key: bytes | X25519PublicKey) -> str:
    """What the app does the moment an entry is recorded: returns `sealed` for the wire."""
    return seal_plaintext(entry_plaintext(document), public_key, document["entry_id"],
                          document["device_id"])


def seal_plaintext(plaintext: bytes, public_key: bytes | X25519PublicKey, entry_id: str,
                   device_id: str) -> str:
    """Sealing bytes as another app's JSON writer spelt them (37.0, other key orders)."""
    if isinstance(public_key, bytes):
        public_key = X25519PublicKey.from_public_bytes(public_key)
    return b64url(SUITE.encrypt(plaintext, public_key, entry_info(entry_id, device_id)))


def open_entry(sealed: str, private_key: X25519PrivateKey, entry_id: str,
               device_id: str) -> bytes:
    """The server's side: the plaintext bytes, or OpenFailed."""
    try:
        raw = unb64url(sealed)
    except (ValueError, TypeError):
        raise OpenFailed("sealed is not base64url") from None
    if len(raw) <= ENC_BYTES + 16:
        raise OpenFailed("sealed is too short to hold an entry")
    try:
        return SUITE.decrypt(raw, private_key, entry_info(entry_id, device_id))
    except Exception:  # the binding raises several types; all mean the same to a client
        raise OpenFailed("the envelope does not open with this key, entry id and device id") \
            from None


class KeyRing:
    """The server's sealing keys: `current` for new seals, older ones kept to open late
    entries from phones that were offline when the key rotated."""

    def __init__(self, private_keys: dict[str, X25519PrivateKey], current: str,
                 created_at: dict[str, str]):
        self.private_keys = private_keys
        self.current = current
        self.created_at = created_at

    def open(self, kid: str, sealed: str, entry_id: str, device_id: str) -> bytes:
        return open_entry(sealed, self.private_keys[kid], entry_id, device_id)

    def __contains__(self, kid) -> bool:
        return kid in self.private_keys

    def public_document(self) -> dict:
        """GET /api/v1/keys: newest first."""
        kids = sorted(self.private_keys, key=lambda kid: self.created_at[kid], reverse=True)
        return {"current": self.current, "keys": [
            {"kid": kid, "suite": SUITE_NAME,
             "public_key": b64url(public_key_bytes(self.private_keys[kid].public_key())),
             "created_at": self.created_at[kid]}
            for kid in kids]}
