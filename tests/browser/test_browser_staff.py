"""Staff accounts in a real browser, on a phone (390 px), a tablet (820 px) and a desktop
(1280 px): an admin creates an account and gets its one-time link, then makes a new one as
if it were lost (a password reset); the colleague opens the newer one with no session,
chooses a password and signs in with it, the older one no longer works; the admin sees it
all in the audit log. No page scrolls sideways."""
import pytest
from playwright.sync_api import expect

from browsing import screenshot, sign_in

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def reachable(live, shown):
    """The link as the test's browser can open it. It names the site's public address
    (HOMEWARD_BASE_URL, else host and port), which the test server, on a port of its own,
    does not set."""
    assert shown.startswith(f"{live.config.public_url}/password-reset?token=hwr_")
    return live.url + shown.removeprefix(live.config.public_url)


@pytest.mark.parametrize("width", [390, 820, 1280])
def test_it_creates_an_account_resets_its_password_by_link_and_its_owner_signs_in(
        page, browser, live, staff, width):
    page.set_viewport_size({"width": width, "height": 900})
    admin = staff("admin", "ada.admin")
    staff("nurse", "bea.nurse")
    sign_in(page, admin, "/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff accounts")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, f"staff-accounts-{width}")

    page.get_by_label("Username").fill("Cal.Nurse")
    page.get_by_label("Role", exact=True).select_option("physician")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Account cal.nurse created")).to_be_visible()
    first_link = reachable(live, page.get_by_label("One-time password link").input_value())
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, f"staff-account-created-{width}")
    # Say the link was lost before it was used: the admin makes another, which ends it.
    page.locator("#account-cal\\.nurse").get_by_role(
        "button", name="Make a password link").click()
    expect(page.get_by_role("heading", name="Password link for cal.nurse")).to_be_visible()
    link = reachable(live, page.get_by_label("One-time password link").input_value())
    assert link != first_link

    colleague = browser.new_context(viewport={"width": width, "height": 900})
    try:
        other = colleague.new_page()
        other.goto(first_link)
        expect(other.get_by_text("This password link no longer works")).to_be_visible()
        other.goto(link)
        expect(other.get_by_text("For the Homeward account cal.nurse")).to_be_visible()
        screenshot(other, f"password-link-{width}")
        other.get_by_label("New password").fill("cal chooses a long password")
        other.get_by_label("The same password again").fill("cal chooses a long password")
        other.get_by_role("button", name="Set my password").click()
        expect(other.get_by_text("Your password is set, cal.nurse")).to_be_visible()
        other.get_by_role("link", name="Sign in with your new password").click()
        other.get_by_label("Username").fill("cal.nurse")
        other.get_by_label("Password").fill("cal chooses a long password")
        other.get_by_role("button", name="Sign in").click()
        expect(other.locator(".who")).to_contain_text("cal.nurse · Physician")
        other.goto(link)
        expect(other.get_by_text("This password link no longer works")).to_be_visible()
    finally:
        colleague.close()

    page.goto("/audit?actor=ada.admin")
    expect(page.locator(".audit-table tbody tr").first).to_contain_text("Made a password link")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, f"audit-log-{width}")
    page.goto("/audit?action=user.password_reset")
    row = page.locator(".audit-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("cal.nurse")


def test_it_disables_an_account_and_refuses_the_last_admin_in_words(page, live, staff):
    admin = staff("admin", "ada.admin")
    staff("nurse", "bea.nurse")
    sign_in(page, admin, "/staff")
    page.get_by_role("button", name="Disable bea.nurse").click()
    expect(page.get_by_role("status")).to_contain_text("Account disabled")
    expect(page.locator("#account-bea\\.nurse")).to_contain_text("Disabled")
    page.allowed_errors.append("409")  # the refusal below answers 409 on purpose
    page.get_by_role("button", name="Disable ada.admin").click()
    expect(page.get_by_role("alert")).to_have_text(
        "ada.admin is the last active admin, so cannot be disabled: give another account "
        "the admin role first.")
    screenshot(page, "staff-last-admin-refused")
