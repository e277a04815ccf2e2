"""One blueprint per area. Adding an area means adding its module here; each module has a
`blueprint` (a flask-smorest one for the JSON API, a plain Flask one for pages)."""
from importlib import import_module

from webargs.flaskparser import FlaskParser

# PROTOCOL.md: a body or query that does not validate is `400 invalid_request`. webargs'
# default is 422, and flask-smorest documents that default on every route with arguments,
# so the OpenAPI document promised a status the server never sends. Set before any area
# module is imported: flask-smorest reads it when the routes are decorated.
FlaskParser.DEFAULT_VALIDATION_STATUS = 400

AREAS = (
    "server.api.health",
    "server.api.docs",
    "server.api.auth",
    "server.api.audit",
    "server.api.patients",
    "server.api.sync",
    "server.api.reads",
    "server.api.devices",
    "server.api.alerts",
    "server.api.calls",
    "server.api.overrides",
    "server.api.questionnaires",
    "server.api.entries",
    "server.api.profiles",
    "server.api.toxicity",
    "server.api.worklist",
    "server.api.registry",
    "server.pages",
    "server.family",
)


def blueprints():
    return [import_module(area).blueprint for area in AREAS]
