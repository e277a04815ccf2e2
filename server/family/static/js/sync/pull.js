// Pulling the change feed (docs/protocol.md, "Pull"; docs/client.md, "Pulling").
//
// - No stored cursor means a full snapshot; afterwards only what changed. Each page is
//   applied item by item and the new cursor is stored LAST: a page closed halfway keeps
//   the old cursor, pulls the same page again and applies it again (upserts and deletes
//   of one item are idempotent).
// - A snapshot says what exists, not what was deleted. The ids it confirms are kept in
//   `snapshot`; when its last page is applied, items it did not confirm are gone on the
//   server and are removed here. Until then old items stay, so a snapshot cut short never
//   leaves the app with half its tasks.
// - A refused cursor (400 naming `cursor`: edited, another device's, from before a
//   server restore) is dropped and a full snapshot taken, once per sync.
// - Before applying, the stored cursor must still be the one the page was asked with,
//   so two tabs syncing at once never move the cursor backwards.
import { checkedKeySet } from "./keyset.js";
import { ApiError, BadAnswer } from "./transport.js";

export const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 500;
const MAX_PAGES = 1000; // a server that says has_more forever must not keep the phone busy
const OPS = ["upsert", "delete"];

export class CursorMoved extends Error {
  constructor() {
    super("Another sync on this phone moved the cursor meanwhile.");
    this.code = "sync_in_progress";
    this.retryable = true;
  }
}

export async function pullChanges({ store, transport, retry, report, limit = DEFAULT_LIMIT }) {
  limit = Math.max(1, Math.min(MAX_LIMIT, Math.trunc(limit) || DEFAULT_LIMIT));
  let cursorReset = false;
  for (let pages = 0; pages < MAX_PAGES; pages += 1) {
    const cursor = (await store.get("cursor")) ?? null;
    let page;
    try {
      page = checkedPage(await retry.call(() => transport.pull(cursor, limit)));
    } catch (error) {
      const refused = error instanceof ApiError && error.status === 400 && error.namesField("cursor");
      if (refused && cursor !== null && !cursorReset) {
        if ((await store.get("cursor")) === cursor) await store.put("cursor", null);
        report.cursor_reset = cursorReset = true;
        continue;
      }
      throw error;
    }
    await applyPage(store, cursor, page);
    report.pulled += page.changes.length;
    // The server's clock at its last page: the app compares it with the phone's.
    if (!page.has_more) return Number.isFinite(Date.parse(page.server_time)) ? page.server_time : null;
  }
  throw new BadAnswer(`The server still had more changes after ${MAX_PAGES} pages.`);
}

// Refuses a page this client cannot apply faithfully, before touching anything.
export function checkedPage(page) {
  if (typeof page.cursor !== "string" || typeof page.has_more !== "boolean" ||
      !Array.isArray(page.changes)) {
    throw new BadAnswer("The pull answer lacks cursor, has_more or changes.");
  }
  for (const change of page.changes) {
    const usable = change && typeof change === "object" && OPS.includes(change.op) &&
      typeof change.type === "string" && typeof change.id === "string" &&
      (change.op === "delete" || (change.data && typeof change.data === "object"));
    if (!usable) {
      throw new BadAnswer(`The pull answer holds a change this app cannot apply: ` +
        JSON.stringify(change).slice(0, 120));
    }
  }
  // keys first: an unusable key set refuses the whole page, before anything is applied
  for (const change of page.changes) {
    if (change.type === "keys" && change.op === "upsert") checkedKeySet(change.data);
  }
  return page;
}

async function applyPage(store, requestedCursor, page) {
  if (((await store.get("cursor")) ?? null) !== requestedCursor) throw new CursorMoved();
  const snapshot = requestedCursor === null ? { confirmed: {} } : await store.get("snapshot");
  const types = new Set((await store.get("item_types")) ?? []);
  for (const change of page.changes) {
    await applyChange(store, change);
    if (change.type === "keys") continue;
    types.add(change.type);
    if (snapshot && change.op === "upsert") {
      (snapshot.confirmed[change.type] ??= []).push(change.id);
    }
  }
  await store.put("item_types", [...types].sort());
  if (snapshot && !page.has_more) {
    await forgetUnconfirmed(store, types, snapshot.confirmed);
    await store.put("snapshot", null);
  } else if (snapshot) {
    await store.put("snapshot", snapshot);
  }
  await store.put("cursor", page.cursor); // last: the page is applied only once this is
}

async function applyChange(store, change) {
  if (change.type === "keys") {
    // A deleted key set is ignored: the app must always have a key to seal to offline.
    if (change.op === "upsert") await store.put("key_set", change.data);
    return;
  }
  // Types this app does not know yet are kept too; a newer version of the app may.
  if (change.op === "upsert") await store.items.put(change.type, change.id, change.data);
  else await store.items.delete(change.type, change.id);
}

async function forgetUnconfirmed(store, types, confirmed) {
  for (const type of types) {
    const kept = new Set(confirmed[type] ?? []);
    for (const item of await store.items.list(type)) {
      if (!kept.has(item.id)) await store.items.delete(type, item.id);
    }
  }
}
