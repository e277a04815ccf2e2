"""Staff accounts in the browser, through the test client: an admin creates an account and
hands over its one-time password link, changes roles, disables and enables accounts; the
colleague sets a password through the link without a session. Only admins may, and every
form needs the session's CSRF token."""
import re

import pytest

from server.auth import users
from support.pages import sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")

LINK = re.compile(r'id="handover-link"[^>]*value="http://127\.0\.0\.1:8000(/password-reset\?'
                  r'token=(hwr_[^"]+))"')
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def text(response):
    return response.get_data(as_text=True)


def user_actions(db):
    return [(row["action"], row["actor_username"]) for row in db.query(
        "SELECT action, actor_username FROM audit_log WHERE action LIKE 'user.%' ORDER BY id")]


@pytest.fixture
def admin(staff):
    return staff("admin", "ada.admin")


def create(client, token, username="Ann.Lee", role="nurse"):
    return client.post("/staff", data={"csrf_token": token, "username": username,
                                       "role": role})


def choose_password(client, path, token, password, again=None):
    assert client.get(path).status_code == 200
    return client.post("/password-reset", data={"token": token, "password": password,
                                                "password_again": again or password})


def test_it_creates_an_account_whose_owner_chooses_a_password_through_the_link(
        app, client, admin, db):
    csrf = sign_in(client, admin)
    response = create(client, csrf)
    assert response.status_code == 201
    page = text(response)
    path, reset_token = LINK.search(page).groups()
    assert "Account ann.lee created" in page and "only this once" in page
    assert users.get_account(db, "ann.lee")["role"] == "nurse"
    assert reset_token not in text(client.get("/staff"))  # shown once, then never again

    colleague = app.test_client()  # no session: they cannot sign in yet
    form = text(colleague.get(path))
    assert "ann.lee" in form and 'name="token"' in form
    done = choose_password(colleague, path, reset_token, "ann's own long password")
    assert done.status_code == 200 and "Your password is set" in text(done)
    member = type("Member", (), {"username": "ann.lee", "password": "ann's own long password"})
    sign_in(colleague, member)
    assert colleague.get("/alerts").status_code == 200
    assert user_actions(db) == [("user.create", "ada.admin"), ("user.reset_link", "ada.admin"),
                                ("user.password_reset", "ann.lee")]
    details = " ".join(row["details"] for row in db.query("SELECT details FROM audit_log "
                                                           "WHERE details IS NOT NULL"))
    assert reset_token not in details and "own long password" not in details


def test_it_makes_a_link_for_a_forgotten_password_that_works_once(app, client, admin, staff,
                                                                   db, config, clock):
    nurse = staff("nurse", "bea.nurse")
    csrf = sign_in(client, admin)
    response = client.post("/staff/bea.nurse/reset-link", data={"csrf_token": csrf})
    path, reset_token = LINK.search(text(response)).groups()
    colleague = app.test_client()
    assert choose_password(colleague, path, reset_token, "bea's fresh long password"
                           ).status_code == 200
    again = colleague.get(path)
    assert again.status_code == 410 and "no longer works" in text(again)
    reused = colleague.post("/password-reset", data={
        "token": reset_token, "password": "someone else's password", "password_again":
        "someone else's password"})
    assert reused.status_code == 410
    assert users.authenticate(db, nurse.username, "bea's fresh long password", config,
                              clock.now())
    assert users.authenticate(db, nurse.username, nurse.password, config, clock.now()) is None


def test_it_says_what_is_wrong_with_a_new_password_and_keeps_the_link(app, client, admin, db):
    csrf = sign_in(client, admin)
    path, reset_token = LINK.search(text(create(client, csrf))).groups()
    colleague = app.test_client()
    differ = choose_password(colleague, path, reset_token, "one long password here",
                             "another long password")
    assert differ.status_code == 400 and "The two passwords differ" in text(differ)
    short = choose_password(colleague, path, reset_token, "short")
    assert short.status_code == 400 and "at least 12 characters" in text(short)
    assert choose_password(colleague, path, reset_token, "finally a long password"
                           ).status_code == 200


def test_it_refuses_an_expired_or_unknown_link_in_words(app, client, admin, clock):
    csrf = sign_in(client, admin)
    path, _token = LINK.search(text(create(client, csrf))).groups()
    clock.advance(hours=24)
    expired = app.test_client().get(path)
    assert expired.status_code == 410 and "Ask an administrator for a new link" in text(expired)
    assert app.test_client().get("/password-reset?token=hwr_guess").status_code == 410
    assert app.test_client().get("/password-reset").status_code == 410


def test_it_sends_no_referrer_from_the_link_page(app, client, admin):
    csrf = sign_in(client, admin)
    path, _token = LINK.search(text(create(client, csrf))).groups()
    assert app.test_client().get(path).headers["Referrer-Policy"] == "no-referrer"


def test_it_offers_the_create_form_again_with_the_problem_next_to_the_field(client, admin, db):
    csrf = sign_in(client, admin)
    response = create(client, csrf, username="a b")
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="username-error"' in text(response)
    assert "3 to 64 characters" in text(response) and db["staff_users"].count == 1
    create(client, csrf, username="ann.lee")
    taken = create(client, csrf, username="Ann.Lee")
    assert taken.status_code == 409 and "is taken" in text(taken)
    assert db["staff_users"].count == 2


def test_it_disables_an_account_ending_its_sessions_and_tokens_at_once(app, client, admin,
                                                                       staff, db):
    nurse = staff("nurse", "bea.nurse")
    nurses_browser = app.test_client()
    sign_in(nurses_browser, nurse)
    csrf = sign_in(client, admin)
    response = client.post("/staff/bea.nurse/disable", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff?notice=account_disabled#account-bea.nurse"
    assert "Account disabled" in text(client.get(response.headers["Location"]))
    assert nurses_browser.get("/alerts").status_code == 303  # back to sign-in
    assert client.get("/api/v1/auth/me", headers=nurse.headers).status_code == 401
    listed = text(client.get("/staff"))
    assert re.search(r'id="account-bea\.nurse".*?Disabled</strong> \w+day', listed, re.S)
    assert client.post("/staff/bea.nurse/enable", data={"csrf_token": csrf}).status_code == 303
    assert users.get_account(db, "bea.nurse")["disabled_at"] is None
    assert [action for action, _ in user_actions(db)] == ["user.disable", "user.enable"]


def test_it_changes_a_role_which_applies_at_once(app, client, admin, staff, db):
    nurse = staff("nurse", "bea.nurse")
    nurses_browser = app.test_client()
    sign_in(nurses_browser, nurse)
    assert nurses_browser.get("/staff").status_code == 403
    csrf = sign_in(client, admin)
    response = client.post("/staff/bea.nurse/role", data={"csrf_token": csrf, "role": "admin"})
    assert response.status_code == 303
    assert nurses_browser.get("/staff").status_code == 200
    assert nurses_browser.get("/alerts").status_code == 403
    row = db.execute("SELECT details FROM audit_log WHERE action = 'user.set_role'").fetchone()
    assert '"previous_role": "nurse"' in row[0] and '"role": "admin"' in row[0]
    same = client.post("/staff/bea.nurse/role", data={"csrf_token": csrf, "role": "admin"})
    assert "already their role" in text(client.get(same.headers["Location"]))
    assert db["audit_log"].count_where("action = 'user.set_role'") == 1
    bad = client.post("/staff/bea.nurse/role", data={"csrf_token": csrf, "role": "boss"})
    assert bad.status_code == 400 and "The role must be one of" in text(bad)


def test_it_says_in_words_why_the_last_admin_cannot_be_disabled_or_demoted(client, admin, db):
    csrf = sign_in(client, admin)
    for path, data in (("/staff/ada.admin/disable", {}),
                       ("/staff/ada.admin/role", {"role": "nurse"})):
        response = client.post(path, data={"csrf_token": csrf, **data})
        assert response.status_code == 409
        assert ("ada.admin is the last active admin" in text(response)
                and "give another account the admin role first" in text(response))
    account = users.get_account(db, "ada.admin")
    assert account["role"] == "admin" and account["disabled_at"] is None
    assert user_actions(db) == []


def test_it_answers_an_unknown_account_in_words(client, admin):
    csrf = sign_in(client, admin)
    response = client.post("/staff/nobody/disable", data={"csrf_token": csrf})
    assert response.status_code == 404 and "no staff account named" in text(response)


def test_it_shows_times_in_words_in_the_sites_zone(app, config, clock, staff, client):
    from server import create_app
    madrid = create_app(config.with_overrides(site_timezone="Europe/Madrid"), clock=clock)
    madrid.testing = True
    browser = madrid.test_client()
    sign_in(browser, staff("admin", "ada.admin"))
    page = text(browser.get("/staff"))
    assert "Created Friday 20 November 2026 at 20:00 CET" in page
    assert not ISO_TIME.search(page)


FORMS = [("/staff", {"username": "eve.new", "role": "admin"}),
         ("/staff/bea.nurse/role", {"role": "admin"}),
         ("/staff/bea.nurse/disable", {}),
         ("/staff/bea.nurse/enable", {}),
         ("/staff/bea.nurse/reset-link", {})]


@pytest.mark.parametrize("role", ["nurse", "physician", "psychosocial"])
def test_it_lets_only_admins_open_or_post_the_account_pages(client, staff, db, role):
    staff("nurse", "bea.nurse")
    csrf = sign_in(client, staff(role))
    assert client.get("/staff").status_code == 403
    assert client.get("/audit").status_code == 403
    for path, data in FORMS:
        assert client.post(path, data={"csrf_token": csrf, **data}).status_code == 403, path
    assert users.get_account(db, "bea.nurse")["role"] == "nurse"
    assert db["staff_users"].count == 2 and user_actions(db) == []


@pytest.mark.parametrize("path, data", FORMS)
def test_it_refuses_every_account_form_without_the_csrf_token(client, admin, staff, db, path,
                                                              data):
    staff("nurse", "bea.nurse")
    sign_in(client, admin)
    for token in (None, "forged"):
        sent = {**data, **({"csrf_token": token} if token else {})}
        assert client.post(path, data=sent).status_code == 403
    assert users.get_account(db, "bea.nurse")["role"] == "nurse"
    assert db["staff_users"].count == 2 and user_actions(db) == []
    assert db["password_resets"].count == 0


def test_it_sends_a_signed_out_browser_to_sign_in(client):
    response = client.get("/staff")
    assert response.status_code == 303 and "/login?next=/staff" in response.headers["Location"]
