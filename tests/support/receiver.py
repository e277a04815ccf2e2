"""A paging system on 127.0.0.1 for the notification tests: it checks each webhook's
signature and records what arrived."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from alerts.notifications.webhook import verify_signature

SECRET = "pager-secret-for-tests"


class Receiver:
    """A paging system on 127.0.0.1 that checks signatures and records what arrived."""

    def __init__(self, clock):
        self.received, self.clock = [], clock
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                valid = verify_signature(SECRET, self.headers["X-Homeward-Timestamp"], body,
                                         self.headers["X-Homeward-Signature"],
                                         receiver.clock.now())
                receiver.received.append((valid, self.headers["Idempotency-Key"],
                                          json.loads(body)))
                self.send_response(200 if valid else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/page"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
