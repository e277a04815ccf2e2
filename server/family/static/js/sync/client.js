// The family app's sync client: what sync/client (the Python reference client, see
// docs/client.md) does, in the browser's own terms.
//
//   const client = createSyncClient({ store });            // same origin: baseUrl ""
//   await client.enrol("1b4d ehnj-cfv5", "Mum's phone");   // the code, however typed
//   await client.record("symptom-diary", "1.0.0", "standard", { temperature_c: 38.6 });
//   const report = await client.sync();                     // safe to call any time
//
// Every entry is sealed the moment it is recorded; only the envelope is stored. A failed
// sync is reported, never thrown, and never loses anything: the outbox and the cursor are
// where they were.
import { checkedKeySet, currentKey } from "./keyset.js";
import { createOutbox, describe, SETTLED } from "./outbox.js";
import { DEFAULT_LIMIT, pullChanges } from "./pull.js";
import { pushOutbox, refreshKeySet } from "./push.js";
import { createRetryPolicy, sleepFor } from "./retry.js";
import { newEntryDocument, rfc3339, sealEntry } from "./sealing.js";
import { ApiError, BadAnswer, createTransport } from "./transport.js";

export const APP_VERSION = "homeward-family-app/1.0";
const ENROLLED = ["device_id", "device_token", "patient_id", "respondent"];

export class NotEnrolled extends Error {
  constructor(message = "This phone is not enrolled: enter the code from the care team.") {
    super(message);
    this.code = "not_enrolled";
  }
}

// The code as the server wants it: parents type codes from a screen, in any case, with
// dashes and spaces. (The server also reads O as 0 and I or L as 1.)
export function normaliseCode(text) {
  return String(text ?? "").toUpperCase().replace(/[\s\-‐-―]+/g, "");
}

// {server, code} from what a QR code or a link holds: https://…/app/#enrol=CODE (the app
// itself), homeward:enrol?server=…&code=… (native apps), or just the code. null if none.
export function readEnrolmentLink(text) {
  const value = String(text ?? "").trim();
  if (value.startsWith("homeward:enrol?")) {
    const fields = new URLSearchParams(value.slice("homeward:enrol?".length));
    return fields.get("code") ? { server: fields.get("server"), code: normaliseCode(fields.get("code")) } : null;
  }
  const fragment = /#(?:.*&)?enrol=([^&]+)/.exec(value);
  if (fragment) {
    return { server: value.split("/app/")[0] || null, code: normaliseCode(decodeURIComponent(fragment[1])) };
  }
  const code = normaliseCode(value);
  return /^[0-9A-Z]{12}$/.test(code) ? { server: null, code } : null;
}

function newReport() {
  return { pushed: 0, accepted: 0, duplicates: 0, quarantined: 0, rejected: 0, unanswered: 0,
    pulled: 0, alerts: [], keys_refreshed: false, cursor_reset: false, outbox_pending: 0,
    needs_enrolment: false, retry_after: null, error: null };
}

function described(error) {
  return { code: error.code ?? "error", message: error.message, retryable: Boolean(error.retryable),
    retry_after: error.retryAfter ?? null, status: error instanceof ApiError ? error.status : null };
}

// Runs `task` alone: one sync at a time in this page (a second caller shares the running
// one) and, where the browser has Web Locks, across the app's tabs too.
function serialised(lockName) {
  let running = null;
  return (task) => {
    running ??= (async () => {
      try {
        const locks = globalThis.navigator?.locks;
        return locks ? await locks.request(lockName, task) : await task();
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

export function createSyncClient({ baseUrl = "", fetch = globalThis.fetch, store,
  now = () => new Date(), random = Math.random, sleep = sleepFor, appVersion = APP_VERSION,
  platform = "web", timeoutMs, x25519 } = {}) {
  const retry = createRetryPolicy({ sleep, random });
  const outbox = createOutbox(store, { now });
  const alone = serialised("homeward-sync");
  let enrolment = null;
  const token = () => enrolment?.device_token ?? null;
  const transportFor = (url) => createTransport({ baseUrl: url, fetch, appVersion, token, timeoutMs });

  async function enrolled() {
    enrolment = await store.get("enrolment");
    if (!enrolment) throw new NotEnrolled();
    return enrolment;
  }

  // POST /api/v1/devices. Never retried: the code is single use, and a retry after a lost
  // answer would find it spent. `respondent` is who records on this phone by default
  // (the child from 12 may use a parent's phone); the code's respondent otherwise.
  async function enrol(code, deviceName, respondent = null) {
    const previous = await store.get("enrolment");
    if (previous && !(await store.get("needs_enrolment"))) {
      throw Object.assign(new Error("This phone is already enrolled."), { code: "already_enrolled" });
    }
    const body = { enrollment_code: normaliseCode(code), device_name: deviceName, platform,
      app_version: appVersion };
    if (previous) {
      // Prove we were the old device, so entries it sealed can still be pushed.
      body.replaces = { device_id: previous.device_id, device_token: previous.device_token };
    }
    const answer = await transportFor(baseUrl).enrol(body);
    if (!ENROLLED.every((name) => typeof answer[name] === "string" && answer[name])) {
      throw new BadAnswer("The enrolment answer lacks " + ENROLLED.join(", ") + ".");
    }
    const keySet = checkedKeySet(answer.keys);
    await store.put("key_set", keySet);
    await store.put("cursor", null); // a new device starts from a full snapshot
    await store.put("snapshot", null);
    enrolment = { ...Object.fromEntries(ENROLLED.map((name) => [name, answer[name]])),
      device_name: deviceName, platform, entry_respondent: respondent ?? answer.respondent };
    // After the key set and the cursor: enrolled only once what it needs is stored. Cut
    // before the flag below is cleared, the next sync that works clears it.
    await store.put("enrolment", enrolment);
    await store.put("needs_enrolment", null);
    return { device_id: answer.device_id, patient_id: answer.patient_id, respondent: answer.respondent };
  }

  // Seals the entry to the cached current key at once and queues only the envelope.
  // Works offline. Returns the outbox record (entry_id, state "waiting", no answers).
  // phoneAdvice: what the app advised on Save ({level, rules_signature}, js/advice/advise.js),
  // sealed into the entry and kept on the record to compare with the server's answer.
  async function record(questionnaireId, questionnaireVersion, variant, answers,
    { taskId = null, respondent = null, supersedes = null, recordedAt = null,
      phoneAdvice = null } = {}) {
    const { device_id: deviceId, patient_id: patientId, ...rest } = await enrolled();
    const document = newEntryDocument({ deviceId, patientId, questionnaireId, questionnaireVersion,
      variant, taskId, supersedes, respondent: respondent ?? rest.entry_respondent ?? rest.respondent,
      recordedAt: recordedAt ?? rfc3339(now()), answers, phoneAdvice });
    const key = currentKey(await store.get("key_set"));
    return outbox.add(await sealEntry({ key, deviceId, document, x25519 }), document);
  }

  // Push the outbox, then pull changes (so the care team's answer to an alert raised by
  // this very push can arrive in the same sync). Returns a report; never throws for
  // network or server trouble.
  function sync({ pullLimit = DEFAULT_LIMIT } = {}) {
    return alone(async () => {
      const report = newReport();
      const startedAt = now().toISOString();
      try {
        await enrolled();
        const transport = transportFor(baseUrl);
        await pushOutbox({ store, outbox, transport, retry, now, report });
        const serverTime = await pullChanges({ store, transport, retry, report, limit: pullLimit });
        // How far the phone's clock is from the server's (ms, + when the phone is behind):
        // a clock a day wrong shows the wrong day's tasks, so Today says to set it.
        if (serverTime) await store.put("clock_offset_ms", Date.parse(serverTime) - now().getTime());
      } catch (error) {
        if (!error.code && !(error instanceof ApiError)) throw error; // a bug, not the network
        report.error = described(error);
        report.retry_after = error.retryAfter ?? null;
        report.needs_enrolment = Boolean(error.needsEnrolment);
      }
      report.outbox_pending = await outbox.pendingCount();
      await store.put("last_sync_attempt_at", startedAt);
      await store.put("last_sync_error", report.error);
      if (!report.error) {
        await store.put("last_sync_at", startedAt);
        await store.put("failed_syncs", null);
        await store.put("needs_enrolment", null);
      } else {
        await store.put("failed_syncs", ((await store.get("failed_syncs")) ?? 0) + 1);
      }
      if (report.needs_enrolment) await store.put("needs_enrolment", report.error);
      return report;
    });
  }

  // Seconds until the next background sync after failures: full jitter on a doubling
  // ceiling (30 s up to 15 min), never before a Retry-After. null when the last sync worked.
  async function nextSyncDelay() {
    const failures = (await store.get("failed_syncs")) ?? 0;
    if (!failures) return null;
    const backoff = random() * Math.min(900, 30 * 2 ** (failures - 1));
    const asked = (await store.get("last_sync_error"))?.retry_after ?? 0;
    return Math.max(backoff, asked);
  }

  async function status() {
    const records = await outbox.list();
    const count = (state) => records.filter((item) => item.state === state).length;
    const stored = await store.get("enrolment");
    return {
      enrolled: Boolean(stored), device_id: stored?.device_id ?? null,
      patient_id: stored?.patient_id ?? null, respondent: stored?.respondent ?? null,
      needs_enrolment: Boolean(await store.get("needs_enrolment")),
      waiting: count("waiting") + count("sending"), rejected: count("rejected"),
      sent: records.filter((item) => SETTLED.includes(item.state)).length,
      last_sync_at: (await store.get("last_sync_at")) ?? null,
      clock_offset_ms: (await store.get("clock_offset_ms")) ?? null,
      last_sync_attempt_at: (await store.get("last_sync_attempt_at")) ?? null,
      last_sync_error: (await store.get("last_sync_error")) ?? null,
      current_kid: (await store.get("key_set"))?.current ?? null,
    };
  }

  // Pulled alerts, plus alerts a push raised that no pull has brought yet (open, no message).
  async function alerts() {
    const pulled = (await store.items.list("alert")).map((item) => item.data);
    const known = new Set(pulled.map((alert) => alert.alert_id));
    const raised = (await outbox.list()).filter((item) => item.alert?.alert_id &&
      !known.has(item.alert.alert_id)).map((item) => ({ alert_id: item.alert.alert_id,
      entry_id: item.entry_id, level: item.alert.level ?? null, status: "open", message: null }));
    return [...pulled, ...raised];
  }

  return {
    enrol, record, sync, nextSyncDelay, status, alerts, outbox,
    retry: (entryId = null) => outbox.retry(entryId),
    refreshKeys: async () => refreshKeySet({ store, transport: transportFor(baseUrl), retry }),
    entries: async (language = "en") => (await outbox.list())
      .map((item) => ({ ...item, sealed: undefined, shown: describe(item, language) })),
    forget: () => store.clear(), // "Remove this phone": the token and the outbox go too
  };
}
