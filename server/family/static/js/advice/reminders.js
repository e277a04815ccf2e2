// Reminders inside the app: when the advice on Save asks to measure again ("in an hour"),
// a due item appears at that time; where the family allowed notifications, the phone also
// shows one. The logic is pure over a list of plain items (kept by the app's store as items
// of type "reminder"); the browser's Notifications API sits in a tiny adapter at the end,
// and everything works without it (no permission, no API, a browser that refuses).
//
//   const item = reminderItem(advice, { entryId, questionnaireId, savedAt: now });
//   if (item) await store.items.put(REMINDER, item.id, item);
//   const items = (await store.items.list(REMINDER)).map((each) => each.data);
//   dueReminders(items, now)        // what the home screen lists as "to do now"
//   msUntilNextDue(items, now)      // when to look again (setTimeout while the app is open)

import { say } from './strings.js';

export const REMINDER = 'reminder';   // the store's item type
const MINUTE = 60_000;

const timeOf = (value) => (value instanceof Date ? value.getTime() : Date.parse(value));

/** The reminder an advice asks for, as a stored item, or null when it asks for none. */
export function reminderItem(advice, { entryId, questionnaireId = null, savedAt, language = null }) {
  const minutes = advice?.reminder?.minutes;
  if (!Number.isFinite(minutes) || minutes <= 0) return null;
  const saved = timeOf(savedAt);
  if (!Number.isFinite(saved)) throw new TypeError('savedAt must be a time');
  return {
    id: `${REMINDER}:${entryId}`, entry_id: entryId, questionnaire_id: questionnaireId,
    rule_id: advice.reminder.rule_id ?? null, label: advice.reminder.label,
    language: language ?? advice.language ?? 'en', level: advice.level ?? null,
    created_at: new Date(saved).toISOString(),
    due_at: new Date(saved + minutes * MINUTE).toISOString(),
    done_at: null, notified_at: null,
  };
}

const open = (item) => item && !item.done_at;
const byDue = (a, b) => timeOf(a.due_at) - timeOf(b.due_at);

/** Open reminders whose time has come, oldest first. */
export function dueReminders(items, now) {
  const at = timeOf(now);
  return items.filter((item) => open(item) && timeOf(item.due_at) <= at).sort(byDue);
}

/** Open reminders still ahead, soonest first. */
export function upcomingReminders(items, now) {
  const at = timeOf(now);
  return items.filter((item) => open(item) && timeOf(item.due_at) > at).sort(byDue);
}

/** Milliseconds until the next reminder is due (0 if one is due now), null if none is open. */
export function msUntilNextDue(items, now) {
  const due = items.filter(open).map((item) => timeOf(item.due_at));
  return due.length ? Math.max(0, Math.min(...due) - timeOf(now)) : null;
}

/** The reminder marked done (the family measured, or dismissed it). */
export function markDone(item, now) {
  return item.done_at ? item : { ...item, done_at: new Date(timeOf(now)).toISOString() };
}

/** Reminders a new entry answers: open ones for the same questionnaire, set before the
 * entry was recorded. The family measured again, so the reminder is done. */
export function answeredBy(items, entry) {
  const recorded = timeOf(entry?.recorded_at);
  return items.filter((item) => open(item) && item.questionnaire_id === entry?.questionnaire_id
    && item.entry_id !== entry?.entry_id && Number.isFinite(recorded) && timeOf(item.created_at) < recorded);
}

/** Notifications to show now: due, open, not shown before. [{item, title, body, tag}] */
export function notificationsDue(items, now) {
  return dueReminders(items, now).filter((item) => !item.notified_at).map((item) => ({
    item, title: say('reminder_title', item.language), body: item.label || say('reminder', item.language),
    tag: item.id,
  }));
}

export function markNotified(item, now) {
  return { ...item, notified_at: new Date(timeOf(now)).toISOString() };
}

// -- the browser's Notifications API, optional ---------------------------------------------

/**
 * api: the Notification constructor (globalThis.Notification where the browser has one);
 * registration: the service worker registration, which Android browsers require for
 * showing a notification. Nothing here throws: without the API or the permission, show()
 * answers false and the in-app due list is the reminder.
 */
export function createNotifier({ api = globalThis.Notification, registration = null } = {}) {
  const permission = () => (api ? api.permission : 'unsupported');
  return {
    available: () => Boolean(api),
    permission,
    // Ask only when the family taps "remind me": browsers ignore or penalise asking unprompted.
    async ask() {
      if (!api || permission() !== 'default') return permission();
      try {
        return await api.requestPermission();
      } catch {
        return permission();
      }
    },
    async show({ title, body, tag }) {
      if (permission() !== 'granted') return false;
      try {
        if (registration?.showNotification) await registration.showNotification(title, { body, tag });
        else new api(title, { body, tag }); // eslint-disable-line no-new
        return true;
      } catch {
        return false; // e.g. Android Chrome, which refuses the constructor outside a worker
      }
    },
  };
}

/** Shows what is due and returns the items to store again (marked notified when shown). */
export async function notifyDue(items, now, notifier) {
  const shown = [];
  for (const notification of notificationsDue(items, now)) {
    if (await notifier.show(notification)) shown.push(markNotified(notification.item, now));
  }
  return shown;
}
