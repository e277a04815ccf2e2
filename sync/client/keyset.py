"""The server's entry-sealing key set as the phone caches it (PROTOCOL.md, "Keys").

The app seals offline, so it must trust the cached set: it is checked when it arrives (from
enrolment, GET /api/v1/keys or a `keys` change in a pull), never when a family is in the
middle of recording a fever.
"""
import hashlib
import json

from ..sealing import SUITE_NAME, unb64url


class KeySetError(ValueError):
    """The key set cannot be used to seal entries; the message says why."""

    code, retryable = "key_set_unusable", False


def checked_key_set(document) -> dict:
    """The key set if the app can seal to its `current` key, else KeySetError.

    Keys of suites this app does not know are kept (they only matter to the server, for
    opening older entries), but the current one must be X25519 with a 32-byte public key.
    """
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeySetError("The key set must be an object with a list of keys.")
    current = document.get("current")
    chosen = [key for key in document["keys"]
              if isinstance(key, dict) and key.get("kid") == current]
    if not isinstance(current, str) or not chosen:
        raise KeySetError(f"The key set names {current!r} as current but does not list it.")
    key = chosen[0]
    if key.get("suite") != SUITE_NAME:
        raise KeySetError(f"The current key {current} uses suite {key.get('suite')!r}; this "
                          f"app seals with {SUITE_NAME} only. Update the app.")
    try:
        raw = unb64url(key.get("public_key"))
    except (ValueError, TypeError):
        raise KeySetError(f"The public key of {current} is not base64url.") from None
    if len(raw) != 32:
        raise KeySetError(f"The public key of {current} is {len(raw)} bytes, not 32.")
    return document


def current_key(key_set: dict) -> tuple[str, bytes]:
    """(kid, raw public key) of the key new entries are sealed to."""
    kid = key_set["current"]
    key = next(key for key in key_set["keys"] if key.get("kid") == kid)
    return kid, unb64url(key["public_key"])


def lists_kid(key_set: dict | None, kid: str) -> bool:
    return bool(key_set) and any(key.get("kid") == kid for key in key_set["keys"])


def fingerprint(key_set: dict | None) -> str:
    """A short digest, so "has the key set changed since?" is a string comparison."""
    canonical = json.dumps(key_set, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
