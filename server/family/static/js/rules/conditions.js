// What each operator of the rules language means (alerts/conditions.py, docs/rules.md).
// Python's own quirks are not the language's: `true` never equals 1, a string is never a
// number, and a missing value makes every test false. A condition is compiled once per rules
// document into nested functions `holds(situation, facts)`, which add what made the test hold
// (parameters used, new signs, a change from baseline, a sustained run) to `facts`.

import { RulesError, has, isNumber, isObject, own, resolve } from './parameters.js';
import { MICROS_PER_MINUTE } from './time.js';

const DIFFERENCE_DECIMALS = 6;
export const SUSTAINED_LOOKBACK_MICROS = 24 * 60 * MICROS_PER_MINUTE;
const COMPARISONS = {
  '>=': (a, b) => a >= b, '>': (a, b) => a > b, '<=': (a, b) => a <= b, '<': (a, b) => a < b,
};

export function compileCondition(condition) {
  if (!isObject(condition)) throw new RulesError('a condition is an object');
  if (has(condition, 'all')) {
    const children = condition.all.map(compileCondition);
    return (situation, facts) => {
      // Facts count only if the whole `all` holds, so a branch that failed half-way leaves
      // nothing behind to mislead whoever reads the evidence.
      const found = {};
      for (const child of children) if (!child(situation, found)) return false;
      merge(facts, found);
      return true;
    };
  }
  if (has(condition, 'any')) {
    const children = condition.any.map(compileCondition);
    return (situation, facts) => children.some((child) => child(situation, facts));
  }
  if (has(condition, 'not')) {
    const child = compileCondition(condition.not);
    return (situation) => !child(situation, {});
  }
  return withParameters(condition, compileTest(condition));
}

/** Python's dict merge of facts: nested objects are updated, other values replaced. */
export function merge(facts, found) {
  for (const [key, value] of Object.entries(found)) {
    if (isObject(value)) {
      if (!isObject(facts[key])) facts[key] = {};
      Object.assign(facts[key], value);
    } else {
      facts[key] = value;
    }
  }
}

/** operand → function(situation) giving its value, null when it is missing. */
export function getter(operand) {
  if (!isObject(operand)) return () => operand;
  const [source, name] = Object.entries(operand)[0];
  if (source === 'param') return (s) => resolve(s.parameters[name], s.method);
  if (source === 'answer') return (s) => own(s.answers, name) ?? null;
  if (source === 'score') return (s) => own(s.scores, name) ?? null;
  if (source === 'entry') return (s) => own(s.entry, name) ?? null;
  if (source === 'context') return (s) => (s.context.has(name) ? s.context.get(name) : null);
  throw new RulesError(`unknown operand source '${source}'`);
}

function withParameters(test, predicate) {
  const names = ['left', 'right', 'from', 'minutes']
    .map((key) => test[key]).filter((part) => isObject(part) && has(part, 'param'))
    .map((part) => part.param);
  if (Array.isArray(test.right)) {
    names.push(...test.right.filter((part) => isObject(part) && has(part, 'param')).map((part) => part.param));
  }
  if (!names.length) return predicate;
  return (situation, facts) => {
    if (!predicate(situation, facts)) return false;
    if (!isObject(facts.parameters)) facts.parameters = {};
    for (const name of names) facts.parameters[name] = resolve(situation.parameters[name], situation.method);
    return true;
  };
}

/** JSON equality for scalars: true is not 1, 1 is 1.0, nothing equals a missing value. */
export function same(a, b) {
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return typeof a === 'string' && typeof b === 'string' && a === b;
}

const contains = (values, wanted) => Array.isArray(values) && values.some((value) => same(value, wanted));

function compileTest(test) {
  const op = test.op;
  if (op === 'new_since_last') return newSinceLast(test.left.answer, [...test.right]);
  if (op === 'sustained') return sustained(test.right, getter(test.minutes));
  const left = getter(test.left);
  if (op === 'exists') {
    return (s) => {
      const value = left(s);
      return value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
    };
  }
  if (op === 'in') {
    const wanted = [...test.right];
    return (s) => wanted.some((each) => same(left(s), each));
  }
  if (op === 'contains_any') {
    const wanted = [...test.right];
    return (s) => wanted.some((each) => contains(left(s), each));
  }
  if (op === 'between') return between(left, test.right);
  const right = getter(test.right);
  if (op === '=') return (s) => same(left(s), right(s));
  if (has(COMPARISONS, op)) {
    const compare = COMPARISONS[op];
    return (s) => {
      const a = left(s);
      if (!isNumber(a)) return false;
      const b = right(s);
      return isNumber(b) && compare(a, b);
    };
  }
  if (op === 'drop_from' || op === 'rise_from') return change(op, left, getter(test.from), right);
  throw new RulesError(`unknown operator ${JSON.stringify(op)}`);
}

function between(left, bounds) {
  let low, high;
  if (Array.isArray(bounds)) {
    [low, high] = [getter(bounds[0]), getter(bounds[1])];
  } else {
    const both = getter(bounds);
    [low, high] = [(s) => both(s)[0], (s) => both(s)[1]];
  }
  return (s) => {
    const [value, lowest, highest] = [left(s), low(s), high(s)];
    return [value, lowest, highest].every(isNumber) && lowest <= value && value <= highest;
  };
}

/**
 * Python's round(x, 6): the exact binary value rounded half to even at the sixth decimal,
 * so that 64.1 - 54.1 (9.999999999999993) counts as 10 on both sides, ties included.
 */
export function roundDifference(x) {
  // From 2**47 up a double has at most 5 binary fraction digits: 6 decimals hold it exactly.
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 47) return x;
  const exact = Math.abs(x).toFixed(60);           // exact for these magnitudes
  const point = exact.indexOf('.');
  let kept = exact.slice(0, point) + exact.slice(point + 1, point + 1 + DIFFERENCE_DECIMALS);
  const rest = exact.slice(point + 1 + DIFFERENCE_DECIMALS);
  const up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1))
    || Number(kept[kept.length - 1]) % 2 === 1));
  if (up) kept = (BigInt(kept) + 1n).toString().padStart(kept.length, '0');
  const digits = kept.padStart(DIFFERENCE_DECIMALS + 1, '0');
  const text = `${digits.slice(0, -DIFFERENCE_DECIMALS)}.${digits.slice(-DIFFERENCE_DECIMALS)}`;
  return (x < 0 ? -1 : 1) * Number(text);
}

function change(op, left, reference, points) {
  return (s, facts) => {
    const [value, start, needed] = [left(s), reference(s), points(s)];
    if (![value, start, needed].every(isNumber)) return false;
    const difference = roundDifference(op === 'drop_from' ? start - value : value - start);
    if (difference < needed) return false;
    facts.change = { from: start, to: value, points: difference };
    return true;
  };
}

function newSinceLast(linkId, watched) {
  return (s, facts) => {
    const current = own(s.answers, linkId);
    if (!Array.isArray(current) || !current.length) return false;
    const before = own(s.previous, linkId);
    const known = own(s.baselineSigns, linkId) ?? [];
    const always = own(s.alwaysReportSigns, linkId) ?? [];
    const fresh = watched.filter((value) => contains(current, value)
      && (always.includes(value) || (!contains(before, value) && !known.includes(value))));
    if (fresh.length) {
      if (!isObject(facts.new)) facts.new = {};
      facts.new[linkId] = fresh;
    }
    return fresh.length > 0;
  };
}

/** The entry's reading and the unbroken run of readings before it at or above the threshold
 * (each judged by its own method's threshold) span at least `minutes`. */
function sustained(threshold, minutes) {
  const limitFor = isObject(threshold) && has(threshold, 'param')
    ? (s, method) => resolve(s.parameters[threshold.param], method)
    : () => threshold;
  return (s, facts) => {
    const temperature = own(s.answers, 'temperature_c');
    const at = s.recordedAt, span = minutes(s);
    if (!(isNumber(temperature) && isNumber(span) && at !== null)) return false;
    const limit = limitFor(s, s.method);
    if (!(isNumber(limit) && temperature >= limit)) return false;
    let start = at;
    for (let index = s.readings.length - 1; index >= 0; index -= 1) {
      const { at: readingAt, temperature: reading, method } = s.readings[index];
      if (readingAt.micros >= at.micros || readingAt.micros < at.micros - SUSTAINED_LOOKBACK_MICROS) continue;
      if (reading < limitFor(s, method)) break;
      start = readingAt;
    }
    if (at.micros - start.micros < Math.round(span * MICROS_PER_MINUTE)) return false;
    facts.sustained_since = start.iso;
    return true;
  };
}
