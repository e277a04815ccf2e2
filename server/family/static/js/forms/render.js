// A questionnaire on the phone, drawn from the definition the pull feed sent.
//
// renderQuestionnaire(container, definition, {language, onSave(answers), onCancel(),
//   picturesBase, layout, answers, page}) -> {destroy(), getAnswers(), getPage()}
//   language      the family's (the pulled definition is already in it; this picks the
//                 form's own words in strings.js)
//   onSave        called once with the answers (linkId -> value) when they pass
//                 validate.js; may return a promise; Save stays disabled unless it rejects,
//                 so a double tap never records an entry twice
//   picturesBase  where pictures/<key>.svg live, e.g. '/app/pictures/'
//   layout        'paged' or 'single' to override the choice below
//   answers       answers to show again (after switching language, say)
//   page          on a paged form, the linkId to show first when it is visible (the
//                 question the child was on when the language changed)
//   headingLevel  the level of the form's title (2 by default, under the app's h1)
//
// Layout. A child's form (respondent "patient", or the pictures presentation) shows one
// question per screen with Back and Next: a child of 9 on a phone reads one short question,
// taps one big answer and sees progress ("Question 3 of 11"); a long scrolling list loses
// them. A caregiver's form is one scrolling page: the diary is "answer what you have" (at
// least one answer), and a tired parent at 3 a.m. types a temperature and taps Save without
// paging through nine questions they will skip.
//
// Skip conditions apply live: a question appears as soon as the answer it depends on is
// given, and an answer to a question that no longer applies is kept on screen-less hold but
// never saved. Mistakes are said in words next to the question once the family has left it
// or tried to go on, never while they are still typing.
//
// DOM for tests and the app: form.hw-form; each question section.hw-item[data-link-id];
// buttons .hw-next, .hw-back, .hw-save, .hw-cancel; the form's own message .hw-form-message.

import { el, textIn } from './dom.js';
import { word, describeProblem } from './strings.js';
import { validateAnswers } from './validate.js';
import { collectAnswers } from './collect.js';
import { buildItem } from './items.js';

export function renderQuestionnaire(container, definition, options = {}) {
  const language = options.language || (definition.languages || ['en'])[0];
  const pictures = definition.presentation === 'pictures';
  const paged = options.layout ? options.layout === 'paged'
    : pictures || definition.respondent === 'patient';
  const touched = new Set();
  const insisted = new Set();
  let current = null; // the linkId on screen, when paged
  let saving = false;
  let formProblem = null;
  let leaving = false; // Cancel tapped once with answers on the form

  const context = {
    language, pictures, picturesBase: options.picturesBase,
  };
  // Conditions follow each key press, so a question that depends on a temperature is there
  // before the family tabs or scrolls on; mistakes wait until they leave the box.
  const fields = (definition.items || []).map((item) => buildItem(item, {
    ...context, onChange: () => changed(item.linkId), onInput: () => refresh(item.linkId),
  }));
  for (const field of fields) {
    // Leaving a question is when its mistakes may be said; not while still typing.
    field.section.addEventListener('focusout', (event) => {
      if (field.section.contains(event.relatedTarget)) return;
      touched.add(field.item.linkId);
      refresh();
    });
    if (options.answers && Object.hasOwn(options.answers, field.item.linkId)) {
      field.set(options.answers[field.item.linkId]);
    }
  }

  const progress = el('p', { class: 'hw-progress', 'aria-live': 'polite' });
  const message = el('p', { class: 'hw-form-message', 'aria-live': 'assertive', tabindex: '-1', hidden: true });
  const back = el('button', { type: 'button', class: 'hw-button hw-back', text: word(language, 'back'), onclick: goBack });
  const next = el('button', { type: 'submit', class: 'hw-button hw-primary hw-next', text: word(language, 'next') });
  const save = el('button', { type: 'submit', class: 'hw-button hw-primary hw-save', text: word(language, 'save') });
  const cancel = el('button', {
    type: 'button', class: 'hw-button hw-cancel', text: word(language, 'cancel'),
    onclick: cancelled,
  });
  const title = el(`h${options.headingLevel || 2}`, { class: 'hw-title', tabindex: '-1', text: textIn(definition.title, language) });
  const description = definition.description
    ? el('p', { class: 'hw-description', text: textIn(definition.description, language) }) : null;
  const form = el('form', {
    class: `hw-form ${paged ? 'hw-form-paged' : 'hw-form-single'}${pictures ? ' hw-form-pictures' : ''}`,
    novalidate: true, lang: language, onsubmit: submitted, onkeydown: enterMovesOn,
  }, [
    el('header', { class: 'hw-form-header' }, [title, description, paged ? progress : null]),
    el('div', { class: 'hw-items' }, fields.map((field) => field.section)),
    message,
    el('div', { class: 'hw-actions' }, [paged ? back : null, paged ? next : null, save, cancel]),
  ]);
  container.replaceChildren(form);

  function collect() {
    const reading = new Map(fields.map((field) => [field.item, field]));
    return collectAnswers(definition.items || [], (item) => reading.get(item).read());
  }

  function visibleIds(shown) {
    return fields.map((field) => field.item.linkId).filter((id) => shown.get(id));
  }

  // `typing`: the question being typed in, whose mistake may be updated or cleared but not
  // newly said (a "3" on the way to "38.6" is not a mistake yet).
  function refresh(typing = null) {
    const { answers, shown } = collect();
    const result = validateAnswers(definition, answers);
    const pages = visibleIds(shown);
    if (paged && !pages.includes(current)) current = nearestPage(pages);
    for (const field of fields) {
      const id = field.item.linkId;
      field.show(paged ? id === current : shown.get(id));
      const problem = result.problems.find((p) => p.field === id
        && (insisted.has(id) || (touched.has(id) && p.code !== 'required')));
      if (id !== typing || !problem || field.hasProblem()) {
        field.showProblem(problem ? describeProblem(language, problem) : null);
      }
    }
    if (paged) {
      const index = pages.indexOf(current);
      progress.textContent = word(language, 'progress', { n: index + 1, total: pages.length });
      back.hidden = index <= 0;
      next.hidden = index >= pages.length - 1;
      save.hidden = !next.hidden;
    }
    message.textContent = formProblem || '';
    message.hidden = !formProblem;
    return { answers, result, pages, shown };
  }

  // After a condition hides the question on screen, go to the nearest earlier one that shows.
  function nearestPage(pages) {
    const order = fields.map((field) => field.item.linkId);
    const at = current === null ? -1 : order.indexOf(current);
    const before = pages.filter((id) => order.indexOf(id) <= at);
    return before.length ? before[before.length - 1] : pages[0] ?? null;
  }

  function changed(linkId) {
    touched.add(linkId);
    leaving = false;
    formProblem = null;
    refresh();
  }

  // A typed temperature is not thrown away by one stray tap: with answers on the form,
  // Cancel first says so, and a second tap leaves.
  function cancelled() {
    if (!leaving && Object.keys(collect().answers).length > 0) {
      leaving = true;
      formProblem = word(language, 'cancel_confirm');
      refresh();
      return;
    }
    options.onCancel?.();
  }

  function submitted(event) {
    event.preventDefault();
    if (paged && !next.hidden) goNext();
    else trySave();
  }

  // On a phone keypad the Enter key reads "Next": in a typed box on the long caregiver form
  // it moves to the next question instead of saving a diary half filled in.
  function enterMovesOn(event) {
    const box = event.target;
    if (event.key !== 'Enter' || paged || !box.matches('.hw-number-input, .hw-date-time-input')) return;
    const { shown } = refresh();
    const at = fields.findIndex((f) => f.section.contains(box));
    const following = fields.slice(at + 1).find((f) => shown.get(f.item.linkId));
    if (!following) return; // the last question: Enter saves, as in any form
    event.preventDefault();
    following.focus();
  }

  function goNext() {
    insisted.add(current);
    const { result, pages } = refresh();
    const field = fields.find((f) => f.item.linkId === current);
    if (result.problems.some((p) => p.field === current)) {
      field.focus();
      return;
    }
    current = pages[pages.indexOf(current) + 1] ?? current;
    showPage();
  }

  function goBack() {
    const { pages } = refresh();
    current = pages[pages.indexOf(current) - 1] ?? current;
    showPage();
  }

  function showPage() {
    refresh();
    fields.find((f) => f.item.linkId === current)?.focusQuestion();
  }

  async function trySave() {
    if (saving) return;
    fields.forEach((field) => insisted.add(field.item.linkId));
    const { answers, result } = refresh();
    // A form without min_answers (quality of life) may be empty for the server, but a Save
    // with nothing in it is a slip of the thumb, not an entry: it would close the task.
    const empty = Object.keys(answers).length === 0;
    if (!result.ok || empty) {
      const first = result.problems.find((p) => p.field !== null);
      const whole = result.problems.find((p) => p.field === null) || (empty && { reason: 'no_answers' });
      formProblem = whole ? describeProblem(language, whole) : word(language, 'fix_above');
      if (paged && first) current = first.field;
      refresh();
      const field = first && fields.find((f) => f.item.linkId === first.field);
      if (field) field.focus();
      else message.focus();
      return;
    }
    saving = true;
    save.disabled = true;
    save.textContent = word(language, 'saving');
    try {
      await options.onSave?.(answers);
      save.textContent = word(language, 'saved');
    } catch {
      saving = false;
      save.disabled = false;
      save.textContent = word(language, 'save');
      formProblem = word(language, 'save_failed');
      refresh();
    }
  }

  if (paged) {
    const visible = visibleIds(collect().shown);
    current = visible.includes(options.page) ? options.page : visible[0] ?? null;
  }
  refresh();
  return {
    destroy() { form.remove(); },
    getAnswers: () => collect().answers,
    getPage: () => (paged ? current : null),
  };
}
