// The phone's evaluator (issue 12: advice within 100 ms of tapping Save, offline): how long
// the first evaluation takes (parsing and compiling the served rules document, as an app
// does after a cold start) and each one after, in Node 20 on this machine.
//   node bench/rules_phone.mjs [--entries 20000]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import os from 'node:os';

import { evaluate } from '../server/family/static/js/rules/evaluate.js';

const count = Number(process.argv[process.argv.indexOf('--entries') + 1]) || 20000;
const text = readFileSync(new URL('../alerts/rules/default.json', import.meta.url), 'utf8');
const context = {
  now: '2026-11-20T08:00:00Z', day_post_infusion: 3, age_years: 11, age_band: '8-12',
  baseline: { neuro_check_total: null, neuro_check_variant: null, quality_of_life_total: null },
  previous_diary_answers: { neuro_signs: ['tremor'] },
  recent_temperatures: Array.from({ length: 6 }, (_, i) => ({
    at: `2026-11-20T0${7 - i}:00:00Z`, temperature_c: 37.6 + i / 10, method: 'oral' })),
};
const entry = (i) => ({
  questionnaire_id: 'symptom-diary', variant: 'caregiver', recorded_at: '2026-11-20T08:00:00Z', scores: {},
  answers: { temperature_c: 36.5 + (i % 40) / 10, temperature_method: i % 2 ? 'oral' : 'axillary',
             neuro_signs: i % 7 ? [] : ['tremor', 'confusion'], breathing_difficulty: i % 11 === 0 },
});

const coldStart = performance.now();
const document = JSON.parse(text);
evaluate(document, entry(25), context);
const cold = performance.now() - coldStart;

const times = [];
for (let i = 0; i < count; i += 1) {
  const start = performance.now();
  evaluate(document, entry(i), context);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`);
console.log(`first evaluation (parse + compile + evaluate): ${cold.toFixed(2)} ms`);
console.log(`each after (${count} entries): p50 ${(at(0.5) * 1000).toFixed(1)} µs, p99 ${(at(0.99) * 1000).toFixed(1)} µs, max ${at(1).toFixed(2)} ms`);
