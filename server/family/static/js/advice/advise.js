// The advice screen on Save, before the entry syncs, with no network: the phone scores the
// entry (js/scoring/score.js), builds the rules context from what it holds
// (js/rules/context.js) and runs the served rules (js/rules/evaluate.js). The words of the
// advice are the rules' own; the app adds only whom to call and with which number.
//
//   const advice = adviseOnSave({ rules, profile, history, entry, definition, now, language });
//   // advice.level: 'emergency' | 'urgent' | 'attention' | null (nothing to show)
//   await client.record(id, version, variant, entry.answers, { phoneAdvice: advice.phoneAdvice });
//
// Pure: no clock, no storage, no network. tests/js/advice.test.mjs.

import { evaluate, highestLevel, LEVELS, phoneAdviceOf } from '../rules/evaluate.js';
import { phoneContext } from '../rules/context.js';
import { scoreAnswers } from '../scoring/score.js';
import { callsFor } from './calls.js';
import { reminderOf } from './remeasure.js';
import { languageOf, say } from './strings.js';

export { teamKnows } from './state.js';

// Levels with a screen of their own. `info` (the psychosocial team will be in touch within
// working days) is said in the sealed entry but does not interrupt the family.
export const SCREEN_LEVELS = ['emergency', 'urgent', 'attention'];

const instantOf = (now) => (now instanceof Date ? now : new Date(now));
const isoOf = (now) => (now instanceof Date ? now.toISOString() : now);

function adviceText(finding, language) {
  const advice = finding.advice ?? {};
  return advice[language] ?? advice.en ?? '';
}

/**
 * rules: the pull's rules document; profile: the pull's profile (timezone, day0, age_band,
 * care_team); history: entries recorded on this phone ({entry_id, questionnaire_id, variant,
 * answers, scores, recorded_at}); entry: the one being saved (same shape; scores are worked
 * out here from `definition`, the questionnaire as served, when it is given); now: a Date or
 * RFC 3339 string; language: the family's.
 */
export function adviseOnSave({ rules, profile = null, history = [], entry, definition = null, now,
  language = null }) {
  const words = languageOf(language ?? profile?.language);
  let findings, scores = entry.scores ?? {};
  try {
    if (definition) scores = scoreAnswers(definition, entry.answers ?? {});
    const scored = { ...entry, scores };
    findings = evaluate(rules, scored, phoneContext({ profile, history, entry: scored, now: isoOf(now) }));
  } catch (error) {
    // No rules yet (never pulled), or a document this app cannot read: say so and point to
    // the team, and claim nothing in the entry, rather than show no advice as if all were well.
    return unchecked(words, profile, now, scores, error);
  }
  const shown = findings.filter((finding) => SCREEN_LEVELS.includes(finding.level));
  const level = highestLevel(shown);
  const texts = [...new Set(shown.map((finding) => adviceText(finding, words)).filter(Boolean))];
  const { actions, notes } = callsFor(level, profile?.care_team, instantOf(now), profile?.timezone, words);
  return {
    level,
    title: level ? say(`title_${level}`, words) : null,
    body: texts[0] ?? null,
    more: texts.slice(1),
    actions, notes,
    reminder: reminderOf(shown, words),
    phoneAdvice: phoneAdviceOf(findings, rules),
    findings, scores, language: words, checked: true,
  };
}

function unchecked(words, profile, now, scores, error) {
  const { actions, notes } = callsFor('attention', profile?.care_team, instantOf(now), profile?.timezone, words);
  return {
    level: null, title: say('title_unchecked', words), body: say('body_unchecked', words), more: [],
    actions, notes, reminder: null, phoneAdvice: null, findings: [], scores, language: words,
    checked: false, error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) },
  };
}

const rank = (level) => (LEVELS.includes(level) ? LEVELS.indexOf(level) : LEVELS.length);

/**
 * After the entry synced: the server's answer against what the phone showed. serverResult is
 * the push result or the outbox record ({alert: {level}}), an alert, a level or null.
 * → {serverLevel, serverHigher, mustSwitch}: switch to the server's advice only when the
 * server found more (it saw context the phone did not); a lower server answer never
 * takes back advice the family was given.
 */
export function compareWithServer(phoneLevel, serverResult) {
  let serverLevel = null;
  if (typeof serverResult === 'string') serverLevel = serverResult;
  else if (serverResult && typeof serverResult === 'object') {
    serverLevel = serverResult.alert !== undefined ? serverResult.alert?.level ?? null : serverResult.level ?? null;
  }
  if (!LEVELS.includes(serverLevel)) serverLevel = null;
  const serverHigher = rank(serverLevel) < rank(phoneLevel);
  return { serverLevel, serverHigher, mustSwitch: serverHigher && SCREEN_LEVELS.includes(serverLevel) };
}

/**
 * The screen model for the server's advice, when compareWithServer says to switch: the
 * alert's own message (the care team's, or what to do now for that level, in the family's
 * language) with the same call buttons.
 */
export function adviceFromServer(alert, { profile = null, now, language = null }) {
  const words = languageOf(language ?? profile?.language);
  const level = SCREEN_LEVELS.includes(alert?.level) ? alert.level : null;
  const { actions, notes } = callsFor(level, profile?.care_team, instantOf(now), profile?.timezone, words);
  return {
    level, title: level ? say(`title_${level}`, words) : null,
    body: typeof alert?.message === 'string' && alert.message ? alert.message : null, more: [],
    actions, notes, reminder: null, phoneAdvice: null, findings: [], language: words,
    checked: true, fromServer: true,
  };
}
