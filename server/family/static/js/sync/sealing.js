// Sealing an entry on the phone (docs/protocol.md, "Sealing an entry").
//
// HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, with
// info = "homeward/v1/entry|" + entry_id + "|" + device_id and sealed = enc || ciphertext
// in unpadded base64url. The info binds both ids, so an envelope cannot be replayed under
// another entry id or pushed by another device. HPKE itself is hpke-js, vendored
// (vendor/hpke/VENDOR.md): WebCrypto's X25519 where the browser has it, the pure-JS
// X25519 of @hpke/dhkem-x25519 where it does not (phones whose browser predates 2025).
import {
  Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256,
} from "../../vendor/hpke/core/mod.js";
import { DhkemX25519HkdfSha256 as PureJsX25519 } from "../../vendor/hpke/dhkem-x25519/mod.js";

export const SUITE_NAME = "X25519-HKDF-SHA256-AES128GCM";
const ENC_BYTES = 32;
const TAG_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESPONDENTS = ["caregiver", "patient"];
// Levels a phone may say it found (docs/protocol.md, `phone_advice`), most severe first.
export const ADVICE_LEVELS = ["emergency", "urgent", "attention", "info"];

export class EntryError extends Error {
  // The entry cannot be recorded as given; nothing was sealed or stored.
  constructor(message) { super(message); this.name = "EntryError"; }
}

// -- base64url, unpadded ----------------------------------------------------------------

export function toBase64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64url(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) {
    throw new TypeError("not unpadded base64url");
  }
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

// -- the suite ----------------------------------------------------------------------------

function suiteWith(kem) {
  return new CipherSuite({ kem, kdf: new HkdfSha256(), aead: new Aes128Gcm() });
}

let chosen = null;

// Whether this browser's WebCrypto does X25519 (only recent browsers do); asked once,
// by importing a public key, which is what sealing needs first.
async function webCryptoHasX25519() {
  try {
    await crypto.subtle.importKey("raw", new Uint8Array(32).fill(9), { name: "X25519" },
      true, []);
    return true;
  } catch {
    return false;
  }
}

// The suite to seal with: x25519 = "webcrypto" or "pure-js" forces one (tests), otherwise
// WebCrypto's when it has X25519. Both give the same bytes for the same ephemeral key.
export async function sealingSuite(x25519) {
  if (x25519 === "webcrypto") return suiteWith(new DhkemX25519HkdfSha256());
  if (x25519 === "pure-js") return suiteWith(new PureJsX25519());
  chosen ??= webCryptoHasX25519().then((native) =>
    suiteWith(native ? new DhkemX25519HkdfSha256() : new PureJsX25519()));
  return chosen;
}

export function entryInfo(entryId, deviceId) {
  return new TextEncoder().encode("homeward/v1/entry|" + entryId + "|" + deviceId);
}

// The entry document as UTF-8 JSON. Key order and spacing do not matter to the server;
// JSON.stringify keeps the order newEntryDocument wrote, as the Python client does.
export function entryPlaintext(document) {
  return new TextEncoder().encode(JSON.stringify(document));
}

// enc || ciphertext for `plaintext`, sealed to the raw 32-byte X25519 `publicKey`.
// `ekm` fixes the ephemeral key pair, as RFC 9180's test vectors do: tests only.
export async function sealBytes({ publicKey, info, plaintext, x25519, ekm }) {
  let ct, enc;
  try {
    ({ ct, enc } = await sealWith(await sealingSuite(x25519), { publicKey, info, plaintext, ekm }));
  } catch (error) {
    if (x25519) throw error;
    // A WebCrypto that lists X25519 but fails to use it must not stop a family saving a
    // fever: seal with the pure-JS X25519 from now on.
    chosen = Promise.resolve(suiteWith(new PureJsX25519()));
    ({ ct, enc } = await sealWith(await chosen, { publicKey, info, plaintext, ekm }));
  }
  const sealed = new Uint8Array(enc.byteLength + ct.byteLength);
  sealed.set(new Uint8Array(enc), 0);
  sealed.set(new Uint8Array(ct), enc.byteLength);
  return sealed;
}

async function sealWith(suite, { publicKey, info, plaintext, ekm }) {
  const recipientPublicKey = await suite.kem.importKey("raw", publicKey, true);
  return suite.seal({ recipientPublicKey, info, ekm }, plaintext);
}

// The server's side, for tests and for anyone checking an app against the vector:
// the plaintext bytes, or an error if the envelope does not open.
export async function openSealed({ privateKey, sealed, entryId, deviceId, x25519 }) {
  const raw = fromBase64url(sealed);
  if (raw.length <= ENC_BYTES + TAG_BYTES) throw new Error("sealed is too short to hold an entry");
  const suite = await sealingSuite(x25519);
  const recipientKey = await suite.kem.importKey("raw", privateKey, false);
  const plaintext = await suite.open({
    recipientKey, enc: raw.slice(0, ENC_BYTES), info: entryInfo(entryId, deviceId),
  }, raw.slice(ENC_BYTES));
  return new Uint8Array(plaintext);
}

// What the app does the moment the family taps Save: the envelope for the outbox.
// key = {kid, public_key} from the key set (GET /api/v1/keys or the pull feed).
export async function sealEntry({ key, deviceId, document, x25519 }) {
  if (!key || typeof key.kid !== "string" || typeof key.public_key !== "string") {
    throw new EntryError("Sealing needs a key {kid, public_key} from the server's key set.");
  }
  if (document.device_id !== deviceId) {
    throw new EntryError("The entry names another device than the one sealing it.");
  }
  const publicKey = fromBase64url(key.public_key);
  if (publicKey.length !== 32) throw new EntryError(`The key ${key.kid} is not an X25519 key.`);
  const sealed = await sealBytes({
    publicKey, info: entryInfo(document.entry_id, deviceId),
    plaintext: entryPlaintext(document), x25519,
  });
  return { entry_id: document.entry_id, kid: key.kid, sealed: toBase64url(sealed) };
}

// -- the entry document -------------------------------------------------------------------

const pad = (number) => String(number).padStart(2, "0");

// 2026-11-20T14:02:00-05:00: the device's wall clock with its own offset, to the second.
export function rfc3339(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new EntryError("A time must be a valid Date.");
  }
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const hours = pad(Math.floor(Math.abs(offset) / 60));
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${hours}:${pad(Math.abs(offset) % 60)}`;
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

// Answers the server can read: an object keyed by item linkId holding plain JSON values.
// Whether they are valid for the questionnaire is the server's call (it quarantines).
function checkAnswers(answers) {
  const plain = (value) => value === null || typeof value === "string" ||
    typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value)) ||
    (Array.isArray(value) && value.every(plain)) ||
    (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype &&
      Object.values(value).every(plain));
  if (!answers || typeof answers !== "object" || Array.isArray(answers) ||
      Object.keys(answers).some((key) => !key)) {
    throw new EntryError("answers must be an object keyed by item linkId.");
  }
  if (!plain(answers)) {
    throw new EntryError("answers must hold plain JSON values (no NaN, Infinity or undefined).");
  }
  return answers;
}

function nonEmpty(name, value) {
  if (typeof value !== "string" || !value) throw new EntryError(`${name} must be a non-empty string.`);
  return value;
}

// What the phone's evaluator found, as the server reads it: {level, rules_signature}, level
// one of ADVICE_LEVELS or null (nothing found), the signature of the served rules or null.
// js/rules/evaluate.js phoneAdviceOf() makes exactly this.
function checkPhoneAdvice(advice) {
  if (!advice || typeof advice !== "object" || Array.isArray(advice)) {
    throw new EntryError("phone_advice must be {level, rules_signature}.");
  }
  const { level = null, rules_signature: signature = null } = advice;
  if (level !== null && !ADVICE_LEVELS.includes(level)) {
    throw new EntryError(`phone_advice.level must be one of ${ADVICE_LEVELS.join(", ")} or null.`);
  }
  if (signature !== null && (typeof signature !== "string" || !signature)) {
    throw new EntryError("phone_advice.rules_signature must be the served rules' signature or null.");
  }
  return { level, rules_signature: signature };
}

// The entry document of docs/protocol.md, in the order the test vector has it.
// entryId is made here (UUID v4) unless given, so a retry can never make a second entry.
// phoneAdvice (optional): what the phone advised on Save, sealed in as `phone_advice` so
// the server can count drift between its alerts and the phone's advice.
export function newEntryDocument({
  entryId = crypto.randomUUID(), deviceId, patientId, questionnaireId, questionnaireVersion,
  variant = null, taskId = null, respondent, recordedAt, supersedes = null, answers,
  phoneAdvice = null,
}) {
  if (!UUID.test(entryId)) throw new EntryError("entry_id must be a UUID.");
  if (!RESPONDENTS.includes(respondent)) {
    throw new EntryError(`respondent must be one of ${RESPONDENTS.join(", ")}.`);
  }
  const recorded = recordedAt instanceof Date ? rfc3339(recordedAt) : recordedAt;
  if (typeof recorded !== "string" || !RFC3339.test(recorded)) {
    throw new EntryError("recorded_at must be an RFC 3339 time with an offset.");
  }
  if (supersedes !== null && !UUID.test(supersedes)) {
    throw new EntryError("supersedes must be an entry id (a UUID).");
  }
  if (taskId !== null) nonEmpty("task_id", taskId);
  const document = {
    entry_id: entryId,
    device_id: nonEmpty("device_id", deviceId),
    patient_id: nonEmpty("patient_id", patientId),
    questionnaire_id: nonEmpty("questionnaire_id", questionnaireId),
    questionnaire_version: nonEmpty("questionnaire_version", questionnaireVersion),
  };
  // Naming the variant the app showed makes the server validate against exactly that one.
  if (variant !== null) document.questionnaire_variant = nonEmpty("questionnaire_variant", variant);
  const advice = phoneAdvice === null ? null : checkPhoneAdvice(phoneAdvice);
  Object.assign(document, {
    task_id: taskId, respondent, recorded_at: recorded, supersedes, answers: checkAnswers(answers),
  });
  // Absent rather than null without advice: an app that did not evaluate says nothing.
  if (advice !== null) document.phone_advice = advice;
  return document;
}
