// The JavaScript sync client (js/sync/client.js) pushing to a real HTTP double of the
// server (sync-double.mjs). Against the real Homeward server: tests/test_js_sync_e2e.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readEnrolmentLink, normaliseCode } from "../../server/family/static/js/sync/client.js";
import { retryAfterSeconds } from "../../server/family/static/js/sync/transport.js";
import { enrolledPhone, newKey, startDouble } from "./sync-double.mjs";

const diary = (temperature = 36.8) => ({ temperature_c: temperature, temperature_method: "oral" });

test("codes are read however a parent types or scans them", () => {
  assert.equal(normaliseCode(" 1b4d-ehnj cfv5 "), "1B4DEHNJCFV5");
  assert.deepEqual(readEnrolmentLink("https://homeward.example.org/app/#enrol=1B4D-EHNJ-CFV5"),
    { server: "https://homeward.example.org", code: "1B4DEHNJCFV5" });
  assert.deepEqual(readEnrolmentLink("homeward:enrol?server=https%3A%2F%2Fh.example&code=1b4d-ehnj-cfv5"),
    { server: "https://h.example", code: "1B4DEHNJCFV5" });
  assert.deepEqual(readEnrolmentLink("1b4d-ehnj-cfv5"), { server: null, code: "1B4DEHNJCFV5" });
  assert.equal(readEnrolmentLink("hello"), null);
});

test("it enrols with the code as the server wants it, and will not enrol twice", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  const [enrolment] = double.requests;
  assert.deepEqual(enrolment.body, { enrollment_code: "1B4DEHNJCFV5", device_name: "Test phone",
    platform: "web", app_version: "homeward-family-app/1.0" });
  assert.equal(enrolment.headers.authorization, undefined);
  assert.equal((await client.status()).device_id, "dev_1");
  await assert.rejects(client.enrol("1B4D-EHNJ-CFV5", "Again"), { code: "already_enrolled" });
});

test("a sync pushes sealed entries the server can open, then pulls", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  const normal = await client.record("symptom-diary", "1.0.0", "standard", diary(), { taskId: "tsk_1" });
  const fever = await client.record("symptom-diary", "1.0.0", null, diary(39.1));
  const report = await client.sync();
  assert.equal(report.error, null);
  assert.deepEqual([report.pushed, report.accepted, report.outbox_pending], [2, 2, 0]);
  assert.deepEqual(report.alerts.map((alert) => alert.entry_id), [fever.entry_id]);
  const stored = double.stored.get(normal.entry_id);
  assert.equal(stored.questionnaire_variant, "standard");
  assert.equal(stored.task_id, "tsk_1");
  assert.equal(new Date(stored.recorded_at).toISOString(), "2026-11-20T19:00:00.000Z");
  const [push] = double.pushes();
  assert.equal(push.headers.authorization, "Bearer hwd_secret");
  assert.equal(push.headers["homeward-app-version"], "homeward-family-app/1.0");
  assert.equal(push.body.outbox_pending, 0);
  assert.ok(double.requests.some((r) => r.path === "/api/v1/sync/pull"));
  assert.deepEqual((await client.alerts()).map((alert) => alert.status), ["open"]);
  assert.equal((await client.sync()).pushed, 0, "nothing is sent twice");
});

test("it pushes in batches of at most 500 entries, telling the server what is left", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  for (let i = 0; i < 1001; i += 1) await client.record("symptom-diary", "1.0.0", null, diary());
  const report = await client.sync();
  assert.equal(report.accepted, 1001);
  assert.deepEqual(double.pushes().map((r) => r.body.entries.length), [500, 500, 1]);
  assert.deepEqual(double.pushes().map((r) => r.body.outbox_pending), [501, 1, 0]);
});

test("it keeps every push under 2 MiB, measured on the bytes sent", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  const note = "x".repeat(400 * 1024);
  for (let i = 0; i < 8; i += 1) await client.record("symptom-diary", "1.0.0", null, { notes: note });
  assert.equal((await client.sync()).accepted, 8);
  const pushes = double.pushes();
  assert.ok(pushes.length >= 2);
  assert.ok(pushes.every((r) => r.bytes <= 2 * 1024 * 1024), pushes.map((r) => r.bytes).join());
});

test("a 413 adopts the server's limits and tries again with smaller batches", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  for (let i = 0; i < 10; i += 1) await client.record("symptom-diary", "1.0.0", null, diary());
  double.answerNext("/api/v1/sync/push", () => ({ status: 413, body: { error: {
    code: "payload_too_large", message: "Too large.", details: { max_entries: 4, max_bytes: 2097152 } } } }));
  const report = await client.sync();
  assert.equal(report.accepted, 10);
  assert.deepEqual(double.pushes().map((r) => r.body.entries.length), [10, 4, 4, 2]);
});

test("it honours Retry-After, with sent_at taken again at each attempt", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client, waits } = await enrolledPhone(double);
  await client.record("symptom-diary", "1.0.0", null, diary());
  double.answerNext("/api/v1/sync/push", () => ({ status: 429, headers: { "Retry-After": "7" },
    body: { error: { code: "rate_limited", message: "Slow down.", details: {} } } }));
  const report = await client.sync();
  assert.equal(report.accepted, 1);
  assert.deepEqual(waits, [7.5]); // 7 s asked, plus up to 1 s of jitter
  const [first, second] = double.pushes().map((r) => r.body.sent_at);
  assert.notEqual(first, second);
});

test("no answer: full-jitter backoff, then the entries wait for the next sync", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client, waits, store } = await enrolledPhone(double);
  const entry = await client.record("symptom-diary", "1.0.0", null, diary());
  for (let i = 0; i < 5; i += 1) double.answerNext("/api/v1/sync/push", () => ({ drop: true }));
  const report = await client.sync();
  assert.equal(report.error.code, "network_error");
  assert.equal(report.error.retryable, true);
  assert.deepEqual(waits, [0.5, 1, 2, 4]); // random() = 0.5 of 1, 2, 4, 8 s
  assert.equal(report.outbox_pending, 1);
  assert.equal((await store.outbox.list())[0].state, "waiting");
  assert.ok((await client.nextSyncDelay()) > 0);
  const next = await client.sync();
  assert.deepEqual([next.error, next.accepted], [null, 1]);
  assert.equal(double.stored.has(entry.entry_id), true);
  assert.equal(await client.nextSyncDelay(), null);
});

test("a long Retry-After ends the sync at once and tells the app when to come back", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client, waits } = await enrolledPhone(double);
  await client.record("symptom-diary", "1.0.0", null, diary());
  double.answerNext("/api/v1/sync/push", () => ({ status: 503, headers: { "Retry-After": "900" },
    body: "<html>maintenance</html>" }));
  const report = await client.sync();
  assert.deepEqual([report.error.code, report.retry_after, waits.length], ["http_503", 900, 0]);
  assert.ok((await client.nextSyncDelay()) >= 900);
});

test("errors that a retry cannot help are reported at once, in the server's words", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client, waits } = await enrolledPhone(double);
  await client.record("symptom-diary", "1.0.0", null, diary());
  double.answerNext("/api/v1/sync/push", () => ({ status: 400, body: { error: {
    code: "invalid_request", message: "sent_at is missing.", details: { fields: { sent_at: ["?"] } } } } }));
  const report = await client.sync();
  assert.deepEqual(report.error, { code: "invalid_request", message: "sent_at is missing.",
    retryable: false, retry_after: null, status: 400 });
  assert.equal(waits.length, 0);
});

test("a 200 that is not JSON (a captive portal) is retried, never taken as an answer", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  await client.record("symptom-diary", "1.0.0", null, diary());
  double.answerNext("/api/v1/sync/push", () => ({ status: 200, body: "<html>Sign in to Wi-Fi</html>" }));
  const report = await client.sync();
  assert.deepEqual([report.error, report.accepted], [null, 1]);
});

test("a revoked phone keeps its outbox, asks for a code, and re-enrols proving its old token",
  async (t) => {
    const double = await startDouble();
    t.after(double.close);
    const { client } = await enrolledPhone(double);
    await client.record("symptom-diary", "1.0.0", null, diary(38.5));
    double.answerNext("/api/v1/sync/push", () => ({ status: 401, body: { error: {
      code: "device_revoked", message: "This phone was removed.", details: {} } } }));
    const report = await client.sync();
    assert.equal(report.needs_enrolment, true);
    assert.equal(report.outbox_pending, 1);
    assert.equal((await client.status()).needs_enrolment, true);
    await client.enrol("2222-3333-4444", "Test phone");
    assert.deepEqual(double.requests.at(-1).body.replaces, { device_id: "dev_1", device_token: "hwd_secret" });
    assert.equal((await client.sync()).accepted, 1);
  });

test("unknown_key fetches the key set at once; new entries are sealed to the new key", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  const old = await client.record("symptom-diary", "1.0.0", null, diary());
  double.keys = [newKey("k2")]; // the server rotated and dropped k1
  const report = await client.sync();
  assert.deepEqual([report.rejected, report.keys_refreshed], [1, true]);
  assert.equal((await client.status()).current_kid, "k2");
  const fresh = await client.record("symptom-diary", "1.0.0", null, diary());
  assert.equal(fresh.kid, "k2");
  const entries = await client.entries();
  assert.equal(entries.find((e) => e.entry_id === old.entry_id).shown.state, "rejected");
});

test("two syncs started together run once", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  await client.record("symptom-diary", "1.0.0", null, diary());
  const [first, second] = await Promise.all([client.sync(), client.sync()]);
  assert.equal(first, second);
  assert.equal(double.pushes().length, 1);
});

test("Retry-After is read as seconds or as an HTTP date", () => {
  const now = Date.UTC(2026, 10, 20, 19, 0, 0);
  assert.equal(retryAfterSeconds("120", now), 120);
  assert.equal(retryAfterSeconds("Fri, 20 Nov 2026 19:02:30 GMT", now), 150);
  assert.equal(retryAfterSeconds("Fri, 20 Nov 2026 18:00:00 GMT", now), 0);
  assert.equal(retryAfterSeconds("soon", now), null);
  assert.equal(retryAfterSeconds(null, now), null);
});

test("a server that never answers times out as a network error, and the entry waits", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client, store } = await enrolledPhone(double, { timeoutMs: 200 });
  await client.record("symptom-diary", "1.0.0", null, diary());
  for (let i = 0; i < 5; i += 1) {
    double.answerNext("/api/v1/sync/push", () => new Promise(() => {})); // hangs
  }
  const report = await client.sync();
  assert.equal(report.error.code, "network_error");
  assert.equal((await store.outbox.list())[0].state, "waiting");
});

test("a push stored but whose answer was lost comes back duplicate, with the fever's alert",
  async (t) => {
    const double = await startDouble();
    t.after(double.close);
    const { client } = await enrolledPhone(double);
    const fever = await client.record("symptom-diary", "1.0.0", null, diary(39.4));
    const normal = await client.record("symptom-diary", "1.0.0", null, diary());
    double.answerNext("/api/v1/sync/push", double.storeThenLoseAnswer);
    const report = await client.sync();
    assert.deepEqual([report.error, report.accepted, report.duplicates], [null, 0, 2]);
    assert.deepEqual(report.alerts.map((alert) => alert.entry_id), [fever.entry_id]);
    assert.deepEqual((await client.alerts()).map((alert) => alert.entry_id), [fever.entry_id]);
    assert.deepEqual([...double.stored.keys()], [fever.entry_id, normal.entry_id]);
  });
