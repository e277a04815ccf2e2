// Whom the family calls, from the profile's `care_team` (docs/protocol.md): the emergency
// number first for an emergency, then the CAR T team, whose day or night number follows the
// team's day hours in the family's time zone (from inclusive, to exclusive). A number the
// site has not set is said plainly, never offered as a button that dials nothing.

import { say } from './strings.js';

const TEL = /^\+?\d{2,}$/;

/** {display, tel} when the number can be dialled, else null. */
function dialable(phone) {
  if (!phone || typeof phone !== 'object') return null;
  const tel = typeof phone.tel === 'string' ? phone.tel : '';
  if (!TEL.test(tel)) return null;
  const display = typeof phone.display === 'string' && phone.display.trim() ? phone.display : tel;
  return { display, tel };
}

// Making an Intl formatter costs far more than using one: one per time zone, kept.
const clocks = new Map();

/** Minutes since local midnight of `instant` (a Date) in an IANA time zone. */
export function localMinutes(instant, timeZone) {
  if (!clocks.has(timeZone)) {
    clocks.set(timeZone, new Intl.DateTimeFormat('en-GB', {
      timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));
  }
  const parts = clocks.get(timeZone).formatToParts(instant);
  const part = (type) => Number(parts.find((each) => each.type === type).value);
  return part('hour') * 60 + part('minute');
}

function minutesOf(text) {
  const found = /^(\d{1,2}):(\d{2})$/.exec(String(text ?? ''));
  return found ? Number(found[1]) * 60 + Number(found[2]) : null;
}

/** Whether `instant` falls in the team's day hours, in the family's time zone. */
export function isDaytime(careTeam, instant, timeZone) {
  const from = minutesOf(careTeam?.day_hours?.from);
  const to = minutesOf(careTeam?.day_hours?.to);
  if (from === null || to === null || !timeZone) return null;
  let now;
  try {
    now = localMinutes(instant, timeZone);
  } catch {
    return null; // a time zone this browser does not know
  }
  // Hours that wrap past midnight (from 20:00 to 08:00) are read as such.
  return from <= to ? now >= from && now < to : now >= from || now < to;
}

/** The team number to offer now: day or night by the day hours, the other when one is
 * missing (the server already copies a lone number to both), null when neither is set. */
export function teamNumber(careTeam, instant, timeZone) {
  const day = dialable(careTeam?.day);
  const night = dialable(careTeam?.night);
  const daytime = isDaytime(careTeam, instant, timeZone);
  if (daytime === true) return day ? { ...day, which: 'day' } : night && { ...night, which: 'night' };
  if (daytime === false) return night ? { ...night, which: 'night' } : day && { ...day, which: 'day' };
  return day ? { ...day, which: 'day' } : night && { ...night, which: 'night' };
}

const call = (label, phone) => ({ kind: 'call', label, display: phone.display, tel: phone.tel,
  href: `tel:${phone.tel}`, ...(phone.which ? { which: phone.which } : {}) });

/**
 * The call buttons and the plain sentences for `level`, as {actions, notes}.
 * actions: [{kind: 'call', label, display, tel, href, which?}] in the order to call;
 * notes: what to do when a number is not set ("Call your CAR T team ..."), no button.
 */
export function callsFor(level, careTeam, instant, timeZone, language) {
  const actions = [], notes = [];
  if (level === 'emergency') {
    const emergency = dialable(careTeam?.emergency);
    if (emergency) actions.push(call(say('call_number', language, { number: emergency.display }), emergency));
    else notes.push(say('no_emergency_number', language));
  }
  if (level === 'emergency' || level === 'urgent' || level === 'attention') {
    const team = teamNumber(careTeam, instant, timeZone);
    const label = say(level === 'attention' ? 'call_team' : 'call_team_now', language);
    if (team) actions.push(call(label, team));
    else notes.push(say('no_team_number', language));
  }
  return { actions, notes };
}
