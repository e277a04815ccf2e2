// One question on the screen: its words, the required mark, help, the control and the place
// where a mistake is said in words. Groups of tap targets are a <fieldset> whose <legend> is
// the question; a typed answer has a <label for>. Help, hints and the mistake are tied to
// the control with aria-describedby, so a screen reader reads them with the question.

import { el, textIn, uniqueId } from './dom.js';
import { word } from './strings.js';
import { buildChoices, tapsNumber } from './choices.js';
import { buildEntry } from './entries.js';

const TAPPED = ['boolean', 'choice', 'multi-choice', 'scale-0-4', 'faces'];

export function buildItem(item, context) {
  const control = TAPPED.includes(item.type) || tapsNumber(item)
    ? buildChoices(item, context) : buildEntry(item, context);
  const language = context.language;
  const questionId = uniqueId('hw-question');
  const mark = item.required
    ? el('span', { class: 'hw-required', text: word(language, 'required') }) : null;
  const words = [el('span', { class: 'hw-question-text', text: textIn(item.text, language) }), mark];
  const question = control.group
    ? el('legend', { id: questionId, class: 'hw-question', tabindex: '-1' }, words)
    : el('label', { id: questionId, class: 'hw-question', for: control.inputId, tabindex: '-1' }, words);
  const helpId = item.help ? uniqueId('hw-help') : null;
  const help = item.help ? el('p', { id: helpId, class: 'hw-help', text: textIn(item.help, language) }) : null;
  const errorId = uniqueId('hw-error');
  const error = el('p', { id: errorId, class: 'hw-error', hidden: true });
  const body = [question, help, control.element, error];
  const section = el('section', {
    class: `hw-item hw-item-${item.type}`, 'data-link-id': item.linkId, 'data-type': item.type,
  }, control.group ? [el('fieldset', { class: 'hw-fieldset' }, body)] : body);
  const quiet = [helpId, ...(control.hintIds || [])].filter(Boolean);

  function showProblem(sentence) {
    error.textContent = sentence || '';
    error.hidden = !sentence;
    section.classList.toggle('hw-item-invalid', Boolean(sentence));
    control.describe([...quiet, ...(sentence ? [errorId] : [])].join(' '), Boolean(sentence));
  }
  showProblem(null);
  return {
    item,
    section,
    read: control.read,
    set: control.set,
    focus: control.focus,
    // For moving to a new screen: a screen reader starts at the question, not in a box.
    focusQuestion: () => question.focus(),
    showProblem,
    hasProblem: () => !error.hidden,
    show(visible) { section.hidden = !visible; },
  };
}
