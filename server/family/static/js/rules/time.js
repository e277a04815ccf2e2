// Times of the rules language: RFC 3339 strings with an offset, read to the microsecond as
// Python's datetime does, so that windows ("the 24 h before the entry", "sustained for an
// hour") cut at the same instant on the phone and on the server. A time without an offset
// is refused: guessing a timezone would shift every window by hours.

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})(?::(\d{2}))?)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export const MICROS_PER_MINUTE = 60_000_000;

export class TimeError extends Error {
  constructor(message) { super(message); this.name = 'TimeError'; }
}

function isLeap(year) { return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0); }

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm); Date.UTC
// would read years 0-99 as 1900-1999.
function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const pad = (number, width = 2) => String(number).padStart(width, '0');

/** A time → {micros (since the epoch), iso (as Python's isoformat writes it)}, null for
 * null/undefined; anything else that is not an RFC 3339 time with an offset throws. */
export function parseTime(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && typeof value.micros === 'number' && typeof value.iso === 'string') {
    return value;
  }
  const match = typeof value === 'string' ? PATTERN.exec(value) : null;
  if (!match) throw new TimeError(`a time with a timezone is needed, not ${JSON.stringify(value)}`);
  const [, y, mo, d, h, mi, s = '0', fraction = '', zulu, sign, oh, om, os = '0'] = match;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (!zulu && !sign) throw new TimeError(`a time with a timezone is needed, not ${JSON.stringify(value)}`);
  const monthDays = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > monthDays || hour > 23
      || minute > 59 || second > 59) {
    throw new TimeError(`not a valid time: ${JSON.stringify(value)}`);
  }
  // Python keeps microseconds and drops further digits.
  const micro = Number((fraction + '000000').slice(0, 6));
  let offsetSeconds = 0;
  if (sign) {
    const [hours, minutes, seconds] = [Number(oh), Number(om), Number(os)];
    if (minutes > 59 || seconds > 59 || hours > 23) throw new TimeError(`not a valid offset: ${JSON.stringify(value)}`);
    offsetSeconds = (sign === '-' ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds);
  }
  const localSeconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const micros = (localSeconds - offsetSeconds) * 1_000_000 + micro;
  return { micros, iso: formatIso(year, month, day, hour, minute, second, micro, offsetSeconds) };
}

function formatIso(year, month, day, hour, minute, second, micro, offsetSeconds) {
  let text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
  if (micro) text += `.${pad(micro, 6)}`;
  const size = Math.abs(offsetSeconds);
  text += `${offsetSeconds < 0 ? '-' : '+'}${pad(Math.floor(size / 3600))}:${pad(Math.floor(size / 60) % 60)}`;
  if (size % 60) text += `:${pad(size % 60)}`;
  return text;
}
