"""Staff bearer tokens for scripts and integrations: get one, drop one, see who it is."""
from flask import g
from .bodies import Blueprint
from marshmallow import Schema, fields, validate

from ..records.audit import record
from ..auth import attempt_login, current_staff, require_staff
from ..auth.passwords import MAX_LENGTH
from ..auth.tokens import issue_token, revoke_token
from ..clock import to_wire
from ..web.context import get_config, get_db, now
from ..web.errors import ErrorSchema, InvalidRequest

blueprint = Blueprint("auth", __name__, url_prefix="/auth",
                      description="Staff sign-in for the clinic API.")
BEARER = [{"bearer": []}]


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={
        "description": "Send as 'Authorization: Bearer <token>'. Shown only this once."})
    expires_at = fields.String(required=True, metadata={"description": "RFC 3339."})


class StaffUserSchema(Schema):
    id = fields.String(required=True)
    username = fields.String(required=True)
    role = fields.String(required=True)


@blueprint.route("/token", methods=["POST"])
@blueprint.arguments(TokenRequestSchema, location="json")
@blueprint.response(200, TokenSchema)
@blueprint.alt_response(401, schema=ErrorSchema, description="Wrong username or password.")
@blueprint.alt_response(415, schema=ErrorSchema,
                        description="The body was not sent as Content-Type: application/json.")
@blueprint.alt_response(429, schema=ErrorSchema,
                        description="Too many failed attempts; see Retry-After.")
def create_token(body):
    """Get a staff bearer token.

    Failed attempts are counted per username and per client address: after a few each
    answer is slowed, and after more the answer is 429 until the window passes.
    """
    db = get_db()
    user = attempt_login(db, body["username"], body["password"])
    token, expires_at = issue_token(db, user.id, get_config(), now())
    record(db, "auth.token_issued", target=user.id)
    return {"token": token, "expires_at": to_wire(expires_at)}


@blueprint.route("/token", methods=["DELETE"])
@blueprint.doc(security=BEARER)
@require_staff()
@blueprint.response(204)
@blueprint.alt_response(401, schema=ErrorSchema, description="No valid staff token sent.")
def delete_token():
    """Revoke the bearer token this request was sent with."""
    token = g.get("staff_token")
    if token is None:
        raise InvalidRequest("Send the bearer token to revoke in the Authorization header; "
                             "to sign out of the web pages, use Sign out.")
    db = get_db()
    revoke_token(db, token, now())
    record(db, "auth.token_revoked", target=current_staff().id)
    return ""


@blueprint.route("/me", methods=["GET"])
@blueprint.doc(security=BEARER)
@require_staff()
@blueprint.response(200, StaffUserSchema)
@blueprint.alt_response(401, schema=ErrorSchema, description="Not signed in.")
def me():
    """The staff member the token or session belongs to."""
    staff = current_staff()
    return {"id": staff.id, "username": staff.username, "role": staff.role}
