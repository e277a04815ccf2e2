// The phone's scoring behind a pipe, for tests/questionnaires/test_scoring_differential.py:
// one JSON request per line on stdin, one answer per line on stdout, so one long-lived node
// process scores thousands of cases. A request may carry a definition (as the pull serves
// it) under a name; later requests name it instead of sending it again.
//
//   {"definitions"?: {name: definition}, "definition": name, "answers": {...}}
//   → {"scores": {...}} or {"error": {"name", "message"}}
import { createInterface } from 'node:readline';

import { scoreAnswers } from '../../../server/family/static/js/scoring/score.js';

const definitions = new Map();
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const request = JSON.parse(line);
    for (const [name, definition] of Object.entries(request.definitions ?? {})) {
      definitions.set(name, definition);
    }
    if (!definitions.has(request.definition)) throw new Error(`no definition ${request.definition}`);
    answer = { scores: scoreAnswers(definitions.get(request.definition), request.answers) };
  } catch (error) {
    answer = { error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) } };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
