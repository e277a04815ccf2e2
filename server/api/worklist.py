"""Clinic API: the long-term follow-up worklist (overdue and lost-to-follow-up patients)
and the contacts staff record about it. Thresholds are site settings
(HOMEWARD_FOLLOWUP_GRACE_DAYS, HOMEWARD_LOST_TO_FOLLOWUP_MONTHS)."""
from .bodies import Blueprint
from marshmallow import Schema, fields, validate

from ..records import audit
from ..auth import current_staff, require_staff
from ..web.context import get_config, get_db, get_schedule, get_vault, now
from .record_fields import Text
from ..records.patients import read_patient_row
from ..records import closures, worklist

blueprint = Blueprint("worklist", __name__, url_prefix="",
                      description="Long-term follow-up: who is overdue or lost, and contacts.")

CARE_TEAM = ("nurse", "physician")


class FollowUpContactRequestSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(list(worklist.OUTCOMES)))
    note = Text(2000)


class FollowUpContactSchema(Schema):
    contact_id = fields.Integer()
    outcome = fields.String()
    contacted_by = fields.String()
    contacted_at = fields.String()
    note = fields.String(allow_none=True)


class FollowUpContactListSchema(Schema):
    contacts = fields.List(fields.Nested(FollowUpContactSchema))


class ClosureRequestSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(list(closures.REASONS)),
                           metadata={"description": "on_schedule (until a new reason "
                                     "appears), moved_care, withdrew, died (until reopened)"})
    note = Text(2000)


class ReopenRequestSchema(Schema):
    note = Text(2000)


class ClosureSchema(Schema):
    closure_id = fields.Integer()
    action = fields.String(metadata={"description": "close or reopen"})
    reason = fields.String(allow_none=True)
    reason_text = fields.String(allow_none=True, metadata={"description": "the reason in words"})
    lasting = fields.Boolean(metadata={"description": "closed until someone reopens it"})
    closed_by = fields.String()
    closed_at = fields.String()
    note = fields.String(allow_none=True)


class ClosureStateSchema(Schema):
    current = fields.Nested(ClosureSchema, allow_none=True)
    history = fields.List(fields.Nested(ClosureSchema))


class ClosedRowSchema(Schema):
    patient_id = fields.String()
    display_name = fields.String(allow_none=True)
    closure = fields.Nested(ClosureSchema)


class WorklistRowSchema(Schema):
    patient_id = fields.String()
    display_name = fields.String(allow_none=True)
    day_post_infusion = fields.Integer()
    reasons = fields.List(fields.String(), metadata={"description": "overdue and/or lost"})
    follow_up_due_at = fields.String(allow_none=True)
    last_follow_up_at = fields.String(allow_none=True)
    last_device_contact_at = fields.String(allow_none=True)
    last_contact = fields.Nested(FollowUpContactSchema, allow_none=True)
    closure = fields.Nested(ClosureSchema, allow_none=True, metadata={
        "description": "a closure as reached, now outdone by a reason that arose since"})


class WorklistSchema(Schema):
    grace_days = fields.Integer()
    lost_months = fields.Integer()
    patients = fields.List(fields.Nested(WorklistRowSchema))
    closed = fields.List(fields.Nested(ClosedRowSchema), metadata={
        "description": "patients whose closure keeps them off the list"})


def active_patients(db) -> list[dict]:
    """What the worklist needs of every active patient: only the name is unsealed."""
    rows = list(db.query("SELECT id, timezone, infusion_date, display_name FROM patients "
                         "WHERE status = 'active' ORDER BY id"))
    ciphers = get_vault().for_patients(db, [row["id"] for row in rows])
    return [{"patient_id": row["id"], "timezone": row["timezone"],
             "infusion_date": row["infusion_date"],
             "display_name": ciphers[row["id"]].open_text("patients", row["id"],
                                                          "display_name", row["display_name"])}
            for row in rows if row["id"] in ciphers]


def build_worklist(db):
    config = get_config()
    closed = []
    found = worklist.followup_worklist(
        db, get_schedule(), active_patients(db), now(),
        grace_days=config.followup_grace_days, lost_months=config.lost_to_followup_months,
        closed_out=closed)
    audit.record(db, "worklist.read", details={"count": len(found), "closed": len(closed)})
    return {"grace_days": config.followup_grace_days,
            "lost_months": config.lost_to_followup_months, "patients": found,
            "closed": closed}


def add_contact(db, patient_id, body):
    """Shared with the page form; the audit row names the outcome code, never the note."""
    read_patient_row(db, patient_id)
    cipher = get_vault().for_patient(db, patient_id)
    contact = worklist.record_contact(db, cipher, patient_id, outcome=body["outcome"],
                                      note=body.get("note"),
                                      contacted_by=current_staff().username, now=now())
    audit.record(db, "followup.contact", patient_id=patient_id,
                 target=str(contact["contact_id"]), details={"outcome": body["outcome"]})
    return contact


def close_followup(db, patient_id, body):
    """Shared with the page form; the audit row names the reason code, never the note."""
    read_patient_row(db, patient_id)
    cipher = get_vault().for_patient(db, patient_id)
    closure = closures.close(db, cipher, patient_id, reason=body["reason"],
                             note=body.get("note"), closed_by=current_staff().username,
                             now=now())
    audit.record(db, "followup.close", patient_id=patient_id,
                 target=str(closure["closure_id"]), details={"reason": body["reason"]})
    return closure


def reopen_followup(db, patient_id, body):
    read_patient_row(db, patient_id)
    cipher = get_vault().for_patient(db, patient_id)
    ended = closures.reopen(db, cipher, patient_id, note=body.get("note"),
                            reopened_by=current_staff().username, now=now())
    audit.record(db, "followup.reopen", patient_id=patient_id,
                 target=str(ended["closure_id"]), details={"reason": ended["reason"]})


def closure_state(db, patient_id):
    cipher = get_vault().for_patient(db, patient_id)
    return {"current": closures.closure_in_force(db, patient_id, cipher),
            "history": closures.closure_history(db, cipher, patient_id)}


@blueprint.route("/worklist/follow-up", methods=["GET"])
@require_staff(*CARE_TEAM)
@blueprint.response(200, WorklistSchema)
@blueprint.doc(security=[{"bearer": []}])
def get_worklist():
    """Patients whose long-term follow-up is overdue or who are lost to follow-up."""
    return build_worklist(get_db())


@blueprint.route("/patients/<patient_id>/follow-up-contacts", methods=["POST"])
@require_staff(*CARE_TEAM)
@blueprint.arguments(FollowUpContactRequestSchema)
@blueprint.response(201, FollowUpContactSchema)
@blueprint.doc(security=[{"bearer": []}])
def post_contact(body, patient_id):
    """Record a contact made about follow-up (audited; the note is sealed)."""
    db = get_db()
    contact = add_contact(db, patient_id, body)
    return {**contact, "note": body.get("note")}


@blueprint.route("/patients/<patient_id>/follow-up-contacts", methods=["GET"])
@require_staff(*CARE_TEAM)
@blueprint.response(200, FollowUpContactListSchema)
@blueprint.doc(security=[{"bearer": []}])
def list_contacts(patient_id):
    """Every follow-up contact about this patient, newest first."""
    db = get_db()
    read_patient_row(db, patient_id)
    audit.record(db, "followup.read", patient_id=patient_id)
    return {"contacts": worklist.contacts(db, get_vault().for_patient(db, patient_id),
                                          patient_id)}


@blueprint.route("/patients/<patient_id>/follow-up-closure", methods=["POST"])
@require_staff(*CARE_TEAM)
@blueprint.arguments(ClosureRequestSchema)
@blueprint.response(201, ClosureSchema)
@blueprint.doc(security=[{"bearer": []}])
def post_closure(body, patient_id):
    """Take the patient off the worklist, with a reason (audited; the note is sealed).
    `on_schedule` lasts until a new reason appears; the others until reopened (409 while
    one is in force)."""
    return close_followup(get_db(), patient_id, body)


@blueprint.route("/patients/<patient_id>/follow-up-closure/reopening", methods=["POST"])
@require_staff(*CARE_TEAM)
@blueprint.arguments(ReopenRequestSchema)
@blueprint.response(200, ClosureStateSchema)
@blueprint.doc(security=[{"bearer": []}])
def post_reopening(body, patient_id):
    """End the closure in force (409 if none): the patient is listed again while a reason
    holds."""
    db = get_db()
    reopen_followup(db, patient_id, body)
    return closure_state(db, patient_id)


@blueprint.route("/patients/<patient_id>/follow-up-closure", methods=["GET"])
@require_staff(*CARE_TEAM)
@blueprint.response(200, ClosureStateSchema)
@blueprint.doc(security=[{"bearer": []}])
def get_closure(patient_id):
    """The closure in force (null when open) and every close and reopening, newest first."""
    db = get_db()
    read_patient_row(db, patient_id)
    audit.record(db, "followup.read", patient_id=patient_id, details={"view": "closure"})
    return closure_state(db, patient_id)
