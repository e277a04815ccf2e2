"""One blueprint per area. Adding an area means adding its module here; each module has a
`blueprint` (a flask-smorest one for the JSON API, a plain Flask one for pages)."""
from importlib import import_module

AREAS = (
    "server.api.health",
    "server.api.docs",
    "server.api.auth",
    "server.api.audit",
    "server.api.patients",
    "server.api.sync",
    "server.api.devices",
    "server.api.alerts",
    "server.api.overrides",
    "server.api.questionnaires",
    "server.api.entries",
    "server.api.profiles",
    "server.api.toxicity",
    "server.api.worklist",
    "server.pages",
)


def blueprints():
    return [import_module(area).blueprint for area in AREAS]
