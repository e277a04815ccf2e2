"""Registry exports over HTTP (admins only): the same files `homeward export registry`
writes, as one zip. Each export is audited with the registry and how many children."""
from flask import Response
from marshmallow import RAISE, Schema, ValidationError, validates_schema

from ..records import audit
from ..auth import require_staff
from ..web.context import get_config, get_db, get_vault, now
from ..web.errors import ErrorSchema
from ..records.registry.dataset import ExportProblem, check_request, check_since
from ..records.registry.files import build, zip_files
from .bodies import Blueprint
from .record_fields import CalendarDate

blueprint = Blueprint("registry", __name__, url_prefix="/registry-exports",
                      description="De-identified datasets for registries (admins only).")


class ExportQuerySchema(Schema):
    since = CalendarDate(metadata={"description": "only children infused on or after this "
                                                  "date (YYYY-MM-DD, not in the future)"})

    @validates_schema
    def since_is_past(self, data, **kwargs):
        try:
            check_since(data.get("since"), now().date())
        except ExportProblem as problem:
            raise ValidationError(problem.message.replace("--since", "since"), "since")


@blueprint.route("/<registry>", methods=["GET"])
@blueprint.doc(security=[{"bearer": []}])
@require_staff("admin")
@blueprint.arguments(ExportQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.response(200, content_type="application/zip", description=(
    "A zip of <site>-<registry>/: patients.csv, toxicity_summary.csv, toxicity_events.csv, "
    "follow_up.csv, scores.csv, data_dictionary.csv, bundle.json (FHIR R4) and "
    "manifest.json; the same bytes for the same data (docs/registry.md)."))
@blueprint.alt_response(400, schema=ErrorSchema, description="Not a registry code, or a "
                        "since that is not a past YYYY-MM-DD.")
@blueprint.alt_response(404, schema=ErrorSchema,
                        description="A registry HOMEWARD_REGISTRIES does not name.")
@blueprint.alt_response(401, schema=ErrorSchema, description="Not signed in.")
@blueprint.alt_response(403, schema=ErrorSchema, description="Not an admin.")
@blueprint.alt_response(409, schema=ErrorSchema,
                        description="HOMEWARD_SITE_CODE is not set, or the data folder "
                                    "has no pseudonym key yet (run `homeward init`).")
def export_registry(registry, since=None):
    """The de-identified dataset of the children whose families consented to `registry`
    (docs/registry.md)."""
    site_code = get_config().site_code
    check_request(registry, site_code, known=get_config().registries)
    db = get_db()
    count, files = build(db, get_vault(), registry=registry, site_code=site_code, since=since)
    audit.record(db, "registry.export", target=registry, details={
        "registry": registry, "patients": count, "site_code": site_code,
        "since": since.isoformat() if since else None, "files": sorted(files)})
    name = f"{site_code}-{registry}"
    return Response(zip_files(files, name), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}.zip"'})
