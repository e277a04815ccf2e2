"""The OpenAPI shapes of what the app protocol answers inside a push result and a pull
change (docs/protocol.md). Dump-only: they document the server's answers, they load nothing."""
from marshmallow import Schema, fields, validate

from questionnaires.schemas import DefinitionSchema

from .openapi_fields import OneOf

LEVELS = ("emergency", "urgent", "attention", "info")


class EntryAlertSchema(Schema):
    alert_id = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS), metadata={
        "description": "the alert's level now (a later entry can raise it)"})


class EntryErrorSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String(allow_none=True, metadata={
        "description": "the document field at fault, for a quarantined entry"})


class PhoneNumberSchema(Schema):
    display = fields.String(metadata={"description": "as the site wrote it, to show"})
    tel = fields.String(metadata={"description": "what goes after `tel:`"})


class DayHoursSchema(Schema):
    from_ = fields.String(data_key="from", metadata={"description": "HH:MM, family's zone"})
    to = fields.String(metadata={"description": "HH:MM, family's zone"})


class CareTeamSchema(Schema):
    """Whom the family calls (docs/protocol.md): each number or null when the site set none."""

    day = fields.Nested(PhoneNumberSchema, allow_none=True)
    night = fields.Nested(PhoneNumberSchema, allow_none=True)
    emergency = fields.Nested(PhoneNumberSchema, allow_none=True)
    day_hours = fields.Nested(DayHoursSchema)


class ProfileDataSchema(Schema):
    patient_id = fields.String()
    day0 = fields.Date(metadata={"description": "the infusion date"})
    timezone = fields.String(metadata={"description": "an IANA zone name"})
    language = fields.String()
    age_band = fields.String()
    respondent = fields.String(validate=validate.OneOf(["caregiver", "patient"]))
    care_team = fields.Nested(CareTeamSchema)
    diagnosis = fields.String(allow_none=True, metadata={
        "description": "the clinical profile's diagnosis code (docs/records.md), or null"})
    organs_involved = fields.List(fields.String(), allow_none=True, metadata={
        "description": "organs the disease had hit before CAR T (the LICATS rule's context), "
                       "or null before a physician records them"})


class ScheduleDataSchema(Schema):
    """The patient's day 0 and zone, and the schedule document (docs/questionnaires.md)."""

    day0 = fields.Date()
    timezone = fields.String()
    format = fields.String(metadata={"description": "homeward-schedule/1"})
    id = fields.String()
    version = fields.String()
    questionnaires = fields.List(fields.Dict(), metadata={
        "description": "when each questionnaire is due (docs/questionnaires.md)"})


class FeedTaskSchema(Schema):
    task_id = fields.String()
    questionnaire_id = fields.String()
    questionnaire_version = fields.String()
    variant = fields.String()
    respondent = fields.String(validate=validate.OneOf(["caregiver", "patient"]))
    due_at = fields.String(metadata={"format": "date-time"})
    closes_at = fields.String(metadata={"format": "date-time"})
    answered_at = fields.String(allow_none=True, metadata={
        "format": "date-time",
        "description": "when the first accepted entry answering it was recorded, by any phone "
                       "of this respondent, or null (absent from older servers)"})


class RulesDocumentSchema(Schema):
    """The rule file the app evaluates offline (docs/rules.md, "The document the app runs")."""

    format = fields.String()
    id = fields.String()
    version = fields.String()
    title = fields.String()
    parameters = fields.Dict(metadata={"description": "each with this site's value as default"})
    rules = fields.List(fields.Dict())
    site_overridden = fields.List(fields.String())
    patient_overrides = fields.Dict(allow_none=True)
    signature = fields.String(metadata={
        "description": "names this document; an app sends it back in `phone_advice`"})


class FeedMessageSchema(Schema):
    message_id = fields.String()
    kind = fields.String(validate=validate.OneOf(["acknowledgement", "message", "resolution"]))
    text = fields.String()
    sent_at = fields.String()
    delivered_at = fields.String(allow_none=True, metadata={
        "description": "when a device of this family first pulled it"})
    read_at = fields.String(allow_none=True, metadata={
        "description": "as an app reported with POST /sync/read"})


class FeedAlertSchema(Schema):
    alert_id = fields.String()
    entry_id = fields.String()
    level = fields.String(validate=validate.OneOf(LEVELS))
    status = fields.String(validate=validate.OneOf(["open", "acknowledged", "resolved"]))
    reasons = fields.List(fields.String())
    message = fields.String(metadata={"description": "for the family, in their language; "
                                                      "the team's latest, for older apps"})
    message_by_language = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "when `message` is the server's own words: the same words in every "
                       "language it has them ({\"en\": ..., \"es\": ...}); absent when the "
                       "team wrote the message"})
    thread = fields.List(fields.Nested(FeedMessageSchema), metadata={
        "description": "every message the team sent about this alert, oldest first"})
    acknowledged_at = fields.String(allow_none=True, metadata={
        "description": "when the care team first took it on (\"The team saw this at "
                       "14:05\"), or null"})


def change_data(key_set_schema):
    """`data` of a change: by `type`, keys, profile, schedule, questionnaire, task, rules or
    alert; null for a delete."""
    return OneOf(key_set_schema, ProfileDataSchema, ScheduleDataSchema, DefinitionSchema,
                 FeedTaskSchema, RulesDocumentSchema, FeedAlertSchema, allow_none=True,
                 metadata={"description": "by type: keys, profile, schedule, questionnaire, "
                                          "task, rules, alert; null when op is delete"})
