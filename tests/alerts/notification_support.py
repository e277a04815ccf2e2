"""What the notification tests share: a migrated database with a patient and alerts, a real
SMTP relay (aiosmtpd) and a real webhook receiver (http.server), both on 127.0.0.1.

Fixtures are imported by the test modules (not a conftest.py, which a colleague's rule
tests own in this folder).
"""
import hashlib
import hmac
import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from alerts.notifications import load_routing
from server.storage.db import connect, migrate

START = datetime(2026, 11, 20, 19, 0, tzinfo=timezone.utc)  # a Friday evening
SECRET = "pager-shared-secret-4f9a"
ENV = {"PAGER_SECRET": SECRET}
CHILD_NAME = "Lucía Fernández"
PATIENT_ID = "pt_1a2b3c4d5e6f7a8b"


@pytest.fixture
def database_path(tmp_path):
    path = tmp_path / "homeward.db"
    database = connect(path)
    migrate(database)
    database.execute("INSERT INTO patients (id, created_at, infusion_date, timezone, language, "
                     "status) VALUES (?, ?, '2026-11-17', 'Europe/Madrid', 'es', 'active')",
                     [PATIENT_ID, START.isoformat()])
    database.close()
    return path


@pytest.fixture
def db(database_path):
    database = connect(database_path)
    yield database
    database.close()


def make_alert(db, alert_id="al_fever1", level="urgent", reasons=("fever",), **extra):
    """An alert row as the episode code writes it, and the dict it would hand to
    build_payload (which also carries the child's name, to prove it is never sent)."""
    stamp = START.isoformat(timespec="microseconds")
    db.execute("INSERT INTO alerts (id, patient_id, concern, reasons, level, status, raised_at, "
               "updated_at, last_finding_at, reported_late_minutes) "
               "VALUES (?, ?, 'crs', ?, ?, 'open', ?, ?, ?, ?)",
               [alert_id, PATIENT_ID, json.dumps(list(reasons)), level, stamp, stamp, stamp,
                extra.get("reported_late_minutes", 35)])
    return {"id": alert_id, "patient_id": PATIENT_ID, "level": level,
            "reasons": json.dumps(list(reasons)), "raised_at": stamp,
            "reported_late_minutes": extra.get("reported_late_minutes", 35),
            "display_name": CHILD_NAME, "evidence": extra.get("evidence"), "concern": "crs"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def routing_for(channels: dict, routes: dict | None = None, **top):
    names = list(channels)
    routes = routes or {"emergency": names, "urgent": names, "escalation": names,
                        "attention": names, "info": names}
    return load_routing({"channels": channels, "routes": routes, **top}, environ=ENV)


def rows(db, sql, params=()):
    cursor = db.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


class MailRelay:
    """An aiosmtpd handler: keeps what it accepts; can refuse recipients or answer DATA
    with scripted replies."""

    def __init__(self):
        self.messages, self.refused, self.data_replies = [], set(), []
        self.arrived = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            reply = self.data_replies.pop(0)
            if not reply.startswith("250"):
                return reply
        message = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))
        self.arrived.set()
        return "250 Message accepted for delivery"


@pytest.fixture
def relay():
    handler = MailRelay()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def email_channel(relay, **settings):
    return {"type": "email", "host": "127.0.0.1", "port": relay.port, "security": "none",
            "from": "homeward@hospital.example", "to": ["ward@hospital.example"], **settings}


class WebhookReceiver:
    """A receiving system as docs/notifications.md tells integrators to write one: it checks
    the signature and the timestamp itself (not with Homeward's code), then answers with the
    next scripted reply; `accepted` holds the bodies it answered 2xx to."""

    def __init__(self, clock):
        self.clock, self.replies, self.accepted, self.requests = clock, [], [], []
        self.lock, self.hold, self.held = threading.Lock(), None, 0

    def answer(self, handler):
        body = handler.rfile.read(int(handler.headers["Content-Length"]))
        timestamp = handler.headers["X-Homeward-Timestamp"]
        expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + body,
                                        hashlib.sha256).hexdigest()
        fresh = abs(self.clock().timestamp() - int(timestamp)) <= 300
        good = fresh and hmac.compare_digest(expected, handler.headers["X-Homeward-Signature"])
        if self.hold is not None:
            with self.lock:
                self.held += 1
            self.hold.wait(10)
        with self.lock:
            self.requests.append({"headers": dict(handler.headers), "body": body,
                                  "signature_ok": good})
            status, headers = (401, {}) if not good else (
                self.replies.pop(0) if self.replies else (200, {}))
            if 200 <= status < 300:
                self.accepted.append(json.loads(body))
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", "0")
        handler.end_headers()


@pytest.fixture
def receiver():
    clock = {"now": START}
    state = WebhookReceiver(lambda: clock["now"])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            state.answer(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/homeward"
    state.set_now = lambda moment: clock.update(now=moment)
    yield state
    if state.hold is not None:
        state.hold.set()
    server.shutdown()
    server.server_close()


def webhook_channel(receiver, **settings):
    return {"type": "webhook", "url": receiver.url, "secret_env": "PAGER_SECRET",
            "timeout_seconds": 5, **settings}


def later(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def self_signed_certificate(folder):
    """A certificate for 127.0.0.1 and its key, as files, for a relay that speaks TLS."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test relay")])
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(timezone.utc) - timedelta(days=1))
        .not_valid_after(datetime.now(timezone.utc) + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "relay.pem", folder / "relay.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_relay(tmp_path):
    """A relay that insists on STARTTLS and a login, like a hospital's."""
    import ssl

    from aiosmtpd.smtp import AuthResult

    cert_path, key_path = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    handler = MailRelay()

    def authenticate(server, session, envelope, mechanism, auth_data):
        # handled=False: let aiosmtpd answer a refusal with 535 itself.
        return AuthResult(success=(auth_data.login, auth_data.password) == (
            b"homeward", b"relay-password"), handled=False)

    controller = Controller(handler, hostname="127.0.0.1", port=free_port(),
                            tls_context=context, require_starttls=True,
                            authenticator=authenticate, auth_required=True)
    controller.start()
    handler.port, handler.ca_file = controller.port, str(cert_path)
    yield handler
    controller.stop()
