// The parts of the forms that need no browser: turning what the family typed into answers,
// the words of the forms in both languages, and which answers are tapped. Drawing, focus and
// taps are tested in Chromium (tests/browser/test_family_forms.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

import { readNumber, readLocalDateTime, toLocalInput } from '../../server/family/static/js/forms/typing.js';
import { word, pickLanguage, describeProblem } from '../../server/family/static/js/forms/strings.js';
import { rangeWords } from '../../server/family/static/js/forms/entries.js';
import { optionsOf, tapsNumber } from '../../server/family/static/js/forms/choices.js';
import { validateAnswers } from '../../server/family/static/js/forms/validate.js';
import { collectAnswers } from '../../server/family/static/js/forms/collect.js';

const data = JSON.parse(readFileSync(new URL('../data/form_validation_cases.json', import.meta.url), 'utf8'));
const diary = data.definitions['symptom-diary.caregiver.1.0.0/en'].document;
const temperature = diary.items.find((item) => item.linkId === 'temperature_c');

test('it reads a temperature typed with a point or a Spanish comma', () => {
  assert.equal(readNumber('38.6'), 38.6);
  assert.equal(readNumber('38,6'), 38.6);
  assert.equal(readNumber(' 38,6 '), 38.6);
  assert.equal(readNumber('39'), 39);
  assert.equal(readNumber(',5'), 0.5);
  assert.equal(readNumber('−1'), -1);
  assert.equal(readNumber(''), undefined);
  assert.equal(readNumber('   '), undefined);
});

test('it hands what is not a number to the validator as typed, which says so', () => {
  for (const typed of ['38.6.1', '38,6,1', '1.234,5', '38 6', 'hot', '3e1', '0x26', 'Infinity']) {
    const answer = readNumber(typed);
    assert.equal(answer, typed.trim());
    const result = validateAnswers(diary, { temperature_c: answer });
    assert.deepEqual(result.problems.map((p) => p.reason), ['not_a_number'], typed);
  }
});

test('a whole number takes digits only, so a thousands separator is never read as a point', () => {
  assert.equal(readNumber('12', true), 12);
  assert.equal(readNumber(' +3 ', true), 3);
  for (const typed of ['1,000', '1.000', '2.5', '3,', '']) {
    assert.equal(readNumber(typed, true), typed === '' ? undefined : typed);
  }
  const stay = diary.items.find((item) => item.linkId === 'spo2_percent');
  const result = validateAnswers({ items: [stay] }, { spo2_percent: readNumber('97,5', true) });
  assert.equal(describeProblem('en', result.problems[0]), 'Please type a whole number, without a point or comma.');
});

test('a temperature typed in Spanish passes the validator as a number', () => {
  const result = validateAnswers(diary, { temperature_c: readNumber('38,6') });
  assert.equal(result.valid, true);
  assert.deepEqual(result.validAnswers, { temperature_c: 38.6 });
});

test('it writes a date and time with the offset of that moment, across a clock change', () => {
  const zone = process.env.TZ;
  try {
    process.env.TZ = 'Europe/Madrid';
    assert.equal(readLocalDateTime('2026-03-28T23:30'), '2026-03-28T23:30:00+01:00');
    assert.equal(readLocalDateTime('2026-03-29T12:00'), '2026-03-29T12:00:00+02:00');
    process.env.TZ = 'America/St_Johns';
    assert.equal(readLocalDateTime('2026-11-20T14:02'), '2026-11-20T14:02:00-03:30');
    assert.equal(toLocalInput('2026-11-20T14:02:00-03:30'), '2026-11-20T14:02');
  } finally {
    process.env.TZ = zone;
    if (zone === undefined) delete process.env.TZ;
  }
  assert.equal(readLocalDateTime(''), undefined);
  const written = readLocalDateTime('2026-11-20T14:02');
  assert.equal(validateAnswers({ items: [{ linkId: 'when', type: 'date-time' }] }, { when: written }).valid, true);
});

test('it has every word in English and Spanish, and Spanish is not English', () => {
  const keys = ['next', 'back', 'save', 'saving', 'cancel', 'clear', 'required', 'yes', 'no', 'none_of_these',
    'progress', 'fix_above', 'save_failed', 'no_answers', 'required_answer', 'not_a_number', 'out_of_range'];
  for (const key of keys) {
    assert.notEqual(word('en', key), key, `English ${key}`);
    assert.notEqual(word('es', key), key, `Spanish ${key}`);
  }
  assert.equal(word('es', 'save'), 'Guardar');
  assert.equal(word('es', 'progress', { n: 2, total: 9 }), 'Pregunta 2 de 9');
});

test('it falls back from a regional language to its base, then to English', () => {
  assert.equal(pickLanguage('es-MX'), 'es');
  assert.equal(pickLanguage('ES'), 'es');
  assert.equal(pickLanguage('fr-CA'), 'en');
  assert.equal(pickLanguage(undefined), 'en');
  assert.equal(word('es-419', 'next'), 'Siguiente');
});

test('it says a plausible range in the family\'s own way of writing numbers', () => {
  assert.equal(rangeWords(temperature, 'en'), 'Between 34 and 43 °C. You can type a comma or a point, like 38.6');
  assert.equal(rangeWords({ ...temperature, min: 35.5 }, 'es'),
    'Entre 35,5 y 43 °C. Puede escribir una coma o un punto, como 38,6');
  assert.equal(rangeWords({ type: 'integer', min: 0 }, 'en'), '0 or more');
  assert.equal(rangeWords({ type: 'integer', max: 10 }, 'es'), 'Hasta 10');
  assert.equal(describeProblem('es', { reason: 'out_of_range', min: 34, max: 43, unit: '°C' }),
    'Escriba un número entre 34 y 43 °C. Revíselo: ¿es correcto?');
  assert.equal(describeProblem('en', { reason: 'out_of_range', min: null, max: 10, unit: 'mL' }),
    'Please type a number up to 10 mL.');
  assert.equal(describeProblem('es', { code: 'no_answers', reason: 'no_answers', minimum: 2 }),
    'Conteste al menos 2 preguntas antes de guardar.');
});

test('it taps a whole number when there are at most eleven, and types it otherwise', () => {
  assert.equal(tapsNumber({ type: 'integer', min: 0, max: 10 }), true);
  assert.equal(tapsNumber({ type: 'integer', min: 0, max: 3 }), true);
  assert.equal(tapsNumber({ type: 'integer', min: 50, max: 100 }), false);
  assert.equal(tapsNumber({ type: 'integer', min: 0 }), false);
  assert.equal(tapsNumber({ type: 'decimal', min: 0, max: 4 }), false);
  assert.deepEqual(optionsOf({ type: 'integer', min: 0, max: 3 }, 'en', false).map((o) => o.value), [0, 1, 2, 3]);
});

test('a yes/no question offers true and false, with pictures only in a picture form', () => {
  const plain = optionsOf({ type: 'boolean' }, 'es', false);
  assert.deepEqual(plain.map((o) => [o.value, o.text, o.picture]), [[true, 'Sí', undefined], [false, 'No', undefined]]);
  const pictured = optionsOf({ type: 'boolean' }, 'en', true);
  assert.deepEqual(pictured.map((o) => o.picture), ['yes', 'no']);
});

test('every picture key of the shipped picture forms has a drawing of our own', () => {
  const folder = new URL('../../questionnaires/definitions/', import.meta.url);
  const keys = new Set();
  for (const name of readdirSync(folder).filter((file) => file.endsWith('.json'))) {
    const definition = JSON.parse(readFileSync(new URL(name, folder), 'utf8'));
    const sets = Object.values(definition.option_sets || {});
    const lists = [...sets, ...definition.items.map((item) => item.options).filter(Array.isArray)];
    for (const options of lists) for (const option of options) if (option.picture) keys.add(option.picture);
  }
  assert.ok(keys.has('face-happy') && keys.has('runny-poo'));
  keys.add('yes').add('no').add('thermometer');
  for (const key of keys) {
    const svg = readFileSync(new URL(`../../server/family/static/pictures/${key}.svg`, import.meta.url), 'utf8');
    assert.match(svg, /viewBox="0 0 96 96"/, key);
    assert.match(svg, /<title[^>]*>[^<]+<\/title>/, key);
    assert.doesNotMatch(svg, /(?:href|src)="(?!#)|url\((?!#)|@import|<script|style=/i, `${key} refers outside itself`);
  }
});

const screen = (values) => (item) => values[item.linkId];
const every = data.definitions['form-cases.every-type.1.0.0/en'].document;

test('it never saves an answer to a question that no longer applies', () => {
  const onScreen = { temperature_method: 'oral', feels_hot: true };
  const { answers, shown } = collectAnswers(diary.items, screen(onScreen));
  assert.deepEqual(answers, { feels_hot: true });
  assert.equal(shown.get('temperature_method'), false);
  assert.equal(validateAnswers(diary, answers).valid, true);
});

test('it follows a chain of conditions down the screen', () => {
  const onScreen = { colours: ['blue'], likes_red: true, red_reason: 'bright', not_blue: true };
  const { answers, shown } = collectAnswers(every.items, screen(onScreen));
  assert.deepEqual(answers, { colours: ['blue'] });
  assert.equal(shown.get('likes_red'), false);
  assert.equal(shown.get('red_reason'), false);
  assert.equal(shown.get('not_blue'), false);
});

test('it keeps a question shown when what it depends on is mistyped, for the validator to name', () => {
  const onScreen = { temperature_c: 'hot', temperature_method: 'ear' };
  const { answers, shown } = collectAnswers(diary.items, screen(onScreen));
  assert.equal(shown.get('temperature_method'), true);
  assert.deepEqual(answers, onScreen);
  assert.deepEqual(validateAnswers(diary, answers).problems.map((p) => [p.code, p.field]),
    [['invalid_answer', 'temperature_c']]);
});

test('it leaves out blank answers and keeps an empty list of signs', () => {
  const onScreen = { notes: '  ', neuro_signs: [], spo2_percent: undefined };
  assert.deepEqual(collectAnswers(diary.items, screen(onScreen)).answers, { neuro_signs: [] });
});
