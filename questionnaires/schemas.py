"""marshmallow schemas for the definition document: shapes and types of every field.

Rules that need the whole definition (do conditions point at earlier items, are all
languages present) live in checks.py; here each field is judged on its own.
"""
from __future__ import annotations

import dataclasses

from marshmallow import (
    RAISE, Schema, ValidationError, fields, post_dump, post_load, pre_load, validate,
)

from .languages import LANGUAGE_TAG, pick_language
from .model import (
    FORMAT, ITEM_TYPES, OPERATORS, RESPONDENTS, SCORE_METHODS, STATUSES,
    Condition, Definition, Item, Option, Score, Transform, Unit,
)
from .schema_fields import ConditionAnswer, OptionValue, Reverse, StrictNumber, Texts

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
LINK_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
SEMVER = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"


class Base(Schema):
    class Meta:
        unknown = RAISE


class UnitSchema(Base):
    code = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    display = fields.Str(required=True, validate=validate.Length(min=1, max=32))

    @post_load
    def make(self, data, **kwargs):
        return Unit(**data)


class OptionSchema(Base):
    value = OptionValue(required=True)
    text = Texts(required=True)
    picture = fields.Str(validate=validate.Regexp(SLUG))

    @post_load
    def make(self, data, **kwargs):
        return Option(**data)

    @post_dump
    def drop_empty(self, data, **kwargs):
        return {k: v for k, v in data.items() if v is not None}


class ConditionSchema(Base):
    question = fields.Str(required=True)
    operator = fields.Str(required=True, validate=validate.OneOf(OPERATORS))
    answer = ConditionAnswer(load_default=True)

    @post_load
    def make(self, data, **kwargs):
        return Condition(**data)


class ItemSchema(Base):
    link_id = fields.Str(required=True, data_key="linkId", validate=validate.Regexp(LINK_ID))
    type = fields.Str(required=True, validate=validate.OneOf(ITEM_TYPES))
    text = Texts(required=True)
    required = fields.Bool(load_default=False)
    help = Texts()
    unit = fields.Nested(UnitSchema)
    min = StrictNumber()
    max = StrictNumber()
    max_length = fields.Int(strict=True, data_key="maxLength", validate=validate.Range(1, 100_000))
    options = fields.List(fields.Nested(OptionSchema), validate=validate.Length(min=1))
    enable_when = fields.List(fields.Nested(ConditionSchema), data_key="enableWhen")
    enable_behavior = fields.Str(data_key="enableBehavior", validate=validate.OneOf(("all", "any")))

    @post_load
    def make(self, data, **kwargs):
        for name in ("options", "enable_when"):
            if name in data:
                data[name] = tuple(data[name])
        return Item(**data)

    @post_dump
    def drop_empty(self, data, **kwargs):
        defaults = {"required": False, "options": [], "enableWhen": [], "enableBehavior": "all"}
        return {k: v for k, v in data.items() if v is not None and defaults.get(k, ...) != v}


class TransformSchema(Base):
    source = fields.List(StrictNumber(), required=True, data_key="from", validate=validate.Length(2, 2))
    target = fields.List(StrictNumber(), required=True, data_key="to", validate=validate.Length(2, 2))

    @post_load
    def make(self, data, **kwargs):
        return Transform(tuple(data["source"]), tuple(data["target"]))


class ScoreSchema(Base):
    id = fields.Str(required=True, validate=validate.Regexp(LINK_ID))
    method = fields.Str(required=True, validate=validate.OneOf(SCORE_METHODS))
    items = fields.List(fields.Str(), required=True, validate=validate.Length(min=1))
    reverse = Reverse(load_default=())
    min_answered = fields.Float(load_default=1.0, validate=validate.Range(0, 1, min_inclusive=False))
    transform = fields.Nested(TransformSchema, allow_none=True)

    @post_load
    def make(self, data, **kwargs):
        data["items"] = tuple(data["items"])
        if data["reverse"] == "all":
            data["reverse"] = data["items"]
        return Score(**data)

    @post_dump
    def drop_empty(self, data, **kwargs):
        return {k: v for k, v in data.items() if v not in (None, [])}


class DefinitionSchema(Base):
    format = fields.Str(required=True, validate=validate.Equal(FORMAT))
    id = fields.Str(required=True, validate=validate.Regexp(SLUG, error="lowercase letters, digits and -"))
    variant = fields.Str(required=True, validate=validate.Regexp(SLUG, error="lowercase letters, digits and -"))
    version = fields.Str(required=True, validate=validate.Regexp(SEMVER, error="MAJOR.MINOR.PATCH"))
    status = fields.Str(load_default="active", validate=validate.OneOf(STATUSES))
    respondent = fields.Str(required=True, validate=validate.OneOf(RESPONDENTS))
    age = fields.Method("dump_age", deserialize="load_age", required=True)
    languages = fields.List(fields.Str(validate=validate.Regexp(LANGUAGE_TAG)), required=True,
                            validate=validate.Length(min=1))
    title = Texts(required=True)
    description = Texts()
    presentation = fields.Str(load_default="standard", validate=validate.OneOf(("standard", "pictures")))
    min_answers = fields.Int(strict=True, load_default=0, validate=validate.Range(min=0))
    option_sets = fields.Raw(load_only=True)
    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1))
    scores = fields.List(fields.Nested(ScoreSchema), data_key="scoring", load_default=())

    def dump_age(self, definition):
        return {"min": definition.age_min, "max": definition.age_max}

    def load_age(self, value):
        if not isinstance(value, dict) or set(value) - {"min", "max"} or "min" not in value:
            raise ValidationError('must be {"min": years, "max": years or null}')
        low, high = value["min"], value.get("max")
        if isinstance(low, bool) or not isinstance(low, int) or low < 0:
            raise ValidationError("min must be a whole number of years, 0 or more")
        if high is not None and (isinstance(high, bool) or not isinstance(high, int) or high <= low):
            raise ValidationError("max must be null or a whole number of years above min")
        return (low, high)

    @pre_load
    def expand_option_sets(self, data, **kwargs):
        """Items may name a shared answer list ("options": "frequency") instead of repeating it."""
        if not isinstance(data, dict):
            return data
        sets = data.get("option_sets") or {}
        if not isinstance(sets, dict):
            raise ValidationError({"option_sets": ["must be an object of named option lists"]})
        items = data.get("items")
        if not isinstance(items, list):
            return data
        expanded = []
        for index, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("options"), str):
                name = item["options"]
                if name not in sets:
                    raise ValidationError({"items": {index: {"options": [f"no option set named '{name}'"]}}})
                item = {**item, "options": sets[name]}
            expanded.append(item)
        return {**data, "items": expanded}

    @post_load
    def make(self, data, **kwargs):
        data.pop("format")
        data.pop("option_sets", None)
        data["age_min"], data["age_max"] = data.pop("age")
        for name in ("languages", "items", "scores"):
            data[name] = tuple(data[name])
        return Definition(**data)

    @post_dump
    def add_format(self, data, **kwargs):
        out = {"format": FORMAT}
        out.update((k, v) for k, v in data.items() if v is not None and not (k == "scoring" and not v))
        return out


def load_definition_document(document, source: str) -> Definition:
    """Shapes and types only; raises marshmallow's ValidationError (loading.py words it)."""
    return dataclasses.replace(DefinitionSchema().load(document), source=source)


def dump_definition(definition: Definition, language: str | None = None) -> dict:
    document = DefinitionSchema().dump(definition)
    if language is None:
        return document
    chosen = pick_language(definition.languages, language)
    document["languages"] = [chosen]
    _keep_language(document, chosen)
    return document


TEXT_KEYS = {"title", "description", "text", "help"}


def _keep_language(node, language):
    if isinstance(node, list):
        for child in node:
            _keep_language(child, language)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, dict):
                node[key] = {language: value[pick_language(value, language)]}
            else:
                _keep_language(value, language)
