// The forms' own words, in English and Spanish. Questions and answers come from the
// definition in the family's language; these are only the buttons, marks and mistakes.
// Spanish uses "usted" in general words, as the caregiver forms do; the children's forms
// have their own wording in the definitions. Sentences say what to do, not what went wrong.

const WORDS = {
  en: {
    next: 'Next',
    back: 'Back',
    save: 'Save',
    saving: 'Saving…',
    saved: 'Saved',
    cancel: 'Cancel',
    clear: 'Clear answer',
    required: 'Required',
    optional: 'Optional',
    yes: 'Yes',
    no: 'No',
    none_of_these: 'None of these',
    progress: 'Question {n} of {total}',
    range: 'Between {min} and {max} {unit}',
    at_least: '{min} {unit} or more',
    at_most: 'Up to {max} {unit}',
    decimal_hint: 'You can type a comma or a point, like 38.6',
    characters: '{count} of {limit} characters',
    fix_above: 'Please check the answers marked in red.',
    save_failed: 'This could not be saved on the phone. Please try again.',
    cancel_confirm: 'Your answers are not saved. Tap Cancel again to leave without saving them.',
    // Problems, by the `reason` validate.js gives.
    not_an_object: 'These answers could not be read. Please start the form again.',
    unknown_item: 'This question is not in this form any more.',
    not_a_number: 'Please type a number, like 38.6.',
    not_whole: 'Please type a whole number, without a point or comma.',
    out_of_range: 'Please type a number between {min} and {max} {unit}. Check it again: is it right?',
    too_low: 'Please type a number of {min} {unit} or more.',
    too_high: 'Please type a number up to {max} {unit}.',
    not_boolean: 'Please choose yes or no.',
    not_an_option: 'Please choose one of the answers shown.',
    not_a_list: 'Please tick the answers that apply.',
    listed_twice: 'An answer is ticked twice. Please tick each one once.',
    not_text: 'Please type your answer as words.',
    too_long: 'This is too long. Please keep it under {limit} characters.',
    not_a_date_time: 'Please choose a date and time.',
    no_offset: 'Please choose a date and time again.',
    not_enabled: 'This question does not apply with the answers above. Please clear it.',
    no_answers: 'Please answer at least one question before saving.',
    no_answers_many: 'Please answer at least {minimum} questions before saving.',
    required_answer: 'Please answer this question.',
  },
  es: {
    next: 'Siguiente',
    back: 'Atrás',
    save: 'Guardar',
    saving: 'Guardando…',
    saved: 'Guardado',
    cancel: 'Cancelar',
    clear: 'Borrar respuesta',
    required: 'Obligatoria',
    optional: 'Opcional',
    yes: 'Sí',
    no: 'No',
    none_of_these: 'Ninguna de estas',
    progress: 'Pregunta {n} de {total}',
    range: 'Entre {min} y {max} {unit}',
    at_least: '{min} {unit} o más',
    at_most: 'Hasta {max} {unit}',
    decimal_hint: 'Puede escribir una coma o un punto, como 38,6',
    characters: '{count} de {limit} caracteres',
    fix_above: 'Revise las respuestas marcadas en rojo.',
    save_failed: 'No se pudo guardar en el teléfono. Inténtelo de nuevo.',
    cancel_confirm: 'Sus respuestas no están guardadas. Toque Cancelar otra vez para salir sin guardarlas.',
    not_an_object: 'No se pudieron leer estas respuestas. Empiece el formulario de nuevo.',
    unknown_item: 'Esta pregunta ya no está en este formulario.',
    not_a_number: 'Escriba un número, como 38,6.',
    not_whole: 'Escriba un número entero, sin coma ni punto.',
    out_of_range: 'Escriba un número entre {min} y {max} {unit}. Revíselo: ¿es correcto?',
    too_low: 'Escriba un número de {min} {unit} o más.',
    too_high: 'Escriba un número de hasta {max} {unit}.',
    not_boolean: 'Elija sí o no.',
    not_an_option: 'Elija una de las respuestas que se muestran.',
    not_a_list: 'Marque las respuestas que correspondan.',
    listed_twice: 'Una respuesta está marcada dos veces. Márquela solo una vez.',
    not_text: 'Escriba su respuesta con palabras.',
    too_long: 'Es demasiado largo. No pase de {limit} caracteres.',
    not_a_date_time: 'Elija una fecha y una hora.',
    no_offset: 'Vuelva a elegir la fecha y la hora.',
    not_enabled: 'Esta pregunta no corresponde con las respuestas de arriba. Bórrela.',
    no_answers: 'Conteste al menos una pregunta antes de guardar.',
    no_answers_many: 'Conteste al menos {minimum} preguntas antes de guardar.',
    required_answer: 'Conteste esta pregunta.',
  },
};

export const LANGUAGES = Object.keys(WORDS);

// The family's language, falling back subtag by subtag and then to English (es-MX -> es -> en).
export function pickLanguage(language) {
  let tag = String(language || 'en').toLowerCase();
  while (tag) {
    if (WORDS[tag]) return tag;
    tag = tag.includes('-') ? tag.slice(0, tag.lastIndexOf('-')) : '';
  }
  return 'en';
}

export function word(language, key, values = {}) {
  const table = WORDS[pickLanguage(language)];
  const template = table[key] ?? WORDS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => formatValue(language, values[name]))
    .replace(/\s+([.,:?])/g, '$1').replace(/\s{2,}/g, ' ').trim();
}

// A number as the family writes it: 38,6 in Spanish, 38.6 in English.
export function formatValue(language, value) {
  if (typeof value === 'number') {
    return pickLanguage(language) === 'es' ? String(value).replace('.', ',') : String(value);
  }
  return value === undefined || value === null ? '' : String(value);
}

// The sentence shown next to an item (or at the foot of the form) for one problem.
export function describeProblem(language, problem) {
  let key = problem.reason === 'required' ? 'required_answer' : problem.reason || problem.code;
  if (key === 'out_of_range' && (problem.min ?? null) === null) key = 'too_high';
  if (key === 'out_of_range' && (problem.max ?? null) === null) key = 'too_low';
  if (key === 'no_answers' && problem.minimum > 1) key = 'no_answers_many';
  if (key === 'not_a_number' && problem.whole) key = 'not_whole';
  return word(language, key, problem);
}
