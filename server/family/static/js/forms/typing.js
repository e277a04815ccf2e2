// What the family typed, turned into the answer the definition takes. Pure functions, so the
// node tests can check them without a browser.

// 38.6, 38,6 (Spanish and much of Europe), .5, -1, with spaces around. Anything else is
// returned as typed, so the validator names the mistake instead of the form guessing.
const NUMBER = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$/;

// A whole number takes digits only: "1,000" nights must not become 1 night (a thousands
// comma in English), nor "1.000" (a thousands point in Spanish).
const WHOLE = /^[+-]?\d+$/;

export function readNumber(typed, whole = false) {
  const text = String(typed ?? '').trim().replace(/\u2212/g, '-');
  if (text === '') return undefined;
  if (!(whole ? WHOLE : NUMBER).test(text)) return text;
  return Number(text.replace(',', '.'));
}

// An <input type="datetime-local"> value (local wall time, no offset) as RFC 3339 with the
// phone's offset at that moment, which is what the definition format demands.
export function readLocalDateTime(typed) {
  const text = String(typed ?? '').trim();
  if (text === '') return undefined;
  const moment = new Date(text);
  if (Number.isNaN(moment.getTime())) return text;
  const pad = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const offset = -moment.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T`
    + `${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}`
    + `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

// The other way, to show a saved answer again in a datetime-local box.
export function toLocalInput(value) {
  const moment = new Date(value);
  if (typeof value !== 'string' || Number.isNaN(moment.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T`
    + `${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

// A number shown in the family's way of writing it.
export function showNumber(value, language) {
  if (typeof value !== 'number') return value ?? '';
  return String(language || '').startsWith('es') ? String(value).replace('.', ',') : String(value);
}
