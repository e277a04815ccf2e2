// Scores on the phone (js/scoring/score.js), worked by hand from the shipped definitions as
// the pull serves them; tests/questionnaires/test_scoring_differential.py holds them to the
// server's numbers on random answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { roundHalfEven, scoreAnswers } from '../../server/family/static/js/scoring/score.js';

// A definition file as the pull serves it: named option lists written out in each item.
function served(name) {
  const file = JSON.parse(readFileSync(new URL(`../../questionnaires/definitions/${name}.1.0.0.json`, import.meta.url), 'utf8'));
  const sets = file.option_sets ?? {};
  delete file.option_sets;
  file.items = file.items.map((item) => (typeof item.options === 'string' ? { ...item, options: sets[item.options] } : item));
  return file;
}

const QOL_EXAMPLE = {
  phys_moving: 0, phys_play: 1, phys_selfcare: 0, phys_tired: 2, phys_pain: 1, // reversed 4 3 4 2 3: 80
  emo_worry: 2, emo_sad: 1, emo_angry: 0, emo_scared: 3,                       // reversed 2 3 4 1: 62.5
  soc_friends: 0, soc_left_out: 0, soc_family: 1,                               // 3 of 4: 91.67
  sch_attends: true, sch_attention: 4,                                          // 1 of 3: no score
};

test('it scores quality of life domains to 0-100 with 100 best, and no domain from too few answers', () => {
  assert.deepEqual(scoreAnswers(served('quality-of-life.caregiver-8-12'), QOL_EXAMPLE),
    { physical: 80, emotional: 62.5, social: 91.67, school: null, total: 71.15 });
});

test('it leaves school out for a child who does not go to school, instead of calling it missing', () => {
  const answers = Object.fromEntries(Object.entries(QOL_EXAMPLE).filter(([id]) => !id.startsWith('sch_')));
  const scores = scoreAnswers(served('quality-of-life.caregiver-8-12'), { ...answers, sch_attends: false });
  assert.equal(scores.school, null);
  assert.equal(scores.total, 77.08); // 37 / 12 * 25
});

test('it reverses the first four CAPD-style observations and needs every one for a total', () => {
  const capd = served('neuro-check.capd-style');
  const answers = { eye_contact: 4, purposeful: 3, aware: 2, tells_needs: 0,
    restless: 1, inconsolable: 0, underactive: 2, slow_response: 3 };
  assert.deepEqual(scoreAnswers(capd, answers), { total: 13 });
  assert.deepEqual(scoreAnswers(capd, { ...answers, slow_response: null }), { total: null });
});

test('it scores the ICE-style check out of ten, a wrong answer counting as unanswered', () => {
  const ice = served('neuro-check.ice-style');
  const perfect = { knows_year: true, knows_month: true, knows_city: true, knows_hospital: true,
    names_objects: 3, follows_command: true, writes_sentence: true, counts_back: true };
  assert.deepEqual(scoreAnswers(ice, perfect), { total: 10 });
  assert.deepEqual(scoreAnswers(ice, { ...perfect, knows_year: false, names_objects: 2 }), { total: 8 });
  // "3" is text, not a number: unanswered, and the check needs every item for a total
  assert.deepEqual(scoreAnswers(ice, { ...perfect, names_objects: '3' }), { total: null });
});

test('it counts the problem areas a caregiver ticks and scores distress as given', () => {
  const wellbeing = served('caregiver-wellbeing.caregiver');
  const scores = scoreAnswers(wellbeing, { distress: 7, problems_practical: ['housing', 'work'],
    problems_family: [] });
  assert.equal(scores.distress, 7);
  assert.equal(scores.practical, 2);
  assert.equal(scores.family, 0);
  assert.equal(scores.emotional, null);   // not answered at all
});

test('it gives no scores for a questionnaire without any, as the server does for the diary', () => {
  assert.deepEqual(scoreAnswers(served('symptom-diary.caregiver'), { temperature_c: 39 }), {});
});

test('it rounds exact ties half to even, as Python does, not up', () => {
  assert.equal(roundHalfEven(3.125, 2), 3.12);
  assert.equal(roundHalfEven(96.875, 2), 96.88);
  assert.equal(roundHalfEven(2.675, 2), 2.67);   // 2.67499999... in binary
  assert.equal(roundHalfEven(91.666666, 2), 91.67);
  assert.ok(Object.is(roundHalfEven(-0.001, 2), -0));
});

test('it reads an answer named like an object property as an unknown item, not a function', () => {
  const ice = served('neuro-check.ice-style');
  const perfect = { knows_year: true, knows_month: true, knows_city: true, knows_hospital: true,
    names_objects: 3, follows_command: true, writes_sentence: true, counts_back: true };
  assert.deepEqual(scoreAnswers(ice, { constructor: 1, toString: 2, ...perfect }), { total: 10 });
});
