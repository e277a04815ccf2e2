// The context the phone builds from what it holds, and the advice it gives with it offline:
// a second reading an hour after a first at the same sustained fever, a new neuro sign, a
// neuro check against the child's own baseline, the day post infusion in the family's zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { evaluate } from '../../server/family/static/js/rules/evaluate.js';
import { localDate, phoneContext } from '../../server/family/static/js/rules/context.js';

const RULES = JSON.parse(readFileSync(new URL('../../alerts/rules/default.json', import.meta.url), 'utf8'));
const PROFILE = { day0: '2026-11-17', timezone: 'America/New_York', age_band: '8-12' };
const diary = (recorded_at, answers) => ({ questionnaire_id: 'symptom-diary', variant: 'caregiver', answers, scores: {}, recorded_at });
const neuro = (recorded_at, total, variant = 'ice-style') => ({ questionnaire_id: 'neuro-check', variant, answers: {}, scores: { total }, recorded_at });
const advise = (history, entry) => evaluate(RULES, entry, phoneContext({ profile: PROFILE, history, entry, now: entry.recorded_at }))
  .map((finding) => finding.reason);

test('it counts the day post infusion in the family\'s timezone, not UTC', () => {
  const entry = diary('2026-11-20T03:30:00Z', {});      // still the 19th in New York
  assert.equal(localDate(Date.parse(entry.recorded_at) * 1000, PROFILE.timezone), '2026-11-19');
  assert.equal(phoneContext({ profile: PROFILE, entry, now: entry.recorded_at }).day_post_infusion, 2);
});

test('it gives the previous diary answers and the readings of the day before, nothing after', () => {
  const history = [
    diary('2026-11-19T01:00:00-05:00', { temperature_c: 37.0 }),                      // 26 h before
    diary('2026-11-20T02:00:00-05:00', { temperature_c: 38.0, temperature_method: 'oral', neuro_signs: ['tremor'] }),
    diary('2026-11-20T02:30:00-05:00', { feels_hot: true }),
    diary('2026-11-20T04:00:00-05:00', { temperature_c: 39.9 }),                      // after the entry
  ];
  const entry = diary('2026-11-20T03:00:00-05:00', { temperature_c: 38.1 });
  const context = phoneContext({ profile: PROFILE, history: [...history, entry], entry, now: '2026-11-20T09:00:00Z' });
  assert.deepEqual(context.previous_diary_answers, { feels_hot: true });
  assert.deepEqual(context.recent_temperatures, [{ at: '2026-11-20T02:00:00-05:00', temperature_c: 38.0, method: 'oral' }]);
});

test('it advises on a fever sustained for an hour at a site whose single-reading fever is higher', () => {
  const site = structuredClone(RULES);
  site.parameters.fever_threshold_c.default = { any: 38.0, oral: 38.3 };
  const first = diary('2026-11-20T02:00:00-05:00', { temperature_c: 38.1, temperature_method: 'oral' });
  const second = diary('2026-11-20T03:00:00-05:00', { temperature_c: 38.1, temperature_method: 'oral' });
  const found = evaluate(site, second, phoneContext({ profile: PROFILE, history: [first], entry: second, now: second.recorded_at }));
  assert.deepEqual(found.map((f) => f.reason), ['fever']);
  assert.equal(found[0].evidence.sustained_since, '2026-11-20T02:00:00-05:00');
});

test('it reports a neuro sign once, then not while it persists', () => {
  const first = diary('2026-11-20T02:00:00-05:00', { neuro_signs: ['tremor'] });
  const second = diary('2026-11-20T08:00:00-05:00', { neuro_signs: ['tremor'] });
  assert.deepEqual(advise([], first), ['neuro_sign']);
  assert.deepEqual(advise([first], second), []);
});

test('it compares a neuro check with the child\'s first one of the same variant', () => {
  const history = [neuro('2026-11-18T10:00:00-05:00', 10, 'capd-style'), neuro('2026-11-18T11:00:00-05:00', 8)];
  const entry = neuro('2026-11-20T10:00:00-05:00', 8);
  const context = phoneContext({ profile: PROFILE, history, entry, now: entry.recorded_at });
  assert.deepEqual(context.baseline, { neuro_check_total: 8, neuro_check_variant: 'ice-style', quality_of_life_total: null });
  assert.deepEqual(advise(history, entry), []);
  assert.deepEqual(advise(history, neuro('2026-11-20T10:00:00-05:00', 7)), ['neuro_check_drop']);
});

test('it takes the day -1 check as the neuro baseline and reads the organs from the profile', () => {
  const checks = [neuro('2026-11-15T14:00:00Z', 9), neuro('2026-11-16T14:00:00Z', 8)];  // days -2 and -1
  assert.deepEqual(advise(checks, neuro('2026-11-16T20:00:00Z', 7)), []);              // still day -1
  assert.deepEqual(advise(checks, neuro('2026-11-20T14:00:00Z', 8)), []);              // day 3 at baseline
  assert.deepEqual(advise(checks, neuro('2026-11-20T15:00:00Z', 7)), ['neuro_check_drop']);
  const rash = diary('2026-11-20T14:00:00Z', { organ_signs: ['diarrhoea'] });
  const withOrgans = (organs) => evaluate(RULES, rash, phoneContext({
    profile: { ...PROFILE, organs_involved: organs, diagnosis: 'sle' }, entry: rash, now: rash.recorded_at,
  })).map((finding) => finding.reason);
  assert.deepEqual(withOrgans(['kidney', 'skin']), []);
  assert.deepEqual(withOrgans(['gut']), ['organ_flare']);
  assert.deepEqual(withOrgans(null), ['organ_flare']);
});
