// The phone's evaluator on what the vectors do not pin down: the document as the pull
// serves it for one child, evidence and advice, times, rounding ties, refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { evaluate, evaluateSilence, highestLevel, parseTime, phoneAdviceOf, RulesError } from '../../server/family/static/js/rules/evaluate.js';
import { roundDifference } from '../../server/family/static/js/rules/conditions.js';

const RULES = JSON.parse(readFileSync(new URL('../../alerts/rules/default.json', import.meta.url), 'utf8'));
const AT = '2026-11-20T03:00:00-05:00';
const diary = (answers, recordedAt = AT) => ({ questionnaire_id: 'symptom-diary', variant: 'caregiver', answers, scores: {}, recorded_at: recordedAt });
const context = (changes = {}) => ({ now: AT, day_post_infusion: 3, age_years: 11, age_band: '8-12', recent_temperatures: [], ...changes });

test('it gives a fever the rules\' own advice in both languages, with the threshold used', () => {
  const [finding] = evaluate(RULES, diary({ temperature_c: 38.1, temperature_method: 'oral' }), context());
  assert.equal(finding.reason, 'fever');
  assert.equal(finding.level, 'urgent');
  assert.equal(finding.advice.en, RULES.rules.find((rule) => rule.id === 'fever').advice.en);
  assert.match(finding.advice.es, /CAR-T/);
  assert.deepEqual(finding.evidence.parameters, { fever_threshold_c: 38 });
  assert.equal(finding.ruleset_id, RULES.id);
});

test('it uses the thresholds and overrides carried by a document served for one child', () => {
  const served = structuredClone(RULES);
  served.parameters.fever_threshold_c.default = { any: 38.0, oral: 38.3 };
  served.patient_overrides = { parameters: {}, baseline_signs: { neuro_signs: ['tremor'] }, always_report_signs: {} };
  assert.deepEqual(evaluate(served, diary({ temperature_c: 38.2, temperature_method: 'oral' }), context())
    .map((f) => f.reason), ['borderline_temperature']);
  assert.deepEqual(evaluate(served, diary({ neuro_signs: ['tremor'] }), context()), []);
  assert.deepEqual(evaluate(RULES, diary({ neuro_signs: ['tremor'] }), context()).map((f) => f.reason), ['neuro_sign']);
});

test('it says when a fever has been sustained since, in the reading\'s own offset', () => {
  const site = { fever_threshold_c: { any: 38.0, oral: 38.3 } };
  const readings = [{ at: '2026-11-20T07:00:00Z', temperature_c: 38.1, method: 'oral' }];
  const [finding] = evaluate(RULES, diary({ temperature_c: 38.1, temperature_method: 'oral' }), context({ parameters: site, recent_temperatures: readings }));
  assert.equal(finding.reason, 'fever');
  assert.equal(finding.evidence.sustained_since, '2026-11-20T07:00:00+00:00');
});

test('it rounds a drop from baseline as Python does, ties to even', () => {
  assert.equal(roundDifference(64.1 - 54.1), 10);
  assert.equal(roundDifference(0.0078125), 0.007812);   // an exact tie, kept even
  assert.equal(roundDifference(0.0234375), 0.023438);
  const qol = { questionnaire_id: 'quality-of-life', variant: 'caregiver-8-12', answers: {}, scores: { total: 54.1 }, recorded_at: AT };
  const [finding] = evaluate(RULES, qol, context({ baseline: { quality_of_life_total: 64.1 } }));
  assert.deepEqual(finding.evidence.change, { from: 64.1, to: 54.1, points: 10 });
});

test('it reads times to the microsecond and refuses one without an offset', () => {
  assert.equal(parseTime('2026-11-20T03:00:00.9999999Z').iso, '2026-11-20T03:00:00.999999+00:00');
  assert.equal(parseTime('2026-11-20T08:00:00Z').micros, parseTime(AT).micros);
  assert.throws(() => parseTime('2026-11-20T03:00:00'), /timezone/);
  assert.throws(() => evaluate(RULES, diary({ temperature_c: 38.5 }, '2026-11-20T03:00:00'), context()));
});

test('it refuses a site threshold in the wrong unit rather than never alerting', () => {
  assert.throws(() => evaluate(RULES, diary({ temperature_c: 39 }), context({ parameters: { fever_threshold_c: 100.4 } })), RulesError);
  assert.throws(() => evaluate({ ...RULES, format: 'homeward-rules/2' }, diary({}), context()), RulesError);
});

test('it never throws on answers of the wrong shape, and finds nothing in them', () => {
  const odd = { temperature_c: '39.5', spo2_percent: true, neuro_signs: 'seizure', breathing_difficulty: 1, constructor: 5 };
  assert.deepEqual(evaluate(RULES, diary(odd), context()), []);
});

test('it runs the time rules and names the most severe level for the advice screen', () => {
  const found = evaluateSilence(RULES, context({ last_temperature_at: '2026-11-19T03:00:00-05:00' }));
  assert.deepEqual(found.map((f) => f.reason), ['no_contact', 'missed_checkin']);
  assert.equal(highestLevel(found), 'urgent');
  assert.equal(highestLevel([]), null);
});

test('it says in the entry what the phone found and on which rules', () => {
  const served = { ...structuredClone(RULES), signature: '9b1d0c2e4f6a8b0c' };
  const found = evaluate(served, diary({ temperature_c: 39.2, neuro_signs: ['seizure'] }), context());
  assert.deepEqual(phoneAdviceOf(found, served), { level: 'emergency', rules_signature: '9b1d0c2e4f6a8b0c' });
  assert.deepEqual(phoneAdviceOf([], RULES), { level: null, rules_signature: null });
});

test('it ignores whom a rule is for and when it escalates: staff routing, not advice', () => {
  const lump = { questionnaire_id: 'long-term-follow-up', variant: 'caregiver', answers: { new_lump: true }, scores: {}, recorded_at: AT };
  const rule = RULES.rules.find((each) => each.id === 'new-lump');
  assert.equal(rule.team, 'physician');
  assert.equal(rule.escalate, 'working_hours');
  const plain = structuredClone(RULES);
  plain.rules.forEach((each) => { delete each.team; delete each.escalate; });
  const [finding] = evaluate(RULES, lump, context());
  assert.deepEqual(finding, evaluate(plain, lump, context())[0]);
  assert.deepEqual(Object.keys(finding).sort(), ['advice', 'escalate_now', 'evidence', 'level', 'measure_again_minutes',
    'reason', 'rule_id', 'ruleset_id', 'ruleset_version']);
  assert.equal(highestLevel([finding]), 'urgent');
});
