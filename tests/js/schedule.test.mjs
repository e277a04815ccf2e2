// Tasks made on the phone from the pulled schedule (js/schedule/tasks.js): local times that
// stay at 08:00 across daylight saving, months that end early, and ids that do not depend on
// when they were made. tests/test_phone_schedule.py holds them to the server's generator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { addMonths, taskId, tasksBetween } from '../../server/family/static/js/schedule/tasks.js';
import { localToInstant } from '../../server/family/static/js/schedule/zone.js';

const SCHEDULE = JSON.parse(readFileSync(new URL('../../questionnaires/schedule.json', import.meta.url), 'utf8'));
const served = (day0, timezone) => ({ day0, timezone, ...SCHEDULE });
const HELD = { 'symptom-diary': { version: '1.0.0', variant: 'caregiver' }, 'neuro-check': { version: '1.0.0', variant: 'caregiver' } };
const phone = { patientId: 'pat_1', respondent: 'caregiver', variants: HELD };

test('the diary stays at 08:00 and 18:00 in New York across the change of clock', async () => {
  const tasks = await tasksBetween(served('2026-10-25', 'America/New_York'), phone,
    '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z');
  const diary = tasks.filter((task) => task.questionnaire_id === 'symptom-diary').map((task) => task.due_at);
  assert.deepEqual(diary, ['2026-10-31T12:00:00Z', '2026-10-31T22:00:00Z', '2026-11-01T13:00:00Z',
    '2026-11-01T23:00:00Z', '2026-11-02T13:00:00Z', '2026-11-02T23:00:00Z']);
});

test('a time in the spring gap moves forward by the gap; a time that happens twice is the first', () => {
  assert.equal(new Date(localToInstant('2026-03-08', '02:30', 'America/New_York')).toISOString(), '2026-03-08T07:30:00.000Z');
  assert.equal(new Date(localToInstant('2026-11-01', '01:30', 'America/New_York')).toISOString(), '2026-11-01T05:30:00.000Z');
});

test('a month after 31 January is the last day of February', () => {
  const day = (text) => Math.round(Date.parse(`${text}T00:00:00Z`) / 86_400_000);
  assert.equal(addMonths(day('2027-01-31'), 1), day('2027-02-28'));
  assert.equal(addMonths(day('2028-01-31'), 1), day('2028-02-29'));
  assert.equal(addMonths(day('2026-11-17'), 12), day('2027-11-17'));
});

test('ids come from who, what and which occurrence, never from when they were made', async () => {
  const first = await tasksBetween(served('2026-11-17', 'UTC'), phone, '2026-12-09T00:00:00Z', '2026-12-10T00:00:00Z');
  const again = await tasksBetween(served('2026-11-17', 'UTC'), phone, '2026-12-01T00:00:00Z', '2026-12-12T00:00:00Z');
  assert.ok(first.length > 0);
  for (const task of first) assert.ok(again.some((other) => other.task_id === task.task_id));
  assert.equal(first[0].task_id, await taskId('pat_1', first[0].questionnaire_id, 'caregiver', first[0].occurrence));
  assert.match(first[0].task_id, /^tsk_[0-9a-f]{24}$/);
});

test('the daily diary and neuro checks run to day 28, then the diary comes with each follow-up', async () => {
  const late = await tasksBetween(served('2026-11-17', 'UTC'), phone, '2026-12-15T00:00:00Z', '2026-12-20T00:00:00Z');
  assert.deepEqual(late.map((task) => [task.questionnaire_id, task.occurrence]), [
    ['neuro-check', 'd28T08:00'], ['symptom-diary', 'd28T08:00'], ['symptom-diary', 'm1T10:00']]);
});

test('a phone without a schedule makes nothing', async () => {
  assert.deepEqual(await tasksBetween(null, phone, '2026-12-01T00:00:00Z', '2026-12-02T00:00:00Z'), []);
});
