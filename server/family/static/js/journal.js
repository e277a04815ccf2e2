// What the family recorded on this phone, for History and Today's last temperatures.
// Nothing readable is kept: the ids and times are in the clear (the server keeps those in
// the clear too), and the few values the screens show (a temperature) are sealed with an
// AES-GCM key made on this phone as non-extractable, so the key cannot be read out of the
// browser, only used by this app. "Remove this phone" deletes the key with everything else.
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

/** Remembers an entry just recorded: ids in the clear, what the screens show sealed. */
export async function remember(store, {entryId, questionnaireId, title, variant, taskId,
                                       recordedAt, answers}) {
  const key = await journalKey(store);
  const summary = {title};
  if (typeof answers?.temperature_c === "number") summary.temperature_c = answers.temperature_c;
  await store.journal.put(entryId, {
    entry_id: entryId, questionnaire_id: questionnaireId, variant, task_id: taskId ?? null,
    recorded_at: recordedAt, status: "waiting", summary: await sealSummary(key, summary),
  });
}

/** Records what the server said about an entry (accepted, quarantined, …), with its reason. */
export async function settle(store, entryId, status, problem = null) {
  const record = (await store.journal.list()).find((row) => row.entry_id === entryId);
  if (!record) return;
  await store.journal.put(entryId, {...record, status, problem});
}

/** The journal, newest first, with each entry's summary opened. */
export async function readJournal(store) {
  const key = await journalKey(store);
  const rows = await store.journal.list();
  const opened = [];
  for (const row of rows) {
    opened.push({...row, summary: await openSummary(key, row.summary)});
  }
  return opened.reverse();
}
