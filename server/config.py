"""Settings from HOMEWARD_* environment variables, parsed strictly.

A hospital's IT team sets these in a unit file or a container; a typo must stop start-up
with a sentence naming the variable, never fall back to a default nobody chose.
"""
import ipaddress
import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

PREFIX = "HOMEWARD_"
PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{1,30}[0-9]")
DAY_HOURS = re.compile(r"([0-2][0-9]:[0-5][0-9])\s*-\s*([0-2][0-9]:[0-5][0-9])")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def _parse_bool(name, raw):
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}.")


def _parse_int(name, raw, low=None, high=None):
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"from {low}" + (f" to {high}" if high is not None else " up")
        raise ConfigError(f"{name} must be a whole number {bounds}, not {value}.")
    return value


def _parse_path(name, raw):
    if not raw.strip():
        raise ConfigError(f"{name} must be a path, not empty.")
    return Path(raw.strip()).expanduser()


def _parse_str(name, raw):
    return raw.strip()


def _parse_phone(name, raw):
    # What a parent dials at 3 a.m. from the advice screen: digits with the usual
    # separators, so that a typo (a letter, a missing digit group) stops start-up instead.
    value = raw.strip()
    digits = sum(character.isdigit() for character in value)
    if not (PHONE.fullmatch(value) and digits >= 3):
        raise ConfigError(f"{name} must be a phone number such as +1 555 010 0199 or 911, "
                          f"not {raw!r}.")
    return value


def _parse_day_hours(name, raw):
    match = DAY_HOURS.fullmatch(raw.strip())
    if not match or not ("00:00" <= match[1] < match[2] <= "24:00") \
            or int(match[1][3:]) > 59 or int(match[2][3:]) > 59:
        raise ConfigError(f"{name} must be two local times like 08:00-18:00, not {raw!r}.")
    return f"{match[1]}-{match[2]}"


HOST_NAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


def parse_host(name, raw):
    """A host name or an IP address, alone: `localhost:8712` would bind nothing useful."""
    value = raw.strip()
    if ":" in value:
        try:
            return str(ipaddress.IPv6Address(value.removeprefix("[").removesuffix("]")))
        except ValueError:
            pass
    elif HOST_NAME.match(value):
        return value
    raise ConfigError(f"{name} must be a host name or IP address alone, with no scheme and no "
                      f"port (the port is HOMEWARD_PORT or --port), not {raw!r}.")


def _parse_base_url(name, raw):
    value = raw.strip()
    try:
        parts = urlsplit(value)  # raises on a broken [IPv6] host
        parts.port  # raises on a port that is not a number from 0 to 65535
        well_formed = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        well_formed = False
    if not well_formed or any(c.isspace() or not c.isprintable() for c in value):
        raise ConfigError(f"{name} must be an http:// or https:// address such as "
                          f"https://homeward.hospital.example, not {raw!r}.")
    if "?" in value or "#" in value or parts.username is not None:
        raise ConfigError(f"{name} must be the site's address alone, with no query, fragment "
                          f"or user name, not {raw!r}.")
    return value.rstrip("/")


def _parse_site_zone(name, raw):
    """The clinic's own zone, a place like a family's (server.records.zones): "EST" would show New
    York summer times an hour off."""
    from .records.zones import zone_problem  # zones walks the tz database only when asked
    value = raw.strip()
    if zone_problem(value):
        raise ConfigError(f"{name} must be the clinic's time zone as an IANA place such as "
                          f"America/New_York (not an abbreviation, an offset or UTC), not "
                          f"{raw!r}.")
    return value


def _parse_working_days(name, raw):
    from alerts.working_hours import parse_days  # the same parser the scheduler uses
    try:
        parse_days(raw)
    except ValueError as error:
        raise ConfigError(f"{name} must name days like mon-fri or mon-thu,sat: "
                          f"{error}.") from None
    return ",".join(item.strip().lower().replace(" ", "") for item in raw.split(","))


def _parse_working_hours(name, raw):
    from alerts.working_hours import parse_hours
    try:
        opens, closes = parse_hours(raw)
    except ValueError as error:
        raise ConfigError(f"{name} must be two local times like 08:00-18:00: "
                          f"{error}.") from None
    return f"{opens // 60:02d}:{opens % 60:02d}-{closes // 60:02d}:{closes % 60:02d}"


def _parse_holidays(name, raw):
    from alerts.working_hours import parse_holidays
    try:
        chosen = parse_holidays(raw)
    except ValueError as error:
        raise ConfigError(f"{name} must be dates like 2026-12-25,2027-01-01: "
                          f"{error}.") from None
    return ",".join(day.isoformat() for day in sorted(chosen))


def _parse_log_level(name, raw):
    value = raw.strip().upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"{name} must be one of DEBUG, INFO, WARNING, ERROR, not {raw!r}.")
    return value


SITE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


def _parse_site_code(name, raw):
    # It goes into file names, FHIR identifiers and every CSV row: a plain code only.
    value = raw.strip()
    if not SITE_CODE.fullmatch(value):
        raise ConfigError(f"{name} must be the centre's registry code: 1 to 32 letters, "
                          f"digits, - or _, starting with a letter or digit, not {raw!r}.")
    return value


REGISTRY_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{1,31}")


def _parse_registries(name, raw):
    # Consents may name only these, so a typo ("embt") is refused when it is typed, not
    # found years later as a registry that never received the child.
    codes = tuple(sorted({part.strip() for part in raw.split(",") if part.strip()}))
    if not codes or not all(REGISTRY_CODE.fullmatch(code) for code in codes):
        raise ConfigError(f"{name} must list the registry codes consents may name, lower "
                          f"case and comma-separated (e.g. ebmt,cibmtr), not {raw!r}.")
    return codes


def setting(default, parse, env=None, low=None, high=None, doc=""):
    return field(default=default, metadata={"parse": parse, "env": env, "low": low,
                                            "high": high, "doc": doc})


def _parse_origins(name, raw):
    from .web.cors import OriginError, parse_origins  # the CORS rules live with the CORS code

    try:
        return parse_origins(raw)
    except OriginError as error:
        raise ConfigError(f"{name} must list exact origins such as https://app.example.org, "
                          f"comma-separated: {error}.") from None


@dataclass(frozen=True)
class Config:
    data_dir: Path = setting(Path("homeward-data"), _parse_path,
                             doc="Folder for the database and key files.")
    database: Path | None = setting(None, _parse_path,
                                    doc="SQLite database file; default DATA_DIR/homeward.db.")
    master_key_file: Path | None = setting(None, _parse_path,
                                           doc="Master key file; default DATA_DIR/master.key.")
    master_key: str | None = setting(None, _parse_str,
                                     doc="Master key as base64url (overrides the key file).")
    secret_key_file: Path | None = setting(None, _parse_path,
                                           doc="Key that signs session cookies; default "
                                               "DATA_DIR/session.key.")
    host: str = setting("127.0.0.1", parse_host,
                        doc="Address `homeward serve` binds: a host name or IP address.")
    port: int = setting(8000, _parse_int, low=1, high=65535, doc="Port `homeward serve` binds.")
    workers: int = setting(2, _parse_int, low=1, high=64, doc="gunicorn worker processes.")
    base_url: str | None = setting(
        None, _parse_base_url,
        doc="Public http(s) address of the staff pages and the app protocol, used in links "
            "and enrolment QR codes; unset: http://HOST:PORT (127.0.0.1 for 0.0.0.0).")
    proxy_count: int = setting(0, _parse_int, low=0, high=5,
                               doc="Reverse proxies in front whose X-Forwarded-For to trust.")
    cookie_secure: bool = setting(True, _parse_bool,
                                  doc="Send the session cookie over HTTPS only.")
    session_idle_minutes: int = setting(30, _parse_int, low=1, high=24 * 60,
                                        doc="Staff web session ends after this idle time.")
    session_lifetime_hours: int = setting(12, _parse_int, low=1, high=24 * 7,
                                          doc="Staff web session ends after this long anyway.")
    token_lifetime_hours: int = setting(12, _parse_int, low=1, high=24 * 90,
                                        doc="Lifetime of staff bearer tokens.")
    login_slowdown_after: int = setting(3, _parse_int, low=1, high=100,
                                        doc="Failed logins before each answer is slowed.")
    login_lockout_after: int = setting(10, _parse_int, low=2, high=1000,
                                       doc="Failed logins in the window before 429.")
    login_window_minutes: int = setting(15, _parse_int, low=1, high=24 * 60,
                                        doc="Window in which failed logins are counted.")
    argon2_memory_kib: int = setting(65536, _parse_int, low=8, high=4 * 1024 * 1024,
                                     doc="argon2id memory cost per password hash.")
    argon2_time_cost: int = setting(3, _parse_int, low=1, high=20,
                                    doc="argon2id passes per password hash.")
    max_request_bytes: int = setting(2 * 1024 * 1024, _parse_int, low=1024,
                                     doc="Largest request body accepted (PROTOCOL.md: 2 MiB).")
    app_origins: str = setting("", _parse_origins,
                               doc="Web origins (https://app.example.org, comma-separated) "
                                   "whose pages may call the app protocol routes (keys, "
                                   "enrolment, push, pull); empty: same origin only.")
    scheduler_lease_seconds: int = setting(30, _parse_int, low=5, high=3600,
                                           doc="A scheduler that misses heartbeats this long "
                                               "loses its lease to a standby.")
    scheduler_heartbeat_seconds: int = setting(10, _parse_int, low=1, high=600,
                                               doc="How often the scheduler renews its lease.")
    instruments_dir: Path | None = setting(None, _parse_path,
                                           doc="Extra instrument definitions a site holds a "
                                               "licence for.")
    rules_parameters_file: Path | None = setting(
        None, _parse_path, doc="JSON of the site's safety-rule thresholds (docs/rules.md); "
                               "unset: CLINICAL.md's defaults.")
    notifications_file: Path | None = setting(
        None, _parse_path, doc="JSON of notification channels and routes "
                               "(docs/notifications.md); unset: alerts are only logged.")
    claim_lapse_minutes: int = setting(
        15, _parse_int, low=1, high=240,
        doc="A nurse's \"I'm calling\" claim on an alert lapses after this long without a "
            "call record, so colleagues can call instead.")
    care_team_phone_day: str | None = setting(
        None, _parse_phone, doc="The CAR T team's phone number in the day, shown by the "
                                "family app's advice (docs/protocol.md, profile).")
    care_team_phone_night: str | None = setting(
        None, _parse_phone, doc="The CAR T team's phone number outside the day hours; "
                                "unset: the day number is the only one.")
    care_team_day_hours: str = setting(
        "08:00-18:00", _parse_day_hours, doc="When the day number answers, in the "
                                             "family's local time.")
    emergency_number: str | None = setting(
        None, _parse_phone, doc="The emergency services number families call first "
                                "(e.g. 911, 112, 999).")
    followup_grace_days: int = setting(
        14, _parse_int, low=1, high=365,
        doc="A long-term follow-up due this many days ago with no follow-up entry since "
            "puts the patient on the staff worklist as overdue.")
    lost_to_followup_months: int = setting(
        6, _parse_int, low=1, high=60,
        doc="No contact from any of the family's devices for this many months puts the "
            "patient on the staff worklist as lost to follow-up.")
    site_timezone: str = setting(
        "America/New_York", _parse_site_zone,
        doc="The clinic's time zone (an IANA place such as Europe/Madrid): every time on the "
            "staff pages is shown in it, with the family's own time beside it where it "
            "differs.")
    working_days: str = setting(
        "mon-fri", _parse_working_days,
        doc="The site's working days (mon-fri, or a list like mon-thu,sat): an alert whose "
            "rule may wait for the working day (docs/alerts.md) escalates only then.")
    working_hours: str = setting(
        "08:00-18:00", _parse_working_hours,
        doc="The site's working hours on working days, in HOMEWARD_SITE_TIMEZONE; outside "
            "them an alert that may wait (a new lump) pages nobody until the next start.")
    holidays: str = setting(
        "", _parse_holidays,
        doc="The site's public holidays, comma-separated dates like 2026-12-25,2027-01-01: "
            "an alert that may wait for the working day waits past them too. Empty: none.")
    require_mrn: bool = setting(True, _parse_bool,
                                doc="Creating a patient requires an MRN, on the New patient "
                                    "page and through the API; false for sites that enrol "
                                    "before one is issued.")
    site_code: str | None = setting(
        None, _parse_site_code,
        doc="The centre's code in registry exports (e.g. its EBMT CIC or CIBMTR CCN); "
            "unset: `homeward export registry` refuses to run.")
    registries: tuple = setting(
        ("cibmtr", "ebmt"), _parse_registries,
        doc="The registries a family may consent to share de-identified data with, as "
            "comma-separated codes (a national registry's code beside ebmt,cibmtr); a "
            "consent or an export naming another is refused.")
    log_level: str = setting("INFO", _parse_log_level, doc="DEBUG, INFO, WARNING or ERROR.")

    @classmethod
    def from_env(cls, environ=None, **overrides):
        environ = os.environ if environ is None else environ
        values = {}
        for spec in fields(cls):
            name = env_name(spec)
            if name in environ:
                meta = spec.metadata
                if meta["low"] is not None or meta["high"] is not None:
                    values[spec.name] = meta["parse"](name, environ[name], meta["low"],
                                                      meta["high"])
                else:
                    values[spec.name] = meta["parse"](name, environ[name])
        unknown = sorted(k for k in environ if k.startswith(PREFIX) and k not in ENV_NAMES)
        if unknown:
            raise ConfigError(f"{unknown[0]} is not a Homeward setting; see docs/configuration.md.")
        values.update(overrides)
        return cls(**values).checked()

    def checked(self):
        # Values given in code (overrides, tests, `serve --host`) pass the same checks as
        # the environment's.
        tidy = {"host": parse_host("HOMEWARD_HOST", self.host),
                "site_timezone": _parse_site_zone("HOMEWARD_SITE_TIMEZONE", self.site_timezone),
                "working_days": _parse_working_days("HOMEWARD_WORKING_DAYS", self.working_days),
                "working_hours": _parse_working_hours("HOMEWARD_WORKING_HOURS",
                                                      self.working_hours),
                "holidays": _parse_holidays("HOMEWARD_HOLIDAYS", self.holidays)}
        if self.base_url is not None:
            tidy["base_url"] = _parse_base_url("HOMEWARD_BASE_URL", self.base_url)
        if any(getattr(self, name) != value for name, value in tidy.items()):
            return replace(self, **tidy).checked()
        if self.login_slowdown_after >= self.login_lockout_after:
            raise ConfigError("HOMEWARD_LOGIN_SLOWDOWN_AFTER must be below "
                              "HOMEWARD_LOGIN_LOCKOUT_AFTER.")
        if self.scheduler_heartbeat_seconds * 2 > self.scheduler_lease_seconds:
            raise ConfigError("HOMEWARD_SCHEDULER_LEASE_SECONDS must be at least twice "
                              "HOMEWARD_SCHEDULER_HEARTBEAT_SECONDS, or a healthy scheduler "
                              "could lose its lease between heartbeats.")
        return self

    def with_overrides(self, **overrides):
        return replace(self, **overrides).checked()

    @property
    def public_url(self) -> str:
        """Where staff and phones reach this server: HOMEWARD_BASE_URL behind a proxy, else
        the address and port actually served, so `--port 8711` puts 8711 in QR codes."""
        if self.base_url:
            return self.base_url
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def database_path(self) -> Path:
        return self.database or self.data_dir / "homeward.db"

    @property
    def master_key_path(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    @property
    def secret_key_path(self) -> Path:
        return self.secret_key_file or self.data_dir / "session.key"


def env_name(spec) -> str:
    return spec.metadata["env"] or PREFIX + spec.name.upper()


ENV_NAMES = {env_name(spec) for spec in fields(Config)}


def settings_table():
    """(variable, default, meaning) for every setting, for docs and `homeward config`."""
    return [(env_name(spec), spec.default, spec.metadata["doc"]) for spec in fields(Config)]
