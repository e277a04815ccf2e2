// The family app's validator against the cases the Python validator is proved on
// (tests/questionnaires/test_validation_cases.py runs the same file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { validateAnswers } from '../../server/family/static/js/forms/validate.js';
import { describeProblem } from '../../server/family/static/js/forms/strings.js';

const data = JSON.parse(readFileSync(new URL('../data/form_validation_cases.json', import.meta.url), 'utf8'));

for (const c of data.cases) {
  test(`it gives the server's verdict: ${c.name}`, () => {
    const definition = data.definitions[c.definition].document;
    const result = validateAnswers(definition, c.answers);
    assert.deepEqual(result.problems.map((p) => [p.code, p.field]), c.problems);
    assert.deepEqual(result.validAnswers, c.valid);
    assert.equal(result.valid, c.ok);
    assert.equal(result.ok, c.ok);
  });
}

test('it says every problem of every case in words, in English and Spanish', () => {
  for (const c of data.cases) {
    const result = validateAnswers(data.definitions[c.definition].document, c.answers);
    for (const problem of result.problems) {
      for (const language of ['en', 'es']) {
        const sentence = describeProblem(language, problem);
        assert.match(sentence, /^[A-ZÁÉÍÓÚ¿][^{}]*[.?]$/, `${c.name}: ${problem.reason} in ${language}: ${sentence}`);
        assert.doesNotMatch(sentence, /undefined|null|NaN/);
      }
    }
  }
});

test('it does not change the answers it is given', () => {
  const definition = data.definitions['symptom-diary.caregiver.1.0.0/en'].document;
  const answers = { temperature_method: 'oral', neuro_signs: ['headache'] };
  const copy = structuredClone(answers);
  const result = validateAnswers(definition, answers);
  assert.deepEqual(answers, copy);
  result.validAnswers.neuro_signs?.push('tremor');
  assert.deepEqual(answers, copy);
});

