"""Clinic API: enrolment codes for a patient's family, their devices, revoking a device."""
from urllib.parse import urlencode

import segno
from .bodies import Blueprint
from marshmallow import Schema, fields, validate

from sync.enrolment import RESPONDENTS, create_code, revoke_device

from ..records import audit
from ..storage import db as storage
from ..auth import current_staff, require_staff
from ..clock import from_db, to_wire
from ..web.context import get_config, get_db, get_vault, now
from ..web.errors import NotFound
from ..records.patients import read_patient_row

blueprint = Blueprint("devices", __name__, url_prefix="",
                      description="Enrolling and revoking a family's devices.")

CARE_TEAM = ("nurse", "physician")
MANAGES_DEVICES = ("nurse", "physician", "admin")


class EnrollmentRequestSchema(Schema):
    respondent = fields.String(required=True, validate=validate.OneOf(RESPONDENTS))


class EnrollmentSchema(Schema):
    code = fields.String(metadata={"description": "12 characters, shown as XXXX-XXXX-XXXX"})
    expires_at = fields.String()
    respondent = fields.String()
    qr_svg = fields.String(metadata={"description": "the family app link as an SVG QR code"})
    app_link = fields.String(metadata={"description": "what the QR code holds: the family "
                                       "app at this server, with the code filled in"})
    enrol_uri = fields.String(metadata={"description": "the same for native apps: "
                                        "homeward:enrol?server=…&code=…"})


class DeviceSchema(Schema):
    device_id = fields.String()
    respondent = fields.String()
    device_name = fields.String(allow_none=True)
    platform = fields.String()
    app_version = fields.String(allow_none=True)
    enrolled_at = fields.String()
    revoked_at = fields.String(allow_none=True)
    last_sync_at = fields.String(allow_none=True)
    last_seen_at = fields.String(allow_none=True)
    outbox_pending = fields.Integer(allow_none=True)
    clock_offset_seconds = fields.Float(allow_none=True)


class DeviceListSchema(Schema):
    devices = fields.List(fields.Nested(DeviceSchema))


def enrol_uri(base_url: str, code: str) -> str:
    """The QR code carries the server's address too, so a parent scans once and is done."""
    return "homeward:enrol?" + urlencode({"server": base_url, "code": code})


def app_link(base_url: str, code: str) -> str:
    """A phone camera opens an https link in the browser, so the QR code holds the family
    app's address with the code in the fragment (never sent to a server or a log)."""
    return base_url.rstrip("/") + "/app/#enrol=" + code


def list_devices(db, cipher, patient_id) -> list[dict]:
    rows = db.query("SELECT * FROM devices WHERE patient_id = ? ORDER BY enrolled_at",
                    [patient_id])
    return [{
        "device_id": row["id"], "respondent": row["respondent"],
        "device_name": cipher.open_text("devices", row["id"], "device_name",
                                        row["device_name"]) if cipher else None,
        "platform": row["platform"], "app_version": row["app_version"],
        "enrolled_at": to_wire(from_db(row["enrolled_at"])),
        "revoked_at": to_wire(from_db(row["revoked_at"])),
        "last_sync_at": to_wire(from_db(row["last_sync_at"])),
        "last_seen_at": to_wire(from_db(row["last_seen_at"])),
        "outbox_pending": row["outbox_pending"],
        "clock_offset_seconds": row["clock_offset_seconds"],
    } for row in rows]


@blueprint.route("/patients/<patient_id>/enrollments", methods=["POST"])
@require_staff(*CARE_TEAM)
@blueprint.arguments(EnrollmentRequestSchema)
@blueprint.response(201, EnrollmentSchema)
@blueprint.doc(security=[{"bearer": []}])
def create_enrollment(body, patient_id):
    """A one-time enrolment code for the family's app (single use, expires in 72 h)."""
    db, moment = get_db(), now()
    row = read_patient_row(db, patient_id)
    if row["status"] != "active":
        raise NotFound(f"Patient {patient_id} was erased; no device can be enrolled.")
    with storage.write_transaction(db):
        code, expires_at = create_code(db, patient_id, body["respondent"],
                                       current_staff().id, moment)
        audit.record(db, "enrollment.create", patient_id=patient_id,
                     details={"respondent": body["respondent"]})
    base_url = get_config().public_url
    link = app_link(base_url, code)
    return {"code": code, "expires_at": to_wire(expires_at), "respondent": body["respondent"],
            "app_link": link, "enrol_uri": enrol_uri(base_url, code),
            "qr_svg": segno.make(link, error="m").svg_inline(scale=4)}


@blueprint.route("/patients/<patient_id>/devices", methods=["GET"])
@require_staff(*MANAGES_DEVICES)
@blueprint.response(200, DeviceListSchema)
@blueprint.doc(security=[{"bearer": []}])
def devices_of_patient(patient_id):
    """The family's devices with last sync, app version and outbox backlog."""
    db = get_db()
    read_patient_row(db, patient_id)
    cipher = None if current_staff().role == "admin" else get_vault().for_patient(db, patient_id)
    audit.record(db, "devices.read", patient_id=patient_id)
    return {"devices": list_devices(db, cipher, patient_id)}


@blueprint.route("/devices/<device_id>", methods=["DELETE"])
@require_staff(*MANAGES_DEVICES)
@blueprint.response(204)
@blueprint.doc(security=[{"bearer": []}])
def revoke(device_id):
    """Revoke a device: its token stops working at once (401 device_revoked)."""
    db = get_db()
    found = db.execute("SELECT patient_id FROM devices WHERE id = ?", [device_id]).fetchone()
    if found is None:
        raise NotFound(f"No device has the id {device_id}.")
    with storage.write_transaction(db):
        revoke_device(db, device_id, current_staff().id, now())
        audit.record(db, "device.revoke", patient_id=found[0], target=device_id)
    return ""
