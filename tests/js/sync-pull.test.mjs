// Pulling the change feed with the JavaScript client (js/sync/pull.js): pages, the
// cursor, snapshots, keys, and pages the app must refuse, against the HTTP double.
import { test } from "node:test";
import assert from "node:assert/strict";

import { enrolledPhone, newKey, startDouble } from "./sync-double.mjs";

const task = (id) => ({ type: "task", op: "upsert", id, data: { task_id: id, due_at: "2026-11-21T08:00:00-05:00" } });
const remove = (type, id) => ({ type, op: "delete", id, data: null });

// A feed of pages by cursor: "" is the snapshot's first page.
function feedOf(double, pages) {
  double.feed = (cursor) => {
    const page = pages[cursor ?? ""];
    if (!page) throw new Error(`no page for cursor ${cursor}`);
    return page;
  };
}

async function ids(store, type) {
  return (await store.items.list(type)).map((item) => item.id);
}

test("it pulls every page while has_more and keeps the last cursor", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client, store } = await enrolledPhone(double);
  feedOf(double, {
    "": { cursor: "s1", has_more: true, changes: [task("tsk_a"), task("tsk_b")] },
    s1: { cursor: "s2", has_more: false, changes: [{ type: "profile", op: "upsert", id: "pt_1",
      data: { language: "es", timezone: "America/Chicago" } }] },
  });
  const report = await client.sync({ pullLimit: 2 });
  assert.deepEqual([report.error, report.pulled], [null, 3]);
  assert.deepEqual(await ids(store, "task"), ["tsk_a", "tsk_b"]);
  assert.equal((await store.items.list("profile"))[0].data.language, "es");
  assert.equal(await store.get("cursor"), "s2");
  const pulls = double.requests.filter((r) => r.path === "/api/v1/sync/pull");
  assert.deepEqual(pulls.map((r) => [r.query.get("cursor"), r.query.get("limit")]),
    [[null, "2"], ["s1", "2"]]);
});

test("changes after the snapshot upsert and delete single items", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client, store } = await enrolledPhone(double);
  feedOf(double, {
    "": { cursor: "s1", has_more: false, changes: [task("tsk_a"), task("tsk_b")] },
    s1: { cursor: "s2", has_more: false, changes: [remove("task", "tsk_a"), task("tsk_c")] },
    s2: { cursor: "s2", has_more: false, changes: [] },
  });
  await client.sync();
  await client.sync();
  assert.deepEqual(await ids(store, "task"), ["tsk_b", "tsk_c"]);
});

test("a complete snapshot removes what it no longer lists; a partial one removes nothing",
  async (t) => {
    const double = await startDouble();
    t.after(double.close);
    const { client, store } = await enrolledPhone(double);
    for (const id of ["tsk_old", "tsk_kept"]) await store.items.put("task", id, { task_id: id });
    await store.put("item_types", ["task"]);
    feedOf(double, {
      "": { cursor: "s1", has_more: true, changes: [task("tsk_kept")] },
      s1: { cursor: "s2", has_more: false, changes: [task("tsk_new")] },
    });
    // the second page is lost five times over: the snapshot is cut short after its first page
    let lost = 0;
    const feed = double.feed;
    double.feed = (cursor) => (cursor === "s1" && lost++ < 5 ? { drop: true } : feed(cursor));
    const cut = await client.sync();
    assert.notEqual(cut.error, null);
    assert.deepEqual(await ids(store, "task"), ["tsk_kept", "tsk_old"], "nothing removed yet");
    assert.equal(await store.get("cursor"), "s1", "the next sync continues the same snapshot");
    const done = await client.sync();
    assert.equal(done.error, null);
    assert.deepEqual(await ids(store, "task"), ["tsk_kept", "tsk_new"]);
  });

test("a refused cursor is dropped once and a full snapshot taken", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client, store } = await enrolledPhone(double);
  await store.put("cursor", "edited");
  feedOf(double, { "": { cursor: "s1", has_more: false, changes: [task("tsk_a")] } });
  double.answerNext("/api/v1/sync/pull", () => ({ status: 400, body: { error: {
    code: "invalid_request", message: "The cursor is not valid.",
    details: { fields: { cursor: ["Not a cursor this server made."] } } } } }));
  const report = await client.sync();
  assert.deepEqual([report.error, report.cursor_reset], [null, true]);
  assert.equal(await store.get("cursor"), "s1");
  assert.deepEqual(await ids(store, "task"), ["tsk_a"]);
});

test("a keys change replaces the key set new entries are sealed to; a keys delete is ignored",
  async (t) => {
    const double = await startDouble();
    t.after(double.close);
    const { client } = await enrolledPhone(double);
    const rotated = newKey("k9");
    double.keys = [rotated, ...double.keys];
    feedOf(double, {
      "": { cursor: "s1", has_more: false, changes: [
        { type: "keys", op: "upsert", id: "keys", data: double.keySet() }] },
      s1: { cursor: "s2", has_more: false, changes: [remove("keys", "keys")] },
      s2: { cursor: "s2", has_more: false, changes: [] },
    });
    await client.sync();
    await client.sync();
    assert.equal((await client.status()).current_kid, "k9");
    const entry = await client.record("symptom-diary", "1.0.0", null, { temperature_c: 37 });
    assert.equal(entry.kid, "k9");
    assert.equal((await client.sync()).accepted, 1);
  });

test("a page the app cannot apply is refused whole and the cursor stays", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client, store } = await enrolledPhone(double);
  for (const bad of [
    { type: "task", op: "rename", id: "tsk_a", data: {} },
    { type: "task", op: "upsert", id: "tsk_a", data: null },
    { type: "keys", op: "upsert", id: "keys", data: { current: "kx", keys: [] } },
  ]) {
    feedOf(double, { "": { cursor: "s1", has_more: false, changes: [task("tsk_first"), bad] } });
    const report = await client.sync();
    assert.ok(report.error, JSON.stringify(bad));
    assert.deepEqual(await ids(store, "task"), []);
    assert.equal(await store.get("cursor"), undefined);
  }
});

test("pulled alerts carry the care team's message to the family", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  feedOf(double, { "": { cursor: "s1", has_more: false, changes: [{ type: "alert", op: "upsert",
    id: "al_1", data: { alert_id: "al_1", entry_id: "e1", level: "urgent", status: "acknowledged",
      reasons: ["fever"], message: "Nina will call you in 10 minutes." } }] } });
  await client.sync();
  const [alert] = await client.alerts();
  assert.deepEqual([alert.status, alert.message], ["acknowledged", "Nina will call you in 10 minutes."]);
});
