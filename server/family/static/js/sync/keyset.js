// The server's sealing key set as the phone caches it (docs/protocol.md, "Keys").
//
// The app seals offline, so the cached set must be usable the moment a family records a
// fever: it is checked when it arrives (enrolment, GET /api/v1/keys, a `keys` change in
// the pull feed), never while sealing.
import { fromBase64url, SUITE_NAME } from "./sealing.js";

export class KeySetError extends Error {
  constructor(message) {
    super(message);
    this.name = "KeySetError";
    this.code = "key_set_unusable";
    this.retryable = false;
  }
}

// The key set if the app can seal to its `current` key. Keys of other suites are kept:
// they only matter to the server, for opening older entries.
export function checkedKeySet(document) {
  if (!document || typeof document !== "object" || !Array.isArray(document.keys)) {
    throw new KeySetError("The key set must be an object with a list of keys.");
  }
  const key = document.keys.find((item) => item && item.kid === document.current);
  if (typeof document.current !== "string" || !key) {
    throw new KeySetError(`The key set names ${document.current} as current but does not list it.`);
  }
  if (key.suite !== SUITE_NAME) {
    throw new KeySetError(`The current key ${key.kid} uses suite ${key.suite}; this app seals ` +
      `with ${SUITE_NAME} only. Update the app.`);
  }
  let raw;
  try {
    raw = fromBase64url(key.public_key);
  } catch {
    throw new KeySetError(`The public key of ${key.kid} is not base64url.`);
  }
  if (raw.length !== 32) throw new KeySetError(`The public key of ${key.kid} is not 32 bytes.`);
  return document;
}

// {kid, public_key} of the key new entries are sealed to.
export function currentKey(keySet) {
  const key = keySet.keys.find((item) => item.kid === keySet.current);
  return { kid: key.kid, public_key: key.public_key };
}

// Where the phone stands, as one string: a rejected entry is held until this changes
// (a new key set, or a new enrolment), because sending it again unchanged cannot succeed.
export function situation(keySet, deviceId) {
  const keys = (keySet?.keys ?? []).map((item) => `${item.kid}:${item.public_key}`).sort();
  return `${keySet?.current}|${keys.join(",")}|${deviceId}`;
}
