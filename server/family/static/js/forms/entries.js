// Controls where the family types: numbers, text, a date and time.
//
// Numbers are <input type="text" inputmode="decimal">, not type="number": a phone then shows
// its number keypad with the decimal key, and a Spanish family can type 38,6 (type="number"
// throws away a comma in many browsers, silently, which would lose a fever). The format has
// no step field: a decimal takes any precision and an integer takes whole numbers; the
// validator, not the keyboard, is the judge, and says so in words.

import { el, uniqueId, describeControl } from './dom.js';
import { word, formatValue } from './strings.js';
import { readNumber, readLocalDateTime, toLocalInput, showNumber } from './typing.js';
import { DEFAULT_MAX_TEXT } from './validate.js';

export function buildEntry(item, context) {
  if (item.type === 'text') return buildText(item, context);
  if (item.type === 'date-time') return buildDateTime(item, context);
  return buildNumber(item, context);
}

function buildNumber(item, context) {
  const id = uniqueId(`hw-${item.linkId}`);
  const decimal = item.type === 'decimal';
  const input = el('input', {
    id, type: 'text', class: 'hw-number-input', autocomplete: 'off', spellcheck: 'false',
    inputmode: decimal ? 'decimal' : 'numeric', enterkeyhint: 'next',
    'aria-required': item.required ? 'true' : undefined,
    onchange: context.onChange, oninput: context.onInput,
  });
  const unit = item.unit ? el('span', { class: 'hw-unit', text: item.unit.display, 'aria-hidden': 'true' }) : null;
  // A thermometer beside a temperature says at a glance which box takes it.
  const thermometer = item.unit?.code === 'Cel' && context.picturesBase !== undefined
    ? el('img', { class: 'hw-unit-picture', src: `${context.picturesBase}thermometer.svg`, alt: '', width: 48, height: 48 })
    : null;
  const hintId = uniqueId('hw-hint');
  const hint = el('p', { id: hintId, class: 'hw-hint', text: rangeWords(item, context.language) });
  return {
    group: false,
    inputId: id,
    hintIds: [hintId],
    element: el('div', { class: 'hw-control' }, [el('div', { class: 'hw-number' }, [thermometer, input, unit]), hint]),
    read: () => readNumber(input.value, !decimal),
    set(value) { input.value = value === undefined || value === null ? '' : showNumber(value, context.language); },
    focus: () => input.focus(),
    describe(ids, invalid) {
      describeControl(input, ids, invalid);
    },
  };
}

// "Between 34 and 43 °C", said once under the box; for a decimal, that a comma works too.
export function rangeWords(item, language) {
  const values = { min: item.min, max: item.max, unit: item.unit ? item.unit.display : '' };
  const low = item.min !== undefined && item.min !== null;
  const high = item.max !== undefined && item.max !== null;
  const range = low && high ? word(language, 'range', values)
    : low ? word(language, 'at_least', values) : high ? word(language, 'at_most', values) : '';
  const decimalHint = item.type === 'decimal' ? word(language, 'decimal_hint') : '';
  return [range, decimalHint].filter(Boolean).join('. ');
}

function buildText(item, context) {
  const id = uniqueId(`hw-${item.linkId}`);
  const limit = item.maxLength || DEFAULT_MAX_TEXT;
  const counterId = uniqueId('hw-count');
  const counter = el('p', { id: counterId, class: 'hw-hint hw-counter' });
  // No maxlength attribute: it cuts pasted text silently and counts differently from the
  // server; the counter and the validator say when it is too long instead.
  const box = el('textarea', {
    id, class: 'hw-text-input', rows: 4, 'aria-required': item.required ? 'true' : undefined,
    oninput: () => { count(); context.onInput?.(); }, onchange: context.onChange,
  });
  function count() {
    counter.textContent = word(context.language, 'characters',
      { count: formatValue(context.language, [...box.value].length), limit });
  }
  count();
  return {
    group: false,
    inputId: id,
    hintIds: [counterId],
    element: el('div', { class: 'hw-control' }, [box, counter]),
    read: () => (box.value.trim() === '' ? undefined : box.value),
    set(value) { box.value = typeof value === 'string' ? value : ''; count(); },
    focus: () => box.focus(),
    describe(ids, invalid) {
      describeControl(box, ids, invalid);
    },
  };
}

function buildDateTime(item, context) {
  const id = uniqueId(`hw-${item.linkId}`);
  const input = el('input', {
    id, type: 'datetime-local', class: 'hw-date-time-input',
    'aria-required': item.required ? 'true' : undefined, onchange: context.onChange,
  });
  return {
    group: false,
    inputId: id,
    hintIds: [],
    element: el('div', { class: 'hw-control' }, [input]),
    read: () => readLocalDateTime(input.value),
    set(value) { input.value = toLocalInput(value); },
    focus: () => input.focus(),
    describe(ids, invalid) {
      describeControl(input, ids, invalid);
    },
  };
}
