"""Field types the definition schemas need and marshmallow does not have.

JSON from a hand-edited file is judged strictly: "38.5" in quotes, `true` where a number
belongs, or NaN are mistakes to report, not values to coerce.
"""
from __future__ import annotations

import math

from marshmallow import ValidationError, fields, validate

from .languages import LANGUAGE_TAG


def _is_number(value) -> bool:
    # bool is an int in Python, and a definition saying `"min": true` is a mistake.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class StrictNumber(fields.Field):
    """A JSON number; unlike fields.Float it refuses "38.5" strings and booleans."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not _is_number(value):
            raise ValidationError("must be a finite number")
        return value


class OptionValue(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            raise ValidationError("must be a non-empty string or an integer")
        return value


class ConditionAnswer(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (bool, str)) or _is_number(value):
            return value
        raise ValidationError("must be a boolean, a string or a finite number")


class Reverse(fields.Field):
    """Either a list of linkIds or "all", because most scales reverse every item."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "all":
            return "all"
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ValidationError('must be "all" or a list of linkIds')

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value)


def Texts(**kwargs):
    return fields.Dict(
        keys=fields.Str(validate=validate.Regexp(LANGUAGE_TAG, error="not a language tag")),
        values=fields.Str(validate=validate.Length(min=1, max=4000)),
        validate=validate.Length(min=1), **kwargs)
