"""Same entry or other content under the same id: what a retried push is (docs/protocol.md,
"What same content means").

Entries are compared by value, as their RFC 8785 canonical form (sync/canonical.py), so
the same entry spelt by another JSON writer (37 or 37.0, another key order) is a
duplicate. The server keeps only an HMAC of that form under the patient's key.
"""
from .canonical import NotCanonicalisable, canonicalise
from .documents import canonical as python_spelling


def content_of(raw, plaintext: bytes) -> bytes:
    """The bytes whose HMAC is stored and compared. A document outside I-JSON (NaN, an
    integer beyond a double, a lone surrogate) has no canonical form: its exact bytes."""
    if raw is None:
        return plaintext
    try:
        return canonicalise(raw)
    except NotCanonicalisable:
        return plaintext


def is_same_content(db, cipher, entry_id, stored_mac, content_mac, raw) -> bool:
    """Whether the stored entry has this content. Entries stored before RFC 8785 carry the
    HMAC of Python's spelling (keys sorted, 37.0 kept as written): a phone retrying one of
    them must still hear `duplicate`. Such a match moves the row to the RFC 8785 HMAC, so
    a later retry spelt by another writer is recognised too."""
    if stored_mac == content_mac:
        return True
    if raw is None:
        return False
    try:
        if cipher.mac("entry", python_spelling(raw)) != stored_mac:
            return False
        canonicalise(raw)
    except NotCanonicalisable:
        return True  # the old form matched; there is no better one to move to
    except (ValueError, UnicodeEncodeError, RecursionError):
        return False  # not even Python's spelling exists, so it cannot have been stored
    db.execute("UPDATE entries SET content_mac = ? WHERE entry_id = ?", [content_mac, entry_id])
    return True
