// A family travelling: the phone's own clock is on Madrid time while the child's schedule
// is New York's. The tasks the phone makes, and the times it shows, follow the child's zone
// as the server does; the phone's zone only decides whether a time says whose clock it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { tasksBetween } from '../../server/family/static/js/schedule/tasks.js';
import { formatDueTime, setLanguage } from '../../server/family/static/js/i18n.js';
import { syncLine } from '../../server/family/static/js/ui/today.js';
import { leadOf } from '../../server/family/static/js/ui/team.js';
import { teamKnows } from '../../server/family/static/js/advice/advise.js';
import { onPhoneZone } from './support/phone-zone.mjs';

const SCHEDULE = JSON.parse(readFileSync(new URL('../../questionnaires/schedule.json', import.meta.url), 'utf8'));
const served = { day0: '2026-11-17', timezone: 'America/New_York', ...SCHEDULE };
const HELD = { 'symptom-diary': { version: '1.0.0', variant: 'caregiver' },
               'neuro-check': { version: '1.0.0', variant: 'caregiver' },
               'quality-of-life': { version: '1.0.0', variant: 'caregiver' } };
const phone = { patientId: 'pat_1', respondent: 'caregiver', variants: HELD };
globalThis.document = { documentElement: {}, querySelector: () => null };  // setLanguage's

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

// 14:05 UTC on a December Friday: 09:05 in New York, 15:05 in Madrid.
const SENT = '2026-12-11T14:05:00Z';
const profile = { timezone: 'America/New_York' };
const allSent = () => syncLine({ waiting: 0, rejected: 0, lastSentAt: SENT }, { status: {}, profile });
const seen = { alert_id: 'al_1', status: 'acknowledged', level: 'urgent', acknowledged_at: SENT };

test('the sync line says whose clock its time is only when the phone is on another zone', () => {
  setLanguage('en');
  assert.equal(onPhoneZone('America/New_York', allSent), 'All sent at 09:05 AM.');
  assert.equal(onPhoneZone('Europe/Madrid', allSent), 'All sent at 09:05 AM (New York time).');
  setLanguage('es');
  assert.equal(onPhoneZone('Europe/Madrid', allSent), 'Todo enviado a las 09:05 (hora de New York).');
  setLanguage('en');
});

test('the team\'s answer says whose clock it saw the alert on when the phone is on another zone', () => {
  setLanguage('en');
  assert.equal(onPhoneZone('America/New_York', () => leadOf(seen, profile.timezone)), 'The team saw this at 09:05 AM:');
  assert.equal(onPhoneZone('Europe/Madrid', () => leadOf(seen, profile.timezone)),
    'The team saw this at 09:05 AM (New York time):');
  setLanguage('es');
  assert.equal(onPhoneZone('Europe/Madrid', () => leadOf(seen, profile.timezone)),
    'El equipo lo vio a las 09:05 (hora de New York):');
  setLanguage('en');
});

test('"sent to the team" under the advice says whose clock too, in English and Spanish', () => {
  const sent = { state: 'accepted', settled_at: SENT };
  const options = { timeZone: 'America/New_York', now: SENT };
  assert.equal(onPhoneZone('America/New_York', () => teamKnows(sent, 'en', options).text), 'Sent to the team at 09:05.');
  assert.equal(onPhoneZone('Europe/Madrid', () => teamKnows(sent, 'en', options).text),
    'Sent to the team at 09:05 (New York time).');
  assert.equal(onPhoneZone('Europe/Madrid', () => teamKnows(sent, 'es', options).text),
    'Enviado al equipo a las 09:05 (hora de New York).');
});

test('a phone a whole day away shows the same hour, and still says whose clock it is', () => {
  setLanguage('en');
  // Kiritimati (+14) and Honolulu (-10): the same wall-clock hour on different days.
  assert.equal(onPhoneZone('Pacific/Honolulu', () => formatDueTime(SENT, 'Pacific/Kiritimati')),
    'Sat 04:05 AM (Kiritimati time)');
});
