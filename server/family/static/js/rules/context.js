// The context the phone hands the evaluator (docs/rules.md, "For app developers"), built
// from what the phone holds: the pull's profile and the entries recorded on this phone. It
// follows the server's alerts/intake.py build_context, in the entry's own time: what came
// before the entry, its day post infusion in the family's timezone. The phone may know less
// than the server (another device's entries); the server's answer then wins.
//
//   const context = phoneContext({ profile, history, entry, now });
//   const findings = evaluate(rulesDocument, entry, context);

import { parseTime } from './time.js';

const DIARY = 'symptom-diary', NEURO_CHECK = 'neuro-check', QUALITY_OF_LIFE = 'quality-of-life';
const DAY_MICROS = 24 * 3600 * 1_000_000;

/** The calendar date (YYYY-MM-DD) of an instant in an IANA timezone. */
export function localDate(micros, timeZone) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(Math.floor(micros / 1000)));
  const part = (type) => parts.find((each) => each.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const dayNumber = (isoDate) => Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1,
                                        Number(isoDate.slice(8, 10))) / 86_400_000;

/**
 * profile: the pull's profile ({day0, timezone, age_band, diagnosis, organs_involved});
 * history: entries recorded on this phone ({entry_id?, questionnaire_id, variant, answers, scores, recorded_at}), in any order,
 * the entry itself included or not; entry: the one being saved; now: an RFC 3339 string.
 */
export function phoneContext({ profile, history = [], entry, now }) {
  const at = parseTime(entry.recorded_at ?? now);
  const before = history
    .filter((other) => other !== entry && (entry.entry_id === undefined || other.entry_id !== entry.entry_id))
    .map((other) => ({ other, at: parseTime(other.recorded_at) }))
    .filter(({ at: when }) => when !== null && when.micros < at.micros)
    .sort((a, b) => a.at.micros - b.at.micros);
  const diary = before.filter(({ other }) => other.questionnaire_id === DIARY);
  const previous = diary.length ? diary[diary.length - 1].other.answers ?? {} : null;
  const recent = diary
    .filter(({ other, at: when }) => when.micros >= at.micros - DAY_MICROS
      && other.answers && Object.prototype.hasOwnProperty.call(other.answers, 'temperature_c'))
    .map(({ other }) => ({ at: other.recorded_at, temperature_c: other.answers.temperature_c,
                           method: other.answers.temperature_method ?? null }));
  const first = (questionnaireId, variant) => {
    // The child's own baseline is their first entry of that instrument (and, for the neuro
    // check, of the same variant: a CAPD total and an ICE total are different scales).
    const found = before.find(({ other }) => other.questionnaire_id === questionnaireId
      && (variant === undefined || other.variant === variant));
    const total = found?.other.scores?.total;
    return total === undefined ? null : total;
  };
  const neuroBaseline = (variant) => {
    // The day -1 check (the latest of the variant before the infusion day, in the family's
    // zone) is the baseline when there is one, as on the server (alerts/intake.py).
    const beforeDay0 = before.filter(({ other, at: when }) => other.questionnaire_id === NEURO_CHECK
      && other.variant === variant && profile?.day0 && profile?.timezone
      && dayNumber(localDate(when.micros, profile.timezone)) < dayNumber(profile.day0));
    const total = beforeDay0.length ? beforeDay0[beforeDay0.length - 1].other.scores?.total : undefined;
    return total === undefined ? first(NEURO_CHECK, variant) : total;
  };
  const isNeuroCheck = entry.questionnaire_id === NEURO_CHECK;
  return {
    now,
    day_post_infusion: profile?.day0 && profile?.timezone
      ? dayNumber(localDate(at.micros, profile.timezone)) - dayNumber(profile.day0) : null,
    age_years: null,   // the profile carries the band, not the birth date; no default rule reads it
    age_band: profile?.age_band ?? null,
    baseline: {
      neuro_check_total: isNeuroCheck ? neuroBaseline(entry.variant ?? null) : null,
      neuro_check_variant: isNeuroCheck ? entry.variant ?? null : null,
      quality_of_life_total: entry.questionnaire_id === QUALITY_OF_LIFE ? first(QUALITY_OF_LIFE) : null,
    },
    previous_diary_answers: previous,
    recent_temperatures: recent,
    diagnosis: profile?.diagnosis ?? null,
    organs_involved: profile?.organs_involved ?? null,
    parameters: null,
    patient_overrides: null,
  };
}
