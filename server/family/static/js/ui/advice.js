// Advice on save (issue 12): the safety rules run on the phone, before any network, and the
// family sees what to do in the first second: emergency (call the emergency number first,
// then the team), urgent (call the CAR T team now), attention (what to watch). The words
// are the rules' own (`finding.advice`); the app adds only buttons and the honest state of
// sending ("sent to the team at 03:02" or "not sent yet: no connection — call now"). When
// the server's answer is more severe than the phone's (it knew more), its advice is shown.
import {h, show} from "./dom.js";
import {formatTime, language, t} from "../i18n.js";
import {evaluate, LEVELS, phoneAdviceOf} from "../rules/evaluate.js";
import {phoneContext} from "../rules/context.js";

const SCREEN_LEVELS = ["emergency", "urgent", "attention"];
const SENT = ["accepted", "duplicate", "quarantined"];

/** The phone's findings for an entry about to be saved; null if the phone has no rules. */
export async function adviseOn(app, entry, history) {
  const rules = await app.store.items.get("rules", "rules");
  if (!rules) return null;
  try {
    const context = phoneContext({profile: app.profile, history, entry,
                                  now: entry.recorded_at});
    const findings = evaluate(rules, entry, context);
    return {findings: findings.map(keep), phone_advice: phoneAdviceOf(findings, rules)};
  } catch (error) {
    // A rules document this app cannot run must not stop the entry being saved and sent:
    // the server evaluates it anyway.
    console.warn("the safety rules could not run on this phone", error);
    return null;
  }
}

function keep(finding) {
  return {level: finding.level, reason: finding.reason, advice: finding.advice};
}

export function mostSevere(level, other) {
  const rank = (value) => (LEVELS.includes(value) ? LEVELS.indexOf(value) : LEVELS.length);
  return rank(other) < rank(level) ? other : level;
}

export function needsScreen(advice) {
  return Boolean(advice?.findings?.some((finding) => SCREEN_LEVELS.includes(finding.level)));
}

function adviceText(finding) {
  const words = finding.advice ?? {};
  return words[language()] ?? words.en ?? Object.values(words)[0] ?? "";
}

function minutesOf(text) {
  const [hours, minutes] = String(text ?? "").split(":").map(Number);
  return hours * 60 + minutes;
}

/** The team's day or night number, by the day hours in the family's time zone. */
export function teamNumber(careTeam, timeZone, now = new Date()) {
  if (!careTeam) return null;
  const hours = careTeam.day_hours ?? {};
  let local;
  try {
    local = new Intl.DateTimeFormat("en-GB", {timeZone, hour: "2-digit", minute: "2-digit",
                                              hourCycle: "h23"}).format(now);
  } catch {
    local = `${now.getHours()}:${now.getMinutes()}`;
  }
  const minute = minutesOf(local);
  const day = minute >= minutesOf(hours.from ?? "08:00") && minute < minutesOf(hours.to ?? "18:00");
  return (day ? careTeam.day : careTeam.night) ?? careTeam.day ?? careTeam.night ?? null;
}

function callButton(number, label, kind) {
  if (!number?.tel) return h("p", {class: "call-missing"}, label);
  return h("a", {class: `call ${kind}`, href: `tel:${number.tel}`},
    h("span", {class: "call-label"}, label), h("span", {class: "call-number"}, number.display));
}

function sendingLine(record, app) {
  const timeZone = app.profile?.timezone;
  if (record && SENT.includes(record.state)) {
    return h("p", {class: "advice-state sent"},
      t("advice_sent", {time: formatTime(record.settled_at ?? new Date().toISOString(), timeZone)}));
  }
  if (record?.state === "rejected") return h("p", {class: "advice-state not-sent"}, t("advice_rejected"));
  if (!navigator.onLine) return h("p", {class: "advice-state not-sent"}, t("advice_not_sent_offline"));
  return h("p", {class: "advice-state not-sent"}, t("advice_sending"));
}

/** The advice screen for one entry (#advice/<entry_id>), redrawn after each sync. */
export async function showAdvice(app, entryId, known = null) {
  // Right after Save the caller hands over what it has: nothing is read back from storage
  // between the tap and the advice on screen.
  const summary = known?.summary ?? (await app.journal.summaries()).get(entryId);
  const record = known?.record
    ?? (await app.client.outbox.list()).find((each) => each.entry_id === entryId);
  const findings = (summary?.advice?.findings ?? []).filter((f) => SCREEN_LEVELS.includes(f.level));
  const phoneLevel = findings[0]?.level ?? null;
  // The server saw more (another phone's entries, a baseline from before this phone):
  // when its alert is more severe, its own advice to the family is what counts.
  const serverLevel = record?.alert?.level ?? null;
  let serverAdvice = null;
  if (serverLevel && mostSevere(phoneLevel, serverLevel) === serverLevel && serverLevel !== phoneLevel) {
    const alerts = await app.client.alerts();
    const alert = alerts.find((each) => each.alert_id === record.alert.alert_id);
    serverAdvice = {level: serverLevel, text: alert?.message ?? null};
  }
  const level = serverAdvice?.level ?? phoneLevel;
  if (!level) {
    app.navigate("#today");
    return;
  }
  const careTeam = app.profile?.care_team ?? null;
  const team = teamNumber(careTeam, app.profile?.timezone);
  const texts = serverAdvice?.text ? [serverAdvice.text] : findings.map(adviceText);
  const unique = [...new Set(texts.filter(Boolean))];
  const calls = [];
  if (level === "emergency") {
    calls.push(callButton(careTeam?.emergency, t("call_emergency"), "emergency"));
  }
  if (level === "emergency" || level === "urgent") {
    calls.push(callButton(team, t("call_team"), level === "emergency" ? "secondary" : "urgent"));
  }
  document.getElementById("tabs").hidden = true;
  show(app.main,
    h("section", {class: `advice advice-${level}`, "aria-labelledby": "advice-title",
                  "data-level": level},
      h("h1", {id: "advice-title"}, t(`advice_title_${level}`)),
      unique.map((text) => h("p", {class: "advice-text"}, text)),
      calls,
      level === "attention" ? null : sendingLine(record, app),
      level === "attention" ? h("p", {class: "advice-state"}, t("advice_attention_state")) : null,
      h("a", {class: "big-action secondary", href: "#today"}, t("advice_done"))));
}

/**
 * After a sync: an entry whose server answer (the push result's alert) is more severe than
 * what the phone advised, and that the family has not been shown yet. Its entry id, or null.
 */
export async function entryWithHigherServerAdvice(app) {
  const shown = new Set((await app.store.get("app_server_advice_shown")) ?? []);
  const summaries = await app.journal.summaries();
  const records = await app.client.outbox.list();
  const phoneLevelOf = (record) => summaries.get(record.entry_id)?.advice?.phone_advice?.level ?? null;
  // What the family was already told about each alert: a later reading that only extends
  // a fever they were told to call about does not need the same screen again.
  const told = new Map();
  for (const record of records) {
    const alertId = record.alert?.alert_id;
    if (alertId) told.set(alertId, mostSevere(told.get(alertId) ?? null, phoneLevelOf(record)));
  }
  for (const record of records) {
    const serverLevel = record.alert?.level;
    if (!serverLevel || shown.has(record.entry_id) || !SCREEN_LEVELS.includes(serverLevel)) continue;
    const phoneLevel = told.get(record.alert.alert_id) ?? phoneLevelOf(record);
    if (serverLevel !== phoneLevel && mostSevere(phoneLevel, serverLevel) === serverLevel) {
      await app.store.put("app_server_advice_shown", [...shown, record.entry_id]);
      return record.entry_id;
    }
  }
  return null;
}
