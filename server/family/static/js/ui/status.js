// What the family is told about sending: how many entries wait, when all was last sent, and
// what became of each entry. The outbox (js/sync/) owns the truth while an entry is on the
// phone; the journal keeps the final word once the server has answered.
import {settle} from "../journal.js";

const FINAL = new Set(["accepted", "duplicate", "quarantined", "rejected"]);
const SENT = new Set(["accepted", "duplicate"]);

export function stateOf(record) {
  return record?.state ?? record?.status ?? "waiting";
}

export function idOf(record) {
  return record?.entry_id ?? record?.id ?? record?.envelope?.entry_id;
}

export async function readStatus(app) {
  const outbox = await app.store.outbox.list();
  const states = new Map(outbox.map((record) => [idOf(record), record]));
  const waiting = outbox.filter((record) => ["waiting", "sending"].includes(stateOf(record)));
  const held = outbox.filter((record) => stateOf(record) === "rejected");
  return {
    waiting: waiting.length, held, outbox: states,
    lastSentAt: await app.store.get("app_last_sent_at"),
    needsEnrolment: Boolean(await app.store.get("app_needs_enrolment")),
  };
}

/** The family-facing status of one journal entry: waiting, sending, sent, quarantined, rejected. */
export function entryStatus(row, outbox) {
  const record = outbox.get(row.entry_id);
  const state = record ? stateOf(record) : row.status;
  if (SENT.has(state) || (!record && row.status === "waiting")) {
    // Gone from the outbox without a word about it means the server stored it.
    return {status: "sent"};
  }
  if (state === "quarantined" || state === "rejected") {
    return {status: state, problem: record?.error ?? record?.problem ?? row.problem ?? null};
  }
  return {status: state === "sending" ? "sending" : (FINAL.has(state) ? state : "waiting")};
}

export async function applyReport(app, report) {
  if (!report) return;
  const store = app.store;
  const error = report.error;
  const code = typeof error === "string" ? error : error?.code;
  if (code === "device_revoked" || report.needs_enrolment) {
    await store.put("app_needs_enrolment", true);
  }
  if (!error) {
    await store.put("app_last_sent_at", new Date().toISOString());
  }
  // Per-entry results when the client reports them; otherwise the outbox tells.
  for (const result of report.results ?? report.entries ?? []) {
    if (result?.entry_id && FINAL.has(result.status)) {
      await settle(store, result.entry_id, result.status === "duplicate" ? "accepted" : result.status,
                   result.error ?? null);
    }
  }
  const outbox = await store.outbox.list();
  for (const record of outbox) {
    const state = stateOf(record);
    if (FINAL.has(state)) {
      await settle(store, idOf(record), state === "duplicate" ? "accepted" : state,
                   record.error ?? record.problem ?? null);
    }
  }
}
