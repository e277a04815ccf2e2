// What a form would save now: the answers to questions that apply, in screen order, read
// with the same three-way conditions as the server. An answer to a question that no longer
// applies stays on screen-less hold (the box keeps it) but is never saved; an unreadable
// answer leaves its dependants shown, neither demanded nor refused, as on the server.

import { isEnabled } from './conditions.js';
import { checkValue, isBlank } from './validate.js';

// items: the definition's items; read(item) -> the value on screen, or undefined.
// -> {answers, shown: Map linkId -> whether the question is on the form now}
export function collectAnswers(items, read) {
  const answers = {};
  const valid = {};
  const unreadable = new Set();
  const shown = new Map();
  for (const item of items) {
    const state = isEnabled(item, valid, unreadable);
    shown.set(item.linkId, state !== false);
    if (state === false) continue;
    const value = read(item);
    if (value === undefined || isBlank(value)) continue;
    answers[item.linkId] = value;
    if (checkValue(item, value).problem === undefined) valid[item.linkId] = value;
    else unreadable.add(item.linkId);
  }
  return { answers, shown };
}
