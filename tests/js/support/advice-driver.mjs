// The phone's whole Save flow (js/advice/advise.js: score, context, rules) behind a pipe, for
// tests that compare it with the server: one JSON request per line on stdin, one answer per
// line on stdout. A request may carry a new rules document ("rules"); without one the last
// is used again.
//
//   {"rules"?, "profile", "history", "entry", "definition"?, "now", "language"?}
//   → {"level", "phoneAdvice", "scores", "checked"} or {"error": {"name", "message"}}
import { createInterface } from 'node:readline';

import { adviseOnSave } from '../../../server/family/static/js/advice/advise.js';

let rules = null;
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const request = JSON.parse(line);
    if (request.rules !== undefined) rules = request.rules;
    const advice = adviseOnSave({ ...request, rules });
    answer = { level: advice.level, phoneAdvice: advice.phoneAdvice, scores: advice.scores,
      checked: advice.checked };
  } catch (error) {
    answer = { error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) } };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
