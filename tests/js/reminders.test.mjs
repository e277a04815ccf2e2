// Reminders from the advice ("take the temperature again in an hour"): due items in the app,
// and notifications only where the family allowed them; the app works fully without.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { adviseOnSave } from '../../server/family/static/js/advice/advise.js';
import {
  answeredBy, createNotifier, dueReminders, markDone, msUntilNextDue, notificationsDue, notifyDue,
  reminderItem, upcomingReminders,
} from '../../server/family/static/js/advice/reminders.js';

const RULES = JSON.parse(readFileSync(new URL('../../alerts/rules/default.json', import.meta.url), 'utf8'));
const PROFILE = { day0: '2026-11-17', timezone: 'America/New_York', age_band: '8-12', care_team: null };
const SAVED = '2026-11-20T08:02:00.000Z';
const borderline = (language = 'en') => adviseOnSave({ rules: RULES, profile: PROFILE, language, now: SAVED,
  entry: { entry_id: 'e1', questionnaire_id: 'symptom-diary', variant: 'caregiver',
    answers: { temperature_c: 37.6 }, recorded_at: SAVED } });
const item = (language) => reminderItem(borderline(language), { entryId: 'e1', questionnaireId: 'symptom-diary',
  savedAt: SAVED });
const minutesAfter = (minutes) => new Date(Date.parse(SAVED) + minutes * 60_000);

test('a borderline temperature becomes a reminder due an hour after Save', () => {
  const reminder = item();
  assert.equal(reminder.due_at, '2026-11-20T09:02:00.000Z');
  assert.equal(reminder.label, 'Time to measure again.');
  assert.equal(reminder.id, 'reminder:e1');
});

test('advice that asks for no new measurement makes no reminder', () => {
  const fever = adviseOnSave({ rules: RULES, profile: PROFILE, now: SAVED,
    entry: { questionnaire_id: 'symptom-diary', variant: 'caregiver', answers: { temperature_c: 38.6 }, recorded_at: SAVED } });
  assert.equal(reminderItem(fever, { entryId: 'e2', savedAt: SAVED }), null);
});

test('it is not due before its time, due at it, and listed until done', () => {
  const items = [item()];
  assert.deepEqual(dueReminders(items, minutesAfter(59)), []);
  assert.deepEqual(upcomingReminders(items, minutesAfter(59)).map((each) => each.id), ['reminder:e1']);
  assert.equal(msUntilNextDue(items, minutesAfter(59)), 60_000);
  assert.deepEqual(dueReminders(items, minutesAfter(60)).map((each) => each.id), ['reminder:e1']);
  assert.equal(msUntilNextDue(items, minutesAfter(90)), 0);
  const done = [markDone(items[0], minutesAfter(70))];
  assert.deepEqual(dueReminders(done, minutesAfter(90)), []);
  assert.equal(msUntilNextDue(done, minutesAfter(90)), null);
});

test('due reminders come oldest first', () => {
  const later = { ...item(), id: 'reminder:e3', entry_id: 'e3', due_at: '2026-11-20T09:30:00.000Z' };
  assert.deepEqual(dueReminders([later, item()], minutesAfter(120)).map((each) => each.id),
    ['reminder:e1', 'reminder:e3']);
});

test('a new diary entry after the reminder was set answers it; one before does not', () => {
  const items = [item()];
  assert.deepEqual(answeredBy(items, { entry_id: 'e9', questionnaire_id: 'symptom-diary',
    recorded_at: '2026-11-20T04:05:00-05:00' }).map((each) => each.id), ['reminder:e1']);
  assert.deepEqual(answeredBy(items, { entry_id: 'e1', questionnaire_id: 'symptom-diary', recorded_at: SAVED }), []);
  assert.deepEqual(answeredBy(items, { entry_id: 'e8', questionnaire_id: 'neuro-check',
    recorded_at: '2026-11-20T04:05:00-05:00' }), []);
});

test('the notification says it in the family\'s language, once', async () => {
  const [spanish] = notificationsDue([item('es')], minutesAfter(61));
  assert.equal(spanish.title, 'Homeward: es hora de volver a medir');
  assert.equal(spanish.body, 'Es hora de volver a medir.');
  const shown = [];
  const granted = createNotifier({ api: Object.assign(function Notification(title, options) {
    shown.push([title, options.tag]);
  }, { permission: 'granted' }) });
  const notified = await notifyDue([item()], minutesAfter(61), granted);
  assert.deepEqual(shown, [['Homeward: time to measure again', 'reminder:e1']]);
  assert.deepEqual(notificationsDue(notified, minutesAfter(62)), [], 'not shown twice');
  assert.deepEqual(dueReminders(notified, minutesAfter(62)).length, 1, 'still listed in the app until done');
});

test('without the Notifications API or the family\'s permission nothing breaks and nothing is shown', async () => {
  const none = createNotifier({ api: undefined });
  assert.equal(none.available(), false);
  assert.equal(none.permission(), 'unsupported');
  assert.equal(await none.ask(), 'unsupported');
  assert.deepEqual(await notifyDue([item()], minutesAfter(61), none), []);
  let constructed = 0;
  const denied = createNotifier({ api: Object.assign(function Notification() { constructed += 1; },
    { permission: 'denied', requestPermission: async () => 'denied' }) });
  assert.equal(await denied.ask(), 'denied');
  assert.deepEqual(await notifyDue([item()], minutesAfter(61), denied), []);
  assert.equal(constructed, 0);
  // a browser that lists the API but refuses the constructor (Android Chrome) is no error
  const refusing = createNotifier({ api: Object.assign(function Notification() { throw new TypeError('Illegal constructor'); },
    { permission: 'granted' }) });
  assert.deepEqual(await notifyDue([item()], minutesAfter(61), refusing), []);
});

test('in node, where there is no Notification at all, the default notifier is simply absent', () => {
  assert.equal(createNotifier().available(), typeof globalThis.Notification === 'function');
});
