"""`homeward serve`: the web server, gunicorn with the Homeward app in each worker.

Put a TLS reverse proxy in front (docs/operations.md); gunicorn speaks plain HTTP.
"""
import argparse
import sys

from gunicorn.app.base import BaseApplication

from ..storage import db as storage
from ..records.care_team import care_team_warnings
from ..config import ConfigError, parse_host
from ..storage.installation import check_initialised
from ..clock import SystemClock
from ..storage.keyfiles import read_secret
from ..storage.vault import Vault
from .checks import ensure_port_free


def register(subparsers):
    parser = subparsers.add_parser("serve", help="run the web server (API and staff pages)")
    parser.add_argument("--host", type=host_name,
                        help="address to bind, a host name or IP address without a port "
                             "(default HOMEWARD_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=bounded(1, 65535),
                        help="port to bind (default HOMEWARD_PORT, 8000)")
    parser.add_argument("--workers", type=bounded(1, 64),
                        help="worker processes (default HOMEWARD_WORKERS, 2)")
    parser.set_defaults(run=run)


def bounded(low, high):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {value}")
        return value
    return parse


def host_name(text):
    try:
        return parse_host("--host", text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def apply_migrations(config):
    """Once, before forking: workers racing to add tables would trip over each other, and a
    wrong key should stop the server before it accepts a connection. Only `homeward init`
    creates a database; this brings an existing one up to date."""
    check_initialised(config)
    read_secret(config.secret_key_path)
    database = storage.connect(config.database_path)
    try:
        applied = storage.migrate(database)
        Vault.open(config, database, SystemClock())
    finally:
        database.conn.close()
    return applied


def gunicorn_options(config) -> dict:
    host = f"[{config.host}]" if ":" in config.host else config.host
    return {
        "bind": f"{host}:{config.port}",
        "workers": config.workers,
        # Threads let a worker answer health probes and short reads while another request
        # waits on SQLite's write lock; each request still has its own connection.
        "worker_class": "server.web.gunicorn_worker.EnvelopeWorker",  # gthread, JSON refusals
        "threads": 4,
        # A push of 500 entries takes well under a second; 30 s only catches a stuck worker.
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        # Each worker builds its own app after the fork: SQLite connections and the
        # vault's keys are never shared across processes.
        "preload_app": False,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": config.log_level.lower(),
        # Bearer tokens travel in headers, never in the logged request line; the client
        # address is the proxy's unless HOMEWARD_PROXY_COUNT lets the app see past it.
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"',
        "logger_class": "server.web.access_log.PathOnlyLogger",  # no query strings: names, MRNs
        # gunicorn 25+ opens a control socket in $HOME by default; two servers on one
        # host would fight over it and nothing here uses it.
        "control_socket_disable": True,
        "proc_name": "homeward",
    }


class HomewardServer(BaseApplication):
    def __init__(self, config, options):
        self.homeward_config = config
        self.options = options
        super().__init__()

    def load_config(self):
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        from .. import create_app

        return create_app(self.homeward_config)


def run(args, config):
    overrides = {name: getattr(args, name) for name in ("host", "port", "workers")
                 if getattr(args, name) is not None}
    if overrides:
        config = config.with_overrides(**overrides)
    applied = apply_migrations(config)
    if applied:
        print(f"Applied {len(applied)} migration(s): {', '.join(applied)}.")
    ensure_port_free(config.host, config.port)
    shown_host = f"[{config.host}]" if ":" in config.host else config.host
    url = f"http://{shown_host}:{config.port}"
    print(f"Homeward serving on {url} with {config.workers} worker(s).\n"
          f"  staff pages  {url}/\n"
          f"  API docs     {url}/api/v1/docs (OpenAPI at {url}/api/v1/openapi.json)\n"
          f"  health       {url}/healthz\n"
          f"Public address for links: {config.public_url}. Stop with Ctrl-C or SIGTERM.",
          flush=True)
    for warning in care_team_warnings(config):
        print(f"Warning: {warning}", file=sys.stderr, flush=True)
    if config.host not in ("127.0.0.1", "::1", "localhost"):
        print("Note: gunicorn speaks plain HTTP; put a TLS reverse proxy in front "
              "(docs/operations.md)" + ("" if config.base_url else
                                        ", and set HOMEWARD_BASE_URL to its https address "
                                        "for links and enrolment QR codes") + ".",
              file=sys.stderr, flush=True)
    HomewardServer(config, gunicorn_options(config)).run()
    return 0
