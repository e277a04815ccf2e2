"""Which channels exist and which routes use them, from the site's notifications file.

Read once at start and checked strictly: a site finds out about a typo when the server or
the scheduler starts, with a sentence naming the file, the channel or route and the fault,
not at three in the morning when a child has a fever. Secrets never sit in the file; it
names the environment variables that hold them. docs/notifications.md has the format.
"""
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .channels import LogChannel, parse_rota
from .mail import SECURITY_MODES, EmailChannel
from .payload import DETAILS
from .webhook import WebhookChannel

ROUTES = ("emergency", "urgent", "attention", "info", "escalation", "reminder")
# Reminders of overdue tasks reach families (e.g. an SMS gateway), not staff: unless a site
# routes them, they go nowhere, rather than filling the log with one line per late diary.
SILENT_UNLESS_ROUTED = ("reminder",)
# Time-critical routes must reach a person; the review routes may stay in the staff inbox.
REQUIRED_ROUTES = ("emergency", "urgent", "escalation")
# The routes of an alert's level, which a team's own route replaces (an emergency's is kept).
LEVEL_ROUTES = ("emergency", "urgent", "attention", "info")
BUILTIN = "log"
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")  # fullmatch: "$" would let "pager\n" in
_TEAM = re.compile(r"[a-z][a-z0-9_]{0,62}")  # as the rules' `team` (alerts/ruleset.py)
_ADDRESS = re.compile(r'^[^@\s<>,;"()\[\]]+@[^@\s<>,;"()\[\]]+\.[^@\s<>,;"()\[\]]+$')
_COMMON = {"type", "detail", "timezone", "on_call", "timeout_seconds", "ca_file"}
_KEYS = {"email": _COMMON | {"host", "port", "security", "from", "to", "username",
                             "password_env"},
         "webhook": _COMMON | {"url", "secret_env", "allow_http"}}


class RoutingError(ValueError):
    """The notifications file is wrong; the message says where and how."""


@dataclass(frozen=True)
class Routing:
    channels: dict
    routes: dict
    detail: str = "minimal"
    source: str = "built-in (no notifications file)"
    env_names: tuple = field(default=())  # the variables the file names (secrets)
    teams: dict = field(default_factory=dict)  # team -> channels of its own route

    def channels_for(self, route: str, team: str | None = None) -> tuple[str, ...]:
        """The channels of `route`; for an alert of a `team` the site gave its own route,
        that route instead of the level's. Escalations and reminders keep their own route,
        and an emergency still goes to the emergency route as well: a team's inbox must
        never be the only place a child in danger is heard of."""
        if route not in self.routes:
            raise ValueError(f"unknown notification route {route!r}; routes are "
                             f"{', '.join(ROUTES)}")
        own = self.teams.get(team) if team and route in LEVEL_ROUTES else None
        if own is None:
            return self.routes[route]
        if route == "emergency":
            return tuple(dict.fromkeys(self.routes[route] + own))
        return own

    def channel(self, name: str):
        return self.channels.get(name)


def builtin_routing() -> Routing:
    """No file: every route goes to the log channel, so rows still land in the outbox."""
    return Routing({BUILTIN: LogChannel()},
                   {route: () if route in SILENT_UNLESS_ROUTED else (BUILTIN,)
                    for route in ROUTES})


def load_routing(source=None, environ=None) -> Routing:
    """From a path, a dict (tests, or a site that builds it) or None (built-in log only)."""
    if source is None:
        return builtin_routing()
    environ = os.environ if environ is None else environ
    if isinstance(source, dict):
        return _Loader("notifications settings", environ).load(source)
    path = Path(source)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RoutingError(f"{path}: cannot read the notifications file "
                           f"({error.strerror or error}).") from None
    except json.JSONDecodeError as error:
        raise RoutingError(f"{path}: not valid JSON at line {error.lineno}, column "
                           f"{error.colno}: {error.msg}.") from None
    return _Loader(str(path), environ).load(document)


def _visible(document: dict) -> dict:
    # Keys starting with "_" are comments: JSON has none, and sites want to explain a rota.
    return {key: value for key, value in document.items() if not key.startswith("_")}


class _Loader:
    def __init__(self, label, environ):
        self.label, self.environ, self.env_names = label, environ, []

    def fail(self, where, problem):
        raise RoutingError(f"{self.label}: {where}: {problem}.")

    def load(self, document) -> Routing:
        if not isinstance(document, dict):
            self.fail("top level", "must be a JSON object with channels and routes")
        document = _visible(document)
        unknown = set(document) - {"channels", "routes", "detail", "defaults", "teams"}
        if unknown:
            self.fail("top level", f"unknown key {sorted(unknown)[0]!r}")
        detail = document.get("detail", "minimal")
        if detail not in DETAILS:
            self.fail("detail", f"must be one of {', '.join(DETAILS)}, not {detail!r}")
        defaults = document.get("defaults", {})
        if not isinstance(defaults, dict) or set(_visible(defaults)) - set(_KEYS) or not all(
                isinstance(value, dict) for value in _visible(defaults).values()):
            self.fail("defaults", "must be an object with 'email' and/or 'webhook' settings")
        channels = {BUILTIN: LogChannel()}
        declared = document.get("channels", {})
        if not isinstance(declared, dict):
            self.fail("channels", "must be an object of named channels")
        for name, spec in _visible(declared).items():
            where = f"channel {name!r}"
            if name == BUILTIN:
                self.fail(where, "'log' is the built-in channel; choose another name")
            if not _NAME.fullmatch(name):
                self.fail(where, "names use lowercase letters, digits, '-' and '_'")
            if not isinstance(spec, dict) or spec.get("type") not in _KEYS:
                self.fail(where, "needs \"type\": \"email\" or \"webhook\"")
            merged = {**_visible(defaults.get(spec["type"], {})), **_visible(spec)}
            channels[name] = self.channel(name, merged, detail)
        return Routing(channels, self.routes(document.get("routes"), channels), detail,
                       self.label, tuple(dict.fromkeys(self.env_names)),
                       self.teams(document.get("teams", {}), channels))

    def teams(self, declared, channels) -> dict:
        """"teams": {"rheumatology": ["rheum-email"]}: a team's own route. Which teams
        exist is the rules' business; the server checks the names against them at start."""
        if not isinstance(declared, dict):
            self.fail("teams", "must be an object mapping a team to a list of channels")
        teams = {}
        for team, names in _visible(declared).items():
            where = f"team {team!r}"
            if not _TEAM.fullmatch(team):
                self.fail(where, "team names use lowercase letters, digits and '_', as in "
                                 "the rules")
            teams[team] = self.channel_list(where, names, channels)
        return teams

    def channel_list(self, where, names, channels) -> tuple:
        """A route's or a team's channels: at least one, each defined, none twice."""
        if not isinstance(names, list) or not names:
            self.fail(where, "must list at least one channel")
        for name in names:
            if not isinstance(name, str):
                self.fail(where, f"names {name!r}, which is not a channel name")
            if name not in channels:
                self.fail(where, f"names channel {name!r}, which is not defined")
        if len(set(names)) != len(names):
            self.fail(where, "names a channel twice")
        return tuple(names)

    def routes(self, declared, channels) -> dict:
        if not isinstance(declared, dict):
            self.fail("routes", "must be an object mapping each route to a list of channels")
        declared = _visible(declared)
        routes = {}
        for route, names in declared.items():
            where = f"route {route!r}"
            if route not in ROUTES:
                self.fail(where, f"unknown route; routes are {', '.join(ROUTES)}")
            routes[route] = self.channel_list(where, names, channels)
        for route in REQUIRED_ROUTES:
            if route not in routes:
                self.fail(f"route {route!r}", "is missing; it must reach a person")
        for route in ROUTES:
            routes.setdefault(route, () if route in SILENT_UNLESS_ROUTED else (BUILTIN,))
        return routes

    def channel(self, name, spec, detail):
        where = f"channel {name!r}"
        kind = spec["type"]
        unknown = set(spec) - _KEYS[kind]
        if unknown:
            self.fail(where, f"unknown setting {sorted(unknown)[0]!r} for {kind} channels")
        options = {"detail": spec.get("detail", detail), "zone": self.zone(where, spec)}
        if options["detail"] not in DETAILS:
            self.fail(where, f"detail must be one of {', '.join(DETAILS)}")
        timeout = spec.get("timeout_seconds", 10)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
                or not 0 < timeout <= 60:
            self.fail(where, "timeout_seconds must be a number from 0 to 60")
        ca_file = spec.get("ca_file")
        if ca_file is not None and not Path(ca_file).is_file():
            self.fail(where, f"ca_file {ca_file!r} is not a file")
        options.update(timeout=float(timeout), ca_file=ca_file)
        options["on_call"] = self.rota(where, spec.get("on_call", []), kind,
                                       spec.get("allow_http", False))
        if kind == "email":
            return self.email(name, where, spec, options)
        return self.webhook(name, where, spec, options)

    def email(self, name, where, spec, options):
        security = spec.get("security", "starttls")
        if security not in SECURITY_MODES:
            self.fail(where, f"security must be one of {', '.join(SECURITY_MODES)}, "
                             f"not {security!r}")
        host, port = spec.get("host"), spec.get("port", DEFAULT_PORTS[security])
        if not isinstance(host, str) or not host.strip():
            self.fail(where, "needs a host (the SMTP relay)")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            self.fail(where, f"port must be a whole number from 1 to 65535, not {port!r}")
        sender = spec.get("from")
        if not isinstance(sender, str) or not _ADDRESS.match(sender):
            self.fail(where, f"'from' must be one email address, not {sender!r}")
        to = self.addresses(where, "to", spec.get("to", []))
        self.covered(where, to, options["on_call"], "'to' addresses")
        username, password = spec.get("username"), None
        if spec.get("password_env") and not username:
            self.fail(where, "password_env is set but username is not")
        if username:
            if security == "none":
                self.fail(where, "a username with security 'none' would send the password "
                                 "in clear; use starttls or tls")
            password = self.secret(where, "password_env", spec.get("password_env"))
        return EmailChannel(name, host=host.strip(), port=port, security=security,
                            from_address=sender, to=to, username=username, password=password,
                            **options)

    def webhook(self, name, where, spec, options):
        allow_http = spec.get("allow_http", False)
        url = spec.get("url")
        if url is not None:
            self.url(where, url, allow_http)
        self.covered(where, (url,) if url else (), options["on_call"], "a url")
        secret = self.secret(where, "secret_env", spec.get("secret_env"))
        return WebhookChannel(name, url=url, secret=secret, **options)

    def url(self, where, url, allow_http):
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 -- raises ValueError for a port out of range
        except (TypeError, ValueError, AttributeError):
            parts = None
        if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
            self.fail(where, f"url must be an http(s) address, not {url!r}")
        if parts.scheme == "http" and parts.hostname not in LOOPBACK and allow_http is not True:
            self.fail(where, "url must use https (or set \"allow_http\": true for a "
                             "receiver on a trusted network)")

    def covered(self, where, fixed, rota, what):
        if not fixed and not rota:
            self.fail(where, f"needs {what} or an on_call rota")
        if not fixed and not rota[-1].always:
            self.fail(where, "the last on_call line must have no days or hours (the "
                             f"fallback when no one else is on call), or give {what}")

    def addresses(self, where, key, value):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, f"'{key}' must be a list of email addresses")
        for address in value:
            if not _ADDRESS.match(address):
                self.fail(where, f"'{key}' holds {address!r}, which is not an email address")
        return tuple(value)

    def rota(self, where, lines, kind, allow_http):
        try:
            rota = parse_rota(lines, "to" if kind == "email" else "url")
        except ValueError as error:
            self.fail(f"{where} on_call", str(error))
        for number, line in enumerate(rota, 1):
            place = f"{where} on_call line {number}"
            if kind == "email":
                self.addresses(place, "to", list(line.targets))
            elif len(line.targets) != 1:
                self.fail(place, "a webhook rota line takes one url")
            else:
                self.url(place, line.targets[0], allow_http)
        return rota

    def zone(self, where, spec):
        try:
            return ZoneInfo(spec.get("timezone", "UTC"))
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            self.fail(where, f"unknown timezone {spec.get('timezone')!r}")

    def secret(self, where, key, name):
        if not isinstance(name, str) or not name:
            self.fail(where, f"needs {key}: the name of the environment variable holding "
                             "the secret (never the secret itself)")
        self.env_names.append(name)
        value = self.environ.get(name)
        if not value:
            self.fail(where, f"{key} names the environment variable {name}, which is not set")
        return value
