// The honest-state line under the advice: whether the team already has the entry ("Sent to
// the team at 03:02") or not yet ("Not sent yet: no connection — call now"). A family must
// never believe the team knows when the entry is still on the phone.

import { labelZone } from '../i18n.js';
import { say } from './strings.js';

const STORED = ['accepted', 'duplicate', 'quarantined']; // the server has it, alerts included
const MUST_CALL = ['emergency', 'urgent'];

function wallClock(instant, timeZone, language) {
  const options = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (timeZone) options.timeZone = timeZone;
  return new Intl.DateTimeFormat(language === 'es' ? 'es' : 'en-GB', options).format(instant);
}

function calendarDay(instant, timeZone, language) {
  const options = { day: 'numeric', month: 'short' };
  if (timeZone) options.timeZone = timeZone;
  return new Intl.DateTimeFormat(language === 'es' ? 'es' : 'en-GB', options).format(instant);
}

function dateOf(value) {
  const instant = value instanceof Date ? value : new Date(value ?? NaN);
  return Number.isNaN(instant.getTime()) ? null : instant;
}

/**
 * entryState: the outbox record ({state, settled_at}, js/sync/outbox.js).
 * options: {timeZone (the profile's), level (the advice shown), now, syncing}.
 * → {known, text, callNow}: known when the server has stored the entry; callNow when the
 * family must not wait for the app (urgent or emergency advice that has not reached the team).
 */
export function teamKnows(entryState, language = 'en', { timeZone = null, level = null, now = null,
  syncing = false } = {}) {
  const state = entryState?.state ?? 'waiting';
  const urgent = MUST_CALL.includes(level);
  if (STORED.includes(state)) {
    const at = dateOf(entryState.settled_at);
    if (at === null) return { known: true, text: say('sent', language), callNow: false };
    const time = labelZone(wallClock(at, timeZone, language), at, timeZone, language);
    const today = dateOf(now);
    const sameDay = today === null
      || calendarDay(today, timeZone, language) === calendarDay(at, timeZone, language);
    const text = sameDay ? say('sent_at', language, { time })
      : say('sent_on', language, { time, date: calendarDay(at, timeZone, language) });
    return { known: true, text, callNow: false };
  }
  if (state === 'rejected') {
    return { known: false, text: say(urgent ? 'rejected_call_now' : 'rejected', language), callNow: urgent };
  }
  if (syncing || state === 'sending') return { known: false, text: say('sending', language), callNow: urgent };
  return { known: false, text: say(urgent ? 'not_sent_call_now' : 'not_sent', language), callNow: urgent };
}
