"""The clinic's records pages (clinical record, follow-up worklist) and the admin pages
(staff accounts, audit log, the password link's page) in a real browser: none scrolls
sideways on a 390 px phone, axe-core finds no serious or critical problem on any, and each
form is filled and sent with the keyboard alone (Tab, typing, arrow keys, Enter)."""
import pytest
from playwright.sync_api import expect

from browsing import horizontal_overflow, screenshot, settle, sign_in
from family_app import serious_accessibility_problems
from server.auth import resets
from support.family import enrolled_family
from test_records_api import CRS, PROFILE

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def press_tab_until(page, selector, limit=250):
    """Tab until `selector` has the focus: the way a keyboard user gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"keyboard focus never reached {selector}")


@pytest.fixture
def records(live, phone, staff, clock):
    """A child with a clinical profile and a CRS event; another, infused in September, whose
    follow-up form is overdue."""
    nurse, physician = staff("nurse", "nina"), staff("physician", "dr.lee")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    base = f"{live.url}/api/v1/patients/{family.patient_id}"
    assert phone.session.put(f"{base}/profile", json=PROFILE, headers=physician.headers,
                             timeout=10).status_code == 200
    assert phone.session.post(f"{base}/toxicity-events", json=CRS, headers=physician.headers,
                              timeout=10).status_code == 201
    overdue = enrolled_family(phone, nurse.headers, clock=clock, display_name="Bruno Díaz",
                              infusion_date="2026-09-10", mrn="MRN-200")
    return nurse, physician, family.patient_id, overdue.patient_id


def wider_than_the_window(page) -> list[str]:
    """The outermost elements that stick out on the right: what to fix."""
    return page.evaluate("""() => [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter((e) => e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
        .slice(0, 8).map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
            (e.className ? "." + String(e.className).split(" ").join(".") : "") +
            " " + Math.round(e.getBoundingClientRect().right))""")


def check_phone_and_axe(page, name):
    page.set_viewport_size(PHONE)
    settle(page)
    assert horizontal_overflow(page) <= 0, (page.url, wider_than_the_window(page))
    assert serious_accessibility_problems(page) == [], page.url
    screenshot(page, name)


def test_the_records_pages_read_on_a_phone_and_work_by_keyboard(page, browser, live,
                                                                  records):
    nurse, physician, patient_id, overdue_id = records
    sign_in(page, physician, f"/patients/{patient_id}/record")
    expect(page.locator("#profile-facts")).to_contain_text("Systemic lupus erythematosus")
    expect(page.locator("#profile-facts")).to_contain_text("EBMT (since Sun 1 Nov 2026)")
    check_phone_and_axe(page, "patient-record-physician")

    # A toxicity event by keyboard: the kind (arrow keys in the select), the onset date
    # typed into the date box, then Enter on the button.
    press_tab_until(page, "#kind")
    page.keyboard.press("ArrowDown")  # from cytokine release syndrome to ICANS
    press_tab_until(page, "#onset_date")
    page.keyboard.type("11192026")  # Chromium's en-US date box: month, day, year
    press_tab_until(page, "#record-event button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Toxicity event recorded.")).to_be_visible()
    expect(page.locator("#events-table")).to_contain_text("ICANS")
    expect(page.locator("#events-table")).to_contain_text("Thu 19 Nov 2026")

    # The profile by keyboard: straight to its button, Enter.
    press_tab_until(page, "#profile button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Clinical profile saved.")).to_be_visible()

    nurse_view = browser.new_context(base_url=live.url, viewport=PHONE)
    try:
        worklist = nurse_view.new_page()
        sign_in(worklist, nurse, "/follow-up")
        row = worklist.locator(f"#row-{overdue_id}")
        expect(row).to_contain_text("overdue follow-up")
        expect(row).to_contain_text("EST")
        check_phone_and_axe(worklist, "follow-up-worklist")
        box = row.get_by_role("button", name="Contacted").bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]  # in view
        press_tab_until(worklist, f"#outcome-{overdue_id}")
        worklist.keyboard.press("ArrowDown")  # "Left a message"
        worklist.keyboard.press("Tab")
        worklist.keyboard.type("Voicemail, will try Monday")
        worklist.keyboard.press("Tab")
        worklist.keyboard.press("Enter")
        expect(worklist.get_by_role("status").filter(has_text="Contact recorded.")
               ).to_be_visible()
        expect(worklist.locator(f"#row-{overdue_id}")).to_contain_text("Left a message")
        worklist.goto(f"/patients/{patient_id}/record")
        check_phone_and_axe(worklist, "patient-record-nurse")
    finally:
        nurse_view.close()


def test_the_admin_pages_read_on_a_phone_and_work_by_keyboard(page, browser, live, staff,
                                                                db, clock):
    admin = staff("admin", "ada.admin")
    staff("nurse", "bea.nurse")
    sign_in(page, admin, "/staff")
    check_phone_and_axe(page, "staff-accounts-phone")
    press_tab_until(page, "#username")
    page.keyboard.type("cal.nurse")
    page.keyboard.press("Tab")  # the role: Nurse is chosen already
    press_tab_until(page, "#create-heading ~ form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Account cal.nurse created")).to_be_visible()
    check_phone_and_axe(page, "staff-account-created-phone")

    page.goto("/audit")
    check_phone_and_axe(page, "audit-log-phone")
    press_tab_until(page, "#action")
    page.keyboard.type("Created")  # a select finds an option by its first letters
    press_tab_until(page, ".filter-buttons button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**action=user.create**")
    rows = page.locator(".audit-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Created an account")
    expect(rows).to_contain_text("cal.nurse")
    check_phone_and_axe(page, "audit-log-filtered-phone")

    token = resets.issue_reset(db, "bea.nurse", clock.now(), issued_by="ada.admin")[1]
    owner = browser.new_context(base_url=live.url, viewport=PHONE)
    try:
        reset = owner.new_page()
        reset.goto(f"/password-reset?token={token}")
        check_phone_and_axe(reset, "password-link-phone")
        press_tab_until(reset, "#password")
        reset.keyboard.type("bea picks a long passphrase")
        reset.keyboard.press("Tab")
        reset.keyboard.type("bea picks a long passphrase")
        reset.keyboard.press("Enter")
        expect(reset.get_by_text("Your password is set, bea.nurse")).to_be_visible()
        check_phone_and_axe(reset, "password-set-phone")
    finally:
        owner.close()
