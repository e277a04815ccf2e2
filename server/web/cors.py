"""Cross-origin use of the app protocol, for a site that hosts its web app elsewhere.

Same-origin is the default and stays so: with HOMEWARD_APP_ORIGINS empty, no response
carries a CORS header. A listed origin may call the app protocol routes only (the key set,
enrolment, push and pull): they are authorised by a device token in a header, never by a
cookie, so a page elsewhere can reach nothing a phone could not. Staff routes and pages
never answer another origin, whatever is listed.
"""
from urllib.parse import urlsplit

from flask import request

APP_ROUTES = ("/api/v1/keys", "/api/v1/devices", "/api/v1/sync/push", "/api/v1/sync/pull")
ALLOWED_METHODS = "GET, POST"
ALLOWED_HEADERS = "Authorization, Content-Type, Homeward-App-Version, X-Request-Id"
EXPOSED_HEADERS = "X-Request-Id, Retry-After"
PREFLIGHT_MAX_AGE = "600"
DEFAULT_PORTS = {"http": 80, "https": 443}


class OriginError(ValueError):
    pass


def normalise_origin(text: str) -> str:
    """`scheme://host[:port]` as a browser sends it in `Origin`: lower case, no default
    port, nothing after the host."""
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise OriginError(f"{text!r} has a port that is not a number") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise OriginError(f"{text!r} is not an http:// or https:// origin")
    if parts.path or parts.query or parts.fragment or parts.username is not None \
            or text.endswith(("?", "#")):
        raise OriginError(f"{text!r} is more than scheme, host and port (an origin has no "
                          f"path, not even a trailing /)")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    keep_port = port is not None and port != DEFAULT_PORTS[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if keep_port else "")


def parse_origins(raw: str) -> str:
    """HOMEWARD_APP_ORIGINS: exact origins, comma-separated; kept normalised and joined."""
    listed = [item.strip() for item in raw.split(",") if item.strip()]
    if "*" in listed:
        raise OriginError("'*' would let any web page use the app protocol")
    return ",".join(dict.fromkeys(normalise_origin(item) for item in listed))


def is_app_route(path: str) -> bool:
    return path in APP_ROUTES


def register(app, origins_text: str):
    allowed = frozenset(filter(None, origins_text.split(",")))
    if not allowed:
        return  # same-origin only: not one header more

    @app.before_request
    def answer_preflight():
        if request.method != "OPTIONS" or not is_app_route(request.path):
            return None
        origin = request.headers.get("Origin")
        if origin not in allowed or "Access-Control-Request-Method" not in request.headers:
            return None  # Flask's own OPTIONS answer: no CORS headers, the browser stops
        response = app.make_response(("", 204))
        response.headers.update({
            "Access-Control-Allow-Methods": ALLOWED_METHODS,
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE})
        return response

    @app.after_request
    def allow_listed_origin(response):
        if not is_app_route(request.path):
            return response
        response.vary.add("Origin")  # a cache must not hand one origin's answer to another
        origin = request.headers.get("Origin")
        if origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response
