// Named thresholds (alerts/parameters.py): their types, the checks a site's or a physician's
// value must pass, and how the layers (rule file defaults, site settings, one patient's
// overrides) combine. A threshold in the wrong unit (100.4 as a fever in °C) would silence
// every fever, so a value outside its declared bounds is refused rather than used.
//
// JavaScript cannot tell 94 from 94.0 once JSON is parsed, so an `integer` parameter sent as
// 94.0 is taken here where Python refuses it; the served document was checked by the server.

export const TEMPERATURE_METHODS = ['oral', 'axillary', 'ear', 'forehead', 'rectal'];
export const ANY_METHOD = 'any';
const OVERRIDE_KEYS = ['parameters', 'baseline_signs', 'always_report_signs'];

export class RulesError extends Error {
  constructor(message) { super(message); this.name = 'RulesError'; }
}

export const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
export const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
export const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
/** object[key] when it is the object's own (never a prototype's), else undefined. */
export const own = (object, key) => (has(object, key) ? object[key] : undefined);

const shown = (value) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 40 ? text : `${text.slice(0, 37)}...`;
};

function checkBounds(name, declaration, numbers) {
  const low = own(declaration, 'min'), high = own(declaration, 'max');
  for (const number of numbers) {
    if ((low !== undefined && low !== null && number < low)
        || (high !== undefined && high !== null && number > high)) {
      throw new RulesError(`${name}: ${number} is outside the allowed ${low} to ${high} (is it in the right unit?)`);
    }
  }
}

/** The value in its one canonical shape, or RulesError saying what is wrong. */
export function normaliseValue(name, declaration, value) {
  const kind = declaration.type;
  if (kind === 'integer') {
    if (!Number.isInteger(value)) throw new RulesError(`${name}: must be a whole number, not ${shown(value)}`);
    checkBounds(name, declaration, [value]);
    return value;
  }
  if (kind === 'number') {
    if (!isNumber(value)) throw new RulesError(`${name}: must be a number, not ${shown(value)}`);
    checkBounds(name, declaration, [value]);
    return value;
  }
  if (kind === 'range') {
    if (!Array.isArray(value) || value.length !== 2 || !value.every(isNumber)) {
      throw new RulesError(`${name}: must be [lowest, highest], not ${shown(value)}`);
    }
    if (value[0] > value[1]) throw new RulesError(`${name}: the lowest value ${value[0]} is above the highest ${value[1]}`);
    checkBounds(name, declaration, value);
    return [...value];
  }
  if (kind === 'per_method') return normalisePerMethod(name, declaration, value);
  throw new RulesError(`${name}: unknown parameter type ${shown(kind)}`);
}

function normalisePerMethod(name, declaration, given) {
  const value = isNumber(given) ? { [ANY_METHOD]: given } : given;
  if (!isObject(value)) throw new RulesError(`${name}: must be a number or an object of method → number, not ${shown(given)}`);
  if (!has(value, ANY_METHOD)) throw new RulesError(`${name}: needs "any"`);
  const methods = Object.keys(value);
  for (const method of methods) {
    if (method !== ANY_METHOD && !TEMPERATURE_METHODS.includes(method)) {
      throw new RulesError(`${name}: unknown temperature method '${method}'`);
    }
    if (!isNumber(value[method])) throw new RulesError(`${name}: ${method} must be a number, not ${shown(value[method])}`);
  }
  checkBounds(name, declaration, methods.map((method) => value[method]));
  const ordered = { [ANY_METHOD]: value[ANY_METHOD] };
  for (const method of methods.filter((m) => m !== ANY_METHOD).sort()) ordered[method] = value[method];
  return ordered;
}

/** `base` with `overrides` (name → value) laid over it; each override is checked. */
export function layerParameters(declarations, base, overrides, label) {
  if (overrides === null || overrides === undefined) return base;
  if (!isObject(overrides)) throw new RulesError(`${label}: must be an object of parameter name → value`);
  const merged = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (!has(declarations, name)) throw new RulesError(`${label}: unknown parameter '${name}'`);
    try {
      merged[name] = normaliseValue(name, declarations[name], value);
    } catch (error) {
      throw new RulesError(`${label}: ${error.message}`);
    }
  }
  return merged;
}

/** A per-method threshold for one reading's method; other values are returned as they are. */
export function resolve(value, method) {
  if (isObject(value)) {
    return typeof method === 'string' && has(value, method) ? value[method] : value[ANY_METHOD];
  }
  return value;
}

/** A physician's overrides for one child, checked against the sign lists that rules watch
 * for "new since last" (linkId → Set of values), normalised as the server stores them. */
export function checkPatientOverrides(overrides, watched, declarations) {
  if (overrides === null || overrides === undefined) return { parameters: {} };
  if (!isObject(overrides)) throw new RulesError('patient overrides: must be an object');
  const unknown = Object.keys(overrides).filter((key) => !OVERRIDE_KEYS.includes(key)).sort();
  if (unknown.length) throw new RulesError(`patient overrides: unknown key '${unknown[0]}'`);
  const checked = {};
  for (const key of ['baseline_signs', 'always_report_signs']) {
    checked[key] = checkSigns(key, own(overrides, key), watched);
  }
  for (const [linkId, values] of Object.entries(checked.baseline_signs)) {
    const always = own(checked.always_report_signs, linkId) ?? [];
    const both = values.filter((value) => always.includes(value));
    if (both.length) {
      throw new RulesError(`patient overrides: '${both[0]}' in ${linkId} cannot be both a baseline sign and a sign to always report`);
    }
  }
  checked.parameters = layerParameters(declarations, {}, own(overrides, 'parameters'),
                                       'patient overrides: parameters');
  return checked;
}

function checkSigns(key, signs, watched) {
  if (signs === null || signs === undefined) return {};
  if (!isObject(signs)) throw new RulesError(`patient overrides: ${key} must be an object of linkId → values`);
  const checked = {};
  for (const [linkId, values] of Object.entries(signs)) {
    if (!watched.has(linkId)) throw new RulesError(`patient overrides: ${key}: no rule watches '${linkId}' for new signs`);
    if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) {
      throw new RulesError(`patient overrides: ${key}: ${linkId} must be a list of values`);
    }
    for (const value of values) {
      if (!watched.get(linkId).has(value)) {
        throw new RulesError(`patient overrides: ${key}: '${value}' is not a sign the rules watch in ${linkId}`);
      }
    }
    checked[linkId] = [...new Set(values)].sort();
  }
  return checked;
}
