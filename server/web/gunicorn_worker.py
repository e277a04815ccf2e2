"""gunicorn's threaded worker, with the requests gunicorn refuses before Homeward sees them
(a request line over 4 KB, a broken or oversized header, a bad chunk) answered in the same
JSON envelope as every other error (PROTOCOL.md), instead of gunicorn's HTML page: a
phone's error handling then reads one shape, whoever refused.

gunicorn writes those answers through `gunicorn.util.write_error`, a module function with no
hook; this worker points it at `write_envelope` in its own process when it starts. The
master and the app never call it.
"""
import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

CODES = {400: "invalid_request", 403: "forbidden", 414: "request_line_too_long",
         417: "expectation_failed", 431: "headers_too_large", 501: "not_implemented"}
MESSAGES = {
    414: "The request line is longer than the server accepts (4 KB): put large queries in "
         "fewer parameters.",
    431: "The request's headers are larger or more numerous than the server accepts.",
}


def envelope_bytes(status: int, reason: str, detail: str) -> bytes:
    """A whole HTTP/1.1 response: the envelope, and the connection closed after it, since
    the request could not be read to its end."""
    code = CODES.get(status, "internal_error" if status >= 500 else "invalid_request")
    if status >= 500:
        message = "Something went wrong on our side before the request reached Homeward."
        detail = ""
    else:
        message = MESSAGES.get(status, "The server could not read this HTTP request.")
    body = json.dumps({"error": {"code": code, "message": message,
                                 "details": {"http": detail} if detail else {}}}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nCache-Control: no-store\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    return head + body


def write_envelope(sock, status_int, reason, mesg):
    util.write_nonblock(sock, envelope_bytes(int(status_int), reason, str(mesg)[:300]))


class EnvelopeWorker(ThreadWorker):
    def init_process(self):
        util.write_error = write_envelope
        super().init_process()
