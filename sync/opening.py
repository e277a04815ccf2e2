"""Opening a push's envelopes (PROTOCOL.md): HPKE-open each sealed entry under the pushing
device's id (or a device it replaced) and parse the document. Needs the key ring and the
device's ids only, nothing the write lock guards (sync/prepare.py runs it first).
"""
import json

from .documents import MAX_DEPTH, is_deeper_than, parse_document
from .entry_check import check_entry_document
from .sealing import OpenFailed, is_b64url


def rejected(entry_id, code, message):
    return {"entry_id": entry_id, "status": "rejected", "error": {"code": code,
                                                                  "message": message}}


def open_envelopes(keyring, device, device_ids, envelopes: list[dict]) -> list:
    """Open and parse each envelope: needs the key ring and the device's ids, nothing the
    write lock guards. One result per envelope, as `open_envelope` gives it."""
    ids = device_ids or [device["id"]]
    return [open_envelope(keyring, ids, envelope) for envelope in envelopes]


def open_envelope(keyring, device_ids, envelope):
    """(device_id, plaintext, (raw, document, problems)), or the rejection as a dict."""
    entry_id, kid = envelope["entry_id"], envelope["kid"]
    if not is_b64url(envelope["sealed"]):
        return rejected(entry_id, "invalid_encoding",
                        "sealed must be unpadded base64url (RFC 4648 section 5: A-Z, a-z, "
                        "0-9, '-' and '_', no '=' padding, no spaces); this is a bug in the "
                        "app's encoder.")
    if kid not in keyring:
        return rejected(entry_id, "unknown_key",
                        f"The server has no key {kid}; refresh the key set from /api/v1/keys.")
    opened = open_as_any(keyring, device_ids, kid, envelope["sealed"], entry_id)
    if opened is None:
        return rejected(entry_id, "decrypt_failed",
                        "The entry did not open: it was sealed to another key, entry id or "
                        "device, or it was altered.")
    device_id, plaintext = opened
    return device_id, plaintext, parse_entry(plaintext)


def open_as_any(keyring, device_ids, kid, sealed, entry_id):
    """(the device id it was sealed under, plaintext), trying this device's own id first and
    then the devices it replaced (entries a phone sealed before it was re-enrolled)."""
    for device_id in device_ids:
        try:
            return device_id, keyring.open(kid, sealed, entry_id, device_id)
        except OpenFailed:
            continue
    return None


def parse_entry(plaintext):
    """sync.documents.parse_document, with the compiled checker on the common path (it
    answers as the schema does: tests/test_entry_check.py); anything that does not load
    cleanly goes through parse_document itself, for its exact problems."""
    try:
        raw = json.loads(plaintext.decode("utf-8"))
        if isinstance(raw, dict) and not is_deeper_than(raw, MAX_DEPTH):
            loaded, problems = check_entry_document(raw)
            if not problems:
                return raw, loaded, []
    except (UnicodeDecodeError, ValueError, RecursionError):
        pass
    return parse_document(plaintext)
