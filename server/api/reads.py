"""The app's side of the message thread: the family app says which of the team's messages
about an alert were read, and when (docs/protocol.md, "Read receipts")."""
from flask import g
from marshmallow import Schema, fields, validate

from alerts.episodes import concerns_hidden_from
from alerts.messages import MAX_READ_IDS, mark_read
from sync.documents import Rfc3339

from ..storage import db as storage
from ..clock import to_wire
from ..web.context import get_db, now
from ..web.device_auth import require_device
from ..web.errors import NotFound
from .bodies import Blueprint

blueprint = Blueprint("reads", __name__, url_prefix="",
                      description="The companion app's read receipts for the team's messages.")


class ReadSchema(Schema):
    alert_id = fields.String(required=True, validate=validate.Length(1, 64))
    message_ids = fields.List(fields.String(validate=validate.Length(1, 64)), required=True,
                              validate=validate.Length(1, MAX_READ_IDS))
    read_at = Rfc3339(required=True, metadata={"type": "string", "format": "date-time"})


class ReadResultSchema(Schema):
    server_time = fields.String()
    alert_id = fields.String()
    read = fields.List(fields.String(), metadata={"description": "ids now marked read"})
    unknown = fields.List(fields.String(), metadata={
        "description": "ids that are not messages of this alert (nothing done with them)"})


@blueprint.route("/sync/read", methods=["POST"])
@require_device
@blueprint.arguments(ReadSchema)
@blueprint.response(200, ReadResultSchema)
@blueprint.doc(security=[{"bearer": []}])
def read_messages(body):
    """Mark messages of one of this family's alerts as read at `read_at` (kept at the first
    report; a time in the future counts as now). Safe to repeat."""
    db, moment, device = get_db(), now(), g.device
    row = db.execute("SELECT patient_id, concern FROM alerts WHERE id = ?",
                     [body["alert_id"]]).fetchone()
    # Another family's alert, or a caregiver's own one on the child's phone: as if absent.
    if (row is None or row[0] != device["patient_id"]
            or row[1] in concerns_hidden_from(device["respondent"])):
        raise NotFound(f"No alert {body['alert_id']} for this device.")
    with storage.write_transaction(db):
        marked, unknown = mark_read(db, body["alert_id"], body["message_ids"], body["read_at"],
                                    moment)
    return {"server_time": to_wire(moment), "alert_id": body["alert_id"], "read": marked,
            "unknown": unknown}
