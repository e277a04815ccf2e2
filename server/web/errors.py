"""Every failure leaves Homeward as the JSON envelope of PROTOCOL.md, from this one module.

Domain rooms don't import Flask or this module: their exceptions carry `status`, `code` and a
message, and `to_response` turns anything shaped like that into the envelope.
"""
import logging

from flask import g, jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

log = logging.getLogger("homeward.errors")

HTTP_CODES = {
    400: ("invalid_request", "The request is not valid."),
    401: ("unauthorized", "Sign in, or send a valid bearer token."),
    403: ("forbidden", "You are not allowed to do that."),
    404: ("not_found", "Nothing is here; check the address."),
    405: ("method_not_allowed", "That method is not allowed on this address."),
    409: ("conflict", "That conflicts with the current state."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body with the header "
                                    "Content-Type: application/json."),
    422: ("invalid_request", "The request is not valid."),
    429: ("rate_limited", "Too many attempts; wait and try again."),
    500: ("internal_error", "Something went wrong on our side; it has been logged."),
}


class ApiError(Exception):
    """An error a client can act on: an HTTP status, a stable code and a sentence."""

    status = 400
    code = "invalid_request"

    def __init__(self, message, *, details=None, headers=None, status=None, code=None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.headers = headers or {}
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class InvalidRequest(ApiError):
    status, code = 400, "invalid_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class RateLimited(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, message, *, retry_after_seconds, details=None):
        seconds = max(1, int(retry_after_seconds + 0.999))
        super().__init__(message, details={**(details or {}), "retry_after_seconds": seconds},
                         headers={"Retry-After": str(seconds)})


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(Schema):
    """The error envelope of PROTOCOL.md."""

    error = fields.Nested(ErrorBodySchema, required=True)


def envelope(status, code, message, details=None, headers=None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_exception(error: HTTPException):
    # PROTOCOL.md: malformed JSON, wrong types and missing fields are all a 400.
    status = 400 if error.code == 422 else (error.code or 500)
    code, message = HTTP_CODES.get(error.code or 500, ("invalid_request" if status < 500
                                            else "internal_error", error.description))
    details = {}
    data = getattr(error, "data", None) or {}
    # webargs puts marshmallow's messages here: {"json": {"field": ["why"]}}
    messages = data.get("messages") if isinstance(data, dict) else None
    if messages:
        fields_in_error = {}
        for location_errors in messages.values():
            if isinstance(location_errors, dict):
                fields_in_error.update(location_errors)
            else:
                fields_in_error["_body"] = location_errors
        if fields_in_error == {"_body": ["Invalid JSON body."]}:
            message = "The body is not valid JSON."
        else:
            details["fields"] = fields_in_error
            named = ", ".join(sorted(str(name) for name in fields_in_error))
            message = f"Check these fields: {named}."
    if status == 413:
        details = {"max_bytes": g.get("max_request_bytes"), "max_entries": 500}
        message = "The request body is larger than the server accepts; send smaller batches."
    headers = dict(data.get("headers") or {}) if isinstance(data, dict) else {}
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return envelope(status, code, message, details, headers)


def from_domain_error(error):
    return envelope(error.status, error.code, error.message if hasattr(error, "message")
                    else str(error), getattr(error, "details", None),
                    getattr(error, "headers", None))


def from_unexpected(error):
    log.exception("unhandled error in request %s", g.get("request_id"), exc_info=error)
    return envelope(500, "internal_error",
                    "Something went wrong on our side; it has been logged with request id "
                    f"{g.get('request_id')}.", {"request_id": g.get("request_id")})


def is_domain_error(error) -> bool:
    return (isinstance(getattr(error, "status", None), int)
            and isinstance(getattr(error, "code", None), str))


def handle_any(error):
    if isinstance(error, HTTPException):
        if error.code == 500 and getattr(error, "original_exception", None) is not None:
            return handle_any(error.original_exception)
        return from_http_exception(error)
    if is_domain_error(error):
        return from_domain_error(error)
    return from_unexpected(error)


def register(app):
    app.register_error_handler(Exception, handle_any)
