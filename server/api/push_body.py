"""Reading a push's body without marshmallow when it is plainly well formed (issue 15:
loading 500 envelopes through the nested schema cost 16-25 µs an envelope, a tenth of a
push). `PushSchema` in server/api/sync.py stays the definition, the OpenAPI document and
the edge: anything this does not accept as it stands goes through the schema, for the
schema's own answer and messages. tests/test_push_body.py holds the two to the same result.
"""
from sync.documents import read_rfc3339

ID_MAX = 100                     # entry_id and kid
SEALED_MAX = 2 * 1024 * 1024     # characters of base64url
OUTBOX_PENDING_MAX = 10_000_000
PUSH_KEYS = frozenset(("sent_at", "outbox_pending", "entries"))
ENVELOPE_KEYS = frozenset(("entry_id", "kid", "sealed"))


def read_push_body(data):
    """What `PushSchema().load(data)` returns, or None: let the schema answer."""
    if type(data) is not dict or not data.keys() <= PUSH_KEYS or "sent_at" not in data:
        return None
    sent_at, problem = read_rfc3339(data["sent_at"])
    entries = data.get("entries")
    if problem or type(entries) is not list:
        return None
    loaded = {"sent_at": sent_at}
    if "outbox_pending" in data:
        pending = data["outbox_pending"]
        if pending is not None and not (type(pending) is int
                                        and 0 <= pending <= OUTBOX_PENDING_MAX):
            return None
        loaded["outbox_pending"] = pending
    envelopes = []
    for envelope in entries:
        if type(envelope) is not dict or envelope.keys() != ENVELOPE_KEYS:
            return None
        entry_id, kid, sealed = envelope["entry_id"], envelope["kid"], envelope["sealed"]
        if not (type(entry_id) is str and 0 < len(entry_id) <= ID_MAX
                and type(kid) is str and 0 < len(kid) <= ID_MAX
                and type(sealed) is str and 0 < len(sealed) <= SEALED_MAX):
            return None
        envelopes.append({"entry_id": entry_id, "kid": kid, "sealed": sealed})
    loaded["entries"] = envelopes
    return loaded
