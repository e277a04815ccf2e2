// "Take the temperature again in an hour": when the rules' own advice asks the family to
// measure again, the app offers a reminder at that time. The time and the words come from
// the advice text the rules wrote (every rule has English; the family's language gives the
// label), so the app adds no clinical timing of its own. A rule that asks nothing gets none.

import { say } from './strings.js';

const NUMBERS = { a: 1, an: 1, one: 1, two: 2, un: 1, una: 1, uno: 1, dos: 2 };
const UNITS = { hour: 60, hours: 60, minute: 1, minutes: 1, hora: 60, horas: 60, minuto: 1, minutos: 1 };
// "again in an hour", "again in 30 minutes"; "vuelva a ... en una hora", "de nuevo en 2 horas"
const PATTERNS = {
  en: /\bagain in (an?|one|two|\d+) (hours?|minutes?)\b/i,
  es: /(?:vuelva a|de nuevo|otra vez)[^.]*?\ben (una?|uno|dos|\d+) (horas?|minutos?)\b/i,
};

// No lookbehind: Safari before 16.4 cannot parse one, and a module that does not parse would
// take the whole advice screen with it.
function sentences(text) {
  // A sentence ends at . ! or ? before a space or the end, so "38.0 °C" stays whole.
  return (String(text ?? '').match(/\S.*?(?:[.!?](?=\s|$)|$)/g) ?? []).map((each) => each.trim());
}

/** [minutes, sentence] of the first sentence in `text` asking to measure again, or null. */
export function remeasureIn(text, language) {
  const pattern = PATTERNS[language];
  if (!pattern) return null;
  for (const sentence of sentences(text)) {
    const found = pattern.exec(sentence);
    if (!found) continue;
    const count = NUMBERS[found[1].toLowerCase()] ?? Number(found[1]);
    const minutes = count * UNITS[found[2].toLowerCase()];
    if (Number.isFinite(minutes) && minutes > 0) return [minutes, sentence];
  }
  return null;
}

/** {minutes, label, rule_id} for the most severe finding whose advice asks to measure
 * again, or null. The label is that sentence in the family's language. */
export function reminderOf(findings, language) {
  for (const finding of findings) {
    const advice = finding.advice ?? {};
    const english = remeasureIn(advice.en, 'en');
    const own = language === 'en' ? english : remeasureIn(advice[language], language);
    const minutes = english?.[0] ?? own?.[0];
    if (minutes) {
      return { minutes, label: own?.[1] ?? say('reminder', language), rule_id: finding.rule_id ?? null };
    }
  }
  return null;
}
