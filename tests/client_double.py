"""A small real HTTP server on 127.0.0.1 that speaks just enough of the sync protocol to
test the reference client: it opens every envelope for real (so a wrongly sealed entry is
caught), records every request, and can be told to fail the ways networks and servers do.
It is a test double of the Homeward server, not a second implementation of it."""
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sync.sealing import KeyRing, OpenFailed

MAX_ENTRIES, MAX_BYTES = 500, 2 * 1024 * 1024
CODES = {400: "invalid_request", 401: "unauthorized", 410: "enrollment_code_used",
         413: "payload_too_large", 429: "rate_limited", 500: "internal_error",
         503: "internal_error"}


def error_body(status, code=None, message="It failed.", details=None):
    return {"error": {"code": code or CODES.get(status, "internal_error"), "message": message,
                      "details": details or {}}}


class FakeHomeward:
    def __init__(self):
        self.keys = KeyRing({}, None, {})
        self.add_key("k2026a")
        self.codes = {}         # enrolment code -> (patient_id, respondent)
        self.devices = {}       # token -> {"device_id", "patient_id", "revoked"}
        self.stored = {}        # entry_id -> the opened entry document
        self.arrivals = []      # entry_ids in the order they were stored
        self.requests = []      # {"method", "path", "query", "headers", "body"}
        self.scripted = []      # one-shot answers, used first-come by matching requests
        self.verdict = None     # document -> result dict for entries that open (optional)
        self.changes = []       # the pull feed; a cursor is an index into it
        self.refused_cursors = set()
        self.hold_pushes_after = None  # let this many pushes through, hold the rest ...
        self.push_held = threading.Event()  # ... set when one is held ...
        self.release = threading.Event()    # ... until this is set (kill tests)
        self.lock = threading.Lock()

    # -- arranging -----------------------------------------------------------------------

    def add_key(self, kid, current=True):
        self.keys.private_keys[kid] = X25519PrivateKey.generate()
        self.keys.created_at[kid] = f"2026-0{len(self.keys.private_keys)}-01T00:00:00Z"
        if current:
            self.keys.current = kid

    def add_code(self, code="CODE-1", patient_id="pt_1", respondent="caregiver"):
        self.codes[code] = (patient_id, respondent)
        return code

    def script(self, method, path, status, body=None, headers=None, times=1, after=False):
        """The next `times` matching requests get this answer (after=True: handled first,
        then the answer is replaced, like a response lost on the way back)."""
        for _ in range(times):
            self.scripted.append((method, path, status, body, headers or {}, after))

    def pushes(self):
        return [r["body"] for r in self.requests if r["path"] == "/api/v1/sync/push"
                and isinstance(r["body"], dict)]

    def calls(self, method, path):
        return [r for r in self.requests if r["method"] == method and r["path"] == path]

    # -- running -------------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake.handle(self)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request):
        parts = urlsplit(request.path)
        raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        call = {"method": request.command, "path": parts.path, "query": parse_qs(parts.query),
                "headers": dict(request.headers), "body": body, "bytes": len(raw)}
        with self.lock:
            self.requests.append(call)
            scripted = next((s for s in self.scripted
                             if s[0] == call["method"] and s[1] == call["path"]), None)
            if scripted:
                self.scripted.remove(scripted)
        if scripted and not scripted[5]:
            return self.answer(request, *scripted[2:5])
        if call["path"] == "/api/v1/sync/push" and self.hold_pushes_after is not None \
                and len(self.pushes()) > self.hold_pushes_after:
            self.push_held.set()
            self.release.wait()
        with self.lock:
            status, answer, headers = self.route(call, raw)
        if scripted:
            status, answer, headers = scripted[2:5]
        self.answer(request, status, answer, headers)

    def answer(self, request, status, body, headers):
        data = body if isinstance(body, bytes) else json.dumps(
            body if body is not None else error_body(status)).encode()
        try:
            request.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                request.send_header(name, value)
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass  # the client was killed while waiting

    # -- the protocol, just enough -------------------------------------------------------

    def route(self, call, raw):
        if call["path"] == "/api/v1/keys":
            return 200, self.keys.public_document(), {}
        if call["path"] == "/api/v1/devices":
            return self.enrol(call["body"])
        device = self.devices.get(call["headers"].get("Authorization", "")[len("Bearer "):])
        if device is None:
            return 401, error_body(401), {}
        if device["revoked"]:
            return 401, error_body(401, "device_revoked", "Enrol this phone again."), {}
        if call["path"] == "/api/v1/sync/push":
            return self.push(device, call["body"], raw)
        return self.pull(call["query"])

    def enrol(self, body):
        code = body.get("enrollment_code")
        if code not in self.codes:  # docs/protocol.md: unknown is 404, spent is 410
            return 404, error_body(404, "not_found", "No such enrolment code."), {}
        patient_id, respondent = self.codes.pop(code)
        token, device_id = secrets.token_urlsafe(32), f"dev_{len(self.devices) + 1}"
        self.devices[token] = {"device_id": device_id, "patient_id": patient_id,
                               "revoked": False, "enrolment": body}
        return 201, {"device_id": device_id, "device_token": token, "patient_id": patient_id,
                     "respondent": respondent, "keys": self.keys.public_document()}, {}

    def push(self, device, body, raw):
        if len(raw) > MAX_BYTES or len(body["entries"]) > MAX_ENTRIES:
            return 413, error_body(413, details={"max_entries": MAX_ENTRIES,
                                                 "max_bytes": MAX_BYTES}), {}
        return 200, {"server_time": "2026-11-20T19:00:00Z",
                     "results": [self.one_entry(device, entry) for entry in body["entries"]]}, {}

    def one_entry(self, device, entry):
        entry_id = entry["entry_id"]

        def rejected(code):
            return {"entry_id": entry_id, "status": "rejected",
                    "error": {"code": code, "message": f"Rejected: {code}."}}
        if entry["kid"] not in self.keys:
            return rejected("unknown_key")
        try:
            plaintext = self.keys.open(entry["kid"], entry["sealed"], entry_id,
                                       device["device_id"])
        except OpenFailed:
            return rejected("decrypt_failed")
        document = json.loads(plaintext)
        if document["entry_id"] != entry_id or document["device_id"] != device["device_id"]:
            return rejected("wrong_device")
        if document["patient_id"] != device["patient_id"]:
            return rejected("wrong_patient")
        if entry_id in self.stored:
            same = self.stored[entry_id] == document
            return {"entry_id": entry_id, "status": "duplicate"} if same else rejected("conflict")
        result = (self.verdict and self.verdict(document)) or {"status": "accepted",
                                                               "alert": None}
        if result["status"] != "rejected":
            self.stored[entry_id] = document
            self.arrivals.append(entry_id)
        return {"entry_id": entry_id, **result}

    def pull(self, query):
        cursor = query.get("cursor", [None])[0]
        if cursor in self.refused_cursors:
            return 400, error_body(400, message="The cursor has expired.",
                                   details={"fields": {"cursor": ["expired"]}}), {}
        start, limit = int(cursor or 0), int(query.get("limit", ["200"])[0])
        page = self.changes[start:start + limit]
        return 200, {"server_time": "2026-11-20T19:00:00Z", "cursor": str(start + len(page)),
                     "has_more": start + len(page) < len(self.changes), "changes": page}, {}


# -- fixtures the client tests share (import them into a test module to use them) ----------

import pytest  # noqa: E402
from datetime import datetime, timedelta, timezone  # noqa: E402

from sync.client import Client  # noqa: E402

EASTERN = timezone(timedelta(hours=-5))


class Clock:
    """The phone's clock, in a -05:00 zone; tests move it."""

    def __init__(self):
        self.moment = datetime(2026, 11, 20, 14, 2, tzinfo=EASTERN)

    def __call__(self):
        return self.moment

    def advance(self, **delta):
        self.moment += timedelta(**delta)


@pytest.fixture
def fake():
    server = FakeHomeward().start()
    yield server
    server.stop()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make_client(tmp_path, fake, clock, sleeps):
    """make_client() -> an enrolled Client on a fresh state file; sleeps are recorded, not
    slept, and the jitter is always half its range."""
    made = []

    def make(name="phone.db", enrol=True, **options):
        options = {"now": clock, "sleep": sleeps.append, "random": lambda: 0.5, **options}
        client = Client(tmp_path / name, **options)
        made.append(client)
        if enrol:
            client.enrol(fake.url, fake.add_code(f"CODE-{len(made)}"), "Test phone")
        return client

    yield make
    for client in made:
        client.close()
