"""Authenticating the family's phone: a device token, stored only as a hash."""
from datetime import timedelta
from functools import wraps

from flask import g, request

from sync.enrolment import find_device_by_token

from ..clock import from_db, to_db
from .context import get_db, now
from .errors import ApiError, Unauthorized

SEEN_GRANULARITY = timedelta(minutes=1)


class DeviceRevoked(ApiError):
    status, code = 401, "device_revoked"


def require_device(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Send the device token as `Authorization: Bearer <token>`.")
        db = get_db()
        device = find_device_by_token(db, token.strip())
        if device is None:
            raise Unauthorized("This device token is not known; enrol the device again.")
        if device["revoked_at"] is not None:
            raise DeviceRevoked("The care team revoked this device's enrolment. Keep the "
                                "unsent entries and ask the team for a new enrolment code.")
        g.device = device
        note_seen(db, device)
        return view(*args, **kwargs)

    return wrapper


def note_seen(db, device):
    """At most one write a minute per device: a pull that only reads stays a read."""
    moment = now()
    seen = from_db(device["last_seen_at"])
    app_version = request.headers.get("Homeward-App-Version", "")[:50] or device["app_version"]
    if seen is None or moment - seen >= SEEN_GRANULARITY or app_version != device["app_version"]:
        db.execute("UPDATE devices SET last_seen_at = ?, app_version = ? WHERE id = ?",
                   [to_db(moment), app_version, device["id"]])
        device["app_version"] = app_version
