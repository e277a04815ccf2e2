// HTTP to the Homeward server with fetch, and its answers turned into values or errors.
//
// Every failure becomes a TransportError that says whether trying again can help
// (`retryable`) and, when the server said so, how long to wait first (`retryAfter`,
// seconds). The retry loop is in retry.js; this module makes one attempt per call.
const API = "/api/v1";
const TIMEOUT_MS = 60_000; // a push of 500 entries runs the safety rules on each first

export class TransportError extends Error {
  constructor(message, { code = "transport_error", retryable = false, retryAfter = null } = {}) {
    super(message);
    this.name = "TransportError";
    Object.assign(this, { code, retryable, retryAfter });
  }
}

// No answer at all: offline, refused, timed out. Trying again later can help.
export class NetworkError extends TransportError {
  constructor(message) { super(message, { code: "network_error", retryable: true }); }
}

// A 2xx that is not the protocol's JSON: a captive portal, hotel Wi-Fi, a misrouted proxy.
export class BadAnswer extends TransportError {
  constructor(message) { super(message, { code: "bad_answer", retryable: true }); }
}

// The server's error envelope: {"error": {"code", "message", "details"}}.
export class ApiError extends TransportError {
  constructor(status, code, message, details = {}, retryAfter = null) {
    super(message, { code, retryAfter,
      retryable: status >= 500 || status === 408 || status === 429 });
    this.name = "ApiError";
    this.status = status;
    this.details = details;
    // 401 device_revoked / unauthorized: keep the outbox, ask the family for a new code.
    this.needsEnrolment = status === 401;
  }

  // Whether a 400's details point at this field, however the server shaped them.
  namesField(name) {
    const fields = this.details.fields ?? [];
    const listed = Array.isArray(fields) ? fields.includes(name) : name in fields;
    return listed || this.details.field === name || name in this.details;
  }
}

// Retry-After is either seconds or an HTTP date (RFC 9110 §10.2.3).
export function retryAfterSeconds(value, nowMs = Date.now()) {
  if (!value) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value));
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, (when - nowMs) / 1000);
}

// The exact bytes sent, so a push batch can be measured against the 2 MiB limit.
export function encode(body) {
  return new TextEncoder().encode(JSON.stringify(body));
}

async function errorFrom(response) {
  const retryAfter = retryAfterSeconds(response.headers.get("Retry-After"));
  let envelope = null;
  try {
    envelope = (await response.json())?.error;
  } catch { /* not our envelope: a proxy's 502 page, a load balancer's 503 */ }
  if (envelope && typeof envelope.code === "string" && typeof envelope.message === "string") {
    const details = envelope.details && typeof envelope.details === "object" ? envelope.details : {};
    return new ApiError(response.status, envelope.code, envelope.message, details, retryAfter);
  }
  return new ApiError(response.status, `http_${response.status}`,
    `The server answered HTTP ${response.status}.`, {}, retryAfter);
}

// baseUrl: the server's address ("" for the same origin, which is how the app is served);
// token(): the device token or null; fetch: the browser's (or a test's).
export function createTransport({ baseUrl = "", fetch = globalThis.fetch, appVersion,
  token = () => null, timeoutMs = TIMEOUT_MS }) {
  timeoutMs ??= TIMEOUT_MS;
  const base = baseUrl.replace(/\/+$/, "") + API;
  const send = fetch; // called as a plain function: window.fetch refuses another `this`

  async function call(method, path, { body, params, authenticated = true } = {}) {
    const headers = { Accept: "application/json" };
    if (appVersion) headers["Homeward-App-Version"] = appVersion;
    if (authenticated) headers.Authorization = `Bearer ${token()}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const query = params ? "?" + new URLSearchParams(params).toString() : "";
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let response;
    try {
      response = await send(base + path + query, {
        method, headers, signal: abort.signal, cache: "no-store",
        body: body === undefined ? undefined : (body instanceof Uint8Array ? body : encode(body)),
      });
    } catch (error) {
      throw new NetworkError(`No answer from ${base}: ${error?.name ?? "error"}.`);
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 300) throw await errorFrom(response);
    let answer = null;
    try {
      answer = await response.json();
    } catch { /* handled below */ }
    if (!answer || typeof answer !== "object" || Array.isArray(answer)) {
      throw new BadAnswer(`${method} ${path} answered ${response.status} without a JSON object; ` +
        "is something between the phone and the server?");
    }
    return answer;
  }

  return {
    getKeys: () => call("GET", "/keys", { authenticated: false }),
    enrol: (body) => call("POST", "/devices", { body, authenticated: false }),
    push: (body) => call("POST", "/sync/push", { body }),
    pull: (cursor, limit) => call("GET", "/sync/pull",
      { params: cursor == null ? { limit } : { cursor, limit } }),
  };
}
