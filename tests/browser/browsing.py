"""Helpers for the browser tests: signing in through the real form, screenshots for
reviewers, and an HTTP client with the Flask test client's shape for support.family."""
from pathlib import Path

import requests

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


# Desktop, tablet portrait (an iPad Air) and phone: every page is looked at in all three.
WIDTHS = {1280: 800, 820: 1180, 390: 844}


def sign_in(page, member, path=None):
    """Through the form; without `path`, to wherever Homeward lands this role."""
    page.goto(f"/login?next={path}" if path else "/login")
    page.get_by_label("Username").fill(member.username)
    page.get_by_label("Password").fill(member.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{path}" if path else lambda url: "/login" not in url)


def settle(page):
    """Lays the page out for a new width and redraws its charts there and then. Not by
    waiting for animation frames: a test that installed Playwright's fake clock has none."""
    # A form's submit may still be navigating when a test asks for a screenshot: wait for
    # the new document first (its documentElement is null for a moment).
    page.wait_for_load_state("load")
    page.evaluate("() => { if (window.Chart) { Object.values(Chart.instances)"
                  ".forEach(chart => chart.resize()); } "
                  "return document.documentElement?.scrollWidth; }")


def screenshot(page, name, widths=WIDTHS):
    """The whole page at each width, as test-artifacts/screenshots/<name>-<width>.png; the
    page's own size is put back afterwards."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    paths = []
    for width, height in widths.items():
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    if before:
        page.set_viewport_size(before)
        settle(page)
    return paths


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window: a phone then scrolls sideways."""
    return page.evaluate("() => document.documentElement.scrollWidth - "
                         "document.documentElement.clientWidth")


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
