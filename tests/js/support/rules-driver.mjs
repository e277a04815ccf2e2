// The phone's evaluator behind a pipe, for tests/alerts/test_rules_differential.py: one JSON
// request per line on stdin, one JSON answer per line on stdout, so a single long-lived node
// process answers thousands of cases. A request may carry a new rules document ("rules");
// without one the last document is used again (sending 40 kB per case would be the cost).
//
//   {"rules"?: document, "evaluate": "entry"|"silence", "entry"?: {...}, "context": {...}}
//   {"rules"?: document, "evaluate": "phone", "entry", "profile", "history", "now"}
//     (the context built by js/rules/context.js, as the app builds it)
//   → {"findings": [...]} or {"error": {"name", "message"}}
import { createInterface } from 'node:readline';

import { evaluate, evaluateSilence } from '../../../server/family/static/js/rules/evaluate.js';
import { phoneContext } from '../../../server/family/static/js/rules/context.js';

let rules = null;
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const request = JSON.parse(line);
    if (request.rules !== undefined) rules = request.rules;
    let findings;
    if (request.evaluate === 'silence') {
      findings = evaluateSilence(rules, request.context, request.now ?? null);
    } else if (request.evaluate === 'phone') {
      const { entry, profile, history, now } = request;
      findings = evaluate(rules, entry, phoneContext({ profile, history, entry, now }));
    } else {
      findings = evaluate(rules, request.entry, request.context);
    }
    answer = { findings };
  } catch (error) {
    answer = { error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) } };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
