// A wall-clock time in an IANA time zone, as an instant, the way Python's zoneinfo reads
// `datetime.combine(day, time, tzinfo=zone)` (fold 0): a time that happens twice (autumn)
// is the first one, and a time that does not exist (the spring gap) uses the offset from
// before the change, so "02:30" becomes 03:30 on the new clock, as a wall clock would.
// The browser's own time zone data (Intl) answers; no library.

const formats = new Map();

function formatter(timeZone) {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric',
      month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, format);
  }
  return format;
}

/** The zone's offset from UTC at an instant, in ms (east positive). */
export function offsetAt(ms, timeZone) {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(ms))
    .filter((part) => part.type !== 'literal').map((part) => [part.type, Number(part.value)]));
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** ms since 1970 of `day` ("2026-11-20") at `time` ("08:00") where the family lives. */
export function localToInstant(day, time, timeZone) {
  const wall = Date.parse(`${day}T${time}:00Z`);
  if (!Number.isFinite(wall)) throw new RangeError(`not a day and time: ${day} ${time}`);
  // Time zones change offset at most once within a day or so: the offsets a day either
  // side are the two candidates.
  const before = offsetAt(wall - 86_400_000, timeZone);
  const after = offsetAt(wall + 86_400_000, timeZone);
  const fits = (offset) => offsetAt(wall - offset, timeZone) === offset;
  return wall - (!fits(before) && fits(after) ? after : before);
}
