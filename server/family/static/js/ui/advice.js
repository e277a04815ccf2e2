// Advice on save (issue 12): the safety rules run on the phone, before any network, and the
// family sees what to do in the first second. What to show (level, title, the rules' own
// words, whom to call with the day or night number, the "could not check" fallback, and
// what is sealed as phone_advice) is js/advice/advise.js's screen model, one source of
// truth; this screen only draws it, with the honest line of whether the team knows. When
// the server's answer is more severe than the phone's (it knew more), its advice is shown.
import {h, show} from "./dom.js";
import {language, t, formatTime} from "../i18n.js";
import {adviceFromServer, adviseOnSave, compareWithServer, SCREEN_LEVELS,
        teamKnows} from "../advice/advise.js";
import {callsFor} from "../advice/calls.js";
import {offerNotifications} from "./reminders.js";

/** The screen model for an entry about to be saved (scored here from `definition`). */
export async function adviseOn(app, entry, history, definition = null) {
  const rules = (await app.store.items.get("rules", "rules")) ?? null;
  // Without rules adviseOnSave says the entry could not be checked, and claims nothing.
  return adviseOnSave({rules, profile: app.profile, history, entry, definition,
                       now: entry.recorded_at, language: language()});
}

/** What the journal keeps of the model: the words, not the buttons (numbers follow the
 * clock, so they are worked out again each time the screen is drawn). */
export function keptAdvice(advice) {
  if (!advice) return null;
  const {level, title, body, more, reminder, phoneAdvice, checked, language: words} = advice;
  return {level, title, body, more, reminder, phoneAdvice, checked, language: words,
          findings: advice.findings.map((f) => ({level: f.level, reason: f.reason, advice: f.advice}))};
}

export function needsScreen(advice) {
  return Boolean(advice) && (SCREEN_LEVELS.includes(advice.level) || advice.checked === false);
}

const phoneLevelOf = (advice) => advice?.phoneAdvice?.level ?? advice?.phone_advice?.level ?? null;

function callLink(action, index, level) {
  // The first call is the one to make now; the team after the emergency number is second.
  // ("secondary" is drawn for the emergency screen's red background.)
  const kind = level === "emergency" ? (index === 0 ? "emergency" : "secondary") : "urgent";
  return h("a", {class: `call ${kind}`, href: action.href},
    h("span", {class: "call-label"}, action.label), h("span", {class: "call-number"}, action.display));
}

/** The advice screen for one entry (#advice/<entry_id>), redrawn after each sync. */
export async function showAdvice(app, entryId, known = null) {
  // Right after Save the caller hands over what it has: nothing is read back from storage
  // between the tap and the advice on screen.
  const summary = known?.summary ?? (await app.journal.summaries()).get(entryId);
  const record = known?.record
    ?? (await app.client.outbox.list()).find((each) => each.entry_id === entryId);
  let model = summary?.advice ?? null;
  const now = new Date();
  const words = model?.language ?? language();
  // The server saw more (another phone's entries, a baseline from before this phone): when
  // its alert is more severe, its own advice to the family is what counts.
  if (compareWithServer(model?.level ?? null, record).mustSwitch) {
    const alert = (await app.client.alerts()).find((each) => each.alert_id === record.alert.alert_id);
    model = adviceFromServer(alert ?? record.alert, {profile: app.profile, now, language: words});
  }
  if (!needsScreen(model)) {
    app.navigate("#today");
    return;
  }
  const level = model.level ?? "unchecked";
  const careTeam = app.profile?.care_team;
  const {actions, notes} = callsFor(model.level ?? "attention", careTeam, now, app.profile?.timezone, words);
  const state = teamKnows(record, words, {timeZone: app.profile?.timezone, level: model.level, now,
                                          syncing: navigator.onLine});
  const reminder = model.reminder && record
    ? await app.store.items.get("reminder", `reminder:${record.entry_id}`) : null;
  document.getElementById("tabs").hidden = true;
  show(app.main,
    h("section", {class: `advice advice-${level}`, "aria-labelledby": "advice-title",
                  "data-level": level},
      h("h1", {id: "advice-title"}, model.title),
      [model.body, ...(model.more ?? [])].filter(Boolean).map((text) => h("p", {class: "advice-text"}, text)),
      actions.map((action, index) => callLink(action, index, level)),
      notes.map((note) => h("p", {class: "call-missing"}, note)),
      h("p", {class: `advice-state ${state.known ? "sent" : "not-sent"}`}, state.text),
      reminder && !reminder.done_at ? h("p", {class: "advice-reminder"},
        t("reminder_set", {time: formatTime(reminder.due_at, app.profile?.timezone)})) : null,
      reminder && !reminder.done_at ? offerNotifications(app) : null,
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
  const phoneLevel = (record) => phoneLevelOf(summaries.get(record.entry_id)?.advice);
  // What the family was already told about each alert: a later reading that only extends
  // a fever they were told to call about does not need the same screen again.
  const told = new Map();
  for (const record of records) {
    const alertId = record.alert?.alert_id;
    if (!alertId) continue;
    const before = told.get(alertId) ?? null;
    told.set(alertId, compareWithServer(before, phoneLevel(record)).serverHigher ? phoneLevel(record) : before);
  }
  for (const record of records) {
    if (!record.alert?.level || shown.has(record.entry_id)) continue;
    const phone = told.get(record.alert.alert_id) ?? phoneLevel(record);
    if (compareWithServer(phone, record).mustSwitch) {
      await app.store.put("app_server_advice_shown", [...shown, record.entry_id]);
      return record.entry_id;
    }
  }
  return null;
}
