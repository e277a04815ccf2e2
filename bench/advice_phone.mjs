// The whole advice on Save (issue 12: advice within 100 ms of tapping Save, offline):
// scoring the entry, building the context from the phone's own history, evaluating the
// served rules and choosing the number to call, as js/advice/advise.js does. The first Save
// after a cold start (rules parsed and compiled, time zone formatters made) and each after,
// for a diary entry and a quality-of-life entry, with a month of history on the phone.
//   node bench/advice_phone.mjs [--saves 2000]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import os from 'node:os';

import { adviseOnSave } from '../server/family/static/js/advice/advise.js';

const count = Number(process.argv[process.argv.indexOf('--saves') + 1]) || 2000;
const rulesText = readFileSync(new URL('../alerts/rules/default.json', import.meta.url), 'utf8');
const qolFile = JSON.parse(readFileSync(new URL('../questionnaires/definitions/quality-of-life.caregiver-8-12.1.0.0.json',
  import.meta.url), 'utf8'));
const qol = { ...qolFile, items: qolFile.items.map((item) => (typeof item.options === 'string'
  ? { ...item, options: qolFile.option_sets[item.options] } : item)) };
const phone = (display) => ({ display, tel: display.replace(/[^+\d]/g, '') });
const profile = { day0: '2026-11-01', timezone: 'America/New_York', language: 'es', age_band: '8-12',
  care_team: { day: phone('+1 555 010 0100'), night: phone('+1 555 010 0199'), emergency: phone('911'),
    day_hours: { from: '08:00', to: '18:00' } } };
const start = Date.parse('2026-11-01T12:00:00Z');
const at = (hours) => new Date(start + hours * 3_600_000).toISOString();
// A month of twice-daily diaries and a weekly quality of life, as the phone keeps them.
const history = [];
for (let i = 0; i < 60; i += 1) {
  history.push({ entry_id: `d${i}`, questionnaire_id: 'symptom-diary', variant: 'caregiver', scores: {},
    answers: { temperature_c: 36.6 + (i % 9) / 10, temperature_method: 'oral' }, recorded_at: at(i * 12) });
}
for (let i = 0; i < 4; i += 1) {
  history.push({ entry_id: `q${i}`, questionnaire_id: 'quality-of-life', variant: 'caregiver-8-12',
    answers: {}, scores: { total: 80 - i }, recorded_at: at(i * 168 + 3) });
}
const now = at(721);
const diary = (i) => ({ entry_id: `n${i}`, questionnaire_id: 'symptom-diary', variant: 'caregiver', recorded_at: now,
  answers: { temperature_c: 36.5 + (i % 40) / 10, temperature_method: i % 2 ? 'oral' : 'axillary' } });
const quality = (i) => ({ entry_id: `m${i}`, questionnaire_id: 'quality-of-life', variant: 'caregiver-8-12',
  recorded_at: now, answers: Object.fromEntries(qol.items.filter((item) => item.type === 'scale-0-4')
    .map((item, n) => [item.linkId, (i + n) % 5])) });

function timed(save) {
  const begun = performance.now();
  save();
  return performance.now() - begun;
}

const rules = JSON.parse(rulesText);
const cold = timed(() => adviseOnSave({ rules, profile, history, entry: diary(25), now, language: 'es' }));
const summary = (name, make, definition) => {
  const times = [];
  for (let i = 0; i < count; i += 1) {
    times.push(timed(() => adviseOnSave({ rules, profile, history, entry: make(i), definition, now, language: 'es' })));
  }
  times.sort((a, b) => a - b);
  const p = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  console.log(`${name} (${count} saves): p50 ${p(0.5).toFixed(3)} ms, p99 ${p(0.99).toFixed(3)} ms, max ${p(1).toFixed(2)} ms`);
};
console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`);
console.log(`first Save after a cold start (diary, ${history.length} entries of history): ${cold.toFixed(2)} ms`);
summary('diary entry', diary, null);
summary('quality of life, scored on the phone', quality, qol);
