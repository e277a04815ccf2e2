"""Clinic API: a child's clinical profile (diagnosis, organs involved before CAR T,
product, lymphodepletion, sex at birth, registry consents). Physicians edit it; the care
team reads it. Audited by field name only: the audit log holds no clinical facts."""
import re
from datetime import date

from .bodies import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..records import audit
from ..auth import current_staff, require_staff
from ..web.context import get_config, get_db, get_vault, now
from ..web.errors import InvalidRequest
from .record_fields import CalendarDate, Text, each_once
from ..records.patients import read_patient_row
from ..records import profiles
from ..records.vocabulary import (CAR_TARGETS, DIAGNOSES, LYMPHODEPLETION, ORGANS,
                                  SEX_AT_BIRTH)

blueprint = Blueprint("profiles", __name__, url_prefix="/patients",
                      description="The clinical profile a physician records for a child.")

CARE_TEAM = ("nurse", "physician")
REGISTRY_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,31}$")
# Free text that must name something when the code says "other".
NAMED_BY = {"diagnosis": "diagnosis_text", "car_target": "car_target_text",
            "lymphodepletion": "lymphodepletion_text"}


class ConsentSchema(Schema):
    registry = fields.String(required=True, validate=validate.Regexp(
        REGISTRY_NAME, error="A registry code such as ebmt or cibmtr: lower case letters, "
                             "digits, - and _."))
    consented_on = CalendarDate(required=True)


def text(limit):
    return Text(limit)


class ProfileSchema(Schema):
    diagnosis = fields.String(required=True, validate=validate.OneOf(list(DIAGNOSES)))
    diagnosis_text = text(200)
    organs_involved = fields.List(fields.String(validate=validate.OneOf(list(ORGANS))),
                                  required=True, validate=each_once,
                                  metadata={"description": "before CAR T"})
    product_name = text(200)
    car_target = fields.String(required=True, validate=validate.OneOf(list(CAR_TARGETS)))
    car_target_text = text(100)
    lymphodepletion = fields.String(load_default=None, allow_none=True,
                                    validate=validate.OneOf(list(LYMPHODEPLETION)))
    lymphodepletion_text = text(200)
    sex_at_birth = fields.String(load_default=None, allow_none=True,
                                 validate=validate.OneOf(list(SEX_AT_BIRTH)))
    registry_consents = fields.List(fields.Nested(ConsentSchema), load_default=list)

    @validates_schema
    def others_are_named(self, data, **kwargs):
        for code, named in NAMED_BY.items():
            if data.get(code) == "other" and not (data.get(named) or "").strip():
                raise ValidationError(f"Say which, since {code} is 'other'.", named)
        registries = [c["registry"] for c in data.get("registry_consents") or []]
        if len(registries) != len(set(registries)):
            raise ValidationError("Name each registry once.", "registry_consents")
        known = get_config().registries
        for consent in data.get("registry_consents") or []:
            if consent["registry"] not in known:
                raise ValidationError(
                    f"{consent['registry']} is not a registry this site shares with (it "
                    f"knows {', '.join(known)}; HOMEWARD_REGISTRIES adds others).",
                    "registry_consents")
            if consent["consented_on"] > now().date():
                raise ValidationError("A consent date is in the future.", "registry_consents")


class ProfileOutSchema(ProfileSchema):
    profile_id = fields.Integer()
    recorded_by = fields.String()
    recorded_at = fields.String()
    superseded_at = fields.String(allow_none=True)
    registry_consents = fields.List(fields.Dict())


class ProfileHistorySchema(Schema):
    current = fields.Nested(ProfileOutSchema, allow_none=True)
    history = fields.List(fields.Nested(ProfileOutSchema))


def history(db, patient_id):
    cipher = get_vault().for_patient(db, patient_id)
    versions = profiles.profile_history(db, cipher, patient_id)
    current = versions[0] if versions and versions[0]["superseded_at"] is None else None
    return {"current": current, "history": versions}


def save(db, patient_id, body):
    """Shared with the page form: the same domain step and the same audit row."""
    row = read_patient_row(db, patient_id)
    cipher = get_vault().for_patient(db, patient_id)
    birth = cipher.open_text("patients", patient_id, "date_of_birth", row["date_of_birth"])
    for consent in body.get("registry_consents") or []:
        if birth and consent["consented_on"] < date.fromisoformat(birth):
            message = (f"The consent to {consent['registry']} is dated before the child was "
                       "born.")
            raise InvalidRequest(message, details={"fields": {"registry_consents": [message]}})
    profile, changed = profiles.save_profile(db, cipher, patient_id, body,
                                             recorded_by=current_staff().username, now=now())
    audit.record(db, "profile.set", patient_id=patient_id, target=str(profile["profile_id"]),
                 details={"fields": changed})
    return profile


@blueprint.route("/<patient_id>/profile", methods=["GET"])
@require_staff(*CARE_TEAM)
@blueprint.response(200, ProfileHistorySchema)
@blueprint.doc(security=[{"bearer": []}])
def get_profile(patient_id):
    """The profile in force (null before one is recorded) and every earlier version."""
    db = get_db()
    read_patient_row(db, patient_id)
    audit.record(db, "profile.read", patient_id=patient_id)
    return history(db, patient_id)


@blueprint.route("/<patient_id>/profile", methods=["PUT"])
@require_staff("physician")
@blueprint.arguments(ProfileSchema)
@blueprint.response(200, ProfileHistorySchema)
@blueprint.doc(security=[{"bearer": []}])
def put_profile(body, patient_id):
    """Record the profile (physicians only); the earlier version is kept as history."""
    db = get_db()
    save(db, patient_id, body)
    return history(db, patient_id)
