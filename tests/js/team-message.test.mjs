// The team's answer on Today: the server's own words follow the language the parent chose on
// the phone; words the team wrote are shown as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { setLanguage } from '../../server/family/static/js/i18n.js';
import { messageOf } from '../../server/family/static/js/ui/team.js';

globalThis.document = { documentElement: {}, querySelector: () => null };  // setLanguage's

const serverWords = {
  alert_id: 'al_1', status: 'open', level: 'urgent', message: 'Call the CAR T team now.',
  message_by_language: { en: 'Call the CAR T team now.', es: 'Llame ahora al equipo de CAR-T.' },
};

test('the server\'s own words follow a parent who switched the app to Spanish', () => {
  setLanguage('es');
  assert.equal(messageOf(serverWords), 'Llame ahora al equipo de CAR-T.');
  setLanguage('en');
  assert.equal(messageOf(serverWords), 'Call the CAR T team now.');
});

test('the team\'s own words are shown as they wrote them, in any app language', () => {
  setLanguage('es');
  assert.equal(messageOf({ ...serverWords, message_by_language: undefined,
    message: 'Nina will call you in 10 minutes.' }), 'Nina will call you in 10 minutes.');
  setLanguage('en');
});

test('an older server that sends one message is still shown', () => {
  setLanguage('es');
  assert.equal(messageOf({ alert_id: 'al_2', message: 'Call the CAR T team now.' }),
    'Call the CAR T team now.');
  setLanguage('en');
});
