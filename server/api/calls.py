"""Clinic API: the nurse's call about an alert (claim, call records), the message thread,
and a patient's contacts. Nurses and physicians call and claim; whoever may handle an alert
(the psychosocial team for wellbeing alerts) may read its thread."""
from datetime import timedelta

from marshmallow import Schema, fields, validate

from alerts import calls as domain
from alerts.calls import DISPOSITIONS
from alerts.triage import (BREATHING, DIZZINESS, DRINKING, PASSING_URINE,
                           TEMPERATURE_METHODS)

from ..records import audit, calls
from ..storage import db as storage
from ..records.alerting import alert_view, entries_of, may_handle
from ..auth import current_staff, require_staff
from ..records.contacts import LANGUAGE_TAG, PHONE, save_contacts
from ..web.context import get_alerting, get_catalog, get_config, get_db, get_vault, now
from ..web.errors import Forbidden
from .bodies import Blueprint
from .alerts import AlertSchema, handled

blueprint = Blueprint("calls", __name__, url_prefix="",
                      description="The nurse's call: claims, call records, the family thread, "
                                  "contacts.")

CALLERS = ("nurse", "physician")
HANDLERS = ("nurse", "physician", "psychosocial")


class FindingsSchema(Schema):
    temperature_c = fields.Float(validate=validate.Range(30, 45), allow_none=True)
    temperature_method = fields.String(validate=validate.OneOf(TEMPERATURE_METHODS),
                                       allow_none=True)
    breathing = fields.String(validate=validate.OneOf(BREATHING), allow_none=True)
    spo2_percent = fields.Integer(validate=validate.Range(50, 100), allow_none=True, metadata={
        "description": "only if the family has a pulse oximeter"})
    drinking = fields.String(validate=validate.OneOf(DRINKING), allow_none=True)
    passing_urine = fields.String(validate=validate.OneOf(PASSING_URINE), allow_none=True)
    dizziness = fields.String(validate=validate.OneOf(DIZZINESS), allow_none=True)


class CallCreateSchema(Schema):
    reached = fields.String(validate=validate.Length(1, 200), allow_none=True, metadata={
        "description": "who answered (e.g. 'Ana, mother'); null or absent: no answer"})
    findings = fields.Nested(FindingsSchema, load_default=dict)
    neuro_answers = fields.Dict(allow_none=True, metadata={
        "description": "answers to the staff variant of neuro-check for the child's age "
                       "(ice-style-staff from 12, capd-style-staff under 12)"})
    disposition = fields.String(validate=validate.OneOf(DISPOSITIONS), allow_none=True)
    recheck_minutes = fields.Integer(validate=validate.Range(*domain.RECHECK_MINUTES),
                                     allow_none=True)
    note = fields.String(validate=validate.Length(1, 5000), allow_none=True)


class TriageSchema(Schema):
    colour = fields.String(metadata={"description": "red, amber or green"})
    reasons = fields.List(fields.String())


class GradeSchema(Schema):
    syndrome = fields.String()
    grade = fields.Integer(allow_none=True)
    label = fields.String(metadata={"description": "says 'not a clinical grade'"})
    reasons = fields.List(fields.String())


class CallSchema(Schema):
    call_id = fields.String()
    alert_id = fields.String()
    called_by = fields.String()
    called_at = fields.String()
    reached = fields.String(allow_none=True)
    answered = fields.Boolean()
    findings = fields.Dict()
    neuro = fields.Dict(allow_none=True)
    disposition = fields.String(allow_none=True)
    recheck_minutes = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    triage = fields.Nested(TriageSchema, allow_none=True)
    grades = fields.List(fields.Nested(GradeSchema))


class CallRecordedSchema(Schema):
    call = fields.Nested(CallSchema)
    alert = fields.Nested(AlertSchema)


class CallListSchema(Schema):
    calls = fields.List(fields.Nested(CallSchema))


class MessageSchema(Schema):
    message_id = fields.String()
    kind = fields.String(metadata={"description": "acknowledgement, message or resolution"})
    text = fields.String(allow_none=True)
    sent_by = fields.String()
    sent_at = fields.String()
    delivered_at = fields.String(allow_none=True)
    read_at = fields.String(allow_none=True)


class ThreadSchema(Schema):
    messages = fields.List(fields.Nested(MessageSchema))


class ContactSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    relationship = fields.String(validate=validate.Length(1, 60), allow_none=True)
    phone = fields.String(required=True, validate=validate.Regexp(
        PHONE, error="Use digits, spaces and + ( ) - only."))
    language = fields.String(validate=validate.Regexp(
        LANGUAGE_TAG, error="Use a language code such as en, es or es-MX."), allow_none=True)
    best_times = fields.String(validate=validate.Length(1, 200), allow_none=True)


class ContactOutSchema(ContactSchema):
    tel = fields.String(metadata={"description": "the tel: link to dial"})


class ContactsSchema(Schema):
    contacts = fields.List(fields.Nested(ContactSchema), required=True,
                           validate=validate.Length(0, 6))


class ContactsOutSchema(Schema):
    contacts = fields.List(fields.Nested(ContactOutSchema))


def callable_alert(db, alert_id):
    row = domain.load_alert(db, alert_id)
    if current_staff().role not in CALLERS:
        raise Forbidden("Calls and claims are for nurses and physicians.")
    return row


@blueprint.route("/alerts/<alert_id>/claim", methods=["POST"])
@require_staff(*CALLERS)
@blueprint.response(200, AlertSchema)
@blueprint.doc(security=[{"bearer": []}])
def claim(alert_id):
    """"I'm calling": colleagues see who is phoning this family; it lapses after the site's
    claim time (HOMEWARD_CLAIM_LAPSE_MINUTES) without a call record. 409 if someone else
    holds it."""
    lapse = get_config().claim_lapse_minutes
    return handled(alert_id, "alert.claim", lambda db, cipher, staff: domain.claim(
        db, alert_id, staff.username, now(), timedelta(minutes=lapse)))


@blueprint.route("/alerts/<alert_id>/claim", methods=["DELETE"])
@require_staff(*CALLERS)
@blueprint.response(200, AlertSchema)
@blueprint.doc(security=[{"bearer": []}])
def release(alert_id):
    """Give up one's own claim."""
    return handled(alert_id, "alert.release", lambda db, cipher, staff: domain.release(
        db, alert_id, staff.username, now()))


@blueprint.route("/alerts/<alert_id>/calls", methods=["POST"])
@require_staff(*CALLERS)
@blueprint.arguments(CallCreateSchema)
@blueprint.response(201, CallRecordedSchema)
@blueprint.doc(security=[{"bearer": []}])
def record_call(body, alert_id):
    """Record one call attempt: who was reached (none: a "no answer" retry), findings by
    phone, the nurse's neuro assessment and a disposition (`recheck` with minutes sets a
    deadline after which the alert escalates again unless a call or family entry comes)."""
    db, vault, staff, moment = get_db(), get_vault(), current_staff(), now()
    with storage.write_transaction(db):
        row = callable_alert(db, alert_id)
        row, call_id = calls.record_call(
            db, vault, get_catalog(), alert_row=row, staff_name=staff.username, body=body,
            now=moment, lapse_minutes=get_config().claim_lapse_minutes)
        audit.record(db, "alert.call", patient_id=row["patient_id"], target=alert_id,
                     details={"call_id": call_id})
    cipher = vault.for_patient(db, row["patient_id"])
    call = next(c for c in calls.calls_of(db, cipher, alert_id) if c["call_id"] == call_id)
    return {"call": call, "alert": alert_view(row, cipher, entries_of(db, [alert_id]).get(
        alert_id, ()), now=moment, working_hours=get_alerting().working_hours)}


@blueprint.route("/alerts/<alert_id>/calls", methods=["GET"])
@require_staff(*CALLERS)
@blueprint.response(200, CallListSchema)
@blueprint.doc(security=[{"bearer": []}])
def list_calls(alert_id):
    """The alert's call log, oldest first (audited)."""
    db = get_db()
    row = callable_alert(db, alert_id)
    cipher = get_vault().for_patient(db, row["patient_id"])
    audit.record(db, "alert.calls.read", patient_id=row["patient_id"], target=alert_id)
    return {"calls": calls.calls_of(db, cipher, alert_id)}


@blueprint.route("/alerts/<alert_id>/messages", methods=["GET"])
@require_staff(*HANDLERS)
@blueprint.response(200, ThreadSchema)
@blueprint.doc(security=[{"bearer": []}])
def thread(alert_id):
    """Every message the team sent the family about this alert, oldest first, with when
    each was sent, delivered to their device and read in their app (audited)."""
    db = get_db()
    row = domain.load_alert(db, alert_id)
    if not may_handle(current_staff().role, row):
        raise Forbidden("This alert is for the care team.")
    cipher = get_vault().for_patient(db, row["patient_id"])
    audit.record(db, "alert.messages.read", patient_id=row["patient_id"], target=alert_id)
    return {"messages": calls.thread_of(db, cipher, alert_id)}


@blueprint.route("/patients/<patient_id>/contacts", methods=["PUT"])
@require_staff(*CALLERS)
@blueprint.arguments(ContactsSchema)
@blueprint.response(200, ContactsOutSchema)
@blueprint.doc(security=[{"bearer": []}])
def replace_contacts(body, patient_id):
    """Replace the patient's contacts (sealed at rest like the name; audited by count)."""
    return {"contacts": save_contacts(get_db(), get_vault(), patient_id, body["contacts"])}
