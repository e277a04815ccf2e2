// Trying again: exponential backoff with full jitter, and the server's Retry-After.
//
// When a hospital's Wi-Fi comes back, every phone on it comes back at the same moment;
// full jitter spreads their retries instead of sending them in lockstep. `sleep` and
// `random` are injected so tests check every delay without waiting.
import { TransportError } from "./transport.js";

export const sleepFor = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export function createRetryPolicy({
  attempts = 5,        // tries per request, the first one included
  baseDelay = 1,       // the first backoff is up to this many seconds
  maxDelay = 60,       // backoff never grows past this
  longestWait = 300,   // a Retry-After longer than this ends the sync instead of blocking it
  sleep = sleepFor, random = Math.random,
} = {}) {
  // Seconds to wait after failed attempt number `attempt` (0 for the first).
  function delay(attempt, retryAfter = null) {
    if (retryAfter !== null && retryAfter !== undefined) {
      // Never earlier than the server asked, plus a little jitter so the phones it
      // rate-limited together do not all come back in the same second.
      return retryAfter + random() * baseDelay;
    }
    return random() * Math.min(maxDelay, baseDelay * 2 ** attempt);
  }

  // attemptOnce() until it returns, fails in a way a retry cannot help, the attempts run
  // out, or the server asks for a wait longer than `longestWait` (then the error goes up
  // with its retryAfter, and the app schedules its next sync for then).
  async function call(attemptOnce) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await attemptOnce();
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        const tooLong = error.retryAfter !== null && error.retryAfter > longestWait;
        if (!error.retryable || attempt === attempts - 1 || tooLong) throw error;
        await sleep(delay(attempt, error.retryAfter));
      }
    }
  }

  return { delay, call, attempts, maxDelay };
}
