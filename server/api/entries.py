"""Clinic API: a patient's tasks, decrypted entries (one as FHIR) and trends. Every read of
entries is audited. Psychosocial staff see wellbeing only: quality-of-life and
caregiver-wellbeing entries and trends, never symptom entries (PROTOCOL.md, roles)."""
from datetime import timedelta

from alerts.ruleset import load_default_ruleset
from .bodies import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from questionnaires import UnknownQuestionnaireError, to_fhir_response

from ..records import audit
from ..records.alerting import visible_questionnaires
from ..auth import current_staff, require_staff
from ..web.context import get_alerting, get_catalog, get_db, get_schedule, get_vault, now
from ..records.entries import STATUSES, read_entries, read_entry, read_tasks
from ..web.errors import Forbidden, NotFound
from ..records.feed import refresh_patient_feed
from ..records.patients import patient_facts
from ..records.trends import MEASURES, trend
from .questionnaires import FHIR_JSON, FhirResourceSchema, fhir_response

blueprint = Blueprint("entries", __name__, url_prefix="/patients",
                      description="A patient's tasks, entries (decrypted, audited) and trends.")

CARE_TEAM = ("nurse", "physician")
READERS = ("nurse", "physician", "psychosocial")


class TaskQuerySchema(Schema):
    start = fields.AwareDateTime(data_key="from", format="iso",
                                 metadata={"description": "default: now - 1 day"})
    end = fields.AwareDateTime(data_key="to", format="iso",
                               metadata={"description": "default: now + 14 days"})

    @validates_schema
    def ordered(self, data, **kwargs):
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            raise ValidationError("Must be later than from.", "to")


class TaskSchema(Schema):
    task_id = fields.String()
    questionnaire_id = fields.String()
    questionnaire_version = fields.String()
    variant = fields.String(allow_none=True)
    respondent = fields.String()
    due_at = fields.String()
    closes_at = fields.String()
    state = fields.String(metadata={"description": "upcoming, open, completed or missed"})
    completed_by_entry = fields.String(allow_none=True,
                                       metadata={"description": "an accepted entry's id"})


class TaskListSchema(Schema):
    patient_id = fields.String()
    tasks = fields.List(fields.Nested(TaskSchema))


class EntryQuerySchema(Schema):
    questionnaire_id = fields.String(validate=validate.Length(1, 100))
    status = fields.String(validate=validate.OneOf(STATUSES))
    since = fields.AwareDateTime(format="iso", metadata={"description": "corrected time, "
                                                                          "inclusive"})
    until = fields.AwareDateTime(format="iso", metadata={"description": "corrected time, "
                                                                          "exclusive"})
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000))

    @validates_schema
    def ordered(self, data, **kwargs):
        if "since" in data and "until" in data and data["until"] <= data["since"]:
            raise ValidationError("Must be later than since.", "until")


class PatientEntrySchema(Schema):
    entry_id = fields.String()
    questionnaire_id = fields.String(allow_none=True)
    questionnaire_version = fields.String(allow_none=True)
    variant = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    respondent = fields.String()
    device_id = fields.String()
    status = fields.String(metadata={"description": "accepted or quarantined"})
    recorded_at = fields.String(allow_none=True, metadata={"description": "the device's clock"})
    received_at = fields.String()
    corrected_at = fields.String(metadata={"description": "recorded_at moved by the device's "
                                                          "clock offset; views sort by it"})
    clock_offset_seconds = fields.Float(allow_none=True)
    clock_differs = fields.Boolean(metadata={"description": "recorded and corrected times "
                                                            "differ by over two minutes"})
    reported_late_minutes = fields.Integer()
    answers = fields.Dict(metadata={"description": "the answers that passed validation"})
    scores = fields.Dict()
    problems = fields.List(fields.Dict(), metadata={"description": "why it is quarantined"})
    document = fields.String(allow_none=True, metadata={
        "description": "quarantined entries only: the text the phone sealed"})
    supersedes = fields.String(allow_none=True)
    superseded_by = fields.String(allow_none=True, metadata={
        "description": "the newer correction; superseded entries are left out of trends"})


class PatientEntryListSchema(Schema):
    patient_id = fields.String()
    entries = fields.List(fields.Nested(PatientEntrySchema))
    has_more = fields.Boolean(metadata={"description": "more entries match than limit; "
                                                       "narrow since/until to see them"})


class TrendQuerySchema(Schema):
    measure = fields.String(required=True, validate=validate.OneOf(
        list(MEASURES), error="Use one of: {choices}."))


class TrendPointSchema(Schema):
    at = fields.String(metadata={"description": "corrected time"})
    value = fields.Raw(metadata={"type": "number"})
    entry_id = fields.String()
    status = fields.String()
    method = fields.String(allow_none=True)
    fever_medicine_hours = fields.Raw(allow_none=True, metadata={"type": "number"})
    variant = fields.String(allow_none=True)
    baseline = fields.Raw(metadata={"type": "number"})
    respondent = fields.String()
    age_band = fields.String(allow_none=True)
    want_contact = fields.Boolean(allow_none=True)


class TrendSchema(Schema):
    measure = fields.String()
    unit = fields.String(metadata={"description": "UCUM"})
    points = fields.List(fields.Nested(TrendPointSchema))
    threshold_c = fields.Float(metadata={"description": "temperature: the fever line"})
    threshold_c_by_method = fields.Dict()
    baselines = fields.Dict(metadata={"description": "neuro_check: the first check of "
                                                     "each variant"})


def readable(questionnaire_id):
    allowed = visible_questionnaires(current_staff().role, get_alerting().settings.ruleset)
    if allowed is not None and questionnaire_id not in allowed:
        raise Forbidden("The psychosocial team reads wellbeing entries only: ask for "
                        f"questionnaire_id={' or '.join(allowed)}.",
                        details={"allowed_questionnaires": list(allowed)})


@blueprint.route("/<patient_id>/tasks", methods=["GET"])
@require_staff(*READERS)
@blueprint.arguments(TaskQuerySchema, location="query")
@blueprint.response(200, TaskListSchema)
@blueprint.doc(security=[{"bearer": []}])
def tasks(query, patient_id):
    """Tasks open at any time in the window, each with the entry that completed it."""
    db, moment = get_db(), now()
    start = query.get("start", moment - timedelta(days=1))
    end = query.get("end", moment + timedelta(days=14))
    patient = patient_facts(db, get_vault(), patient_id, moment)
    # The same top-up a device's pull does, so staff see the horizon even before it syncs.
    refresh_patient_feed(db, get_catalog(), get_schedule(), patient, moment,
                         get_alerting().rules_signature(db, patient["patient_id"],
                                                        patient["cipher"]))
    found = read_tasks(db, patient_id, start, end, moment,
                       visible_questionnaires(current_staff().role,
                                              get_alerting().settings.ruleset))
    audit.record(db, "tasks.read", patient_id=patient_id, details={"count": len(found)})
    return {"patient_id": patient_id, "tasks": found}


@blueprint.route("/<patient_id>/entries", methods=["GET"])
@require_staff(*READERS)
@blueprint.arguments(EntryQuerySchema, location="query")
@blueprint.response(200, PatientEntryListSchema)
@blueprint.doc(security=[{"bearer": []}])
def entries(query, patient_id):
    """Decrypted entries, newest first by corrected time (audited). Psychosocial staff must
    name questionnaire_id quality-of-life or caregiver-wellbeing."""
    readable(query.get("questionnaire_id"))
    db = get_db()
    cipher = patient_facts(db, get_vault(), patient_id, now())["cipher"]
    qid = query.get("questionnaire_id")
    found = read_entries(db, cipher, patient_id, questionnaire_ids=[qid] if qid else None,
                         status=query.get("status"), since=query.get("since"),
                         until=query.get("until"), limit=query["limit"] + 1)
    found, has_more = found[:query["limit"]], len(found) > query["limit"]
    audit.record(db, "entries.read", patient_id=patient_id,
                 details={"count": len(found), "questionnaire_id": qid})
    return {"patient_id": patient_id, "entries": [entry.view() for entry in found],
            "has_more": has_more}


@blueprint.route("/<patient_id>/entries/<entry_id>/fhir", methods=["GET"])
@require_staff(*CARE_TEAM)
@blueprint.response(200, FhirResourceSchema, content_type=FHIR_JSON,
                    description="A FHIR R4 QuestionnaireResponse with the valid answers")
@blueprint.doc(security=[{"bearer": []}])
def entry_fhir(patient_id, entry_id):
    """One entry as a FHIR R4 QuestionnaireResponse, authored at its corrected time, by the
    patient or a caregiver (audited)."""
    db = get_db()
    patient = patient_facts(db, get_vault(), patient_id, now())
    entry = read_entry(db, patient["cipher"], patient_id, entry_id)
    try:
        definition = get_catalog().get(entry.questionnaire_id, entry.version, entry.variant)
    except UnknownQuestionnaireError:
        raise NotFound(f"Entry {entry_id} names no questionnaire this server holds, so it "
                       "has no FHIR form; read it at /entries.",
                       details={"reason": "unknown_questionnaire"}) from None
    resource = to_fhir_response(definition, entry_id=entry_id, patient_id=patient_id,
                                respondent=entry.respondent, recorded_at=entry.corrected_at,
                                answers=entry.answers, device_id=entry.device_id,
                                language=patient["language"])
    audit.record(db, "entry.read_fhir", patient_id=patient_id, target=entry_id)
    return fhir_response(resource)


@blueprint.route("/<patient_id>/trends", methods=["GET"])
@require_staff(*READERS)
@blueprint.arguments(TrendQuerySchema, location="query")
@blueprint.response(200, TrendSchema)
@blueprint.doc(security=[{"bearer": []}])
def trends(query, patient_id):
    """A time series, oldest first on corrected time, corrections applied (audited)."""
    name = query["measure"]
    measure = MEASURES[name]
    if current_staff().role not in measure.roles:
        raise Forbidden(f"The measure {name} is for the role {' or '.join(measure.roles)}.",
                        details={"required_roles": list(measure.roles)})
    db = get_db()
    patient = patient_facts(db, get_vault(), patient_id, now())
    found = read_entries(db, patient["cipher"], patient_id,
                         questionnaire_ids=[measure.questionnaire_id], newest_first=False)
    # Until site settings and per-patient thresholds reach the server, the fever line is
    # the shipped rule set's, the same default the safety rules use.
    threshold = load_default_ruleset().defaults.get("fever_threshold_c")
    result = trend(name, found, patient, fever_threshold_c=threshold)
    audit.record(db, "trends.read", patient_id=patient_id,
                 details={"measure": name, "count": len(result["points"])})
    return result
