"""Fields the clinic's records APIs share, strict where marshmallow is lenient.

- `Text`: free text a person typed. Trimmed; blank is "none" (a note of three spaces is no
  note); refused when it holds a lone surrogate (JSON allows "\\ud800", UTF-8 cannot seal it:
  it was a 500) or control characters other than tab and line breaks (a NUL in a note
  breaks every page and file that shows it).
- `CalendarDate`: YYYY-MM-DD only. Python's date.fromisoformat also takes "20261119" and
  week dates such as "2026-W47-3", which nobody means in a form or a registry export.
- `expected_revision`: which revision a change was made from, from the body or If-Match.
- `each_once`: a list of codes that names each code once, since a duplicate is a client's
  mistake worth telling, not something to tidy away.
"""
import re
import unicodedata

from flask import request
from marshmallow import ValidationError, fields

from ..web.errors import InvalidRequest

from ..records.dates import parse_calendar_date

ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def text_problem(value: str) -> str | None:
    """Why `value` cannot be kept as text, or None."""
    for char in value:
        if "\ud800" <= char <= "\udfff":
            return "It holds a broken character (a lone UTF-16 surrogate)."
        if char not in ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
            return f"It holds a control character (U+{ord(char):04X})."
    return None


class Text(fields.String):
    def __init__(self, limit, *, required=False, **kwargs):
        if not required:
            kwargs.setdefault("load_default", None)
            kwargs.setdefault("allow_none", True)
        super().__init__(required=required, **kwargs)
        self.limit = limit

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        problem = text_problem(value)
        if problem:
            raise ValidationError(problem)
        if len(value) > self.limit:
            raise ValidationError(f"At most {self.limit:,} characters; this has "
                                  f"{len(value):,}.")
        if not value:
            if self.required:
                raise ValidationError("Write something here.")
            return None
        return value


class CalendarDate(fields.Date):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_calendar_date(value)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def each_once(values):
    duplicates = sorted({value for value in values if values.count(value) > 1})
    if duplicates:
        raise ValidationError(f"Name each once: {', '.join(map(str, duplicates))} twice.")


def expected_revision(body) -> int | None:
    """The revision a change was made from: the body's `revision`, else If-Match."""
    header = request.headers.get("If-Match")
    if body.get("revision") is not None or header is None:
        return body.get("revision")
    match = re.fullmatch(r'\s*"([1-9][0-9]{0,8})"\s*', header)
    if not match:
        raise InvalidRequest('If-Match holds the event\'s ETag, a revision such as "2".',
                             details={"fields": {"If-Match": ["Not an ETag of an event."]}})
    return int(match.group(1))
