"""Clinic API: alerts, most urgent first; acknowledge, message the family, snooze, resolve."""
from .bodies import Blueprint
from marshmallow import Schema, fields, validate

from alerts import lifecycle
from alerts.lifecycle import OUTCOMES

from ..records import audit
from ..storage import db as storage
from ..records.calls import add_to_thread
from ..records.alerting import alert_view, entries_of, list_alerts, may_handle
from ..auth import current_staff, require_staff
from ..web.context import get_alerting, get_db, get_vault, now
from ..web.errors import Forbidden

blueprint = Blueprint("alerts", __name__, url_prefix="/alerts",
                      description="Alerts raised from families' entries, and their handling.")

HANDLERS = ("nurse", "physician", "psychosocial")
STATUSES = ("open", "acknowledged", "resolved")


class AlertQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    patient_id = fields.String(validate=validate.Length(1, 64))


class AlertSchema(Schema):
    alert_id = fields.String()
    patient_id = fields.String()
    level = fields.String(metadata={"description": "emergency, urgent, attention or info"})
    status = fields.String()
    reasons = fields.List(fields.String())
    concern = fields.String()
    team = fields.String(metadata={
        "description": "whom the alert is for, from its rule: car_t (the CAR T nurses), "
                       "physician, rheumatology, ... (docs/alerts.md)"})
    escalate = fields.String(metadata={
        "description": "any_time, or working_hours: it pages nobody outside the site's "
                       "working hours"})
    summary = fields.String()
    evidence = fields.Raw(allow_none=True)
    raised_at = fields.String()
    updated_at = fields.String()
    entry_ids = fields.List(fields.String())
    reported_late_minutes = fields.Integer()
    escalate_at = fields.String(allow_none=True, metadata={
        "description": "when the alert escalates unless acknowledged, as the scheduler will "
                       "do it: 15 minutes after it was raised or raised in level, or when "
                       "a snooze ends if that is later, and for an alert that waits "
                       "(`escalate` working_hours) the next opening of the site's working "
                       "hours after that; null when it does not escalate"})
    escalation_waits = fields.Boolean(metadata={
        "description": "true when escalate_at is later than the 15-minute mark because the "
                       "alert waits for working hours"})
    escalated_at = fields.String(allow_none=True)
    acknowledged_at = fields.String(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    resolved_at = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    family_message = fields.String(allow_none=True)
    snoozed_until = fields.String(allow_none=True)
    snoozed_by = fields.String(allow_none=True)
    snooze_reason = fields.String(allow_none=True)
    claim = fields.Dict(allow_none=True, metadata={
        "description": "{by, since, until} while a nurse's \"I'm calling\" claim holds"})
    last_call_at = fields.String(allow_none=True)
    recheck_at = fields.String(allow_none=True, metadata={
        "description": "when a `recheck` call asked to hear again; escalates if nothing came"})


class AlertListSchema(Schema):
    alerts = fields.List(fields.Nested(AlertSchema))


Message = fields.String(validate=validate.Length(1, 1000),
                        metadata={"description": "for the family, shown in their app"})


class AcknowledgeSchema(Schema):
    message = Message


class FamilyMessageSchema(Schema):
    message = fields.String(required=True, validate=validate.Length(1, 1000))


class SnoozeSchema(Schema):
    until = fields.AwareDateTime(required=True, format="iso")
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class ResolveSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = fields.String(validate=validate.Length(1, 5000))
    message = Message


@blueprint.route("", methods=["GET"])
@require_staff(*HANDLERS)
@blueprint.arguments(AlertQuerySchema, location="query")
@blueprint.response(200, AlertListSchema)
@blueprint.doc(security=[{"bearer": []}])
def list_all(query):
    """Alerts the caller's role handles, most urgent and then oldest first (audited)."""
    db = get_db()
    found = list_alerts(db, get_vault(), role=current_staff().role, now=now(),
                        working_hours=get_alerting().working_hours, **query)
    audit.record(db, "alerts.list", patient_id=query.get("patient_id"),
                 details={"count": len(found), "status": query.get("status")})
    return {"alerts": found}


def handled(alert_id, action, change):
    """Load, check the role may handle it, apply `change(db, cipher)`, audit, answer."""
    db, vault, staff = get_db(), get_vault(), current_staff()
    with storage.write_transaction(db):
        row = lifecycle.load_alert(db, alert_id)
        if not may_handle(staff.role, row):
            raise Forbidden("This alert is for the care team.")
        cipher = vault.for_patient(db, row["patient_id"])
        row = change(db, cipher, staff)
        audit.record(db, action, patient_id=row["patient_id"], target=alert_id)
    return alert_view(row, cipher, entries_of(db, [alert_id]).get(alert_id, ()), now(),
                      get_alerting().working_hours)


def sealer(cipher, alert_id):
    return lambda column, value: (None if value is None
                                  else cipher.seal_json("alerts", alert_id, column, value))


@blueprint.route("/<alert_id>", methods=["GET"])
@require_staff(*HANDLERS)
@blueprint.response(200, AlertSchema)
@blueprint.doc(security=[{"bearer": []}])
def get_one(alert_id):
    """One alert with its evidence, note and family message (audited)."""
    return handled(alert_id, "alert.read", lambda db, cipher, staff: lifecycle.load_alert(
        db, alert_id))


@blueprint.route("/<alert_id>/acknowledge", methods=["POST"])
@require_staff(*HANDLERS)
@blueprint.arguments(AcknowledgeSchema)
@blueprint.response(200, AlertSchema)
@blueprint.doc(security=[{"bearer": []}])
def acknowledge(body, alert_id):
    """Someone is on it; an optional message reaches the family's app on its next pull."""
    def change(db, cipher, staff):
        seal = sealer(cipher, alert_id)
        row = lifecycle.acknowledge(db, alert_id, staff.username, now(),
                                    seal("family_message", body.get("message")))
        add_to_thread(db, cipher, row, "acknowledgement", staff.username, body.get("message"),
                      now())
        return row
    return handled(alert_id, "alert.acknowledge", change)


@blueprint.route("/<alert_id>/message", methods=["POST"])
@require_staff(*HANDLERS)
@blueprint.arguments(FamilyMessageSchema)
@blueprint.response(200, AlertSchema)
@blueprint.doc(security=[{"bearer": []}])
def message_family(body, alert_id):
    """Send the family a message: it joins the alert's thread (GET .../messages) and
    becomes the one message older apps show."""
    def change(db, cipher, staff):
        row = lifecycle.send_family_message(
            db, alert_id, sealer(cipher, alert_id)("family_message", body["message"]), now())
        add_to_thread(db, cipher, row, "message", staff.username, body["message"], now())
        return row
    return handled(alert_id, "alert.message", change)


@blueprint.route("/<alert_id>/snooze", methods=["POST"])
@require_staff(*HANDLERS)
@blueprint.arguments(SnoozeSchema)
@blueprint.response(200, AlertSchema)
@blueprint.doc(security=[{"bearer": []}])
def snooze(body, alert_id):
    """Hold escalation until a time (at most 24 h), with a reason; worse news still alerts."""
    def change(db, cipher, staff):
        return lifecycle.snooze(db, alert_id, staff.username, body["until"],
                                sealer(cipher, alert_id)("snooze_reason", body["reason"]),
                                now())
    return handled(alert_id, "alert.snooze", change)


@blueprint.route("/<alert_id>/resolve", methods=["POST"])
@require_staff(*HANDLERS)
@blueprint.arguments(ResolveSchema)
@blueprint.response(200, AlertSchema)
@blueprint.doc(security=[{"bearer": []}])
def resolve(body, alert_id):
    """Close the episode with an outcome; the next finding opens a new one."""
    def change(db, cipher, staff):
        seal = sealer(cipher, alert_id)
        row = lifecycle.resolve(db, alert_id, staff.username, body["outcome"],
                                seal("note", body.get("note")), now(),
                                seal("family_message", body.get("message")))
        add_to_thread(db, cipher, row, "resolution", staff.username, body.get("message"),
                      now())
        return row
    return handled(alert_id, "alert.resolve", change)
