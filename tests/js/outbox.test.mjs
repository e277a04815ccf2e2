// The outbox state machine (js/sync/outbox.js) over the in-memory store: every transition
// an entry can take between Save and the care team having it.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  answered, createOutbox, describe, isSendable, queued, retried, sending, unanswered,
} from "../../server/family/static/js/sync/outbox.js";
import { createMemoryStore } from "../../server/family/static/js/sync/memory-store.js";

const HERE = "k1|dev_1";
const LATER = "k2|dev_1";
let counter = 0;

function envelopeAndDocument(answers = { temperature_c: 38.9 }) {
  counter += 1;
  const entryId = `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`;
  return [
    { entry_id: entryId, kid: "k1", sealed: `sealed-bytes-${counter}` },
    { entry_id: entryId, device_id: "dev_1", patient_id: "pt_1", questionnaire_id: "symptom-diary",
      questionnaire_version: "1.0.0", task_id: "tsk_1", respondent: "caregiver",
      recorded_at: "2026-11-20T14:02:00-05:00", supersedes: null, answers },
  ];
}

async function outboxWith(count) {
  const store = createMemoryStore();
  const outbox = createOutbox(store, { now: () => new Date("2026-11-20T19:05:00Z") });
  const records = [];
  for (let i = 0; i < count; i += 1) records.push(await outbox.add(...envelopeAndDocument()));
  return { store, outbox, records };
}

test("a saved entry waits in the outbox with what the app shows, never its answers", async () => {
  const { store, records } = await outboxWith(1);
  const [record] = await store.outbox.list();
  assert.equal(record.state, "waiting");
  assert.equal(record.sealed, records[0].sealed);
  assert.equal(record.task_id, "tsk_1");
  assert.equal(record.recorded_at, "2026-11-20T14:02:00-05:00");
  assert.ok(!JSON.stringify(record).includes("38.9"), "the answers must not be stored");
  assert.equal(describe(record).text, "Waiting to send. It is safe on this phone.");
});

test("entries are listed and sent in the order they were recorded", async () => {
  const { outbox, records } = await outboxWith(5);
  assert.deepEqual((await outbox.sendable(HERE)).map((r) => r.entry_id),
    records.map((r) => r.entry_id));
});

test("accepted: it leaves the unsent list, drops its sealed bytes and keeps its alert", async () => {
  const { outbox, records } = await outboxWith(2);
  const batch = await outbox.markSending(records);
  assert.deepEqual(batch.map((r) => r.state), ["sending", "sending"]);
  const settled = await outbox.applyAnswer(batch, { results: [
    { entry_id: records[0].entry_id, status: "accepted", alert: { alert_id: "al_1", level: "urgent" } },
    { entry_id: records[1].entry_id, status: "duplicate" },
  ] }, HERE);
  assert.deepEqual(settled.map((r) => r.state), ["accepted", "duplicate"]);
  assert.deepEqual(settled[0].alert, { alert_id: "al_1", level: "urgent" });
  assert.equal(settled[0].sealed, null);
  assert.equal(await outbox.pendingCount(), 0);
  assert.deepEqual(await outbox.sendable(HERE), []);
  assert.equal(describe(settled[1]).text, "Sent.");
  assert.equal(describe(settled[0], "es").text, "Enviado.");
});

test("quarantined: stored by the server, shown to the family in words with the reason", async () => {
  const { outbox, records } = await outboxWith(1);
  const [record] = await outbox.applyAnswer(await outbox.markSending(records), { results: [{
    entry_id: records[0].entry_id, status: "quarantined",
    error: { code: "unknown_item", message: "The questionnaire has no item no_such_item.",
      field: "answers.no_such_item" } }] }, HERE);
  assert.equal(record.state, "quarantined");
  assert.equal(await outbox.pendingCount(), 0);
  const shown = describe(record);
  assert.match(shown.text, /^Sent\. The care team will check it/);
  assert.equal(shown.detail, "The questionnaire has no item no_such_item.");
  assert.deepEqual(shown.actions, ["ask_team"]);
  assert.match(describe(record, "es").text, /El equipo médico lo revisará/);
});

test("rejected: held with the reason, 'try again' and 'ask the team', not resent blindly",
  async () => {
    const { outbox, records } = await outboxWith(2);
    const settled = await outbox.applyAnswer(await outbox.markSending(records), { results: [
      { entry_id: records[0].entry_id, status: "rejected",
        error: { code: "decrypt_failed", message: "The envelope does not open." } },
      { entry_id: records[1].entry_id, status: "rejected",
        error: { code: "conflict", message: "Another version is stored." } },
    ] }, HERE);
    assert.deepEqual(settled.map((r) => r.state), ["rejected", "rejected"]);
    assert.equal(await outbox.pendingCount(), 2, "rejected entries are still on the phone");
    assert.deepEqual(await outbox.sendable(HERE), [], "the same bytes in the same situation cannot succeed");
    const shown = describe(settled[0]);
    assert.match(shown.text, /^Not delivered\. If you are worried about your child, call the care team now\./);
    assert.deepEqual(shown.actions, ["retry", "ask_team"]);
    assert.equal(shown.labels.retry, "Try again");
    assert.deepEqual(describe(settled[1]).actions, ["ask_team"], "a conflict cannot be retried");
  });

test("a rejected entry goes again once the key set or the enrolment changed", async () => {
  const { outbox, records } = await outboxWith(1);
  await outbox.applyAnswer(await outbox.markSending(records), { results: [
    { entry_id: records[0].entry_id, status: "rejected", error: { code: "unknown_key" } }] }, HERE);
  assert.deepEqual((await outbox.sendable(LATER)).map((r) => r.entry_id), [records[0].entry_id]);
});

test("'try again' puts one rejected entry, or all, back to waiting", async () => {
  const { outbox, records } = await outboxWith(3);
  await outbox.applyAnswer(await outbox.markSending(records), { results: records.map((r) => ({
    entry_id: r.entry_id, status: "rejected", error: { code: "decrypt_failed" } })) }, HERE);
  assert.equal(await outbox.retry(records[1].entry_id), 1);
  assert.deepEqual((await outbox.sendable(HERE)).map((r) => r.entry_id), [records[1].entry_id]);
  assert.equal(await outbox.retry(), 2);
  assert.equal((await outbox.sendable(HERE)).length, 3);
  assert.equal(await outbox.retry(), 0, "nothing rejected is left to retry");
});

test("no answer (offline, timeout, server down): the batch goes back to waiting", async () => {
  const { outbox, records } = await outboxWith(2);
  const batch = await outbox.markSending(records);
  const back = await outbox.markUnanswered(batch);
  assert.deepEqual(back.map((r) => r.state), ["waiting", "waiting"]);
  assert.equal((await outbox.sendable(HERE)).length, 2);
  assert.deepEqual(back.map((r) => r.attempts), [1, 1]);
});

test("an entry the answer says nothing usable about stays unsent and goes again", async () => {
  const { outbox, records } = await outboxWith(2);
  const settled = await outbox.applyAnswer(await outbox.markSending(records), { results: [
    { entry_id: records[0].entry_id, status: "accepted" },
    { entry_id: records[1].entry_id, status: "mystery" }] }, HERE);
  assert.deepEqual(settled.map((r) => r.state), ["accepted", "waiting"]);
  assert.deepEqual((await outbox.sendable(HERE)).map((r) => r.entry_id), [records[1].entry_id]);
});

test("a page closed mid-push loses nothing: the entries go again, come back duplicate, settle",
  async () => {
    const { store, outbox, records } = await outboxWith(3);
    await outbox.markSending(records); // the page closes here, the answer never arrives
    const reopened = createOutbox(store); // the app opens again over the same store
    const again = await reopened.sendable(HERE);
    assert.deepEqual(again.map((r) => r.entry_id), records.map((r) => r.entry_id));
    assert.equal(describe(again[0]).text, "Sending…");
    const settled = await reopened.applyAnswer(await reopened.markSending(again), {
      results: again.map((r) => ({ entry_id: r.entry_id, status: "duplicate" })) }, HERE);
    assert.deepEqual(settled.map((r) => r.state), ["duplicate", "duplicate", "duplicate"]);
    assert.equal(await reopened.pendingCount(), 0);
    assert.equal((await reopened.list()).length, 3, "the history keeps all three, once each");
  });

test("the pure transitions never go from settled back to sending", () => {
  const [envelope, document] = envelopeAndDocument();
  const record = answered(sending(queued(envelope, document, 1)), { status: "accepted" }, HERE, "t");
  assert.equal(isSendable(record, HERE), false);
  assert.equal(isSendable(record, LATER), false);
  assert.equal(unanswered(record).state, "accepted");
  assert.equal(retried(record).state, "accepted");
});
