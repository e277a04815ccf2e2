// Reminders while the app is open: the measurement an advice asks for ("take the
// temperature again in an hour") is kept as a store item of type "reminder" (the logic is
// js/advice/reminders.js), listed on Today, and, where the family allowed notifications,
// shown as one when it falls due. Permission is asked only when the family taps the offer
// under an advice that set a reminder, never on load; without it the app works the same.
import {h} from "./dom.js";
import {t} from "../i18n.js";
import {answeredBy, createNotifier, dueReminders, markDone, msUntilNextDue, notifyDue,
        reminderItem, REMINDER, upcomingReminders} from "../advice/reminders.js";

// setTimeout holds at most 2**31 - 1 ms; a later reminder is looked at again then.
const LONGEST_WAIT_MS = 2 ** 31 - 1;

async function openItems(store) {
  return (await store.items.list(REMINDER)).map((item) => item.data);
}

async function notifier() {
  const registration = await navigator.serviceWorker?.getRegistration?.().catch(() => null);
  return createNotifier({api: globalThis.Notification, registration: registration ?? null});
}

/** After Save: the new entry settles the reminders it answers, and sets its own if asked. */
export async function keepReminders(app, advice, entry) {
  const items = await openItems(app.store);
  // recorded_at is whole seconds; the moment of Save is finer, so a reading taken within
  // the same second as the one that asked still answers it.
  for (const item of answeredBy(items, {...entry, recorded_at: new Date().toISOString()})) {
    await app.store.items.put(REMINDER, item.id, markDone(item, entry.recorded_at));
  }
  const item = reminderItem(advice, {entryId: entry.entry_id, questionnaireId: entry.questionnaire_id,
                                     savedAt: entry.recorded_at});
  // The items store is not sealed: the reminder keeps only ids and times there. Its words
  // (which say what the rules found) stay in the sealed journal line, and a notification
  // on a locked screen says only "time to measure again".
  if (item) await app.store.items.put(REMINDER, item.id, {...item, label: null, rule_id: null, level: null});
  await watchReminders(app);
  return item;
}

/** {due, upcoming} reminders for Today. */
export async function readReminders(app, now = new Date()) {
  const items = await openItems(app.store);
  return {due: dueReminders(items, now), upcoming: upcomingReminders(items, now)};
}

/** Looks again when the next reminder falls due, notifies where allowed, redraws Today. */
export async function watchReminders(app) {
  clearTimeout(app._reminderTimer);
  const wait = msUntilNextDue(await openItems(app.store), new Date());
  if (wait === null) return;
  app._reminderTimer = setTimeout(async () => {
    const now = new Date();
    const shown = await notifyDue(await openItems(app.store), now, await notifier());
    for (const item of shown) await app.store.items.put(REMINDER, item.id, item);
    await app.refresh();
    // Only reminders still ahead need the timer again; the due ones stay listed on Today.
    const ahead = upcomingReminders(await openItems(app.store), new Date());
    if (ahead.length) await watchReminders(app);
  }, Math.min(wait, LONGEST_WAIT_MS));
}

/** Under an advice with a reminder: the offer to be notified too, or nothing. */
export function offerNotifications() {
  if (!globalThis.Notification || Notification.permission !== "default") return null;
  const button = h("button", {type: "button", class: "secondary notify-offer"}, t("reminder_notify"));
  button.addEventListener("click", async () => {
    const answer = await (await notifier()).ask();
    button.replaceWith(h("p", {class: "advice-state"},
      t(answer === "granted" ? "reminder_notify_on" : "reminder_notify_off")));
  });
  return button;
}
