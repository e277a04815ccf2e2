// The advice screen's own words, in English and Spanish: short sentences for a parent at
// 3 a.m. Nothing clinical lives here: what to do about a symptom is the rules' own advice
// text (alerts/rules/default.json), shown as the rules wrote it. These words only say whom
// to call, with which number, and whether the team already has the entry.

const STRINGS = {
  en: {
    title_emergency: 'Call emergency services now',
    title_urgent: 'Call the CAR T team now',
    title_attention: 'Please read this now',
    title_unchecked: 'This entry could not be checked on the phone',
    body_unchecked: 'If you are worried about your child, call the CAR T team.',
    call_number: 'Call {number}',
    call_team_now: 'Call the CAR T team now',
    call_team: 'Call the CAR T team',
    no_emergency_number: 'Call your local emergency number now.',
    no_team_number: 'Call your CAR T team. Their number is not in this app: use the number the team gave you.',
    sent: 'Sent to the team.',
    sent_at: 'Sent to the team at {time}.',
    sent_on: 'Sent to the team on {date} at {time}.',
    sending: 'Sending to the team…',
    not_sent_call_now: 'Not sent yet: no connection — call now.',
    not_sent: 'Not sent yet: no connection. It will be sent when you are back online.',
    rejected_call_now: 'Not sent: the app could not deliver it — call now.',
    rejected: 'Not sent: the app could not deliver it. Tap “Try again”, or call the team.',
    reminder: 'Time to measure again.',
    reminder_title: 'Homeward: time to measure again',
  },
  es: {
    title_emergency: 'Llame ahora a emergencias',
    title_urgent: 'Llame ahora al equipo de CAR-T',
    title_attention: 'Lea esto ahora, por favor',
    title_unchecked: 'No se pudo revisar esta entrada en el teléfono',
    body_unchecked: 'Si le preocupa su hijo o hija, llame al equipo de CAR-T.',
    call_number: 'Llamar al {number}',
    call_team_now: 'Llamar ahora al equipo de CAR-T',
    call_team: 'Llamar al equipo de CAR-T',
    no_emergency_number: 'Llame ahora al número de emergencias de su zona.',
    no_team_number: 'Llame a su equipo de CAR-T. Su número no está en esta aplicación: use el número que le dio el equipo.',
    sent: 'Enviado al equipo.',
    sent_at: 'Enviado al equipo a las {time}.',
    sent_on: 'Enviado al equipo el {date} a las {time}.',
    sending: 'Enviando al equipo…',
    not_sent_call_now: 'Aún no se ha enviado: no hay conexión. Llame ahora.',
    not_sent: 'Aún no se ha enviado: no hay conexión. Se enviará cuando vuelva la conexión.',
    rejected_call_now: 'No se pudo enviar. Llame ahora.',
    rejected: 'No se pudo enviar. Toque «Intentar de nuevo» o llame al equipo.',
    reminder: 'Es hora de volver a medir.',
    reminder_title: 'Homeward: es hora de volver a medir',
  },
};

export const LANGUAGES = Object.keys(STRINGS);

/** 'es-MX' → 'es'; a language the app has no words for → 'en'. */
export function languageOf(language) {
  const base = String(language ?? '').toLowerCase().split(/[-_]/)[0];
  return Object.hasOwn(STRINGS, base) ? base : 'en';
}

/** The sentence `key` in `language`, with {name} filled from `values`. */
export function say(key, language, values = {}) {
  const text = STRINGS[languageOf(language)][key] ?? STRINGS.en[key];
  if (text === undefined) throw new Error(`no words for ${key}`);
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}
