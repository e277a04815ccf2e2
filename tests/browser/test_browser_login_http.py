"""A real browser at a plain-HTTP address that is not localhost, with Secure cookies on: it
drops the sign-in cookies, so signing in cannot work, and the page must say why."""
import pytest

WARD_NAME = "ward-tablet.test"  # resolved to 127.0.0.1 by Chromium itself, not by DNS


@pytest.fixture
def config(config):
    return config.with_overrides(cookie_secure=True)


@pytest.fixture
def ward_page(browser, live):
    # A second Chromium of the session's kind, told that the ward name is this machine.
    other = browser.browser_type.launch(
        executable_path="/usr/bin/chromium", headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run",
              f"--host-resolver-rules=MAP {WARD_NAME} 127.0.0.1"])
    context = other.new_context(base_url=f"http://{WARD_NAME}:{live.port}")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
    other.close()


def test_signing_in_over_plain_http_says_the_secure_cookie_is_why(ward_page, staff):
    from playwright.sync_api import expect

    nurse = staff("nurse")
    ward_page.goto("/login")
    expect(ward_page.locator("#cookie-problem")).to_contain_text(
        f"plain HTTP to {WARD_NAME}")
    ward_page.get_by_label("Username").fill(nurse.username)
    ward_page.get_by_label("Password").fill(nurse.password)
    ward_page.get_by_role("button", name="Sign in").click()
    expect(ward_page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(ward_page.locator("#cookie-problem")).to_contain_text("HOMEWARD_COOKIE_SECURE=false")
    expect(ward_page.locator("main")).not_to_contain_text("expired")
