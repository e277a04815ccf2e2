// A family travelling: the phone's own clock is on Madrid time while the child's schedule
// is New York's. The tasks the phone makes, and the times it shows, follow the child's zone
// as the server does; the phone's zone only decides whether a time says whose clock it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { tasksBetween } from '../../server/family/static/js/schedule/tasks.js';
import { formatDueTime, setLanguage } from '../../server/family/static/js/i18n.js';

const SCHEDULE = JSON.parse(readFileSync(new URL('../../questionnaires/schedule.json', import.meta.url), 'utf8'));
const served = { day0: '2026-11-17', timezone: 'America/New_York', ...SCHEDULE };
const HELD = { 'symptom-diary': { version: '1.0.0', variant: 'caregiver' },
               'neuro-check': { version: '1.0.0', variant: 'caregiver' },
               'quality-of-life': { version: '1.0.0', variant: 'caregiver' } };
const phone = { patientId: 'pat_1', respondent: 'caregiver', variants: HELD };
globalThis.document = { documentElement: {}, querySelector: () => null };  // setLanguage's

function onPhoneZone(zone, run) {
  const before = process.env.TZ;
  process.env.TZ = zone;  // Node resets its default zone when TZ is assigned
  try { return run(); } finally { process.env.TZ = before ?? ''; if (before === undefined) delete process.env.TZ; }
}

test('the phone makes the same tasks at the same instants whatever its own zone', async () => {
  const window = ['2026-12-10T00:00:00Z', '2026-12-12T00:00:00Z'];
  const inMadrid = await onPhoneZone('Europe/Madrid', () => tasksBetween(served, phone, ...window));
  const inTokyo = await onPhoneZone('Asia/Tokyo', () => tasksBetween(served, phone, ...window));
  assert.deepEqual(inMadrid, inTokyo);
  // 08:00 in New York in December is 13:00 UTC, never 08:00 in Madrid (07:00 UTC).
  assert.ok(inMadrid.filter((task) => task.occurrence.endsWith('T08:00'))
    .every((task) => task.due_at.endsWith('T13:00:00Z')));
});

test('a phone clock a day wrong still finds the tasks of the days it overlaps, with the same ids', async () => {
  const right = await tasksBetween(served, phone, '2026-12-10T00:00:00Z', '2026-12-12T00:00:00Z');
  const dayBehind = await tasksBetween(served, phone, '2026-12-09T00:00:00Z', '2026-12-11T00:00:00Z');
  const shared = right.filter((task) => task.due_at < '2026-12-11T00:00:00Z');
  assert.ok(shared.length >= 2);
  for (const task of shared) assert.ok(dayBehind.some((other) => other.task_id === task.task_id));
});

test('the baseline the day before the infusion and the day 28 check are made, and nothing after day 28 daily', async () => {
  const around = await tasksBetween(served, phone, '2026-11-15T00:00:00Z', '2026-11-17T00:00:00Z');
  assert.deepEqual(around.map((task) => [task.questionnaire_id, task.occurrence, task.due_at]), [
    ['neuro-check', 'd-1T08:00', '2026-11-16T13:00:00Z'],
    ['quality-of-life', 'd-1T10:00', '2026-11-16T15:00:00Z']]);
  const day28 = await tasksBetween(served, phone, '2026-12-15T05:00:00Z', '2026-12-17T05:00:00Z');
  assert.deepEqual(day28.filter((task) => task.questionnaire_id === 'neuro-check').map((task) => task.occurrence),
    ['d28T08:00']);
});

test('a due time says whose clock it is only when the phone is on another zone', () => {
  setLanguage('en');
  const due = '2026-12-11T13:00:00Z';
  assert.equal(onPhoneZone('America/New_York', () => formatDueTime(due, 'America/New_York')), 'Fri 08:00 AM');
  assert.equal(onPhoneZone('Europe/Madrid', () => formatDueTime(due, 'America/New_York')), 'Fri 08:00 AM (New York time)');
  setLanguage('es');
  assert.equal(onPhoneZone('Europe/Madrid', () => formatDueTime(due, 'America/New_York')), 'vie, 08:00 (hora de New York)');
  setLanguage('en');
});
