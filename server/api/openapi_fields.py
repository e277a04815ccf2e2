"""Fields whose OpenAPI shape marshmallow alone cannot say: a value that is one of several
documented schemas (a pull change's `data` is a task, a questionnaire, an alert ...)."""
from marshmallow import fields


class OneOf(fields.Raw):
    """Passes the value through as it is; documents it as `oneOf` the given schemas (and
    null when allowed), each a component of the OpenAPI document."""

    def __init__(self, *schemas, **kwargs):
        super().__init__(**kwargs)
        self.choices = schemas


def one_of_property(self, field, **kwargs) -> dict:
    if not isinstance(field, OneOf):
        return {}
    choices = [self.resolve_nested_schema(schema) for schema in field.choices]
    if field.allow_none:
        choices.append({"type": "null"})
    return {"oneOf": choices}


def register(api):
    """Teach this Api's marshmallow converter about OneOf, before blueprints are documented."""
    api.ma_plugin.converter.add_attribute_function(one_of_property)
