// Tasks made on the phone from the schedule the pull sent (type "schedule": the schedule
// document plus the child's `day0` and `timezone`), so a family offline for weeks still
// sees what is due after the server's 15-day horizon. A port of questionnaires/tasks.py:
// the same occurrences, the same local times across daylight saving, and the same task ids
// (sha256 of patient, questionnaire, respondent and occurrence), so the server accepts an
// entry made against one of these tasks as one of its own (sync/push.py's task check).
//
//   const made = await tasksBetween(schedule, {patientId, respondent, variants}, start, end);
//   // [{task_id, questionnaire_id, questionnaire_version, variant, respondent, due_at,
//   //   closes_at, occurrence, made_on_phone: true}], in due order
//
// Pure but for WebCrypto's digest (in browsers and Node alike). tests/js/schedule.test.mjs,
// and tests/test_phone_schedule.py against the Python generator.

import { localToInstant } from './zone.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
export const FAMILY_RESPONDENTS = ['caregiver', 'patient'];

const isoDay = (days) => new Date(days * DAY_MS).toISOString().slice(0, 10);
const dayNumber = (text) => Math.round(Date.parse(`${text}T00:00:00Z`) / DAY_MS);
const wire = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** "tsk_" + the first 24 hex digits of sha256(patient \x1f questionnaire \x1f respondent \x1f occurrence). */
export async function taskId(patientId, questionnaireId, respondent, occurrence) {
  const text = [patientId, questionnaireId, respondent, occurrence].join('\x1f');
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `tsk_${[...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('').slice(0, 24)}`;
}

/** The same day of the month `months` later (day numbers since 1970); 31 January + 1 month
 * is the last of February. */
export function addMonths(day, months) {
  const date = new Date(day * DAY_MS);
  const index = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(index / 12), month = index - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Math.round(Date.UTC(year, month, Math.min(date.getUTCDate(), last)) / DAY_MS);
}

const mod = (a, b) => ((a % b) + b) % b;

/** [prefix, number, day post infusion] for each date of one occurrence within [low, high]. */
function* occurrenceDays(occurrence, day0, low, high) {
  if (Array.isArray(occurrence.on_days)) {
    for (const day of [...new Set(occurrence.on_days)].sort((a, b) => a - b)) {
      if (low <= day && day <= high) yield ['d', day, day];
    }
  } else if (occurrence.days) {
    const { from, to, every = 1 } = occurrence.days;
    let day = Math.max(from, low);
    day += mod(-(day - from), every);
    for (; day <= Math.min(to, high); day += every) yield ['d', day, day];
  } else if (occurrence.months) {
    const { from, to, every = 1 } = occurrence.months;
    for (let month = from; month <= to; month += every) {
      const when = addMonths(day0, month);
      if (low <= when - day0 && when - day0 <= high) yield ['m', month, when - day0];
    }
  }
}

function planOf(schedule, questionnaire) {
  return (schedule.questionnaires ?? []).find((plan) => plan.questionnaire === questionnaire) ?? null;
}

/** {key, day, due, closes} slots (ms) of one questionnaire whose dates fall in [low, high]. */
function slots(schedule, questionnaire, low, high, seen = []) {
  const plan = planOf(schedule, questionnaire);
  if (!plan || seen.includes(questionnaire)) return [];
  const day0 = dayNumber(schedule.day0);
  const found = new Map();
  for (const occurrence of plan.occurrences ?? []) {
    let made;
    if (typeof occurrence.with === 'string') {
      made = slots(schedule, occurrence.with, low, high, [...seen, questionnaire])
        .filter((slot) => occurrence.from_day == null || slot.day >= occurrence.from_day);
    } else {
      made = [];
      for (const [prefix, number, day] of occurrenceDays(occurrence, day0, low, high)) {
        for (const at of occurrence.times ?? []) {
          const due = localToInstant(isoDay(day0 + day), at, schedule.timezone);
          made.push({ key: `${prefix}${number}T${at}`, day, due,
                      closes: due + (occurrence.open_hours ?? 24) * HOUR_MS });
        }
      }
    }
    // Overlapping phases must not make a task twice: the first occurrence keeps the key.
    for (const slot of made) if (!found.has(slot.key)) found.set(slot.key, slot);
  }
  return [...found.values()];
}

/**
 * Every task due in [start, end) for this phone's respondent. `variants`: questionnaire id
 * → {version, variant} of the definitions the phone holds; a questionnaire it holds none of
 * (no variant fits this child and respondent) gets no task, as on the server.
 */
export async function tasksBetween(schedule, { patientId, respondent, variants = {} }, start, end) {
  if (!schedule?.day0 || !schedule?.timezone || !Array.isArray(schedule.questionnaires)) return [];
  const from = start instanceof Date ? start.getTime() : Date.parse(start);
  const until = end instanceof Date ? end.getTime() : Date.parse(end);
  const day0 = dayNumber(schedule.day0);
  // A day of margin each side, as the server: the local dates of [start, end).
  const low = dayNumber(localDate(from, schedule.timezone)) - 1 - day0;
  const high = dayNumber(localDate(until, schedule.timezone)) + 1 - day0;
  const tasks = [];
  for (const plan of schedule.questionnaires) {
    const respondents = plan.respondents ?? FAMILY_RESPONDENTS;
    const held = variants[plan.questionnaire];
    if (!respondents.includes(respondent) || !held) continue;
    for (const slot of slots(schedule, plan.questionnaire, low, high)) {
      if (slot.due < from || slot.due >= until) continue;
      tasks.push({
        task_id: await taskId(patientId, plan.questionnaire, respondent, slot.key),
        questionnaire_id: plan.questionnaire, questionnaire_version: held.version ?? null,
        variant: held.variant ?? null, respondent, due_at: wire(slot.due), closes_at: wire(slot.closes),
        occurrence: slot.key, made_on_phone: true,
      });
    }
  }
  return tasks.sort((a, b) => a.due_at.localeCompare(b.due_at) || a.questionnaire_id.localeCompare(b.questionnaire_id)
    || a.occurrence.localeCompare(b.occurrence));
}

function says_yes(answer) {
  if (typeof answer === 'boolean') return answer;
  if (Array.isArray(answer) || typeof answer === 'string') return answer.length > 0;
  return typeof answer === 'number' && answer !== 0;
}

/** Extra tasks an entry calls for (a neuro check soon after a diary with a neuro sign), with
 * the server's ids: it makes the same ones when that entry reaches it. */
export async function tasksTriggeredBy(schedule, { patientId, respondent, variants = {} }, entry) {
  const recorded = Date.parse(entry?.recorded_at);
  if (!Array.isArray(schedule?.questionnaires) || !Number.isFinite(recorded) || !entry?.entry_id) return [];
  const tasks = [];
  for (const plan of schedule.questionnaires) {
    const held = variants[plan.questionnaire];
    if (!(plan.respondents ?? FAMILY_RESPONDENTS).includes(respondent) || !held) continue;
    for (const trigger of plan.also_when ?? []) {
      if (trigger.questionnaire !== entry.questionnaire_id || !says_yes(entry.answers?.[trigger.linkId])) continue;
      const key = `after:${entry.entry_id}:${trigger.linkId}`;
      tasks.push({
        task_id: await taskId(patientId, plan.questionnaire, respondent, key),
        questionnaire_id: plan.questionnaire, questionnaire_version: held.version ?? null,
        variant: held.variant ?? null, respondent, due_at: wire(recorded),
        closes_at: wire(recorded + trigger.open_hours * HOUR_MS), occurrence: key, made_on_phone: true,
      });
    }
  }
  return tasks;
}

/** YYYY-MM-DD of an instant in a time zone. */
export function localDate(ms, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(ms));
}

