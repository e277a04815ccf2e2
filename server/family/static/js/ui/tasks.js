// What is due, on the phone: the tasks the pull sent, and the same tasks made here from the
// pulled schedule (js/schedule/tasks.js), so a family offline past the server's 15-day
// horizon still sees every diary and neuro check due. The ids are the server's own, so an
// entry made against a task made here is accepted when it syncs (docs/family-app.md,
// "Tasks made on the phone"). A pulled task wins over the phone's copy of it.
import {readHistory} from "../journal.js";
import {tasksBetween, tasksTriggeredBy} from "../schedule/tasks.js";

const DAY_MS = 86_400_000;
const LOOKBACK_DAYS = 31;   // the longest a scheduled task stays open is 30 days (yearly)
const AHEAD_DAYS = 16;      // a day more than the server's horizon
const TRIGGER_DAYS = 7;     // a triggered task is open for hours; a week of entries is plenty

let made = {key: null, tasks: []};  // one window per day: Today redraws often

async function madeFromSchedule(schedule, phone, now) {
  const day = Math.floor(now / DAY_MS) * DAY_MS;
  const key = JSON.stringify([schedule.id, schedule.version, schedule.day0, schedule.timezone,
                              phone, day]);
  if (made.key !== key) {
    made = {key, tasks: await tasksBetween(schedule, phone, new Date(day - LOOKBACK_DAYS * DAY_MS),
                                          new Date(day + AHEAD_DAYS * DAY_MS))};
  }
  return made.tasks;
}

/** Every task the phone knows of, pulled or made here; closed ones left out. */
export async function tasksOnPhone(app, now = new Date()) {
  const data = async (type) => (await app.store.items.list(type)).map((item) => item.data);
  const [pulled, schedules, questionnaires] = await Promise.all([
    data("task"), data("schedule"), data("questionnaire")]);
  const schedule = schedules[0], profile = app.profile;
  if (!schedule || !profile?.patient_id) return pulled;
  const phone = {patientId: profile.patient_id, respondent: profile.respondent ?? "caregiver",
                 variants: Object.fromEntries(questionnaires.map((q) =>
                   [q.id, {version: q.version ?? null, variant: q.variant ?? null}]))};
  const moment = now.getTime();
  const tasks = [...await madeFromSchedule(schedule, phone, moment)];
  // A diary with a neuro sign asks for a neuro check within hours, offline too.
  const history = await readHistory(app).catch(() => []);
  for (const entry of history) {
    if (moment - Date.parse(entry.recorded_at) < TRIGGER_DAYS * DAY_MS) {
      tasks.push(...await tasksTriggeredBy(schedule, phone, entry));
    }
  }
  const byId = new Map(tasks.filter((task) => Date.parse(task.closes_at) > moment)
    .map((task) => [task.task_id, task]));
  for (const task of pulled) byId.set(task.task_id, task);
  return [...byId.values()];
}

/** One task by id: the pulled one, or one the phone makes; null when neither knows it. */
export async function findTask(app, taskId, now = new Date()) {
  if (!taskId) return null;
  return (await app.store.items.get("task", taskId))
    ?? (await tasksOnPhone(app, now)).find((task) => task.task_id === taskId) ?? null;
}
