"""Reading the audit log (admins only)."""
from .bodies import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from ..records import audit
from ..auth import require_staff
from ..web.context import get_db
from ..web.errors import ErrorSchema

blueprint = Blueprint("audit", __name__, url_prefix="/audit",
                      description="Who read or changed what, when (admins only).")


class AuditQuerySchema(Schema):
    patient_id = fields.String(validate=validate.Length(min=1, max=100))
    actor = fields.String(validate=validate.Length(min=1, max=100),
                          metadata={"description": "A staff username."})
    action = fields.String(validate=validate.Length(min=1, max=100))
    since = fields.AwareDateTime(metadata={"description": "RFC 3339; events at or after."})
    until = fields.AwareDateTime(metadata={"description": "RFC 3339; events before."})
    # Bounded by SQLite's INTEGER: a larger number is a 400, not an OverflowError (500).
    before = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1),
                            metadata={"description": "The next_before of the previous page."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AuditEventSchema(Schema):
    at = fields.String()
    actor_username = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    action = fields.String()
    patient_id = fields.String(allow_none=True)
    target = fields.String(allow_none=True)
    client_address = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    details = fields.Dict()


class AuditPageSchema(Schema):
    events = fields.List(fields.Nested(AuditEventSchema))
    next_before = fields.Integer(allow_none=True, metadata={
        "description": "Pass as `before` for older events; null on the last page."})


@blueprint.route("", methods=["GET"])
@blueprint.doc(security=[{"bearer": []}])
@require_staff("admin")
# A misspelt filter must not quietly return the whole log.
@blueprint.arguments(AuditQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@blueprint.response(200, AuditPageSchema)
@blueprint.alt_response(401, schema=ErrorSchema, description="Not signed in.")
@blueprint.alt_response(403, schema=ErrorSchema, description="Not an admin.")
def read_audit_log(limit, **filters):
    """Audit events, newest first. Reading the log is itself recorded ("audit.read")."""
    db = get_db()
    events, next_before = audit.query(db, limit=limit, **filters)
    audit.record(db, "audit.read", details={
        name: (value.isoformat() if hasattr(value, "isoformat") else value)
        for name, value in filters.items()})
    return {"events": events, "next_before": next_before}
