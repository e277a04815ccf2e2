"""Clinic API: patients. Every read of patient data is written to the audit log."""
import re

from .bodies import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..records import audit, patients
from ..auth import current_staff, require_staff
from ..web.context import get_config, get_db, get_vault, now
from ..records.zones import zone_problem
from .calls import ContactOutSchema, ContactSchema
from .devices import DeviceSchema, list_devices

blueprint = Blueprint("patients", __name__, url_prefix="/patients",
                      description="Patients: identity (sealed at rest), day 0, age band.")

CARE_TEAM = ("nurse", "physician")
CAN_SEE_PATIENTS = ("nurse", "physician", "psychosocial")
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}|-[0-9]{3})?$")


def known_timezone(value):
    problem = zone_problem(value)
    if problem:
        raise ValidationError(problem)


class PatientCreateSchema(Schema):
    display_name = fields.String(required=True, validate=validate.Length(1, 200))
    date_of_birth = fields.Date(required=True)
    infusion_date = fields.Date(required=True)
    timezone = fields.String(required=True, validate=known_timezone, metadata={
        "description": "IANA time zone of where the family lives, e.g. America/New_York; "
                       "fixed offsets and aliases (EST, EST5EDT, UTC, Etc/*, US/*) are "
                       "refused"})
    language = fields.String(required=True, validate=validate.Regexp(
        LANGUAGE_TAG, error="Use a language code such as en, es or es-MX."))
    mrn = fields.String(validate=validate.Length(1, 64), allow_none=True, metadata={
        "description": "the hospital's record number; required unless the site sets "
                       "HOMEWARD_REQUIRE_MRN=false, as on the New patient page"})
    product = fields.String(validate=validate.Length(1, 100), allow_none=True)
    contact = fields.String(validate=validate.Length(1, 500), allow_none=True)
    contacts = fields.List(fields.Nested(ContactSchema), validate=validate.Length(0, 6),
                           metadata={"description": "who to phone about the child; sealed"})

    @validates_schema
    def mrn_where_the_site_requires_it(self, data, **kwargs):
        # One rule for both doors: a patient created by an integration without an MRN
        # would escape the check the New patient page makes (docs/pages.md).
        mrn = data.get("mrn")
        if get_config().require_mrn and (mrn is None or not mrn.strip()):
            raise ValidationError("This site requires the child's MRN (hospital record "
                                  "number), so their pages match the hospital record; "
                                  "sites that enrol before one is issued set "
                                  "HOMEWARD_REQUIRE_MRN=false.", "mrn")

    @validates_schema
    def dates_make_sense(self, data, **kwargs):
        birth, infusion = data.get("date_of_birth"), data.get("infusion_date")
        if birth and birth.year < 1900:
            raise ValidationError("The date of birth is before 1900.", "date_of_birth")
        if birth and infusion and infusion < birth:
            raise ValidationError("The infusion date is before the date of birth.",
                                  "infusion_date")
        today = now().date()
        if birth and birth > today:
            raise ValidationError("The date of birth is in the future.", "date_of_birth")
        if infusion and (infusion - today).days > 366:
            raise ValidationError("The infusion date is more than a year ahead.",
                                  "infusion_date")


class PatientSchema(Schema):
    patient_id = fields.String()
    status = fields.String(metadata={"description": "active or erased"})
    display_name = fields.String(allow_none=True)
    date_of_birth = fields.String(allow_none=True)
    mrn = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    contacts = fields.List(fields.Nested(ContactOutSchema))
    infusion_date = fields.String()
    timezone = fields.String()
    language = fields.String()
    product = fields.String(allow_none=True)
    age_years = fields.Integer(allow_none=True)
    age_band = fields.String(allow_none=True)
    day_post_infusion = fields.Integer(
        metadata={"description": "Days since the infusion date in the patient's timezone"})
    created_at = fields.String()
    erased_at = fields.String(allow_none=True)


class PatientDetailSchema(PatientSchema):
    devices = fields.List(fields.Nested(DeviceSchema))


class PatientListSchema(Schema):
    patients = fields.List(fields.Nested(PatientSchema))


class PatientListQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(["active", "erased"]))


@blueprint.route("", methods=["POST"])
@require_staff(*CARE_TEAM)
@blueprint.arguments(PatientCreateSchema)
@blueprint.response(201, PatientSchema)
@blueprint.doc(security=[{"bearer": []}])
def create(body):
    """Create a patient; identifiers are sealed with a new per-patient key."""
    db = get_db()
    patient_id = patients.create_patient(db, get_vault(), created_by=current_staff().id,
                                         now=now(), **body)
    audit.record(db, "patient.create", patient_id=patient_id)
    return patients.get_patient(db, get_vault(), patient_id, now())


@blueprint.route("", methods=["GET"])
@require_staff(*CAN_SEE_PATIENTS)
@blueprint.arguments(PatientListQuerySchema, location="query")
@blueprint.response(200, PatientListSchema)
@blueprint.doc(security=[{"bearer": []}])
def list_all(query):
    """All patients, newest infusion first (this read is audited)."""
    db = get_db()
    found = patients.list_patients(db, get_vault(), now(), status=query.get("status"))
    audit.record(db, "patient.list", details={"count": len(found)})
    return {"patients": found}


@blueprint.route("/<patient_id>", methods=["GET"])
@require_staff(*CAN_SEE_PATIENTS)
@blueprint.response(200, PatientDetailSchema)
@blueprint.doc(security=[{"bearer": []}])
def get_one(patient_id):
    """One patient with age band, day post infusion and devices (this read is audited)."""
    db = get_db()
    patient = patients.get_patient(db, get_vault(), patient_id, now())
    cipher = (get_vault().for_patient(db, patient_id) if patient["status"] == "active"
              else None)
    audit.record(db, "patient.read", patient_id=patient_id)
    return {**patient, "devices": list_devices(db, cipher, patient_id)}
