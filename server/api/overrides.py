"""Clinic API: a physician's per-patient rule overrides (CLINICAL.md: "per-patient
thresholds set by a physician"), e.g. a known baseline tremor that should not alert, with
the reason, audited. The family's app receives the changed rules on its next pull."""
from .bodies import Blueprint
from marshmallow import Schema, fields, validate

from alerts.ruleset import RulesError, checked_patient_overrides

from ..records import audit
from ..storage import db as storage
from ..auth import current_staff, require_staff
from ..clock import from_db, to_db, to_wire
from ..web.context import get_alerting, get_db, get_vault, now
from ..web.errors import InvalidRequest, NotFound
from ..records.patients import read_patient_row

blueprint = Blueprint("overrides", __name__, url_prefix="/patients",
                      description="Per-patient safety-rule overrides set by physicians.")

CLINICIANS = ("nurse", "physician")


class OverrideRequestSchema(Schema):
    overrides = fields.Dict(required=True, metadata={
        "description": "{\"parameters\": {...}, \"baseline_signs\": {...}, "
                       "\"always_report_signs\": {...}} (docs/rules.md)"})
    reason = fields.String(required=True, validate=validate.Length(3, 1000))


class OverrideSchema(Schema):
    override_id = fields.Integer()
    overrides = fields.Dict()
    reason = fields.String(allow_none=True)
    set_by = fields.String()
    set_at = fields.String()
    ended_at = fields.String(allow_none=True)
    ended_by = fields.String(allow_none=True)


class OverrideHistorySchema(Schema):
    current = fields.Nested(OverrideSchema, allow_none=True)
    history = fields.List(fields.Nested(OverrideSchema))


def describe(row, cipher):
    return {"override_id": row["id"],
            "overrides": cipher.open_json("patient_rule_overrides", str(row["id"]),
                                          "overrides", row["overrides"]),
            "reason": cipher.open_json("patient_rule_overrides", str(row["id"]), "reason",
                                       row["reason"]) if row["reason"] else None,
            "set_by": row["set_by"], "set_at": to_wire(from_db(row["set_at"])),
            "ended_at": to_wire(from_db(row["ended_at"])), "ended_by": row["ended_by"]}


def history(db, patient_id):
    cipher = get_vault().for_patient(db, patient_id)
    rows = [describe(row, cipher) for row in db.query(
        "SELECT * FROM patient_rule_overrides WHERE patient_id = ? ORDER BY id DESC",
        [patient_id])]
    current = next((row for row in rows if row["ended_at"] is None), None)
    return {"current": current, "history": rows}


def end_current(db, patient_id, who, moment):
    db.execute("UPDATE patient_rule_overrides SET ended_at = ?, ended_by = ? "
               "WHERE patient_id = ? AND ended_at IS NULL", [to_db(moment), who, patient_id])


@blueprint.route("/<patient_id>/rule-overrides", methods=["GET"])
@require_staff(*CLINICIANS)
@blueprint.response(200, OverrideHistorySchema)
@blueprint.doc(security=[{"bearer": []}])
def get_overrides(patient_id):
    """The override in force and the history of earlier ones."""
    db = get_db()
    read_patient_row(db, patient_id)
    audit.record(db, "rule_overrides.read", patient_id=patient_id)
    return history(db, patient_id)


@blueprint.route("/<patient_id>/rule-overrides", methods=["PUT"])
@require_staff("physician")
@blueprint.arguments(OverrideRequestSchema)
@blueprint.response(200, OverrideHistorySchema)
@blueprint.doc(security=[{"bearer": []}])
def set_overrides(body, patient_id):
    """Replace this child's overrides (physicians only); checked against the rule set."""
    db, moment, staff = get_db(), now(), current_staff()
    read_patient_row(db, patient_id)
    try:
        checked = checked_patient_overrides(get_alerting().settings.ruleset, body["overrides"])
    except (RulesError, ValueError) as error:
        raise InvalidRequest(f"These overrides do not fit the rules: {error}",
                             details={"fields": {"overrides": [str(error)]}}) from None
    cipher = get_vault().for_patient(db, patient_id)
    with storage.write_transaction(db):
        end_current(db, patient_id, staff.username, moment)
        # Sealed values name their row, so the row comes first, with nothing in it yet.
        row_id = db["patient_rule_overrides"].insert({
            "patient_id": patient_id, "overrides": b"", "set_by": staff.username,
            "set_at": to_db(moment)}).last_pk
        db["patient_rule_overrides"].update(row_id, {
            "overrides": cipher.seal_json("patient_rule_overrides", str(row_id), "overrides",
                                          checked),
            "reason": cipher.seal_json("patient_rule_overrides", str(row_id), "reason",
                                       body["reason"])})
        # The kind of change only: the overrides themselves are clinical facts.
        audit.record(db, "rule_overrides.set", patient_id=patient_id, target=str(row_id),
                     details={"sections": sorted(key for key, value in checked.items()
                                                if value)})
    return history(db, patient_id)


@blueprint.route("/<patient_id>/rule-overrides", methods=["DELETE"])
@require_staff("physician")
@blueprint.response(200, OverrideHistorySchema)
@blueprint.doc(security=[{"bearer": []}])
def end_overrides(patient_id):
    """Back to the site's rules for this child."""
    db, moment = get_db(), now()
    read_patient_row(db, patient_id)
    if db["patient_rule_overrides"].count_where("patient_id = ? AND ended_at IS NULL",
                                                [patient_id]) == 0:
        raise NotFound(f"Patient {patient_id} has no override in force.")
    with storage.write_transaction(db):
        end_current(db, patient_id, current_staff().username, moment)
        audit.record(db, "rule_overrides.end", patient_id=patient_id)
    return history(db, patient_id)
