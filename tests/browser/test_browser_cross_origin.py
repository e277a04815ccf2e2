"""A web app served from another origin, in a real Chromium: with its origin listed in
HOMEWARD_APP_ORIGINS it reads the key set and pushes (preflight and all), and hears the 415
when it forgets the Content-Type; from an origin not listed, the browser lets it read
nothing."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from browsing import HttpClient
from support.family import enrolled_family
from support.live import LiveServer

APP_SCRIPT = """async ([api, token, envelope, sentAt]) => {
  const attempt = async (path, options) => {
    try {
      const answer = await fetch(api + path, options);
      return {status: answer.status, body: await answer.json()};
    } catch (error) {
      return {blocked: String(error)};
    }
  };
  const body = JSON.stringify({sent_at: sentAt, entries: [envelope]});
  const auth = {"Authorization": "Bearer " + token};
  return {
    keys: await attempt("/api/v1/keys"),
    untyped: await attempt("/api/v1/sync/push", {method: "POST", headers: auth, body}),
    push: await attempt("/api/v1/sync/push", {method: "POST", body,
      headers: {...auth, "Content-Type": "application/json"}}),
  };
}"""


class BlankPage(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = b"<!doctype html><title>family app</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def page_server():
    """Serves the 'app' from 127.0.0.1 on a port of its own: another origin than the API."""
    servers = []

    def start():
        server = ThreadingHTTPServer(("127.0.0.1", 0), BlankPage)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api(config, clock, app, page_server):
    listed, unlisted = page_server(), page_server()
    server = LiveServer(config.with_overrides(app_origins=listed), clock).start()
    yield server, listed, unlisted
    server.stop()


def run_app(browser, origin, api_url, family):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(origin + "/")
        document = family.document({"temperature_c": 36.9})
        return page.evaluate(APP_SCRIPT, [api_url, family.token, family.envelope(document),
                                          family.now().isoformat()])
    finally:
        context.close()


def test_a_listed_origin_syncs_and_an_unlisted_one_reads_nothing(browser, api, nurse):
    server, listed, unlisted = api
    family = enrolled_family(HttpClient(server.url), nurse.headers)
    seen = run_app(browser, listed, server.url, family)
    assert seen["keys"]["status"] == 200 and seen["keys"]["body"]["current"]
    assert seen["untyped"]["status"] == 415
    assert "Content-Type: application/json" in seen["untyped"]["body"]["error"]["message"]
    assert seen["push"]["status"] == 200
    assert seen["push"]["body"]["results"][0]["status"] == "accepted"
    elsewhere = run_app(browser, unlisted, server.url, family)
    assert set(elsewhere) == {"keys", "untyped", "push"}
    assert all("blocked" in answer for answer in elsewhere.values()), elsewhere
