// The app's sealing against docs/vectors/entry-sealing.json, byte for byte, with both
// X25519 implementations the app may use (WebCrypto's and hpke-js's pure JS).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";

import {
  entryInfo, entryPlaintext, fromBase64url, newEntryDocument, openSealed, rfc3339, sealBytes,
  sealEntry, sealingSuite, toBase64url, EntryError,
} from "../../server/family/static/js/sync/sealing.js";

const vector = JSON.parse(readFileSync(
  new URL("../../docs/vectors/entry-sealing.json", import.meta.url), "utf8"));
const hex = (text) => Uint8Array.from(text.match(/../g), (pair) => parseInt(pair, 16));
const toHex = (bytes) => Buffer.from(bytes).toString("hex");
const IMPLEMENTATIONS = ["webcrypto", "pure-js"];

// The ephemeral key pair of the vector, handed to hpke-js through its `ekm` test
// parameter: the raw private key imported through hpke-js, its public key computed by
// Node's own X25519, independently of hpke-js.
async function vectorEphemeralKeyPair(x25519) {
  const suite = await sealingSuite(x25519);
  const privateRaw = hex(vector.ephemeral_private_key_hex);
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"),
    Buffer.from(privateRaw)]);
  const publicJwk = createPublicKey(createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }))
    .export({ format: "jwk" });
  return {
    privateKey: await suite.kem.importKey("raw", privateRaw, false),
    publicKey: await suite.kem.importKey("raw", fromBase64url(publicJwk.x), true),
  };
}

test("it builds the vector's info string and plaintext bytes from the entry", () => {
  const entry = vector.entry;
  assert.equal(new TextDecoder().decode(entryInfo(entry.entry_id, entry.device_id)),
    vector.info_utf8);
  const document = newEntryDocument({
    entryId: entry.entry_id, deviceId: entry.device_id, patientId: entry.patient_id,
    questionnaireId: entry.questionnaire_id, questionnaireVersion: entry.questionnaire_version,
    taskId: entry.task_id, respondent: entry.respondent, recordedAt: entry.recorded_at,
    supersedes: entry.supersedes, answers: entry.answers,
  });
  assert.equal(new TextDecoder().decode(entryPlaintext(document)), vector.plaintext_utf8);
});

for (const x25519 of IMPLEMENTATIONS) {
  test(`it seals the vector byte for byte with ${x25519} X25519`, async () => {
    const sealed = await sealBytes({
      publicKey: fromBase64url(vector.server_public_key),
      info: new TextEncoder().encode(vector.info_utf8),
      plaintext: new TextEncoder().encode(vector.plaintext_utf8),
      x25519, ekm: await vectorEphemeralKeyPair(x25519),
    });
    assert.equal(toHex(sealed.slice(0, 32)), vector.intermediate_hex.enc);
    assert.equal(toHex(sealed.slice(32)), vector.intermediate_hex.ciphertext);
    assert.equal(toBase64url(sealed), vector.envelope.sealed);
  });

  test(`it seals the vector's second sealing from its ikmE (DeriveKeyPair) with ${x25519} X25519`,
    { skip: vector.derived_ephemeral ? false : "the vector has no derived_ephemeral.ikmE_hex yet" },
    async () => {
      const derived = vector.derived_ephemeral;
      const sealed = await sealBytes({
        publicKey: fromBase64url(vector.server_public_key),
        info: new TextEncoder().encode(vector.info_utf8),
        plaintext: new TextEncoder().encode(vector.plaintext_utf8),
        x25519, ekm: hex(derived.ikmE_hex).buffer,
      });
      assert.equal(toHex(sealed.slice(0, 32)), derived.ephemeral_public_key_hex);
      assert.equal(toBase64url(sealed), derived.envelope.sealed);
    });

  test(`it opens the vector's envelope with the server key using ${x25519} X25519`, async () => {
    const plaintext = await openSealed({
      privateKey: hex(vector.server_private_key_hex), sealed: vector.envelope.sealed,
      entryId: vector.envelope.entry_id, deviceId: vector.entry.device_id, x25519,
    });
    assert.equal(new TextDecoder().decode(plaintext), vector.plaintext_utf8);
  });
}

test("an entry sealed by one implementation opens with the other, and only under its ids",
  async () => {
    const document = { ...vector.entry, entry_id: crypto.randomUUID() };
    const key = { kid: "kvector1", public_key: vector.server_public_key };
    const privateKey = hex(vector.server_private_key_hex);
    for (const [sealer, opener] of [["webcrypto", "pure-js"], ["pure-js", "webcrypto"]]) {
      const envelope = await sealEntry({ key, deviceId: document.device_id, document, x25519: sealer });
      assert.deepEqual(Object.keys(envelope), ["entry_id", "kid", "sealed"]);
      assert.equal(envelope.kid, "kvector1");
      const opened = await openSealed({ privateKey, sealed: envelope.sealed,
        entryId: document.entry_id, deviceId: document.device_id, x25519: opener });
      assert.deepEqual(JSON.parse(new TextDecoder().decode(opened)), document);
      await assert.rejects(openSealed({ privateKey, sealed: envelope.sealed,
        entryId: document.entry_id, deviceId: "dev_another", x25519: opener }));
    }
  });

test("two seals of the same entry differ (fresh ephemeral keys) and are unpadded base64url",
  async () => {
    const key = { kid: "k", public_key: vector.server_public_key };
    const first = await sealEntry({ key, deviceId: vector.entry.device_id, document: vector.entry });
    const second = await sealEntry({ key, deviceId: vector.entry.device_id, document: vector.entry });
    assert.notEqual(first.sealed, second.sealed);
    assert.match(first.sealed, /^[A-Za-z0-9_-]+$/);
  });

test("it refuses to seal an entry that names another device or to a key that is not X25519",
  async () => {
    const key = { kid: "k", public_key: vector.server_public_key };
    await assert.rejects(sealEntry({ key, deviceId: "dev_other", document: vector.entry }), EntryError);
    await assert.rejects(sealEntry({ key: { kid: "k", public_key: "AAAA" },
      deviceId: vector.entry.device_id, document: vector.entry }), EntryError);
  });

test("the entry document carries the variant when given and refuses what the server could not read",
  () => {
    const base = { deviceId: "dev_1", patientId: "pt_1", questionnaireId: "symptom-diary",
      questionnaireVersion: "1.0.0", respondent: "caregiver",
      recordedAt: "2026-11-20T14:02:00-05:00", answers: { temperature_c: 38.6 } };
    const document = newEntryDocument({ ...base, variant: "ice-style", taskId: "tsk_1" });
    assert.equal(document.questionnaire_variant, "ice-style");
    assert.match(document.entry_id, /^[0-9a-f-]{36}$/);
    assert.equal(document.task_id, "tsk_1");
    assert.equal(newEntryDocument(base).questionnaire_variant, undefined);
    for (const wrong of [{ answers: { t: NaN } }, { answers: { t: Infinity } }, { answers: [] },
      { answers: { t: undefined } }, { recordedAt: "2026-11-20T14:02:00" },
      { respondent: "nurse" }, { supersedes: "not-an-id" }, { questionnaireId: "" }]) {
      assert.throws(() => newEntryDocument({ ...base, ...wrong }), EntryError, JSON.stringify(wrong));
    }
  });

test("recorded_at is the device's local time with its own offset, to the second", () => {
  const text = rfc3339(new Date(Date.UTC(2026, 10, 20, 19, 2, 0, 750)));
  assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.equal(new Date(text).getTime(), Date.UTC(2026, 10, 20, 19, 2, 0));
});
