"""Slowing and then stopping password guessing, for the token endpoint and the web login.

Failures are counted per username and per client address over the last
`login_window_minutes`. From `login_slowdown_after` failures every attempt waits a little
longer (at most MAX_DELAY_SECONDS); at `login_lockout_after` the answer is 429 without
looking at the password, until enough failures have aged out of the window. Attempts turned
away are not counted, so an attacker cannot keep an account locked past the window by
hammering it. An attempt let through counts as a failure from the moment it is let through
until its password proves right, so concurrent guesses cannot all slip under the limit.

A whole ward often reaches the server from one address (NAT, a hospital proxy), so the
per-address limits are ADDRESS_FACTOR times the per-username ones: a few typing nurses must
not lock out the colleague who has to answer a fever alert, while spraying one password over
many usernames is still stopped.
"""
import time
from dataclasses import dataclass
from datetime import timedelta

from ..storage import db as storage
from ..clock import from_db, to_db
from .users import normalise_username

ADDRESS_FACTOR = 5
FIRST_DELAY_SECONDS = 0.25
MAX_DELAY_SECONDS = 2.0
# Tests put a function that records instead of sleeping under this key in app.extensions.
SLEEP_EXTENSION = "homeward_login_sleep"


@dataclass(frozen=True)
class Verdict:
    failures: int
    delay_seconds: float
    retry_after_seconds: float | None  # set when locked out

    @property
    def locked(self) -> bool:
        return self.retry_after_seconds is not None


def username_key(username) -> str:
    # Names longer than any account can have are cut, so the table stays small.
    return normalise_username(username)[:64]


def _delay(failures, slowdown_after):
    if failures < slowdown_after:
        return 0.0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - slowdown_after))


def _judge(times, slowdown_after, lockout_after, window, now):
    failures = len(times)
    retry_after = None
    if failures >= lockout_after:
        # Allowed again once the count in the window drops below the limit, i.e. when the
        # failure that is lockout_after-th from the newest ages out.
        frees_at = times[failures - lockout_after] + window
        retry_after = max(1.0, (frees_at - now).total_seconds())
    return failures, _delay(failures, slowdown_after), retry_after


def _recent(db, column, value, cutoff):
    return [from_db(row["at"]) for row in db.query(
        f"SELECT at FROM login_failures WHERE {column} = ? AND at > ? ORDER BY at",
        [value, to_db(cutoff)])]


def assess(db, username, address, config, now) -> Verdict:
    window = timedelta(minutes=config.login_window_minutes)
    cutoff = now - window
    by_name = _judge(_recent(db, "username", username_key(username), cutoff),
                     config.login_slowdown_after, config.login_lockout_after, window, now)
    by_address = _judge(_recent(db, "client_address", address, cutoff),
                        config.login_slowdown_after * ADDRESS_FACTOR,
                        config.login_lockout_after * ADDRESS_FACTOR, window, now)
    retry_after = [r for r in (by_name[2], by_address[2]) if r is not None]
    return Verdict(failures=max(by_name[0], by_address[0]),
                   delay_seconds=max(by_name[1], by_address[1]),
                   retry_after_seconds=max(retry_after) if retry_after else None)


def admit(db, username, address, config, now) -> tuple[Verdict, int | None]:
    """Judge an attempt and, unless it is turned away, count it as a failure at once, in
    one write transaction: guesses sent all at once are counted as they arrive, so at most
    the limit reach a password check (counting after the check let 54 of 50 through).
    Returns the verdict and the id of the failure row that `settle` keeps or removes."""
    window = timedelta(minutes=config.login_window_minutes)
    with storage.write_transaction(db):
        verdict = assess(db, username, address, config, now)
        if verdict.locked:
            return verdict, None
        db.execute("DELETE FROM login_failures WHERE at <= ?", [to_db(now - window)])
        counted = db.execute("INSERT INTO login_failures (username, client_address, at) "
                             "VALUES (?, ?, ?)", [username_key(username), address, to_db(now)])
        return verdict, counted.lastrowid


def settle(db, failure_id, username, succeeded) -> None:
    """A right password clears the name's failures, the one counted on admission too; a
    wrong one leaves it counted."""
    if succeeded:
        with storage.write_transaction(db):
            db.execute("DELETE FROM login_failures WHERE id = ? OR username = ?",
                       [failure_id, username_key(username)])


def default_sleep(seconds: float) -> None:
    time.sleep(min(seconds, MAX_DELAY_SECONDS))
