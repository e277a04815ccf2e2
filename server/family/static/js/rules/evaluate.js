// The safety rules on the phone: the rules document exactly as the pull serves it (docs/
// rules.md, "The document the app runs"), an entry and the context the phone keeps in,
// findings out, the same as the server's alerts/evaluate.py finds for the same input. Pure:
// no clock, no storage, no network; `now` comes in the context. No dependencies, so it runs
// in a browser and in Node alike.
//
//   import { evaluate, evaluateSilence } from './rules/evaluate.js';
//   const findings = evaluate(rulesDocument, entry, context);  // most severe first
//   // [{reason, level, escalate_now, evidence, advice: {en, es}, rule_id, ruleset_id, ruleset_version,
//   //   measure_again_minutes}]   (a number when the rule asks to measure again, else null)
//
// Bad site parameters or overrides throw RulesError; answers of any shape never throw.

import { compileCondition, getter, merge } from './conditions.js';
import {
  RulesError, checkPatientOverrides, has, isNumber, isObject, layerParameters, normaliseValue, own,
} from './parameters.js';
import { parseTime } from './time.js';

export { RulesError } from './parameters.js';
export { TimeError, parseTime } from './time.js';

export const FORMAT = 'homeward-rules/1';
export const LEVELS = ['emergency', 'urgent', 'attention', 'info']; // most severe first
const EVIDENCE_GROUPS = { answer: 'answers', score: 'scores', context: 'context', entry: 'entry', param: 'parameters' };
const compiled = new WeakMap();
// A document read again from storage is a new object with the same served signature: keep
// the last few compiled, so a Save after a cold start compiles once, not every time.
const bySignature = new Map();
const SIGNATURES_KEPT = 4;

/** A rules document compiled once (and remembered for that same object or signature). */
export function loadRules(document) {
  if (!isObject(document)) throw new RulesError('a rules document is a JSON object');
  const known = compiled.get(document)
    ?? (typeof document.signature === 'string' ? bySignature.get(document.signature) : undefined);
  if (known) return known;
  if (document.format !== FORMAT) throw new RulesError(`not a ${FORMAT} document: ${JSON.stringify(document.format)}`);
  if (!isObject(document.parameters) || !Array.isArray(document.rules) || !document.rules.length) {
    throw new RulesError('a rules document has parameters and rules');
  }
  const declarations = {}, defaults = {};
  for (const [name, declared] of Object.entries(document.parameters)) {
    declarations[name] = declared;
    defaults[name] = normaliseValue(name, declared, declared.default);
  }
  const rules = document.rules.map((rule, order) => ({
    id: rule.id, kind: rule.kind ?? 'entry', reason: rule.reason, level: rule.level,
    severity: LEVELS.indexOf(rule.level), escalate_now: rule.escalate_now === true,
    questionnaires: rule.questionnaires ?? [], evidence: rule.evidence ?? [],
    suppressedBy: rule.suppressed_by ?? [], advice: { ...rule.advice }, order,
    measureAgain: remeasureMinutes(rule),
    holds: compileCondition(rule.when), when: rule.when,
  }));
  const bad = rules.find((rule) => rule.severity < 0 || !['entry', 'time'].includes(rule.kind));
  if (bad) throw new RulesError(`rule '${bad.id}': unknown level or kind`);
  const watched = watchedSigns(rules);
  const ruleset = {
    id: document.id, version: document.version, declarations, defaults, rules, watched,
    patientOverrides: has(document, 'patient_overrides')
      ? checkPatientOverrides(document.patient_overrides, watched, declarations) : {},
  };
  compiled.set(document, ruleset);
  if (typeof document.signature === 'string') {
    if (bySignature.size >= SIGNATURES_KEPT) bySignature.delete(bySignature.keys().next().value);
    bySignature.set(document.signature, ruleset);
  }
  return ruleset;
}

// The server refuses a rule file whose measure_again_minutes is not a whole number of minutes
// from 1 to a day (alerts/ruleset.py); the phone reads what it was served, and a value it
// could not trust is no reminder rather than a wrong one.
function remeasureMinutes(rule) {
  const minutes = rule.measure_again_minutes;
  return Number.isInteger(minutes) && minutes >= 1 && minutes <= 24 * 60 ? minutes : null;
}

/** linkId → the values some "new since last" test watches (what overrides may name). */
function watchedSigns(rules) {
  const watched = new Map();
  const walk = (condition) => {
    for (const key of ['all', 'any']) if (has(condition, key)) { condition[key].forEach(walk); return; }
    if (has(condition, 'not')) { walk(condition.not); return; }
    if (condition.op === 'new_since_last') {
      const linkId = condition.left.answer;
      if (!watched.has(linkId)) watched.set(linkId, new Set());
      condition.right.forEach((value) => watched.get(linkId).add(value));
    }
  };
  rules.forEach((rule) => walk(rule.when));
  return watched;
}

/** Findings for one entry, most severe first. See docs/rules.md for the shapes. */
export function evaluate(rulesDocument, entry, context) {
  const ruleset = loadRules(rulesDocument);
  if (!isObject(entry)) throw new RulesError('an entry is an object');
  const overrides = overridesFor(ruleset, context);
  const answers = isObject(own(entry, 'answers')) ? entry.answers : {};
  const scores = isObject(own(entry, 'scores')) ? entry.scores : {};
  const recordedAt = parseTime(own(entry, 'recorded_at')) ?? parseTime(own(context, 'now'));
  const baseline = isObject(own(context, 'baseline')) ? context.baseline : {};
  const patient = patientValues(context);
  for (const [name, value] of Object.entries(baseline)) patient.set(`baseline.${name}`, value);
  // From the physician's clinical profile (docs/records.md); null when the phone has none,
  // and then the LICATS rule watches every organ, as on the server without a profile.
  for (const name of PROFILE_VALUES) patient.set(name, own(context, name) ?? null);
  const method = own(answers, 'temperature_method');
  const situation = {
    answers, scores, context: patient,
    entry: { questionnaire_id: own(entry, 'questionnaire_id') ?? null, variant: own(entry, 'variant') ?? null },
    parameters: effectiveParameters(ruleset, own(context, 'parameters'), overrides),
    previous: isObject(own(context, 'previous_diary_answers')) ? context.previous_diary_answers : {},
    baselineSigns: overrides.baseline_signs ?? {},
    alwaysReportSigns: overrides.always_report_signs ?? {},
    readings: readingsOf(own(context, 'recent_temperatures')),
    recordedAt, method: typeof method === 'string' ? method : null,
  };
  const questionnaire = own(entry, 'questionnaire_id');
  const rules = ruleset.rules.filter((rule) => rule.kind === 'entry' && rule.questionnaires.includes(questionnaire));
  return findingsOf(ruleset, rules, situation);
}

/** Findings of the time rules (missed check-ins) at `now` (or the context's `now`). */
export function evaluateSilence(rulesDocument, context, now = null) {
  const ruleset = loadRules(rulesDocument);
  const at = parseTime(now ?? own(context, 'now'));
  const since = parseTime(own(context, 'last_temperature_at')) ?? parseTime(own(context, 'watch_started_at'));
  const hours = since === null || at === null ? null : (at.micros - since.micros) / 1e6 / 3600;
  const overrides = overridesFor(ruleset, context);
  const patient = patientValues(context);
  patient.set('hours_since_last_temperature', hours);
  const situation = {
    answers: {}, scores: {}, entry: {}, context: patient,
    parameters: effectiveParameters(ruleset, own(context, 'parameters'), overrides),
    previous: {}, baselineSigns: {}, alwaysReportSigns: {}, readings: [], recordedAt: at, method: null,
  };
  return findingsOf(ruleset, ruleset.rules.filter((rule) => rule.kind === 'time'), situation);
}

/** The most severe level among findings (null for none): what the advice screen shows. */
export function highestLevel(findings) {
  const severities = findings.map((finding) => LEVELS.indexOf(finding.level)).filter((s) => s >= 0);
  return severities.length ? LEVELS[Math.min(...severities)] : null;
}

/** What the sealed entry says the phone found (docs/protocol.md, `phone_advice`), so the
 * server can count drift between the phone's advice and its own. */
export function phoneAdviceOf(findings, rulesDocument) {
  const signature = isObject(rulesDocument) && typeof rulesDocument.signature === 'string'
    ? rulesDocument.signature : null;
  return { level: highestLevel(findings), rules_signature: signature };
}

function overridesFor(ruleset, context) {
  if (!isObject(context)) throw new RulesError('the context is an object');
  const given = own(context, 'patient_overrides');
  if (given === null || given === undefined) return ruleset.patientOverrides;
  return checkPatientOverrides(given, ruleset.watched, ruleset.declarations);
}

function effectiveParameters(ruleset, site, overrides) {
  const values = layerParameters(ruleset.declarations, ruleset.defaults, site, 'site parameters');
  return layerParameters(ruleset.declarations, values, overrides.parameters ?? null,
                         'patient overrides: parameters');
}

const PROFILE_VALUES = ['organs_involved', 'diagnosis'];

function patientValues(context) {
  return new Map(['day_post_infusion', 'age_years', 'age_band'].map((name) => [name, own(context, name) ?? null]));
}

function readingsOf(recent) {
  const readings = [];
  for (const reading of Array.isArray(recent) ? recent : []) {
    const temperature = isObject(reading) ? own(reading, 'temperature_c') : null;
    if (isNumber(temperature)) {
      readings.push({ at: parseTime(own(reading, 'at')), temperature, method: own(reading, 'method') ?? null });
    }
  }
  // Array.prototype.sort is stable, as Python's sorted is: equal times keep their order.
  return readings.filter((reading) => reading.at !== null).sort((a, b) => a.at.micros - b.at.micros);
}

function findingsOf(ruleset, rules, situation) {
  const met = [];
  for (const rule of rules) {
    const facts = {};
    if (rule.holds(situation, facts)) met.push([rule, facts]);
  }
  // One finding per reason: breathing at SpO2 88 is an emergency, not also an urgent call.
  const strongest = new Map();
  for (const [rule, facts] of met) {
    const kept = strongest.get(rule.reason);
    if (!kept || rule.severity < kept[0].severity
        || (rule.severity === kept[0].severity && rule.order < kept[0].order)) {
      strongest.set(rule.reason, [rule, facts]);
    }
  }
  const kept = [...strongest.values()]
    .filter(([rule]) => !rule.suppressedBy.some((reason) => strongest.has(reason)));
  kept.sort(([a], [b]) => (a.severity - b.severity) || (Number(!a.escalate_now) - Number(!b.escalate_now))
    || (a.order - b.order));
  return kept.map(([rule, facts]) => ({
    reason: rule.reason, level: rule.level, escalate_now: rule.escalate_now,
    evidence: evidenceOf(rule, facts, situation), advice: { ...rule.advice },
    rule_id: rule.id, ruleset_id: ruleset.id, ruleset_version: ruleset.version,
    measure_again_minutes: rule.measureAgain,
  }));
}

function evidenceOf(rule, facts, situation) {
  const evidence = {};
  for (const operand of rule.evidence) {
    const [source, name] = Object.entries(operand)[0];
    const value = getter(operand)(situation);
    if (value !== null && value !== undefined && has(EVIDENCE_GROUPS, source)) {
      const group = EVIDENCE_GROUPS[source];
      if (!isObject(evidence[group])) evidence[group] = {};
      evidence[group][name] = value;
    }
  }
  merge(evidence, facts);
  return evidence;
}
