// enableWhen, exactly as questionnaires/conditions.py: whether an item applies given the
// answers before it. Three results, not two: when a condition looks at an answer that was
// itself invalid nobody can tell, and the item is then neither demanded nor refused, so one
// typo does not cascade. The renderer uses the same function to show and hide items live.

export const UNKNOWN = null;

export function isEnabled(item, answers, unreadable) {
  const conditions = item.enableWhen || [];
  if (conditions.length === 0) return true;
  const results = conditions.map((condition) =>
    unreadable.has(condition.question) ? UNKNOWN : holds(condition, answerTo(answers, condition.question)));
  if (item.enableBehavior === 'any') {
    if (results.includes(true)) return true;
    return results.includes(UNKNOWN) ? UNKNOWN : false;
  }
  if (results.includes(false)) return false;
  return results.includes(UNKNOWN) ? UNKNOWN : true;
}

// Own answers only: a linkId may be "constructor", which every JavaScript object inherits.
function answerTo(answers, linkId) {
  return Object.hasOwn(answers, linkId) ? answers[linkId] : undefined;
}

// One condition against one valid answer; an unanswered question fails all but `exists`.
export function holds(condition, answer) {
  const expected = condition.answer === undefined ? true : condition.answer;
  const answered = answer !== undefined && answer !== null;
  if (condition.operator === 'exists') return answered === Boolean(expected);
  if (!answered) return false;
  const values = Array.isArray(answer) ? answer : [answer];
  if (condition.operator === '!=') return values.every((value) => value !== expected);
  return values.some((value) => compare(condition.operator, value, expected));
}

function compare(operator, value, expected) {
  if (operator === '=') return value === expected;
  if (typeof value !== 'number' || typeof expected !== 'number') return false;
  if (operator === '>') return value > expected;
  if (operator === '<') return value < expected;
  if (operator === '>=') return value >= expected;
  return value <= expected;
}
