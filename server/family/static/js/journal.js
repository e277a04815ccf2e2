// What the app needs of an entry beyond what the outbox keeps (ids, times, state): its
// title and temperature for History and Today, its answers for the safety rules' context on
// the phone (the previous diary, the last day's temperatures), and the advice shown. Nothing
// readable is kept: all of it is sealed with an AES-GCM key made on this phone as
// non-extractable, so the key cannot be read out of the browser, only used by this app.
// "Remove this phone" deletes the key with everything else.
const KEY_NAME = "journal_key";

async function journalKey(store) {
  let key = await store.get(KEY_NAME);
  if (!key) {
    key = await crypto.subtle.generateKey({name: "AES-GCM", length: 256}, false,
                                          ["encrypt", "decrypt"]);
    await store.put(KEY_NAME, key);
  }
  return key;
}

async function sealSummary(key, summary) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plaintext = new TextEncoder().encode(JSON.stringify(summary));
  const sealed = await crypto.subtle.encrypt({name: "AES-GCM", iv}, key, plaintext);
  return {iv, sealed: new Uint8Array(sealed)};
}

async function openSummary(key, box) {
  try {
    const plaintext = await crypto.subtle.decrypt({name: "AES-GCM", iv: box.iv}, key, box.sealed);
    return JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    return {};
  }
}

/** Remembers what the app needs of an entry just recorded, sealed on the phone. */
export async function remember(store, entryId, {title, answers, advice = null}) {
  const key = await journalKey(store);
  const summary = {title, answers, advice};
  if (typeof answers?.temperature_c === "number") summary.temperature_c = answers.temperature_c;
  await store.journal.put(entryId, {entry_id: entryId, summary: await sealSummary(key, summary)});
  opened.set(entryId, summary);
}

// Opened summaries, kept in memory for this page only: a journal line never changes once
// written, and the advice on Save must not wait for every past entry to be decrypted again.
const opened = new Map();

/** entry_id → {title, temperature_c, answers, advice}, opened. */
export async function readSummaries(store) {
  const key = await journalKey(store);
  const summaries = new Map();
  for (const row of await store.journal.list()) {
    if (!opened.has(row.entry_id)) opened.set(row.entry_id, await openSummary(key, row.summary));
    summaries.set(row.entry_id, opened.get(row.entry_id));
  }
  return summaries;
}

/** Forgets the opened summaries ("Remove this phone"). */
export function forgetOpened() {
  opened.clear();
}

/**
 * The entries recorded on this phone, newest first: the outbox record (state, times, what
 * the server said) with its opened summary.
 */
export async function readEntries(app) {
  const [records, summaries] = await Promise.all([app.client.outbox.list(),
                                                  readSummaries(app.store)]);
  return records.map((record) => ({...record, summary: summaries.get(record.entry_id) ?? {}}))
    .reverse();
}

/**
 * What the safety rules' context needs (js/rules/context.js): the entries recorded on this
 * phone with their answers, as {entry_id, questionnaire_id, variant, answers, recorded_at}.
 */
export async function readHistory(app) {
  const [records, summaries] = await Promise.all([app.client.outbox.list(),
                                                  readSummaries(app.store)]);
  return records.filter((record) => record.state !== "rejected" && summaries.has(record.entry_id))
    .map((record) => ({entry_id: record.entry_id, questionnaire_id: record.questionnaire_id,
                       variant: record.questionnaire_variant, recorded_at: record.recorded_at,
                       answers: summaries.get(record.entry_id).answers ?? {}}));
}
