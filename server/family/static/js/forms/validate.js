// Checking answers on the phone with the same verdicts as questionnaires/validation.py, so
// the family hears about a mistake while they can still fix it, not after the server has
// quarantined the entry. The shared cases in tests/data/form_validation_cases.json run
// through both validators (tests/questionnaires/test_validation_cases.py and
// tests/js/forms-validate.test.mjs); change one validator and the other's test fails.
//
// validateAnswers(definition, answers) -> {valid, ok, problems, validAnswers}
//   valid / ok    true when there is no problem (the server's `ok`)
//   problems      [{code, field, reason, ...details}] in the server's order; `code` and
//                 `field` are the server's; `reason` says which sentence strings.js shows
//   validAnswers  the answers that passed on their own and apply (the server's valid_answers)
//
// Known difference, by nature of JSON in JavaScript: 2.0 and 2 are the same number here, so a
// choice or faces answer of 2.0 passes here while Python refuses the float. The forms only
// ever produce whole numbers for those, so a family never meets it.

import { isEnabled } from './conditions.js';

export const DEFAULT_MAX_TEXT = 5000;
export const MAX_REPORTED_PROBLEMS = 50;
const NUMERIC = ['decimal', 'integer'];
const ONE_OPTION = ['choice', 'scale-0-4', 'faces'];

export function validateAnswers(definition, answers) {
  if (!isPlainObject(answers)) {
    const problem = { code: 'invalid_answers', field: null, reason: 'not_an_object' };
    return result([problem], {});
  }
  const items = new Map((definition.items || []).map((item) => [item.linkId, item]));
  const problems = [];
  const valid = {};
  const unreadable = new Set();
  let given = 0;
  for (const [linkId, value] of Object.entries(answers)) {
    const item = items.get(linkId);
    if (item === undefined) {
      // Cut by characters as Python does, never inside an emoji's surrogate pair.
      problems.push({ code: 'unknown_item', field: [...linkId].slice(0, 80).join(''), reason: 'unknown_item' });
      continue;
    }
    if (isBlank(value)) continue; // null or an empty text box is no answer, not a wrong one
    given += 1;
    const checked = checkValue(item, value);
    if (checked.problem === undefined) {
      valid[linkId] = checked.value;
    } else {
      unreadable.add(linkId);
      problems.push({ code: 'invalid_answer', field: linkId, ...checked.problem });
    }
  }
  // In screen order, so an answer removed for not applying also stops what depends on it.
  for (const item of definition.items || []) {
    const id = item.linkId;
    const state = isEnabled(item, valid, unreadable);
    const answered = Object.hasOwn(valid, id) || unreadable.has(id);
    if (state === false && answered) {
      delete valid[id];
      problems.push({ code: 'not_enabled', field: id, reason: 'not_enabled' });
    } else if (state === true && item.required && !answered) {
      problems.push({ code: 'required', field: id, reason: 'required' });
    }
  }
  const minimum = definition.min_answers || 0;
  if (given < minimum) problems.push({ code: 'no_answers', field: null, reason: 'no_answers', minimum });
  return result(problems, valid);
}

function result(problems, validAnswers) {
  const ok = problems.length === 0;
  return { valid: ok, ok, problems: problems.slice(0, MAX_REPORTED_PROBLEMS), validAnswers };
}

// {value} when `value` fits `item`, else {problem: {reason, ...details}}.
export function checkValue(item, value) {
  const kind = item.type;
  if (NUMERIC.includes(kind)) return checkNumber(item, value);
  if (kind === 'boolean') return typeof value === 'boolean' ? { value } : fail('not_boolean');
  if (ONE_OPTION.includes(kind)) return isOption(item, value) ? { value } : fail('not_an_option');
  if (kind === 'multi-choice') return checkMulti(item, value);
  if (kind === 'text') {
    const limit = item.maxLength || DEFAULT_MAX_TEXT;
    if (typeof value !== 'string') return fail('not_text');
    // Python counts code points, not UTF-16 units: an emoji is one character there.
    return [...value].length <= limit ? { value } : fail('too_long', { limit });
  }
  return checkDateTime(value);
}

function checkNumber(item, value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail('not_a_number', { whole: item.type === 'integer' });
  if (item.type === 'integer' && !Number.isInteger(value)) return fail('not_whole');
  const low = item.min ?? null;
  const high = item.max ?? null;
  if ((low !== null && value < low) || (high !== null && value > high)) {
    return fail('out_of_range', { min: low, max: high, unit: item.unit ? item.unit.display : '' });
  }
  return { value };
}

function checkMulti(item, value) {
  if (!Array.isArray(value)) return fail('not_a_list');
  if (!value.every((one) => isOption(item, one))) return fail('not_an_option');
  if (new Set(value).size !== value.length) return fail('listed_twice');
  return { value: [...value] };
}

// What Python's datetime.fromisoformat takes from an app in practice: a calendar date, then
// optionally a time (hours, minutes, seconds, a fraction) and an offset (Z, +hh:mm, +hhmm,
// +hh). ISO week dates and the basic format (20261120T1402Z) are refused here though Python
// takes them; no app writes them.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?)?$/;

function checkDateTime(value) {
  if (typeof value !== 'string' || value.length > 64) return fail('not_a_date_time');
  const found = DATE_TIME.exec(value);
  if (!found || !realMoment(found)) return fail('not_a_date_time');
  if (found[7] === undefined) return fail('no_offset');
  return { value };
}

function realMoment([, year, month, day, hour, minute, second]) {
  const days = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  return Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= days
    && Number(hour || 0) <= 23 && Number(minute || 0) <= 59 && Number(second || 0) <= 59;
}

function isOption(item, value) {
  // A tick box is not the answer 1 on a scale, and "1" is not 1.
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  return (item.options || []).some((option) => option.value === value);
}

// Python's str.strip() whitespace, which is not quite JavaScript's trim().
const PY_SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

export function isBlank(value) {
  return value === null || value === undefined || (typeof value === 'string' && PY_SPACE.test(value));
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(reason, details = {}) {
  return { problem: { reason, ...details } };
}
