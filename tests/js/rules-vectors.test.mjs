// Every shared vector of alerts/rules/vectors/, run by the phone's evaluator exactly as
// docs/rules.md ("Test vectors") tells any implementation to: shallow merges of the file's
// defaults, `evaluate: "silence"` for the time rules, findings compared in order. A vector this
// runner cannot run fails; nothing is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { evaluate, evaluateSilence } from '../../server/family/static/js/rules/evaluate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VECTOR_DIR = path.join(ROOT, 'alerts', 'rules', 'vectors');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const RULES = readJson(path.join(ROOT, 'alerts', 'rules', 'default.json'));
// What the pull serves a site without parameters: the same file, saying nothing was changed.
const SERVED = { ...structuredClone(RULES), site_overridden: [] };
const FILES = readdirSync(VECTOR_DIR).filter((name) => name.endsWith('.json')).sort();

function runVector(rules, defaults, vector) {
  const entry = { ...(defaults.entry ?? {}), ...(vector.entry ?? {}) };
  const context = { ...(defaults.context ?? {}), ...(vector.context ?? {}) };
  const how = vector.evaluate ?? 'entry';
  let found;
  if (how === 'silence') found = evaluateSilence(rules, context);
  else if (how === 'entry') found = evaluate(rules, entry, context);
  else throw new Error(`a vector asks for an evaluation this runner does not know: ${how}`);
  // (reason, level, escalate_now), and measure_again_minutes where the vector names it.
  return found.map(({ reason, level, escalate_now, measure_again_minutes }, index) => (
    Object.hasOwn(vector.expect[index] ?? {}, 'measure_again_minutes')
      ? { reason, level, escalate_now, measure_again_minutes } : { reason, level, escalate_now }));
}

test('the vector files are there, in the declared format', () => {
  assert.ok(FILES.length >= 8, `only ${FILES.length} vector files`);
  for (const name of FILES) {
    const document = readJson(path.join(VECTOR_DIR, name));
    assert.equal(document.format, 'homeward-rule-vectors/1', name);
    assert.equal(document.ruleset, RULES.id, name);
  }
});

for (const name of FILES) {
  const document = readJson(path.join(VECTOR_DIR, name));
  for (const vector of document.vectors) {
    test(`${path.basename(name, '.json')}: ${vector.name}`, () => {
      assert.deepEqual(runVector(RULES, document.defaults, vector), vector.expect);
      assert.deepEqual(runVector(SERVED, document.defaults, vector), vector.expect);
    });
  }
}
