// Today: the team's answer first, then what is due now and next (the tasks, and the
// measurements an advice asked for), the last temperatures, a plain line about sending,
// and recording a temperature one tap away.
import {h, show} from "./dom.js";
import {formatDayTime, formatDueTime, formatTime, otherLanguageOf, pickLanguage, t} from "../i18n.js";
import {readEntries} from "../journal.js";
import {readStatus} from "./status.js";
import {showTeamAnswers} from "./team.js";
import {installCard} from "./install.js";
import {readReminders} from "./reminders.js";
import {tasksOnPhone} from "./tasks.js";
import {keepDuePlan} from "./closed-reminders.js";

export function localDate(date, timeZone) {
  try {
    return new Intl.DateTimeFormat("en-CA", {timeZone, year: "numeric", month: "2-digit",
                                             day: "2-digit"}).format(date);
  } catch {
    return date.toISOString().slice(0, 10);
  }
}

export function dayPostInfusion(profile, now = new Date()) {
  if (!profile?.day0) return null;
  const today = Date.parse(`${localDate(now, profile.timezone)}T00:00:00Z`);
  return Math.round((today - Date.parse(`${profile.day0}T00:00:00Z`)) / 86400000);
}

export function dueTasks(tasks, entries, now = new Date()) {
  // A task is done on the phone once an entry answers it and was not rejected.
  const done = new Set(entries.filter((entry) => entry.task_id && entry.state !== "rejected")
    .map((entry) => entry.task_id));
  const open = tasks.filter((task) => !done.has(task.task_id));
  const moment = now.getTime();
  const dueNow = open.filter((task) => Date.parse(task.due_at) <= moment &&
    (!task.closes_at || moment < Date.parse(task.closes_at)))
    .sort((a, b) => a.due_at.localeCompare(b.due_at));
  // Next: everything of the coming day, with its time, so a family can plan (and set an
  // alarm: a closed app may remind nobody); at least the next two however far.
  const ahead = open.filter((task) => Date.parse(task.due_at) > moment)
    .sort((a, b) => a.due_at.localeCompare(b.due_at));
  const withinDay = ahead.filter((task) => Date.parse(task.due_at) <= moment + 86_400_000);
  const next = withinDay.length >= 2 ? withinDay : ahead.slice(0, 2);
  return {dueNow, next, open};
}

/** The closed-app plan again, without drawing Today: right after a Save that goes to the
 * advice screen, so the worker never says "something is due" for what was just done. */
export async function refreshDuePlan(app) {
  const [tasks, entries, reminders] = await Promise.all([
    tasksOnPhone(app), readEntries(app), readReminders(app)]);
  await keepDuePlan(dueTasks(tasks, entries).open, [...reminders.due, ...reminders.upcoming]);
}

const CLOCK_WRONG_MS = 30 * 60_000;  // minutes of network delay never come near this

/** "Day 3 after the infusion"; before it (the day -1 baseline), the days still to go. */
function dayLine(day) {
  if (day === null) return null;
  const text = day >= 0 ? t("day_post_infusion", {day})
    : day === -1 ? t("day_before_infusion") : t("days_to_infusion", {days: -day});
  return h("p", {class: "day"}, text);
}

/** The phone's clock, by the server's at the last sync, is half an hour or more out: the
 * tasks shown (and the day) follow the phone's clock, so the family is asked to set it. */
function clockWarning(status) {
  if (!Number.isFinite(status.clockOffsetMs) || Math.abs(status.clockOffsetMs) < CLOCK_WRONG_MS) return null;
  return h("section", {class: "card warning clock-warning"}, h("p", {}, t("clock_wrong")));
}

export function syncLine(status, app) {
  if (app.status.syncing) return t("sync_sending");
  if (status.waiting === 1) return t("sync_waiting_one");
  if (status.waiting > 1) return t("sync_waiting_many", {count: status.waiting});
  // Never "All sent" while an entry the server refused is held on the phone.
  if (status.rejected === 1) return t("sync_rejected_one");
  if (status.rejected > 1) return t("sync_rejected_many", {count: status.rejected});
  if (status.lastSentAt) return t("sync_all_sent", {time: formatTime(status.lastSentAt, app.profile?.timezone)});
  return t("sync_never");
}

/** id → a new title element each time asked: a title the questionnaire lacks in the app's
 * language is marked with the language shown, for screen readers. */
function titlesOf(questionnaires) {
  const found = new Map(questionnaires.map((q) => [q.id, q.title]));
  return {get: (id) => found.has(id)
    ? h("span", {lang: otherLanguageOf(found.get(id))}, pickLanguage(found.get(id))) : undefined};
}

function taskLink(task, titles, timeZone) {
  return h("li", {}, h("a", {class: "task", href: `#record/${task.questionnaire_id}/${task.task_id}`},
    h("span", {class: "task-title"}, titles.get(task.questionnaire_id) ?? t("unknown_form")),
    h("span", {class: "task-time"}, t("due_at", {time: formatDueTime(task.due_at, timeZone)}))));
}

function reminderLink(item, titles, timeZone, due) {
  // A reminder is answered by recording that questionnaire again (ui/reminders.js). Its
  // words are the app's own: the advice that asked is on the entry's advice screen.
  const form = titles.get(item.questionnaire_id ?? "symptom-diary") ?? t("unknown_form");
  return h("li", {class: `reminder${due ? " due" : ""}`},
    h("a", {class: "task", href: `#record/${item.questionnaire_id ?? "symptom-diary"}`},
      h("span", {class: "task-title"}, due ? t("reminder_due") : t("reminder_next")),
      h("span", {class: "task-time"}, due ? form
        : t("reminder_at", {time: formatDueTime(item.due_at, timeZone)}))));
}

export async function showToday(app) {
  const store = app.store;
  const data = async (type) => (await store.items.list(type)).map((item) => item.data);
  const [tasks, questionnaires, alerts, entries, status, reminders] = await Promise.all([
    tasksOnPhone(app), data("questionnaire"), app.client.alerts(), readEntries(app), readStatus(app),
    readReminders(app)]);
  const install = await installCard(app);
  const profile = app.profile;
  const timeZone = profile?.timezone;
  const titles = titlesOf(questionnaires);
  const {dueNow, next, open} = dueTasks(tasks, entries);
  // The times only, for the worker that reminds while the app is closed (where it can).
  keepDuePlan(open, [...reminders.due, ...reminders.upcoming])
    .catch((error) => console.warn("due plan", error));
  const day = dayPostInfusion(profile);
  const temperatures = entries.filter((row) => typeof row.summary.temperature_c === "number")
    .slice(0, 3);
  const others = questionnaires.filter((q) => q.id !== "symptom-diary");
  // A young child's diary is pictures, with no thermometer in it.
  const diary = questionnaires.find((q) => q.id === "symptom-diary");
  const measures = !diary || (diary.items ?? []).some((item) => item.linkId === "temperature_c");

  show(app.main,
    h("h1", {}, t("today_title")),
    dayLine(day),
    clockWarning(status),
    status.needsEnrolment ? h("section", {class: "card warning", role: "alert"},
      h("p", {}, t("needs_enrolment")),
      h("a", {class: "big-action", href: "#enrol="}, t("enrol_again"))) : null,
    showTeamAnswers(alerts, timeZone),
    h("section", {class: "card sync", "aria-labelledby": "sync-title"},
      h("h2", {id: "sync-title", class: "visually-hidden"}, t("sync_now")),
      h("p", {id: "sync-line", role: "status"}, syncLine(status, app)),
      status.waiting ? h("button", {type: "button", class: "secondary", onclick: () => app.syncSoon()},
        t("sync_now")) : null),
    h("a", {class: "big-action", href: "#record/symptom-diary"},
      t(measures ? "record_temperature" : "record_diary")),
    install,
    h("section", {class: "card", "aria-labelledby": "due-title"},
      h("h2", {id: "due-title"}, t("due_now")),
      dueNow.length || reminders.due.length ? h("ul", {class: "tasks"},
        reminders.due.map((item) => reminderLink(item, titles, timeZone, true)),
        dueNow.map((task) => taskLink(task, titles, timeZone)))
        : h("p", {}, t("nothing_due")),
      next.length || reminders.upcoming.length ? [h("h3", {}, t("due_next")),
        h("ul", {class: "tasks next"},
          reminders.upcoming.map((item) => reminderLink(item, titles, timeZone, false)),
          next.map((task) => taskLink(task, titles, timeZone)))] : null),
    h("section", {class: "card", "aria-labelledby": "temps-title"},
      h("h2", {id: "temps-title"}, t("last_temperatures")),
      temperatures.length ? h("ul", {class: "temperatures"}, temperatures.map((row) =>
        h("li", {class: row.summary.temperature_c >= 38 ? "hot" : null},
          h("strong", {}, `${row.summary.temperature_c.toFixed(1)} °C`), " ",
          h("span", {}, formatDayTime(row.recorded_at, timeZone)))))
        : h("p", {}, t("no_temperatures"))),
    others.length ? h("section", {class: "card", "aria-labelledby": "other-title"},
      h("h2", {id: "other-title"}, t("record_other")),
      h("ul", {class: "tasks"}, others.map((q) => h("li", {},
        h("a", {class: "task", href: `#record/${q.id}`}, titles.get(q.id)))))) : null);
}
