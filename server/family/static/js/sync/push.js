// Pushing the outbox (docs/protocol.md, "Push"; docs/client.md, "Pushing the outbox").
//
// - Entries go in recording order, in batches of at most 500 entries and 2 MiB of request
//   body, measured on the exact bytes sent. A 413 (a proxy with a smaller limit) adopts
//   the limits it states, at least halves the batch, and tries again; one entry too large
//   on its own is held with the local error `too_large` instead of blocking the others.
// - `sent_at` is the phone's clock at each attempt, not the first: the server measures the
//   clock offset from it, and a retry after a backoff would otherwise look like skew.
// - `outbox_pending` is how many entries stay unsent on the phone after this push.
// - No answer: the batch goes back to waiting and the error ends the sync; its entries go
//   again next time and the server answers `duplicate` for any it had stored.
// - `unknown_key` fetches the key set at once, so new entries are sealed to the new key.
import { checkedKeySet, situation } from "./keyset.js";
import { rfc3339 } from "./sealing.js";
import { ApiError, BadAnswer, encode } from "./transport.js";

export const MAX_ENTRIES = 500;
export const MAX_BYTES = 2 * 1024 * 1024;
// The body without entries, with the longest sent_at and outbox_pending it could carry.
const FRAME_BYTES = encode({ sent_at: "x".repeat(40), outbox_pending: 10 ** 12, entries: [] }).length;

const wire = (record) => ({ entry_id: record.entry_id, kid: record.kid, sealed: record.sealed });

// The longest prefix of the candidates that fits both limits.
export function takeBatch(candidates, limits) {
  const batch = [];
  let size = FRAME_BYTES;
  for (const record of candidates) {
    const cost = encode(wire(record)).length + (batch.length ? 1 : 0); // the comma
    if (batch.length === limits.maxEntries || size + cost > limits.maxBytes) break;
    batch.push(record);
    size += cost;
  }
  return batch;
}

function afterTooLarge(limits, error, batchSize) {
  const { max_entries: entries, max_bytes: bytes } = error.details;
  let maxEntries = Math.max(1, Math.floor(batchSize / 2));
  if (Number.isInteger(entries) && entries > 0) maxEntries = Math.min(maxEntries, entries);
  const maxBytes = Number.isInteger(bytes) && bytes > FRAME_BYTES ? Math.min(limits.maxBytes, bytes)
    : limits.maxBytes;
  return { maxEntries, maxBytes };
}

export async function currentSituation(store) {
  const enrolment = (await store.get("enrolment")) ?? {};
  return situation(await store.get("key_set"), enrolment.device_id);
}

// Pushes every sendable entry once. Throws the TransportError that stopped it; whatever
// was settled before stays settled.
export async function pushOutbox({ store, outbox, transport, retry, now, report }) {
  let limits = { maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES };
  const done = new Set(); // each entry goes at most once per sync
  for (;;) {
    const here = await currentSituation(store);
    const candidates = (await outbox.sendable(here)).filter((record) => !done.has(record.entry_id));
    if (!candidates.length) return;
    const batch = takeBatch(candidates, limits);
    if (!batch.length) {
      await outbox.holdTooLarge(candidates[0], here);
      done.add(candidates[0].entry_id);
      report.rejected += 1;
      continue;
    }
    const sendingNow = await outbox.markSending(batch);
    const pendingAfter = Math.max(0, (await outbox.pendingCount()) - batch.length);
    const entries = batch.map(wire);
    let answer;
    try {
      answer = await retry.call(() => transport.push({
        sent_at: rfc3339(now()), outbox_pending: pendingAfter, entries }));
    } catch (error) {
      await outbox.markUnanswered(sendingNow);
      if (error instanceof ApiError && error.status === 413) {
        if (batch.length > 1) {
          limits = afterTooLarge(limits, error, batch.length);
          continue;
        }
        await outbox.holdTooLarge({ ...batch[0], state: "waiting" }, here);
        done.add(batch[0].entry_id);
        report.rejected += 1;
        continue;
      }
      throw error;
    }
    if (!Array.isArray(answer.results)) {
      await outbox.markUnanswered(sendingNow);
      throw new BadAnswer("The push answer has no results list.");
    }
    const settled = await outbox.applyAnswer(sendingNow, answer, here);
    batch.forEach((record) => done.add(record.entry_id));
    count(settled, report);
    if (settled.some((record) => record.state === "rejected" && record.error?.code === "unknown_key")) {
      await refreshKeySet({ store, transport, retry, report });
    }
  }
}

function count(records, report) {
  for (const record of records) {
    report.pushed += 1;
    if (record.state === "accepted") report.accepted += 1;
    else if (record.state === "duplicate") report.duplicates += 1;
    else if (record.state === "quarantined") report.quarantined += 1;
    else if (record.state === "rejected") report.rejected += 1;
    else report.unanswered += 1;
    // a duplicate may carry the alert its first push raised, when that answer was lost
    if (record.alert && (record.state === "accepted" || record.state === "duplicate")) {
      report.alerts.push({ entry_id: record.entry_id, ...record.alert });
    }
  }
}

// GET /api/v1/keys and cache it; true if it changed (held entries then go once more, and
// new entries are sealed to the new current key).
export async function refreshKeySet({ store, transport, retry, report = null }) {
  const keySet = checkedKeySet(await retry.call(() => transport.getKeys()));
  const before = await store.get("key_set");
  const changed = situation(keySet, "") !== situation(before, "");
  if (changed) await store.put("key_set", keySet);
  if (report) report.keys_refreshed ||= changed;
  return changed;
}
