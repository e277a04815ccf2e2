"""Browser fixtures: one headless Debian Chromium for the whole session, the real app served
over HTTP on 127.0.0.1 per test, a family phone that talks HTTP to it, and screenshots.

Without /usr/bin/chromium the browser tests skip, saying why, unless REQUIRE_BROWSER_TESTS=1
(CI) makes that a failure: a CI run that silently skipped them would prove nothing.
"""
import os

import pytest

from browsing import HttpClient

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
TABLET = {"width": 1024, "height": 768}


def unavailable(reason):
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=LAUNCH_ARGS)
        yield browser
        browser.close()



@pytest.fixture
def page(browser, live):
    """A fresh browser profile at tablet width; fails the test on any console error, which
    is how a Content-Security-Policy violation or a script error shows itself."""
    context = browser.new_context(base_url=live.url, viewport=TABLET)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.allowed_errors = []  # a test that opens a 403 page on purpose allows that log line
    yield page
    context.close()
    unexpected = [error for error in errors
                  if not any(allowed in error for allowed in page.allowed_errors)]
    assert not unexpected, f"browser console errors: {unexpected}"


@pytest.fixture
def phone(live):
    return HttpClient(live.url)
