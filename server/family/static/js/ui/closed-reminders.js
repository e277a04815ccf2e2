// Reminders while the app is closed, as far as a web app can go without a push service
// (docs/family-app.md, "Reminders when the app is closed"): the page keeps the due plan
// (times only, js/advice/due-plan.js) in the worker's own small database, and, where the
// browser has Periodic Background Sync (Chromium, app installed) and the family allowed
// notifications, registers for it: the worker wakes now and then and says "something is
// due". Elsewhere the app says plainly that it reminds only while it is open.
import {duePlan, PERIODIC_TAG, PLAN_DB} from "../advice/due-plan.js";
import {t} from "../i18n.js";

const MIN_INTERVAL_MS = 60 * 60 * 1000;  // asked for; the browser decides, often 12 h or more

function openPlanDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(PLAN_DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore("plan");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function write(key, value) {
  const db = await openPlanDb();
  try {
    await new Promise((resolve, reject) => {
      const transaction = db.transaction("plan", "readwrite");
      transaction.objectStore("plan").put(value, key);
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

/** After Today is drawn: the times of what is open, and the words the worker shows. */
export async function keepDuePlan(tasks, reminders, now = new Date()) {
  await write("plan", {plan: duePlan(tasks, reminders, now), title: t("due_notification_title"),
                       body: t("due_notification_body"), written_at: now.toISOString()});
}

async function registration() {
  return (await navigator.serviceWorker?.getRegistration?.().catch(() => null)) ?? null;
}

/** What this phone can do: "periodic" (registered), "possible" (could, once allowed),
 * "open-only" (no Periodic Background Sync here), "denied" (notifications refused). */
export async function closedReminderState() {
  if (!globalThis.Notification) return "open-only";
  if (Notification.permission === "denied") return "denied";
  const found = await registration();
  if (!found?.periodicSync) return "open-only";
  if (Notification.permission !== "granted") return "possible";
  const tags = await found.periodicSync.getTags().catch(() => []);
  return tags.includes(PERIODIC_TAG) ? "periodic" : "possible";
}

/** On the family's tap: ask for notifications, then register where the browser can. */
export async function turnOnClosedReminders() {
  if (!globalThis.Notification) return "open-only";
  const answer = Notification.permission === "default"
    ? await Notification.requestPermission().catch(() => Notification.permission) : Notification.permission;
  if (answer !== "granted") return answer === "denied" ? "denied" : "possible";
  const found = await registration();
  if (!found?.periodicSync) return "open-only";
  try {
    await found.periodicSync.register(PERIODIC_TAG, {minInterval: MIN_INTERVAL_MS});
    return "periodic";
  } catch {
    return "open-only";  // e.g. the app is not installed, so the browser refuses
  }
}

/** "Remove this phone": the plan and the registration go with everything else. */
export async function forgetClosedReminders() {
  await (await registration())?.periodicSync?.unregister(PERIODIC_TAG).catch(() => {});
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(PLAN_DB);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}
