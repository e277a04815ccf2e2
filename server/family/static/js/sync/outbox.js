// The outbox: every entry recorded on this phone, sealed, and what became of it.
//
//   waiting ──push──▶ sending ──answer──▶ accepted | duplicate | quarantined   (settled)
//      ▲                 │        └─────▶ rejected ──"try again"──▶ waiting
//      └──no answer──────┘
//
// The transitions are pure functions of a record; createOutbox() applies them to the
// store (IndexedDB in the app, memory in tests), one record per write, so a page closed
// at any moment leaves every record either before or after its transition:
// - a record left `sending` is sent again with the next push, and the server answers
//   `duplicate` for it (pushing is idempotent by entry_id): nothing lost, nothing twice;
// - settled records stay as the phone's history, without their sealed bytes;
// - a rejected record is *held*: it goes again only when its situation (the key set and
//   the device id) has changed, or the family taps "try again". The same bytes to the same
//   server under the same keys cannot succeed, and nothing can seal them again: the
//   answers were never kept in the clear.
export const SETTLED = ["accepted", "duplicate", "quarantined"];
export const UNSENT = ["waiting", "sending", "rejected"];
const JOURNAL = ["questionnaire_id", "questionnaire_version", "questionnaire_variant", "task_id",
  "respondent", "recorded_at", "supersedes", "device_id", "phone_advice"];

// -- transitions ------------------------------------------------------------------------

// A freshly sealed envelope and what the app may show about it later (never the answers).
export function queued(envelope, document, seq) {
  const record = { entry_id: envelope.entry_id, kid: envelope.kid, sealed: envelope.sealed, seq,
    state: "waiting", error: null, alert: null, held: null, attempts: 0, settled_at: null };
  for (const name of JOURNAL) record[name] = document[name] ?? null;
  return record;
}

export function sending(record) {
  return { ...record, state: "sending", attempts: record.attempts + 1 };
}

// A push answer for this record. `situation` is where the phone stands now (situation()).
export function answered(record, result, situation, settledAt) {
  const status = result?.status;
  const error = result?.error && typeof result.error === "object" ? pick(result.error) : null;
  if (SETTLED.includes(status)) {
    const alert = result.alert && typeof result.alert === "object" ? result.alert : null;
    // The server stored it: the sealed bytes are of no more use on the phone.
    return { ...record, state: status, sealed: null, held: null, error, alert, settled_at: settledAt };
  }
  if (status === "rejected") {
    return { ...record, state: "rejected", held: situation, error, settled_at: settledAt };
  }
  return unanswered(record); // no usable result: it simply goes again next sync
}

// No answer (offline, timeout, 5xx after the retries): back to waiting, nothing changed.
export function unanswered(record) {
  return record.state === "sending" ? { ...record, state: "waiting" } : record;
}

// The family tapped "try again" on a rejected entry.
export function retried(record) {
  return record.state === "rejected" ? { ...record, state: "waiting", held: null } : record;
}

// Held locally without asking the server: an entry too large for any push.
export function heldLocally(record, situation, error, settledAt) {
  return { ...record, state: "rejected", held: situation, error, settled_at: settledAt };
}

export function isSendable(record, situation) {
  if (record.state === "waiting" || record.state === "sending") return true;
  return record.state === "rejected" && record.held !== situation && Boolean(record.sealed);
}

function pick(error) {
  const text = (value) => (typeof value === "string" ? value : null);
  return { code: text(error.code), message: text(error.message), field: text(error.field) };
}

// -- the outbox over a store ------------------------------------------------------------

export function createOutbox(store, { now = () => new Date() } = {}) {
  const write = (record) => store.outbox.put(record).then(() => record);

  async function list() {
    const records = await store.outbox.list();
    return [...records].sort((a, b) => a.seq - b.seq);
  }

  return {
    list,

    // Queues a sealed envelope. seq keeps recording order; a gap after a crash is harmless.
    async add(envelope, document) {
      const seq = ((await store.get("outbox_seq")) ?? 0) + 1;
      await store.put("outbox_seq", seq);
      return write(queued(envelope, document, seq));
    },

    async sendable(situation) {
      return (await list()).filter((record) => isSendable(record, situation));
    },

    async markSending(records) {
      return Promise.all(records.map((record) => write(sending(record))));
    },

    // Applies a push answer, matched to the batch by entry id; returns the new records.
    async applyAnswer(batch, answer, situation) {
      const byEntry = new Map();
      for (const result of Array.isArray(answer?.results) ? answer.results : []) {
        if (result && typeof result === "object") byEntry.set(result.entry_id, result);
      }
      const settledAt = now().toISOString();
      return Promise.all(batch.map((record) =>
        write(answered(record, byEntry.get(record.entry_id), situation, settledAt))));
    },

    async markUnanswered(batch) {
      return Promise.all(batch.map((record) => write(unanswered(record))));
    },

    async holdTooLarge(record, situation) {
      return write(heldLocally(record, situation, { code: "too_large", field: null,
        message: "This entry is larger than the server accepts in one push." },
      now().toISOString()));
    },

    // "Try again": one rejected entry, or all of them. Returns how many will go again.
    async retry(entryId = null) {
      const chosen = (await list()).filter((record) => record.state === "rejected" &&
        (entryId === null || record.entry_id === entryId));
      await Promise.all(chosen.map((record) => write(retried(record))));
      return chosen.length;
    },

    // Entries still on the phone only: what `outbox_pending` tells the care team.
    async pendingCount() {
      return (await list()).filter((record) => UNSENT.includes(record.state)).length;
    },
  };
}

// -- what the family reads --------------------------------------------------------------

const WORDS = {
  en: {
    waiting: "Waiting to send. It is safe on this phone.",
    sending: "Sending…",
    sent: "Sent.",
    quarantined: "Sent. The care team will check it: something in it did not look right.",
    rejected: "Not delivered.",
    worried: "If you are worried about your child, call the care team now.",
    retry: "Try again", ask_team: "Ask the team",
    reasons: {
      unknown_key: "The clinic changed its security key since this was saved.",
      decrypt_failed: "The clinic could not open it. This phone may have been enrolled again.",
      wrong_device: "It was saved under another phone's enrolment.",
      wrong_patient: "It was saved for another child's enrolment.",
      conflict: "A different version of this entry was already sent.",
      too_large: "It is too large to send.",
    },
  },
  es: {
    waiting: "Esperando para enviar. Está a salvo en este teléfono.",
    sending: "Enviando…",
    sent: "Enviado.",
    quarantined: "Enviado. El equipo médico lo revisará: algo no parecía correcto.",
    rejected: "No se entregó.",
    worried: "Si le preocupa su hijo o hija, llame al equipo médico ahora.",
    retry: "Intentar de nuevo", ask_team: "Consultar al equipo",
    reasons: {
      unknown_key: "La clínica cambió su clave de seguridad después de guardarlo.",
      decrypt_failed: "La clínica no pudo abrirlo. Puede que este teléfono se haya inscrito de nuevo.",
      wrong_device: "Se guardó con la inscripción de otro teléfono.",
      wrong_patient: "Se guardó con la inscripción de otro niño.",
      conflict: "Ya se envió una versión distinta de esta entrada.",
      too_large: "Es demasiado grande para enviarse.",
    },
  },
};

// {state, text, detail, actions, labels} in the family's words: nothing is ever silently
// dropped. actions name the buttons to show: "retry" (outbox.retry) and "ask_team".
export function describe(record, language = "en") {
  const words = WORDS[String(language).slice(0, 2)] ?? WORDS.en;
  const shown = (text, detail = null, actions = []) => ({ state: record.state, text, detail,
    actions, labels: { retry: words.retry, ask_team: words.ask_team } });
  switch (record.state) {
    case "waiting": case "sending": return shown(words[record.state]);
    case "accepted": case "duplicate": return shown(words.sent);
    // Stored for the care team, and its valid answers went through the safety rules.
    case "quarantined": return shown(words.quarantined, record.error?.message ?? null, ["ask_team"]);
    default: {
      const code = record.error?.code;
      // conflict: the server holds another version; too_large: no push can carry it.
      const hopeless = code === "conflict" || code === "too_large";
      return shown(`${words.rejected} ${words.worried}`,
        words.reasons[code] ?? record.error?.message ?? null,
        hopeless ? ["ask_team"] : ["retry", "ask_team"]);
    }
  }
}
