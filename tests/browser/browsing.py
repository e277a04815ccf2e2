"""Helpers for the browser tests: signing in through the real form, screenshots for
reviewers, and an HTTP client with the Flask test client's shape for support.family."""
from pathlib import Path

import requests

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def sign_in(page, member, path="/"):
    page.goto(f"/login?next={path}" if path != "/" else "/login")
    page.get_by_label("Username").fill(member.username)
    page.get_by_label("Password").fill(member.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{path}")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class HttpResponse:
    def __init__(self, response):
        self.status_code = response.status_code
        self._response = response

    def get_json(self):
        return self._response.json()


class HttpClient:
    """The test client's .get/.post shape over real HTTP, so support.family's Family pushes
    and pulls through the live server exactly as a phone would."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()

    def post(self, path, json=None, headers=None):
        return HttpResponse(self.session.post(self.base_url + path, json=json,
                                              headers=headers, timeout=10))

    def get(self, path, headers=None, query_string=None):
        return HttpResponse(self.session.get(self.base_url + path, params=query_string,
                                             headers=headers, timeout=10))
