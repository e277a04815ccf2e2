// The advice on Save (js/advice/advise.js), as a parent would see it: the rules' own words,
// whom to call with which number (day or night in the family's time zone), a reminder when
// the advice asks to measure again, and whether the team already has the entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { onPhoneZone } from './support/phone-zone.mjs';
import { adviceFromServer, adviseOnSave, compareWithServer, teamKnows }
  from '../../server/family/static/js/advice/advise.js';

const RULES = { ...JSON.parse(readFileSync(new URL('../../alerts/rules/default.json', import.meta.url), 'utf8')),
  signature: 'sig-1' };
const adviceOf = (ruleId, language = 'en') => RULES.rules.find((rule) => rule.id === ruleId).advice[language];
const phone = (display) => ({ display, tel: display.replace(/[^+\d]/g, '') });
const CARE_TEAM = { day: phone('+1 (555) 010-0100'), night: phone('+1 (555) 010-0199'),
  emergency: phone('911'), day_hours: { from: '08:00', to: '18:00' } };
const PROFILE = { patient_id: 'pat_1', day0: '2026-11-17', timezone: 'America/New_York', language: 'en',
  age_band: '13-17', respondent: 'caregiver', care_team: CARE_TEAM };

function served(name) {
  const file = JSON.parse(readFileSync(new URL(`../../questionnaires/definitions/${name}.1.0.0.json`, import.meta.url), 'utf8'));
  const sets = file.option_sets ?? {};
  delete file.option_sets;
  file.items = file.items.map((item) => (typeof item.options === 'string' ? { ...item, options: sets[item.options] } : item));
  return file;
}

const diary = (answers, recorded_at = '2026-11-20T03:02:00-05:00') =>
  ({ entry_id: `e-${recorded_at}`, questionnaire_id: 'symptom-diary', variant: 'caregiver', answers, recorded_at });
const save = (entry, options = {}) => adviseOnSave({ rules: RULES, profile: PROFILE, history: [], entry,
  now: entry.recorded_at, ...options });

test('a fever at 3 a.m. says call the CAR T team now, with the night number as a tel: button', () => {
  const advice = save(diary({ temperature_c: 38.6, temperature_method: 'oral' }));
  assert.equal(advice.level, 'urgent');
  assert.equal(advice.title, 'Call the CAR T team now');
  assert.equal(advice.body, adviceOf('fever'));
  assert.deepEqual(advice.actions, [{ kind: 'call', label: 'Call the CAR T team now', display: '+1 (555) 010-0199',
    tel: '+15550100199', href: 'tel:+15550100199', which: 'night' }]);
  assert.deepEqual(advice.notes, []);
  assert.deepEqual(advice.phoneAdvice, { level: 'urgent', rules_signature: 'sig-1' });
});

test('the same fever at 10 in the morning offers the day number', () => {
  const advice = save(diary({ temperature_c: 38.6, temperature_method: 'oral' }, '2026-11-20T10:00:00-05:00'));
  assert.equal(advice.actions[0].which, 'day');
  assert.equal(advice.actions[0].href, 'tel:+15550100100');
});

test('the day number starts at the day hours\' first minute and stops at their last', () => {
  const at = (time) => save(diary({ temperature_c: 39.2 }, `2026-11-20T${time}:00-05:00`)).actions[0].which;
  assert.deepEqual(['07:59', '08:00', '17:59', '18:00'].map(at), ['night', 'day', 'day', 'night']);
});

test('day and night follow the family\'s clock across the daylight saving changes', () => {
  const at = (utc) => save(diary({ temperature_c: 39.2 }, utc)).actions[0].which;
  // New York springs forward on 8 March 2026: 12:30 UTC is 07:30 the day before, 08:30 that day
  assert.equal(at('2026-03-07T12:30:00Z'), 'night');
  assert.equal(at('2026-03-08T12:30:00Z'), 'day');
  // and falls back on 1 November 2026: 12:30 UTC is 08:30 the day before, 07:30 that day
  assert.equal(at('2026-10-31T12:30:00Z'), 'day');
  assert.equal(at('2026-11-01T12:30:00Z'), 'night');
  // 22:30 UTC is 18:30 in summer (night) and 17:30 in winter (day)
  assert.equal(at('2026-10-31T22:30:00Z'), 'night');
  assert.equal(at('2026-11-01T22:30:00Z'), 'day');
});

test('a seizure is an emergency: the emergency number first, then the team', () => {
  const advice = save(diary({ neuro_signs: ['seizure'] }));
  assert.equal(advice.level, 'emergency');
  assert.equal(advice.title, 'Call emergency services now');
  assert.equal(advice.body, adviceOf('seizure'));
  assert.deepEqual(advice.actions.map((action) => [action.label, action.href]),
    [['Call 911', 'tel:911'], ['Call the CAR T team now', 'tel:+15550100199']]);
});

test('in Spanish the screen uses the Spanish words of the rules and of the app', () => {
  const advice = save(diary({ neuro_signs: ['seizure'] }), { language: 'es-MX' });
  assert.equal(advice.title, 'Llame ahora a emergencias');
  assert.equal(advice.body, adviceOf('seizure', 'es'));
  assert.deepEqual(advice.actions.map((action) => action.label), ['Llamar al 911', 'Llamar ahora al equipo de CAR-T']);
  const fever = save(diary({ temperature_c: 39.4 }), { language: 'es' });
  assert.equal(fever.body, adviceOf('high-fever', 'es'));
  assert.equal(fever.more[0], adviceOf('fever', 'es'), 'the second reason\'s own words follow');
});

test('the family\'s language comes from the profile when the screen does not say', () => {
  const advice = adviseOnSave({ rules: RULES, profile: { ...PROFILE, language: 'es' },
    entry: diary({ temperature_c: 38.6 }), now: '2026-11-20T08:02:00Z' });
  assert.equal(advice.title, 'Llame ahora al equipo de CAR-T');
});

test('a benign entry shows nothing and says so in the entry', () => {
  const advice = save(diary({ temperature_c: 36.8, temperature_method: 'oral' }));
  assert.deepEqual([advice.level, advice.title, advice.body, advice.actions, advice.reminder],
    [null, null, null, [], null]);
  assert.deepEqual(advice.phoneAdvice, { level: null, rules_signature: 'sig-1' });
});

test('a borderline temperature asks to measure again in an hour, in the rules\' own words', () => {
  const advice = save(diary({ temperature_c: 37.6, temperature_method: 'oral' }));
  assert.equal(advice.level, 'attention');
  assert.equal(advice.body, adviceOf('borderline-temperature'));
  assert.deepEqual(advice.reminder, { minutes: 60, label: 'Time to measure again.', rule_id: 'borderline-temperature' });
  assert.deepEqual(advice.actions.map((action) => action.label), ['Call the CAR T team']);
  const spanish = save(diary({ temperature_c: 37.6 }), { language: 'es' });
  assert.deepEqual(spanish.reminder, { minutes: 60, label: 'Es hora de volver a medir.', rule_id: 'borderline-temperature' });
});

// The minutes are the rule's data: the words are for people and may say anything.
const reworded = (change) => {
  const rules = structuredClone(RULES);
  rules.signature = `sig-${Math.random()}`;
  change(rules.rules.find((rule) => rule.id === 'borderline-temperature'));
  return rules;
};

test('a site that rewords or translates the advice keeps the same reminder', () => {
  const rules = reworded((rule) => {
    rule.advice = { en: 'Slightly warm. Check once more after a while.', es: 'Un poco caliente. Mida otra vez luego.' };
  });
  for (const language of ['en', 'es']) {
    const advice = save(diary({ temperature_c: 37.6 }), { rules, language });
    assert.equal(advice.body, rules.rules.find((rule) => rule.id === 'borderline-temperature').advice[language]);
    assert.equal(advice.reminder.minutes, 60, language);
  }
});

test('the reminder time follows the rule\'s number, not a time its words name', () => {
  const rules = reworded((rule) => { rule.measure_again_minutes = 30; });
  assert.equal(save(diary({ temperature_c: 37.6 }), { rules }).reminder.minutes, 30);
  const none = reworded((rule) => { delete rule.measure_again_minutes; });
  assert.equal(save(diary({ temperature_c: 37.6 }), { rules: none }).reminder, null,
    'the words still say "again in an hour", but the rule asks for no reminder');
  for (const bad of [0, -5, 1.5, '60', 100000]) {
    const odd = reworded((rule) => { rule.measure_again_minutes = bad; });
    assert.equal(save(diary({ temperature_c: 37.6 }), { rules: odd }).reminder, null, String(bad));
  }
});

test('advice without a measurement to repeat sets no reminder', () => {
  assert.equal(save(diary({ temperature_c: 38.6 })).reminder, null);
  assert.equal(save(diary({ organ_signs: ['rash'] })).reminder, null);
});

test('with no team number set it says plainly to call the team, with no button that dials nothing', () => {
  const none = { ...PROFILE, care_team: { day: null, night: null, emergency: null, day_hours: CARE_TEAM.day_hours } };
  const urgent = save(diary({ temperature_c: 38.6 }), { profile: none });
  assert.deepEqual(urgent.actions, []);
  assert.deepEqual(urgent.notes, ['Call your CAR T team. Their number is not in this app: use the number the team gave you.']);
  const emergency = save(diary({ neuro_signs: ['unresponsive'] }), { profile: none });
  assert.deepEqual(emergency.actions, []);
  assert.equal(emergency.notes[0], 'Call your local emergency number now.');
  const onlyEmergency = { ...none, care_team: { ...none.care_team, emergency: phone('112') } };
  const seizure = save(diary({ neuro_signs: ['seizure'] }), { profile: onlyEmergency, language: 'es' });
  assert.deepEqual(seizure.actions.map((action) => action.href), ['tel:112']);
  assert.match(seizure.notes[0], /^Llame a su equipo de CAR-T\./);
  const noProfile = adviseOnSave({ rules: RULES, entry: diary({ temperature_c: 38.6 }), now: '2026-11-20T08:02:00Z' });
  assert.equal(noProfile.level, 'urgent');
  assert.deepEqual(noProfile.actions, []);
});

test('a number that cannot be dialled is not offered as a button', () => {
  const broken = { ...PROFILE, care_team: { ...CARE_TEAM, night: { display: 'ask reception', tel: '' } } };
  const advice = save(diary({ temperature_c: 38.6 }), { profile: broken });
  assert.deepEqual(advice.actions.map((action) => action.which), ['day'], 'the other number, rather than none');
});

test('a neuro check is scored on the phone, so a drop fires offline', () => {
  const ice = served('neuro-check.ice-style');
  const perfect = { knows_year: true, knows_month: true, knows_city: true, knows_hospital: true,
    names_objects: 3, follows_command: true, writes_sentence: true, counts_back: true };
  const check = (answers, recorded_at) => ({ entry_id: recorded_at, questionnaire_id: 'neuro-check',
    variant: 'ice-style', answers, recorded_at });
  const dropped = save(check({ ...perfect, knows_year: false, names_objects: 2 }, '2026-11-20T09:00:00-05:00'),
    { definition: ice });
  assert.deepEqual(dropped.scores, { total: 8 });
  assert.equal(dropped.level, 'urgent');
  assert.equal(dropped.body, adviceOf('neuro-check-drop'));
  // the same 8 against a child whose own baseline, on this phone, was 8: nothing new
  const baseline = { ...check({}, '2026-11-18T09:00:00-05:00'), scores: { total: 8 } };
  const steady = save(check({ ...perfect, knows_year: false, names_objects: 2 }, '2026-11-20T09:00:00-05:00'),
    { definition: ice, history: [baseline] });
  assert.equal(steady.level, null);
  // without the definition the phone cannot score it, and the drop rule cannot fire
  assert.equal(save(check({ ...perfect, knows_year: false }, '2026-11-20T09:00:00-05:00')).level, null);
});

test('the psychosocial team\'s info is sealed in the entry but does not interrupt the family', () => {
  const wellbeing = served('caregiver-wellbeing.caregiver');
  const advice = save({ entry_id: 'w1', questionnaire_id: 'caregiver-wellbeing', variant: 'caregiver',
    answers: { distress: 5 }, recorded_at: '2026-11-20T09:00:00-05:00' }, { definition: wellbeing });
  assert.equal(advice.level, null);
  assert.deepEqual(advice.phoneAdvice, { level: 'info', rules_signature: 'sig-1' });
});

test('with no rules on the phone yet it says the entry was not checked, and claims nothing', () => {
  const advice = adviseOnSave({ rules: null, profile: PROFILE, entry: diary({ temperature_c: 38.6 }),
    now: '2026-11-20T08:02:00Z' });
  assert.equal(advice.checked, false);
  assert.equal(advice.phoneAdvice, null);
  assert.equal(advice.title, 'This entry could not be checked on the phone');
  assert.deepEqual(advice.actions.map((action) => action.label), ['Call the CAR T team']);
  // a questionnaire the phone cannot score is no more checked than one without rules
  const broken = { ...served('neuro-check.capd-style') };
  broken.items = broken.items.map((item) => ({ ...item, type: 'text', options: undefined }));
  const check = adviseOnSave({ rules: RULES, profile: PROFILE, definition: broken, now: '2026-11-20T08:02:00Z',
    entry: { questionnaire_id: 'neuro-check', variant: 'capd-style',
      answers: Object.fromEntries(broken.items.map((item) => [item.linkId, 'x'])),
      recorded_at: '2026-11-20T08:02:00Z' } });
  assert.equal(check.checked, false);
  assert.equal(check.phoneAdvice, null);
});

test('the app switches to the server\'s advice only when the server found more', () => {
  assert.deepEqual(compareWithServer('urgent', { status: 'accepted', alert: { alert_id: 'a', level: 'emergency' } }),
    { serverLevel: 'emergency', serverHigher: true, mustSwitch: true });
  assert.deepEqual(compareWithServer(null, { alert: { level: 'attention' } }),
    { serverLevel: 'attention', serverHigher: true, mustSwitch: true });
  assert.equal(compareWithServer('urgent', { status: 'accepted', alert: null }).mustSwitch, false);
  assert.equal(compareWithServer('urgent', 'urgent').mustSwitch, false);
  assert.equal(compareWithServer('emergency', { level: 'urgent' }).mustSwitch, false, 'never takes advice back');
  assert.deepEqual(compareWithServer(null, 'info'), { serverLevel: 'info', serverHigher: true, mustSwitch: false });
  assert.equal(compareWithServer('attention', { alert: { level: 'severe' } }).serverLevel, null);
});

test('the server\'s advice keeps the call buttons and shows the alert\'s own message', () => {
  const shown = adviceFromServer({ level: 'urgent', message: 'Call us now, we are expecting you.' },
    { profile: PROFILE, now: '2026-11-20T15:00:00Z', language: 'en' });
  assert.equal(shown.title, 'Call the CAR T team now');
  assert.equal(shown.body, 'Call us now, we are expecting you.');
  assert.equal(shown.actions[0].which, 'day');
});

test('it tells the family the time the team got the entry, on their own clock', () => onPhoneZone('America/New_York', () => {
  const sent = { state: 'accepted', settled_at: '2026-11-20T08:02:41.000Z' };
  const options = { timeZone: 'America/New_York', level: 'urgent', now: '2026-11-20T08:05:00Z' };
  assert.deepEqual(teamKnows(sent, 'en', options), { known: true, text: 'Sent to the team at 03:02.', callNow: false });
  assert.equal(teamKnows(sent, 'es', options).text, 'Enviado al equipo a las 03:02.');
  assert.equal(teamKnows({ ...sent, state: 'duplicate' }, 'en', options).known, true);
  assert.equal(teamKnows({ state: 'accepted' }, 'es', options).text, 'Enviado al equipo.');
  assert.match(teamKnows(sent, 'en', { ...options, now: '2026-11-21T15:00:00Z' }).text,
    /^Sent to the team on 20 Nov at 03:02\.$/);
}));

test('it never lets a family believe the team knows when the entry is still on the phone', () => {
  const waiting = { state: 'waiting', settled_at: null };
  assert.deepEqual(teamKnows(waiting, 'en', { level: 'urgent' }),
    { known: false, text: 'Not sent yet: no connection — call now.', callNow: true });
  assert.equal(teamKnows(waiting, 'es', { level: 'emergency' }).text, 'Aún no se ha enviado: no hay conexión. Llame ahora.');
  assert.deepEqual(teamKnows(waiting, 'en', { level: 'attention' }),
    { known: false, text: 'Not sent yet: no connection. It will be sent when you are back online.', callNow: false });
  assert.equal(teamKnows({ state: 'sending' }, 'en', { level: 'urgent' }).text, 'Sending to the team…');
  assert.deepEqual(teamKnows({ state: 'rejected' }, 'en', { level: 'urgent' }),
    { known: false, text: 'Not sent: the app could not deliver it — call now.', callNow: true });
});
