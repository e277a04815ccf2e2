"""The app factory: one Flask app per configuration, so tests can make as many as they like."""
import logging
import secrets
from dataclasses import dataclass

from flask import Flask, g, request
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from werkzeug.middleware.proxy_fix import ProxyFix

from .storage import db as storage
from .web import cors, errors, media_type
from .clock import SystemClock
from .config import Config
from .web.context import close_db
from questionnaires import load_catalog, load_schedule

from .alert_runtime import AlertRuntime, load_alert_runtime
from .api import openapi_fields
from .storage.installation import check_initialised
from .storage.keyfiles import read_secret
from .storage.sealing_keys import KeyRingCache
from .storage.vault import Vault

API_PREFIX = "/api/v1"


@dataclass
class Homeward:
    """This app's long-lived parts; requests reach them through server.web.context."""

    config: Config
    clock: object
    vault: Vault
    catalog: object         # questionnaires.Catalog: shipped and site instruments
    keyrings: KeyRingCache  # the sealing keys, reloaded when a rotation changes them
    schedule: object        # questionnaires.Schedule: when each instrument is due
    alerting: AlertRuntime  # the rules with the site's thresholds, notification routing


class HomewardApi(Api):
    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error):
        return errors.handle_any(error)


def create_app(config: Config | dict | None = None, *, clock=None) -> Flask:
    if config is None:
        config = Config.from_env()
    elif isinstance(config, dict):
        config = Config.from_env({}, **config)
    clock = clock or SystemClock()
    logging.basicConfig(level=config.log_level,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")

    # Only `homeward init` makes a data folder: a mistyped HOMEWARD_DATA_DIR must not
    # come up as an empty clinic with a new master key.
    check_initialised(config)
    database = storage.connect(config.database_path)
    try:
        storage.migrate(database)  # an upgrade's new steps; `serve` applies them before forking
        vault = Vault.open(config, database, clock)
    finally:
        database.conn.close()
    catalog = load_catalog((config.instruments_dir,) if config.instruments_dir else ())

    app = Flask("homeward", static_folder=None)
    app.extensions["homeward"] = Homeward(config=config, clock=clock, vault=vault,
                                          catalog=catalog, keyrings=KeyRingCache(vault),
                                          schedule=load_schedule(),
                                          alerting=load_alert_runtime(config, catalog))
    app.config.update(
        SECRET_KEY=read_secret(config.secret_key_path),
        MAX_CONTENT_LENGTH=config.max_request_bytes,
        API_TITLE="Homeward",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        SESSION_COOKIE_SECURE=config.cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.json.sort_keys = False  # keep envelopes and results in the order PROTOCOL.md shows
    if config.proxy_count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxy_count,
                                x_proto=config.proxy_count)

    api = HomewardApi(app, spec_kwargs={"info": {
        "description": "Homeward's app sync protocol and clinic API (docs/protocol.md)."}})
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer",
                   "description": "A device token (app) or a staff token (clinic API)."})
    errors.register(app)
    openapi_fields.register(api)

    @app.before_request
    def start_request():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or secrets.token_hex(8)
        g.max_request_bytes = config.max_request_bytes

    @app.after_request
    def finish_request(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    media_type.register(app)
    cors.register(app, config.app_origins)
    app.teardown_appcontext(close_db)
    register_blueprints(app, api)
    return app


def register_blueprints(app, api):
    from .api import blueprints

    for blueprint in blueprints():
        if isinstance(blueprint, ApiBlueprint):  # documented in the OpenAPI document
            api.register_blueprint(blueprint, url_prefix=API_PREFIX + blueprint.url_prefix)
        else:
            app.register_blueprint(blueprint)
