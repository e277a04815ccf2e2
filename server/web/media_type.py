"""A JSON body must say it is JSON: a browser's `fetch` with a string body sends
`text/plain`, and webargs then reads no body at all, so the app heard "Missing data for
required field" about fields it did send. It now hears 415 naming the header to set."""
from flask import current_app, request

from .errors import ApiError

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


def takes_json_body(view) -> bool:
    """Whether a flask-smorest view reads its arguments from a JSON body."""
    arguments = getattr(view, "_apidoc", {}).get("arguments", {})
    return any(parameter.get("in") == "json" for parameter in arguments.get("parameters", ()))


def has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", "").lower()


def refuse_other_media_types():
    """before_request: only routes that read a JSON body, and only when a body was sent (a
    POST without a body still gets the usual field-by-field 400)."""
    if request.method not in BODY_METHODS or request.is_json or not has_body():
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or not takes_json_body(view):
        return
    sent = request.mimetype or "no Content-Type"
    raise UnsupportedMediaType(
        f"Send the body with the header Content-Type: application/json (this request was "
        f"sent as {sent}).", details={"content_type": request.mimetype or None,
                                      "expected": "application/json"})


def register(app):
    app.before_request(refuse_other_media_types)
