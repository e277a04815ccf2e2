"""What a request handler reaches for: this app's settings, clock, vault and a database
connection opened for this request only. Domain code gets these passed in as plain values."""
from flask import current_app, g

from ..storage import db as storage


def homeward():
    return current_app.extensions["homeward"]


def get_config():
    return homeward().config


def get_clock():
    return homeward().clock


def now():
    return homeward().clock.now()


def get_vault():
    return homeward().vault


def get_db():
    if "db" not in g:
        g.db = storage.connect(homeward().config.database_path)
    return g.db


def close_db(exc=None):
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def client_address():
    from flask import request

    return request.remote_addr or "unknown"


def get_catalog():
    return homeward().catalog


def get_keyring():
    return homeward().keyrings.get(get_db())


def get_schedule():
    return homeward().schedule


def get_alerting():
    return homeward().alerting
