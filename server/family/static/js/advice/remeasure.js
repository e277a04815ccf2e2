// "Take the temperature again in an hour": when a rule's advice asks the family to measure
// again, the rule says after how many minutes as data (`measure_again_minutes`, carried by
// each finding; docs/rules.md), and the app offers a reminder at that time. Nothing is read
// out of the advice's words: Spanish advice, or advice a site reworded, sets the same
// reminder, and the app adds no clinical timing of its own. A rule that asks nothing gets none.

import { say } from './strings.js';

const DAY_MINUTES = 24 * 60;

/** The minutes a finding asks to wait before measuring again, or null. */
export function remeasureMinutes(finding) {
  const minutes = finding?.measure_again_minutes;
  return Number.isInteger(minutes) && minutes >= 1 && minutes <= DAY_MINUTES ? minutes : null;
}

/** {minutes, label, rule_id} for the most severe finding that asks to measure again, or
 * null. Findings come most severe first. The label is the app's own words in the family's
 * language ("Time to measure again."); the advice itself is on the screen above it. */
export function reminderOf(findings, language) {
  for (const finding of findings) {
    const minutes = remeasureMinutes(finding);
    if (minutes) return { minutes, label: say('reminder', language), rule_id: finding.rule_id ?? null };
  }
  return null;
}
