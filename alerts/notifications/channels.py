"""What every channel shares: the error that says whether a retry can help, on-call rotas,
and the built-in `log` channel.

A channel is a small class with a `name`, a `detail` ("minimal" or "clinical") and
`send(notification) -> None` that raises DeliveryError; the dispatcher does the rest.
"""
import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .payload import text_body

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"\d{2}:\d{2}")
log = logging.getLogger("homeward.notifications")


class DeliveryError(Exception):
    """A send that did not succeed. `retryable` says whether trying again can help;
    `retry_after` (seconds) is the receiver's own wish for when, if it said."""

    def __init__(self, message: str, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


def scrub(text: str, secrets) -> str:
    """Error text goes into the database and the log: never let a secret ride along."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    return text[:500]


@dataclass(frozen=True)
class OnCall:
    """One line of a rota: `targets` (addresses or a URL) during `days` and `hours`.

    Times are local to the channel's timezone. An overnight window ("20:00-08:00") belongs
    to the day it starts, so "fri 20:00-08:00" covers Friday night into Saturday morning.
    No days means every day; no hours means all day.
    """

    targets: tuple[str, ...]
    days: frozenset[str] = frozenset(DAYS)
    start: time | None = None
    end: time | None = None

    def covers(self, local: datetime) -> bool:
        clock, day = local.time().replace(tzinfo=None), local
        if self.start is None:
            return DAYS[day.weekday()] in self.days
        if self.start < self.end:
            inside = self.start <= clock < self.end
        else:
            inside = clock >= self.start or clock < self.end
            if clock < self.end:
                day = local - timedelta(days=1)
        return inside and DAYS[day.weekday()] in self.days

    @property
    def always(self) -> bool:
        return self.start is None and len(self.days) == len(DAYS)


def parse_hours(text: str) -> tuple[time, time]:
    """"08:00-18:00" -> (08:00, 18:00); raises ValueError with the reason."""
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        # HH:MM only: time.fromisoformat also takes "0800" and "08:00+01:00", and an aware
        # time in a rota fails comparing with the clock at the moment of sending.
        if not (_CLOCK.fullmatch(start_text) and _CLOCK.fullmatch(end_text)):
            raise ValueError
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except ValueError:
        raise ValueError(f'hours must look like "08:00-18:00", not {text!r}') from None
    if start == end:
        raise ValueError(f"hours {text!r} start and end at the same time")
    return start, end


def parse_days(value) -> frozenset[str]:
    """["mon", "wed"], "mon-fri" or ["sat-sun", "wed"]; a range may wrap ("fri-mon")."""
    chosen = set()
    for item in [value] if isinstance(value, str) else value:
        first, _, last = str(item).strip().lower().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f'days must be names like "mon" or ranges like "mon-fri", '
                             f'not {item!r}')
        a, b = DAYS.index(first), DAYS.index(last or first)
        chosen.update(DAYS[(a + step) % 7] for step in range((b - a) % 7 + 1))
    if not chosen:
        raise ValueError("days must name at least one day")
    return frozenset(chosen)


def parse_rota(lines, key: str) -> tuple[OnCall, ...]:
    """A rota from the notifications file: [{key: targets, "days": ..., "hours": ...}]."""
    if not isinstance(lines, list):
        raise ValueError("must be a list of rota lines")
    rota = []
    for number, line in enumerate(lines, 1):
        fields = {k: v for k, v in line.items() if not k.startswith("_")} \
            if isinstance(line, dict) else None
        if fields is None or set(fields) - {key, "days", "hours"} or not fields.get(key):
            raise ValueError(f"line {number} must be an object with {key!r} and optional "
                             "days and hours")
        targets = fields[key]
        targets = (targets,) if isinstance(targets, str) else tuple(targets) \
            if isinstance(targets, list) else ()
        if not targets or not all(isinstance(target, str) for target in targets):
            raise ValueError(f"line {number}: {key!r} must be text or a list of text")
        try:
            days = parse_days(fields.get("days", list(DAYS)))
            start, end = parse_hours(str(fields["hours"])) if "hours" in fields else (None, None)
        except ValueError as error:
            raise ValueError(f"line {number}: {error}") from None
        rota.append(OnCall(targets, days, start, end))
    return tuple(rota)


def on_call_now(rota, zone: ZoneInfo, moment: datetime) -> tuple[str, ...]:
    """The targets of the first rota line covering `moment`, or () if none does."""
    local = moment.astimezone(zone)
    for line in rota:
        if line.covers(local):
            return line.targets
    return ()


class LogChannel:
    """The built-in channel: a line in the Python log, so that a site without a
    notifications file still has every notification in the outbox, visible to admins,
    rather than dropped. It never fails, so rows sent through it show up as `sent`."""

    name = "log"
    detail = "minimal"

    def __init__(self, logger=log):
        self._log = logger

    def send(self, notification) -> None:
        body = text_body(notification.payload).strip().replace("\n\n", "\n")
        self._log.warning("notification %s (%s, route %s) written to the log only: %s",
                          notification.idempotency_key, notification.kind, notification.route,
                          " | ".join(line.strip() for line in body.splitlines()))
