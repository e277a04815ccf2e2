"""Clinic API: the clinician's toxicity record. Physicians record, correct and retract
events (never delete: each change is a new revision); the care team reads the events and
the registry summary beside the alerts that led to them. The audit log says which event and
which kind of change, never the grade or the note."""
from .bodies import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..records import audit
from ..auth import current_staff, require_staff
from ..web.context import get_db, get_vault, now
from ..web.errors import InvalidRequest
from ..records.patients import read_patient_row
from ..records import toxicity
from ..records.summary import toxicity_summary
from ..records.vocabulary import GRADING, KINDS, TREATMENTS
from .record_fields import CalendarDate, Text, each_once, expected_revision

blueprint = Blueprint("toxicity", __name__, url_prefix="/patients",
                      description="Toxicity events recorded by physicians, and their summary.")

CARE_TEAM = ("nurse", "physician")


class EventSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    grading_system = fields.String(validate=validate.OneOf(list(GRADING)), metadata={
        "description": "astct_2019 for crs and icans, eha_ebmt_icaht for icaht, ctcae_v5 "
                       "for the rest; filled in from the kind when left out"})
    grade = fields.Integer(required=True, strict=True)
    onset_date = CalendarDate(required=True)
    resolution_date = CalendarDate(load_default=None, allow_none=True)
    treatments = fields.List(fields.String(validate=validate.OneOf(list(TREATMENTS))),
                             load_default=list, validate=each_once)
    icu_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                              validate=validate.Range(0, 3650))
    treatments_text = Text(500)
    note = Text(4000)
    alert_ids = fields.List(fields.String(validate=validate.Length(1, 64)), load_default=list,
                            validate=[validate.Length(max=50), each_once],
                            metadata={"description": "alerts of this patient that led to it"})

    @validates_schema
    def onset_is_not_ahead(self, data, **kwargs):
        if data.get("onset_date") and data["onset_date"] > now().date():
            raise ValidationError("The onset is in the future.", "onset_date")
        if data.get("resolution_date") and data["resolution_date"] > now().date():
            raise ValidationError("The resolution is in the future.", "resolution_date")


REVISION = {"description": "the revision this change was made from (or send If-Match: "
                          "\"N\"); a later one in force is a 409. Left out: the last "
                          "writer wins, every revision kept."}


class RevisionSchema(EventSchema):
    reason = Text(1000, required=True, validate=validate.Length(3))
    revision = fields.Integer(strict=True, validate=validate.Range(1), metadata=REVISION)


class RetractSchema(Schema):
    reason = Text(1000, required=True, validate=validate.Length(3))
    revision = fields.Integer(strict=True, validate=validate.Range(1), metadata=REVISION)


class EventOutSchema(Schema):
    event_id = fields.String()
    revision = fields.Integer()
    status = fields.String(metadata={"description": "recorded or retracted"})
    kind = fields.String()
    grading_system = fields.String()
    grade = fields.Integer()
    onset_date = fields.String()
    resolution_date = fields.String(allow_none=True)
    treatments = fields.List(fields.String())
    icu_days = fields.Integer(allow_none=True)
    treatments_text = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    change_reason = fields.String(allow_none=True)
    alert_ids = fields.List(fields.String())
    recorded_by = fields.String()
    recorded_at = fields.String()
    superseded_at = fields.String(allow_none=True)


class EventWithHistorySchema(EventOutSchema):
    history = fields.List(fields.Nested(EventOutSchema))


class EventListSchema(Schema):
    events = fields.List(fields.Nested(EventOutSchema))


class GradedSummarySchema(Schema):
    max_grade = fields.Integer(allow_none=True)
    onset_day = fields.Integer(allow_none=True)
    duration_days = fields.Integer(allow_none=True)
    count = fields.Integer()
    event_id = fields.String()


class SummaryEventSchema(EventOutSchema):
    onset_day = fields.Integer()
    resolution_day = fields.Integer(allow_none=True)
    duration_days = fields.Integer(allow_none=True)
    alerts = fields.List(fields.Dict())


class SummarySchema(Schema):
    patient_id = fields.String()
    infusion_date = fields.String()
    crs = fields.Nested(GradedSummarySchema)
    icans = fields.Nested(GradedSummarySchema)
    icaht = fields.List(fields.Nested(SummaryEventSchema))
    licats = fields.List(fields.Nested(SummaryEventSchema))
    infection = fields.List(fields.Nested(SummaryEventSchema))
    hlh = fields.List(fields.Nested(SummaryEventSchema))
    other = fields.List(fields.Nested(SummaryEventSchema))
    treatments = fields.List(fields.String())
    icu_days = fields.Integer()
    events = fields.List(fields.Nested(SummaryEventSchema))


def checked_links(db, patient_id, body):
    problem = toxicity.linked_alerts_problem(db, patient_id, body.get("alert_ids"))
    if problem:
        raise InvalidRequest(problem, details={"fields": {"alert_ids": [problem]}})


def record(db, patient_id, body):
    """Shared with the page form."""
    row = read_patient_row(db, patient_id)
    checked_links(db, patient_id, body)
    cipher = get_vault().for_patient(db, patient_id)
    event = toxicity.record_event(db, cipher, row, body, recorded_by=current_staff().username,
                                  now=now())
    audit.record(db, "toxicity.record", patient_id=patient_id, target=event["event_id"],
                 details={"revision": 1})
    return event


def with_etag(event):
    return event, {"ETag": f'"{event["revision"]}"'}


def revise(db, patient_id, event_id, body):
    row = read_patient_row(db, patient_id)
    checked_links(db, patient_id, body)
    cipher = get_vault().for_patient(db, patient_id)
    expected = expected_revision(body)
    body.pop("revision", None)
    reason = body.pop("reason")
    event = toxicity.revise_event(db, cipher, row, event_id, body, reason=reason,
                                  recorded_by=current_staff().username, now=now(),
                                  expected_revision=expected)
    audit.record(db, "toxicity.revise", patient_id=patient_id, target=event_id,
                 details={"revision": event["revision"]})
    return event


def retract(db, patient_id, event_id, reason, expected=None):
    row = read_patient_row(db, patient_id)
    cipher = get_vault().for_patient(db, patient_id)
    event = toxicity.retract_event(db, cipher, row, event_id, reason=reason,
                                   recorded_by=current_staff().username, now=now(),
                                   expected_revision=expected)
    audit.record(db, "toxicity.retract", patient_id=patient_id, target=event_id,
                 details={"revision": event["revision"]})
    return event


@blueprint.route("/<patient_id>/toxicity-events", methods=["POST"])
@require_staff("physician")
@blueprint.arguments(EventSchema)
@blueprint.response(201, EventWithHistorySchema)
@blueprint.doc(security=[{"bearer": []}])
def post_event(body, patient_id):
    """Record a toxicity event (physicians only); the grade is checked against the kind's
    grading system."""
    return with_etag(record(get_db(), patient_id, body))


@blueprint.route("/<patient_id>/toxicity-events", methods=["GET"])
@require_staff(*CARE_TEAM)
@blueprint.response(200, EventListSchema)
@blueprint.doc(security=[{"bearer": []}])
def list_events(patient_id):
    """Every event as it stands now, retracted ones included (marked)."""
    db = get_db()
    read_patient_row(db, patient_id)
    cipher = get_vault().for_patient(db, patient_id)
    audit.record(db, "toxicity.read", patient_id=patient_id)
    return {"events": toxicity.current_events(db, cipher, patient_id, include_retracted=True)}


@blueprint.route("/<patient_id>/toxicity-events/<event_id>", methods=["GET"])
@require_staff(*CARE_TEAM)
@blueprint.response(200, EventWithHistorySchema)
@blueprint.doc(security=[{"bearer": []}])
def get_event(patient_id, event_id):
    """One event with every earlier revision."""
    db = get_db()
    read_patient_row(db, patient_id)
    cipher = get_vault().for_patient(db, patient_id)
    audit.record(db, "toxicity.read", patient_id=patient_id, target=event_id)
    return with_etag(toxicity.read_event(db, cipher, patient_id, event_id))


@blueprint.route("/<patient_id>/toxicity-events/<event_id>", methods=["PUT"])
@require_staff("physician")
@blueprint.arguments(RevisionSchema)
@blueprint.response(200, EventWithHistorySchema)
@blueprint.doc(security=[{"bearer": []}])
def put_event(body, patient_id, event_id):
    """Correct an event: a new revision, with the reason; the earlier one is kept."""
    return with_etag(revise(get_db(), patient_id, event_id, body))


@blueprint.route("/<patient_id>/toxicity-events/<event_id>/retraction", methods=["POST"])
@require_staff("physician")
@blueprint.arguments(RetractSchema)
@blueprint.response(200, EventWithHistorySchema)
@blueprint.doc(security=[{"bearer": []}])
def retract_event(body, patient_id, event_id):
    """Withdraw an event recorded in error; it stays in the history, marked retracted."""
    return with_etag(retract(get_db(), patient_id, event_id, body["reason"],
                             expected_revision(body)))


@blueprint.route("/<patient_id>/toxicity", methods=["GET"])
@require_staff(*CARE_TEAM)
@blueprint.response(200, SummarySchema)
@blueprint.doc(security=[{"bearer": []}])
def get_summary(patient_id):
    """The registry summary: worst CRS and ICANS grade with onset day and duration,
    treatments, ICU days, ICAHT, LICATS, infection and other events, each beside the alerts
    that led to it."""
    db = get_db()
    row = read_patient_row(db, patient_id)
    cipher = get_vault().for_patient(db, patient_id)
    audit.record(db, "toxicity.read", patient_id=patient_id, details={"view": "summary"})
    return toxicity_summary(db, cipher, row)
