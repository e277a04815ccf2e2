// Reminders when the app is closed, without a push service: the page keeps a small "due
// plan" (times only: when something opens and closes; no names, no answers, nothing a
// locked screen should show) in a database of its own that the service worker reads when
// the browser wakes it for Periodic Background Sync (Chromium, installed app). The worker
// then shows one plain notification, "Homeward: something is due in the app", at most once
// per due time. Pure logic here (tests/js/due-plan.test.mjs); the worker (sw.js) repeats the
// few lines of `dueToNotify`, since a classic worker cannot import an ES module.
//
//   const plan = duePlan(tasks, reminders, now)       // [{due_at, closes_at}], soonest first
//   dueToNotify(plan, now, notifiedThrough)          // what the worker would notify now

const HOUR_MS = 3_600_000;
export const PLAN_DAYS = 16;
export const PLAN_DB = 'homeward-due';     // the worker's only database: times, nothing else
export const PERIODIC_TAG = 'homeward-due';

const timeOf = (value) => (value instanceof Date ? value.getTime() : Date.parse(value));

/** Open tasks and reminders as bare times, from now for PLAN_DAYS, soonest first. A reminder
 * stays open for an hour (the worker may wake late; after that Today shows it). */
export function duePlan(tasks, reminders, now) {
  const at = timeOf(now), until = at + PLAN_DAYS * 24 * HOUR_MS;
  const times = [
    ...tasks.map((task) => [timeOf(task.due_at), timeOf(task.closes_at ?? task.due_at) || timeOf(task.due_at) + HOUR_MS]),
    ...reminders.filter((item) => !item.done_at).map((item) => [timeOf(item.due_at), timeOf(item.due_at) + HOUR_MS]),
  ].filter(([due, closes]) => Number.isFinite(due) && Number.isFinite(closes) && closes > at && due < until);
  const seen = new Set();
  return times.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .filter(([due, closes]) => !seen.has(`${due}/${closes}`) && seen.add(`${due}/${closes}`))
    .map(([due, closes]) => ({ due_at: new Date(due).toISOString(), closes_at: new Date(closes).toISOString() }));
}

/** The due times to notify now: open, and due after the last one notified. → {due: [...],
 * through: the latest due time among them} or null when there is nothing to say. */
export function dueToNotify(plan, now, notifiedThrough = null) {
  const at = timeOf(now), after = notifiedThrough ? timeOf(notifiedThrough) : -Infinity;
  const due = (plan ?? []).filter((item) => timeOf(item.due_at) <= at && at < timeOf(item.closes_at)
    && timeOf(item.due_at) > after);
  if (!due.length) return null;
  return { due, through: new Date(Math.max(...due.map((item) => timeOf(item.due_at)))).toISOString() };
}
