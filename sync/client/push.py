"""Pushing the outbox (PROTOCOL.md, "Push").

- Entries go out in the order they were recorded, in batches of at most 500 entries and
  2 MiB of request body. Both limits are measured on the exact bytes sent. A 413 shrinks
  the batch (to the server's stated limits, and at least by half) and tries again.
- Pushing is idempotent on the server, so a batch whose answer was lost is simply sent
  again; its entries come back `duplicate`.
- accepted / duplicate / quarantined: the server stored it, so it leaves the outbox and the
  journal keeps the result (and the alert, if one was raised) for the app to show.
- rejected: not stored. It stays in the outbox, marked with the error, and is *held*: it is
  not sent again until the situation it was rejected in changes, because resending the
  same bytes to the same server under the same keys cannot succeed. The situation is the
  cached key set plus the device id: a changed key set, a new enrolment, or the family's
  explicit "try again" (Client.retry_rejected) sends it once more.
- `unknown_key` refreshes the key set at once (GET /api/v1/keys). If the server lists the
  entry's key after all, the entry goes again on the next sync; if not, it stays held until
  the key set changes again, and new entries are sealed to the refreshed current key.
- A held entry never blocks the entries behind it: the server handles each on its own.
"""
from dataclasses import dataclass

from .entries import rfc3339
from .keyset import checked_key_set, fingerprint, lists_kid
from .transport import ApiError, BadAnswer, encode

MAX_ENTRIES = 500
MAX_BYTES = 2 * 1024 * 1024
SETTLED = ("accepted", "duplicate", "quarantined")
# The body without entries, with the longest sent_at and outbox_pending it could carry.
FRAME_BYTES = len(encode({"sent_at": "x" * 40, "outbox_pending": 10 ** 12, "entries": []}))


@dataclass(frozen=True)
class Limits:
    max_entries: int = MAX_ENTRIES
    max_bytes: int = MAX_BYTES

    def after_too_large(self, error: ApiError, batch_size: int) -> "Limits":
        """Adopt the limits a 413 states, and halve the batch so the next try is smaller."""
        stated_entries = error.details.get("max_entries")
        stated_bytes = error.details.get("max_bytes")
        max_entries = max(1, batch_size // 2)
        if isinstance(stated_entries, int) and stated_entries > 0:
            max_entries = min(max_entries, stated_entries)
        max_bytes = self.max_bytes
        if isinstance(stated_bytes, int) and stated_bytes > FRAME_BYTES:
            max_bytes = min(max_bytes, stated_bytes)
        return Limits(max_entries, max_bytes)


def situation(store) -> str:
    enrolment = store.get("enrolment") or {}
    return fingerprint(store.get("key_set")) + "|" + str(enrolment.get("device_id"))


def take_batch(candidates: list[dict], limits: Limits) -> list[dict]:
    """The longest prefix of the candidates that fits both limits."""
    batch, size = [], FRAME_BYTES
    for envelope in candidates:
        cost = len(encode(wire(envelope))) + (1 if batch else 0)  # the comma between entries
        if len(batch) == limits.max_entries or size + cost > limits.max_bytes:
            break
        batch.append(envelope)
        size += cost
    return batch


def wire(envelope: dict) -> dict:
    return {"entry_id": envelope["entry_id"], "kid": envelope["kid"],
            "sealed": envelope["sealed"]}


def push_outbox(store, transport, retry, now, report, limits=Limits()):
    """Pushes every sendable entry once. Raises TransportError when a push cannot get
    through; what was settled before that stays settled."""
    after_seq = 0  # each entry goes at most once per sync, even if released meanwhile
    while True:
        here = situation(store)
        candidates = store.sendable(here, after_seq, limits.max_entries)
        if not candidates:
            return
        batch = take_batch(candidates, limits)
        if not batch:
            hold_too_large(store, candidates[0], here, now, report)
            after_seq = candidates[0]["seq"]
            continue
        pending_after = store.outbox_size() - len(batch)
        entries = [wire(envelope) for envelope in batch]

        def attempt():
            # sent_at is taken per attempt: the server measures the phone's clock offset
            # from it, and a retry after a backoff would otherwise look like clock skew.
            return transport.push({"sent_at": rfc3339(now()), "outbox_pending": pending_after,
                                   "entries": entries})
        try:
            answer = retry.call(attempt)
        except ApiError as error:
            if error.status == 413 and len(batch) > 1:
                limits = limits.after_too_large(error, len(batch))
                continue
            if error.status == 413:
                hold_too_large(store, batch[0], here, now, report)
                after_seq = batch[0]["seq"]
                continue
            raise
        unknown_key = apply_results(store, batch, answer, here, now, report)
        after_seq = batch[-1]["seq"]
        if unknown_key:
            refresh_key_set(store, transport, retry, report)
            keep_holding_unlisted(store, unknown_key)


def apply_results(store, batch, answer, here, now, report) -> list[dict]:
    """Settles or holds each entry of the batch in one transaction; returns those rejected
    for `unknown_key`. An entry without a usable result stays in the outbox, unheld, and
    goes again on the next sync."""
    results = answer.get("results")
    if not isinstance(results, list):
        raise BadAnswer("The push answer has no results list.")
    by_entry = {result.get("entry_id"): result for result in results if isinstance(result, dict)}
    settled_at = rfc3339(now())
    unknown_key = []
    with store.transaction():
        for envelope in batch:
            entry_id = envelope["entry_id"]
            result = by_entry.get(entry_id, {})
            status = result.get("status")
            error = result.get("error") if isinstance(result.get("error"), dict) else {}
            if status in SETTLED:
                alert = result.get("alert") if isinstance(result.get("alert"), dict) else None
                store.settle(entry_id, status, error=error, alert=alert, settled_at=settled_at)
                report.pushed[status] += 1
                if alert:
                    report.alerts.append({"entry_id": entry_id, **alert})
            elif status == "rejected":
                store.hold(entry_id, here, error=error, settled_at=settled_at)
                report.pushed[status] += 1
                report.rejected.append({"entry_id": entry_id, "code": error.get("code"),
                                        "message": error.get("message")})
                if error.get("code") == "unknown_key":
                    unknown_key.append(envelope)
            else:
                report.unanswered += 1
    return unknown_key


def keep_holding_unlisted(store, envelopes):
    """After the refresh, an entry whose key the server still does not list stays held
    under the new situation too: only a later change of the key set can help it. One whose
    key is listed now goes once more on the next sync."""
    here = situation(store)
    with store.transaction():
        for envelope in envelopes:
            if not lists_kid(store.get("key_set"), envelope["kid"]):
                store.move_hold(envelope["entry_id"], here)


def hold_too_large(store, envelope, here, now, report):
    """One entry over the byte limit on its own can never be pushed; hold it with a local
    error instead of blocking the entries behind it."""
    error = {"code": "too_large", "message": "This entry is larger than the server accepts "
                                             "in one push and cannot be sent."}
    with store.transaction():
        store.hold(envelope["entry_id"], here, error=error, settled_at=rfc3339(now()))
    report.rejected.append({"entry_id": envelope["entry_id"], **error})


def refresh_key_set(store, transport, retry, report=None) -> bool:
    """GET /api/v1/keys and cache it; True if it changed (held entries then go once more,
    and new entries are sealed to the new current key)."""
    key_set = checked_key_set(retry.call(transport.get_keys))
    changed = fingerprint(key_set) != fingerprint(store.get("key_set"))
    if changed:
        with store.transaction():
            store.put("key_set", key_set)
    if report is not None:
        report.keys_refreshed = report.keys_refreshed or changed
    return changed

