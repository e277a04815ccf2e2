"""Clinic API: the instruments this server knows (shipped and site-added), as definitions
and as FHIR R4 Questionnaires. No patient data here, so nothing to audit."""
import json

from flask import Response, current_app
from .bodies import Blueprint
from marshmallow import INCLUDE, Schema, fields, validate

from questionnaires import UnknownQuestionnaireError, to_fhir_questionnaire
from questionnaires.languages import LANGUAGE_TAG
from questionnaires.schemas import DefinitionSchema, dump_definition

from ..auth import require_staff
from ..web.context import get_catalog
from ..web.errors import NotFound

blueprint = Blueprint("questionnaires", __name__, url_prefix="/questionnaires",
                      description="Instrument definitions: every variant and version held.")

FHIR_JSON = "application/fhir+json"


class AgeRangeSchema(Schema):
    min = fields.Integer(metadata={"description": "youngest age in completed years"})
    max = fields.Integer(allow_none=True,
                         metadata={"description": "first age no longer covered; null: none"})


class QuestionnaireSummarySchema(Schema):
    id = fields.String()
    variant = fields.String()
    version = fields.String()
    status = fields.String(metadata={"description": "active, or retired (kept to read old "
                                                    "entries)"})
    respondent = fields.String(metadata={"description": "caregiver or patient"})
    age = fields.Nested(AgeRangeSchema)
    languages = fields.List(fields.String())
    title = fields.Dict(keys=fields.String(), values=fields.String(),
                        metadata={"description": "language -> title"})


class QuestionnaireListSchema(Schema):
    questionnaires = fields.List(fields.Nested(QuestionnaireSummarySchema))


class DefinitionQuerySchema(Schema):
    language = fields.String(validate=validate.Regexp(
        LANGUAGE_TAG, error="Use a language code such as en, es or es-MX."), metadata={
        "description": "only this language's texts (falling back as the app does, to en)"})


class FhirResourceSchema(Schema):
    """The outline only: the body is a whole FHIR R4 resource (hl7.org/fhir/R4)."""

    class Meta:
        # Documented as open (additionalProperties: true): the resource has many more fields.
        unknown = INCLUDE

    resourceType = fields.String()
    id = fields.String()
    status = fields.String()


def summary(definition) -> dict:
    return {"id": definition.id, "variant": definition.variant,
            "version": definition.version, "status": definition.status,
            "respondent": definition.respondent,
            "age": {"min": definition.age_min, "max": definition.age_max},
            "languages": list(definition.languages), "title": dict(definition.title)}


def find(questionnaire_id, variant, version):
    try:
        return get_catalog().get(questionnaire_id, version, variant)
    except UnknownQuestionnaireError:
        raise NotFound(f"No questionnaire {questionnaire_id}, variant {variant}, version "
                       f"{version}; GET /api/v1/questionnaires lists those held.") from None


@blueprint.route("", methods=["GET"])
@require_staff()
@blueprint.response(200, QuestionnaireListSchema)
@blueprint.doc(security=[{"bearer": []}])
def list_all():
    """Every definition held, by id, variant and version, retired ones included."""
    return {"questionnaires": [summary(definition) for definition in get_catalog()]}


@blueprint.route("/<questionnaire_id>/<variant>/<version>", methods=["GET"])
@require_staff()
@blueprint.arguments(DefinitionQuerySchema, location="query")
@blueprint.response(200, DefinitionSchema)
@blueprint.doc(security=[{"bearer": []}])
def get_one(query, questionnaire_id, variant, version):
    """The full definition document, as the pull feed sends it to apps."""
    document = dump_definition(find(questionnaire_id, variant, version), query.get("language"))
    # Already dumped by DefinitionSchema (plus the language cut), so it goes out as it is.
    return current_app.json.response(document)


@blueprint.route("/<questionnaire_id>/<variant>/<version>/fhir", methods=["GET"])
@require_staff()
@blueprint.response(200, FhirResourceSchema, content_type=FHIR_JSON,
                    description="A FHIR R4 Questionnaire; Homeward-only facts ride in "
                                "extensions, so importing it gives back the definition.")
@blueprint.doc(security=[{"bearer": []}])
def get_fhir(questionnaire_id, variant, version):
    """The definition as a FHIR R4 Questionnaire resource."""
    resource = to_fhir_questionnaire(find(questionnaire_id, variant, version))
    return fhir_response(resource)


def fhir_response(resource) -> Response:
    return Response(json.dumps(resource, ensure_ascii=False), mimetype=FHIR_JSON)
