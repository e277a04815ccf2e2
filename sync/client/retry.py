"""Trying again: exponential backoff with full jitter, and the server's Retry-After.

Thousands of phones come back online at the same moment when a hospital's Wi-Fi returns;
jitter spreads their retries out instead of sending them back in lockstep. `sleep` and
`random` are injected so tests can check every delay without waiting.
"""
import random as random_module
import time

from .transport import TransportError


class RetryPolicy:
    def __init__(self, *, attempts=5, base_delay=1.0, max_delay=60.0, longest_wait=300.0,
                 sleep=time.sleep, random=random_module.random):
        self.attempts = attempts          # tries per request, the first one included
        self.base_delay = base_delay      # the first backoff is up to this many seconds
        self.max_delay = max_delay        # backoff never grows past this
        self.longest_wait = longest_wait  # a Retry-After longer than this ends the sync
        self.sleep = sleep
        self.random = random

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number `attempt` (0 for the first)."""
        if retry_after is not None:
            # Never earlier than the server asked; a little jitter on top so the phones
            # the server rate-limited together do not all come back in the same second.
            return retry_after + self.random() * self.base_delay
        return self.random() * min(self.max_delay, self.base_delay * 2 ** attempt)

    def call(self, attempt_once):
        """attempt_once() until it returns, it fails in a way a retry cannot help, the
        attempts run out, or the server asks for a wait longer than `longest_wait` (then the
        error propagates with its retry_after, and the app schedules the next sync)."""
        for attempt in range(self.attempts):
            try:
                return attempt_once()
            except TransportError as error:
                last_try = attempt == self.attempts - 1
                too_long = error.retry_after is not None and \
                    error.retry_after > self.longest_wait
                if not error.retryable or last_try or too_long:
                    raise
                self.sleep(self.delay(attempt, error.retry_after))
