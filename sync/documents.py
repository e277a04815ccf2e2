"""The entry document inside a sealed envelope (PROTOCOL.md, "Sealing an entry").

It is checked only after it opened, so everything here is about a well-meaning app with a
bug, not an attacker: what fails is quarantined for staff, never thrown away.
"""
import json
import re
from datetime import datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

# RFC 3339 section 5.6: "T" and "Z" may be lower case; ASCII digits only (\d would take
# any script's); no trailing newline ($ would allow one). Seconds stay optional, as before.
RFC3339 = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}:[0-9]{2})"
                     r"(?::([0-9]{2})(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})")
# An entry is an object of answers holding at most a list of choices: four levels. Deeper is
# a bug in the app, and past about a thousand levels Python's json and everything that walks
# the document afterwards (canonical form, sealing) would fail with a RecursionError.
MAX_DEPTH = 32
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                  r"[0-9a-fA-F]{12}$")


NOT_RFC3339 = "Use an RFC 3339 time with an offset, such as 2026-11-20T14:02:00-05:00."
NOT_REAL_TIME = "This is not a real date and time."


def read_rfc3339(value):
    """(the aware datetime, None) or (None, what is wrong with it)."""
    match = RFC3339.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None, NOT_RFC3339
    day, minute, second, fraction, offset = match.groups()
    if second == "60":
        # A leap second (23:59:60Z, or its local equivalent) is valid RFC 3339; Python has
        # no such second, so it is read as the last microsecond of the minute.
        second, fraction = "59", ".999999"
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        return datetime.fromisoformat(
            f"{day}T{minute}{':' + second if second else ''}{fraction or ''}{offset}"), None
    except ValueError:
        return None, NOT_REAL_TIME


class Rfc3339(fields.Field):
    """A time with an explicit offset: a phone's local time means nothing without one."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment, problem = read_rfc3339(value)
        if problem:
            raise ValidationError(problem)
        return moment


class EntryDocumentSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # newer apps may add fields; older servers must not quarantine them

    entry_id = fields.String(required=True, validate=validate.Regexp(UUID, error="Use a UUID."))
    device_id = fields.String(required=True)
    patient_id = fields.String(required=True)
    questionnaire_id = fields.String(required=True, validate=validate.Length(1, 100))
    questionnaire_version = fields.String(required=True, validate=validate.Length(1, 30))
    # Optional (docs/protocol.md): names the variant exactly instead of inferring it by age.
    questionnaire_variant = fields.String(allow_none=True, load_default=None,
                                          validate=validate.Length(1, 60))
    task_id = fields.String(allow_none=True, load_default=None,
                            validate=validate.Length(1, 100))
    respondent = fields.String(required=True,
                               validate=validate.OneOf(["caregiver", "patient"]))
    recorded_at = Rfc3339(required=True)
    supersedes = fields.String(allow_none=True, load_default=None,
                               validate=validate.Regexp(UUID, error="Use a UUID."))
    answers = fields.Raw(required=True)


def parse_document(plaintext: bytes):
    """(the raw JSON object or None, the loaded document or None, a list of problems)."""
    try:
        raw = json.loads(plaintext.decode("utf-8"))
    except RecursionError:
        return None, None, [too_deep()]
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, None, [{"code": "invalid_document", "field": None,
                             "message": f"The entry is not UTF-8 JSON: {error}."}]
    except ValueError:  # Python refuses integers of over 4,300 digits (CVE-2020-10735)
        return None, None, [{"code": "invalid_document", "field": None,
                             "message": "The entry holds a number of over 4,300 digits."}]
    if is_deeper_than(raw, MAX_DEPTH):
        return None, None, [too_deep()]
    if not isinstance(raw, dict):
        return None, None, [{"code": "invalid_document", "field": None,
                             "message": "The entry is not a JSON object."}]
    try:
        return raw, EntryDocumentSchema().load(raw), []
    except ValidationError as error:
        return raw, None, [{"code": "invalid_document", "field": name,
                            "message": f"{name}: {' '.join(map(str, why)) if isinstance(why, list) else why}"}
                           for name, why in sorted(error.messages.items())]


def too_deep() -> dict:
    return {"code": "invalid_document", "field": None,
            "message": f"The entry is nested deeper than {MAX_DEPTH} levels."}


def is_deeper_than(value, limit: int) -> bool:
    """Whether parsed JSON nests objects and arrays more than `limit` deep. Level by level
    rather than recursively, so any depth that parsed can be measured (bench/RESULTS.md:
    about 3 µs for an entry)."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(limit):
        below = [child for node in level
                 for child in (node.values() if isinstance(node, dict) else node)
                 if isinstance(child, (dict, list))]
        if not below:
            return False
        level = below
    return bool(level)


def canonical(raw) -> bytes:
    """The same document, whatever key order or spacing the app used: for duplicate checks."""
    return json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=True).encode("utf-8")
