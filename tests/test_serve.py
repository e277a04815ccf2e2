"""`homeward serve` as a real process: gunicorn workers answering over HTTP, stopped by
SIGTERM the way systemd and container runtimes stop it."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.e2e


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(tmp_path):
    """`homeward init` then `homeward serve` with two workers; yields once it answers."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")},
           "HOMEWARD_DATA_DIR": str(tmp_path / "data")}
    subprocess.run([sys.executable, "-m", "server.cli", "init"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=60)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "serve exited:\n" + log_path.read_text()
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # still starting
                pass
            assert time.monotonic() < deadline, "serve never answered:\n" + log_path.read_text()
            time.sleep(0.1)
        yield process, base, log_path
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    """A server of this test's own: the test stops it."""
    yield from serve(tmp_path)


@pytest.fixture(scope="module")
def running_server(tmp_path_factory):
    """One server for the tests that only send it requests (each starts in ~3 s)."""
    yield from serve(tmp_path_factory.mktemp("serve"))


def test_it_serves_health_docs_and_api_over_http_and_stops_cleanly_on_sigterm(server):
    process, base, log_path = server
    health = requests.get(f"{base}/healthz", timeout=5)
    assert health.json()["database"]["status"] == "ok"
    assert health.json()["status"] == "degraded"  # no scheduler runs in this test
    assert requests.get(f"{base}/api/v1/openapi.json", timeout=5).json()["paths"]
    docs = requests.get(f"{base}/api/v1/docs", timeout=5)
    assert docs.status_code == 200 and "/api/v1/patients" in docs.text
    unauthorised = requests.get(f"{base}/api/v1/patients", timeout=5)
    assert unauthorised.status_code == 401
    assert unauthorised.json()["error"]["code"] == "unauthorized"

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    said = log_path.read_text()
    assert f"Homeward serving on {base}" in said
    assert f"{base}/api/v1/docs" in said
    assert '"GET /healthz HTTP/1.1" 200' in said  # the access log goes to stdout
    assert "Traceback" not in said


def raw_exchange(base, request: bytes) -> tuple[int, dict, bytes]:
    """Send bytes no HTTP library would send; (status, headers, body) of the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GET /api/v1/alerts?q=" + b"x" * 5000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414,
     "request_line_too_long"),
    (b"GET /healthz HTTP/1.1\r\nHost: a\r\nBroken header line\r\n\r\n", 400,
     "invalid_request"),
    (b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + b"y" * 9000 + b"\r\n\r\n", 431,
     "headers_too_large"),
])
def test_it_answers_requests_gunicorn_cannot_read_in_the_json_envelope(
        running_server, request_bytes, status, code):
    _process, base, log_path = running_server
    got, headers, body = raw_exchange(base, request_bytes)
    assert got == status and headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"] and isinstance(error["details"], dict)
    # The worker is still there for the next phone.
    assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    assert "Traceback" not in log_path.read_text()


def test_it_refuses_a_port_out_of_range_before_starting_anything(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")},
           "HOMEWARD_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--port", "70000"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "from 1 to 65535" in result.stderr
    assert not (tmp_path / "data").exists()
