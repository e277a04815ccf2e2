// Controls where the family taps an answer: yes/no, one option, a 0-4 scale, faces, a small
// whole number (the 0-10 distress thermometer), and tick boxes. All are native radio buttons
// and check boxes inside a <fieldset>, so arrow keys, Space and screen readers work as they
// do everywhere, and each whole option row is the label: the tap target is the row.

import { el, textIn, uniqueId, describeControl } from './dom.js';
import { word } from './strings.js';

// A whole number with at most this many possible answers is tapped, not typed.
export const MOST_TAPPED_NUMBERS = 11;

export function tapsNumber(item) {
  return item.type === 'integer' && Number.isInteger(item.min) && Number.isInteger(item.max)
    && item.max - item.min + 1 <= MOST_TAPPED_NUMBERS;
}

// [{value, text, picture}] for every tapped type, so one builder draws them all.
export function optionsOf(item, language, pictures) {
  if (item.type === 'boolean') {
    return [
      { value: true, text: word(language, 'yes'), picture: pictures ? 'yes' : undefined },
      { value: false, text: word(language, 'no'), picture: pictures ? 'no' : undefined },
    ];
  }
  if (item.type === 'integer') {
    const numbers = [];
    for (let n = item.min; n <= item.max; n += 1) numbers.push({ value: n, text: String(n) });
    return numbers;
  }
  return (item.options || []).map((option) => ({
    value: option.value, text: textIn(option.text, language), picture: option.picture,
  }));
}

export function buildChoices(item, context) {
  const multi = item.type === 'multi-choice';
  const options = optionsOf(item, context.language, context.pictures);
  const name = uniqueId(`hw-${item.linkId}`);
  const shape = shapeOf(item, options);
  const list = el('div', { class: `hw-options hw-options-${shape}` });
  let none; // the "None of these" box of a multi-choice
  const inputs = options.map((option) => {
    const input = el('input', {
      type: multi ? 'checkbox' : 'radio', name, value: String(option.value), class: 'hw-choice-input',
      // Says "required" to a screen reader; the form is novalidate, so no browser bubble.
      required: item.required && !multi,
      onchange: () => {
        if (multi && input.checked && none) none.input.checked = false;
        refresh();
        context.onChange();
      },
    });
    list.append(optionRow(input, option, context));
    return input;
  });
  if (multi) {
    // "None of these" is a real answer ([]) and not the same as skipping the question.
    const input = el('input', {
      type: 'checkbox', name, value: '', class: 'hw-choice-input hw-none-input',
      onchange: () => {
        if (input.checked) inputs.forEach((i) => { i.checked = false; });
        refresh();
        context.onChange();
      },
    });
    none = { input };
    const picture = shape === 'pictures' ? 'no' : undefined; // a child sees it among the pictures
    list.append(optionRow(input, { text: word(context.language, 'none_of_these'), picture }, context, 'hw-option-none'));
  }
  // Radio buttons cannot be untapped, so an optional question gets a way back to "no answer".
  const clear = multi || item.required ? null : el('button', {
    type: 'button', class: 'hw-clear', text: word(context.language, 'clear'), hidden: true,
    onclick: () => { inputs.forEach((i) => { i.checked = false; }); refresh(); context.onChange(); inputs[0]?.focus(); },
  });
  function refresh() {
    if (clear) clear.hidden = !inputs.some((i) => i.checked);
  }
  const all = none ? [...inputs, none.input] : inputs;
  return {
    group: true,
    element: el('div', { class: 'hw-control' }, [list, clear]),
    read() {
      if (multi) {
        if (none.input.checked) return [];
        const ticked = options.filter((_, index) => inputs[index].checked).map((o) => o.value);
        return ticked.length ? ticked : undefined;
      }
      const index = inputs.findIndex((i) => i.checked);
      return index < 0 ? undefined : options[index].value;
    },
    set(value) {
      const wanted = multi ? (Array.isArray(value) ? value : []) : [value];
      inputs.forEach((input, index) => { input.checked = wanted.includes(options[index].value); });
      if (none) none.input.checked = Array.isArray(value) && value.length === 0;
      refresh();
    },
    focus() { (all.find((i) => i.checked) || all[0])?.focus(); },
    describe(ids, invalid) {
      all.forEach((input) => describeControl(input, ids, invalid));
    },
  };
}

// Layouts: pictures in a grid of cards; a row of numbers; words in a column of wide rows
// (long answers such as "Under the arm (axilla)" must never be squeezed on a phone).
function shapeOf(item, options) {
  if (options.some((option) => option.picture)) return 'pictures';
  if (item.type === 'integer') return 'numbers';
  if (item.type === 'boolean') return 'pair';
  return 'rows';
}

function optionRow(input, option, context, extra = '') {
  const picture = option.picture && context.picturesBase !== undefined
    ? el('img', {
      class: 'hw-picture', src: `${context.picturesBase}${encodeURIComponent(option.picture)}.svg`, alt: '',
      width: 96, height: 96, draggable: 'false',
    })
    : null;
  return el('label', { class: `hw-option ${extra}`.trim() }, [
    input, picture, el('span', { class: 'hw-option-text', text: option.text }),
  ]);
}
