// What the phone advised travels inside the sealed entry (docs/protocol.md, `phone_advice`),
// so the server can count drift between its alerts and the phone's advice.
import { test } from "node:test";
import assert from "node:assert/strict";

import { EntryError, newEntryDocument } from "../../server/family/static/js/sync/sealing.js";
import { enrolledPhone, startDouble } from "./sync-double.mjs";

const base = {
  entryId: "0b0e6f52-7c43-4d55-9a83-2f1e0c1c7e11", deviceId: "dev_1", patientId: "pat_1",
  questionnaireId: "symptom-diary", questionnaireVersion: "1.0.0", respondent: "caregiver",
  recordedAt: "2026-11-20T03:02:00-05:00", answers: { temperature_c: 38.6 },
};

test("the entry says what the phone advised, exactly as the protocol spells it", () => {
  const document = newEntryDocument({ ...base,
    phoneAdvice: { level: "urgent", rules_signature: "r-4f2a" } });
  assert.deepEqual(document.phone_advice, { level: "urgent", rules_signature: "r-4f2a" });
  const calm = newEntryDocument({ ...base, phoneAdvice: { level: null, rules_signature: null } });
  assert.deepEqual(calm.phone_advice, { level: null, rules_signature: null });
});

test("an entry recorded without advice carries no phone_advice at all", () => {
  assert.equal("phone_advice" in newEntryDocument(base), false);
});

test("advice in a shape the server would ignore is refused before anything is sealed", () => {
  for (const phoneAdvice of ["urgent", ["urgent"], { level: "URGENT" }, { level: "severe" },
    { level: "urgent", rules_signature: 7 }, { level: "urgent", rules_signature: "" }]) {
    assert.throws(() => newEntryDocument({ ...base, phoneAdvice }), EntryError, JSON.stringify(phoneAdvice));
  }
});

test("record() seals the advice into the entry the server opens, and keeps it on the outbox record", async (t) => {
  const double = await startDouble();
  t.after(double.close);
  const { client } = await enrolledPhone(double);
  const advised = await client.record("symptom-diary", "1.0.0", null, { temperature_c: 38.6 },
    { phoneAdvice: { level: "urgent", rules_signature: "r-4f2a" } });
  const plain = await client.record("symptom-diary", "1.0.0", null, { temperature_c: 36.6 });
  assert.deepEqual(advised.phone_advice, { level: "urgent", rules_signature: "r-4f2a" });
  assert.equal(plain.phone_advice, null);
  assert.equal((await client.sync()).accepted, 2);
  assert.deepEqual(double.stored.get(advised.entry_id).phone_advice,
    { level: "urgent", rules_signature: "r-4f2a" });
  assert.equal("phone_advice" in double.stored.get(plain.entry_id), false);
  const [kept] = (await client.outbox.list()).filter((item) => item.entry_id === advised.entry_id);
  assert.equal(kept.phone_advice.level, "urgent");
  assert.equal("answers" in kept, false, "the outbox never keeps the answers in the clear");
});
