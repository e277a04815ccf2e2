// Scores from answers on the phone, exactly as questionnaires/scoring.py computes them on the
// server, from the definition as the pull serves it (docs/questionnaires.md, "Scoring"). The
// neuro-check, quality-of-life and wellbeing rules read the entry's scores, so without this
// they could not fire offline.
//
//   import { scoreAnswers } from './scoring/score.js';
//   const scores = scoreAnswers(definition, answers);   // {total: 8, ...}; null: too few answers
//
// Invalid answers count as unanswered (js/forms/validate.js decides, as validation.py does).
// The missing-data rule counts only items that applied: a school question switched off for a
// child not at school is not "missing". A score whose rule fails is null, never a number made
// from too few answers. tests/questionnaires/test_scoring_differential.py holds both sides to
// the same numbers on every shipped definition.

import { isEnabled } from '../forms/conditions.js';
import { validateAnswers } from '../forms/validate.js';

const SCORE_DECIMALS = 2;

/** {scoreId: number | null} for every score of the definition ({} for one without scores). */
export function scoreAnswers(definition, answers) {
  const rules = Array.isArray(definition?.scoring) ? definition.scoring : [];
  if (!rules.length) return {};
  const valid = validateAnswers(definition, answers).validAnswers;
  const items = new Map((definition.items || []).map((item) => [item.linkId, item]));
  const applies = new Map();
  for (const item of definition.items || []) {
    applies.set(item.linkId, isEnabled(item, valid, new Set()) !== false);
  }
  const scores = {};
  for (const rule of rules) scores[rule.id] = scoreOne(rule, items, valid, applies);
  return scores;
}

function scoreOne(rule, items, answers, applies) {
  const counted = rule.items.filter((linkId) => applies.get(linkId) === true);
  const answered = counted.filter((linkId) => Object.hasOwn(answers, linkId));
  const minimum = rule.min_answered ?? 1.0;
  if (!answered.length || answered.length < minimum * counted.length) return null;
  const reversed = rule.reverse === 'all' ? rule.items : (rule.reverse ?? []);
  let value;
  if (rule.method === 'count') {
    value = sum(answered.map((linkId) => countOf(answers[linkId])));
  } else {
    const numbers = answered.map((linkId) =>
      numberOf(items.get(linkId), answers[linkId], reversed.includes(linkId)));
    value = rule.method === 'mean'
      ? sum(numbers) / numbers.length
      // A sum over fewer items than asked is scaled up, so a skipped item reads as average.
      : (sum(numbers) * counted.length) / answered.length;
  }
  if (rule.transform) value = transformed(rule.transform, value);
  return tidy(roundHalfEven(value, SCORE_DECIMALS));
}

// Python's sum(): left to right, from 0. (Python 3.12 adds floats with compensation; every
// shipped scored item is a whole number, where both are exact.)
function sum(numbers) {
  let total = 0;
  for (const number of numbers) total += number;
  return total;
}

function numberOf(item, answer, reverse) {
  const value = typeof answer === 'boolean' ? Number(answer) : answer;
  if (!reverse) return value;
  const [low, high] = boundsOf(item);
  return low + high - value;
}

/** The lowest and highest possible answer, which reverse scoring mirrors around. */
export function boundsOf(item) {
  if (item.type === 'boolean') return [0, 1];
  if (item.type === 'scale-0-4' || item.type === 'faces') return [0, 4];
  if ((item.type === 'decimal' || item.type === 'integer') && item.min != null && item.max != null) {
    return [item.min, item.max];
  }
  // The server's definition check refuses a reversed item without bounds; a served document
  // never has one, and a score made from a guess would be worse than none.
  throw new TypeError(`${item.linkId} cannot be reversed: it has no lowest and highest answer`);
}

function countOf(answer) {
  if (Array.isArray(answer)) return answer.length;
  return answer === true ? 1 : 0;
}

function transformed({ from: [a, b], to: [c, d] }, value) {
  return c + ((value - a) * (d - c)) / (b - a);
}

// -0 is 0 to a family, and to JSON.
const tidy = (value) => (value === 0 ? 0 : value);

/**
 * Python's round(x, decimals): the exact binary value rounded half to even, so 3.125 (an
 * exact tie) is 3.12 on both sides, where Math.round and toFixed would give 3.13.
 */
export function roundHalfEven(x, decimals) {
  // From 2**53 up every double is a whole number, and toFixed would not write it out whole.
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 53) return x;
  const exact = Math.abs(x).toFixed(100); // exact for any double near a 2-decimal tie
  const point = exact.indexOf('.');
  let kept = exact.slice(0, point) + exact.slice(point + 1, point + 1 + decimals);
  const rest = exact.slice(point + 1 + decimals);
  const up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1))
    || Number(kept[kept.length - 1]) % 2 === 1));
  if (up) kept = (BigInt(kept) + 1n).toString().padStart(kept.length, '0');
  const digits = kept.padStart(decimals + 1, '0');
  const text = decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
  return (x < 0 ? -1 : 1) * Number(text);
}
