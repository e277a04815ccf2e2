"""Signing in and out of the staff web pages, with cookies a browser keeps safe."""
import re

import pytest

from server.auth.throttle import SLEEP_EXTENSION
from server.auth.users import disable_user

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def no_waiting(app):
    app.extensions[SLEEP_EXTENSION] = lambda seconds: None


def csrf_on(page):
    return CSRF.search(page.get_data(as_text=True)).group(1)


def sign_in(client, member, **extra):
    token = csrf_on(client.get("/login"))
    return client.post("/login", data={"username": member.username,
                                       "password": member.password, "csrf_token": token,
                                       **extra})


def session_cookie_header(response):
    return next(value for value in response.headers.getlist("Set-Cookie")
                if value.startswith("homeward_session="))


def test_it_sends_a_visitor_who_is_not_signed_in_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/login")


def test_it_shows_a_labelled_login_form_with_a_csrf_token(client):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert '<html lang="en">' in html
    assert '<label for="username">' in html and 'id="username"' in html
    assert '<label for="password">' in html and 'type="password"' in html
    assert 'autocomplete="current-password"' in html
    assert csrf_on(page)
    assert "<script" not in html and "https://" not in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]


def test_it_signs_a_nurse_in_to_the_inbox_and_says_who_you_are(client, staff):
    nurse = staff("nurse")
    response = sign_in(client, nurse)
    assert response.status_code == 303 and response.headers["Location"] == "/alerts"
    home = client.get("/alerts")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert nurse.username in html and "Nurse" in html and "Sign out" in html


def test_it_sets_an_http_only_same_site_cookie(client, staff):
    cookie = session_cookie_header(sign_in(client, staff("nurse")))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test configuration runs without HTTPS


def test_it_marks_the_cookie_secure_when_configured(config, clock, staff):
    from server import create_app

    secure_app = create_app(config.with_overrides(cookie_secure=True), clock=clock)
    cookie = session_cookie_header(sign_in(secure_app.test_client(), staff("nurse")))
    assert "Secure" in cookie


def test_it_keeps_only_a_hash_of_the_session_id(client, staff, db):
    sign_in(client, staff("nurse"))
    session_id = client.get_cookie("homeward_session").value
    assert session_id not in "\n".join(db.conn.iterdump())


def test_it_lets_the_session_cookie_reach_the_api(client, staff):
    nurse = staff("nurse")
    sign_in(client, nurse)
    assert client.get("/api/v1/auth/me").get_json()["username"] == nurse.username


def test_it_refuses_a_cookie_signed_api_change_without_the_csrf_token(client, staff):
    sign_in(client, staff("nurse"))
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_it_refuses_a_wrong_password_and_offers_the_form_again(client, staff):
    nurse = staff("nurse")
    response = sign_in(client, nurse, password="not my password at all")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "don&#39;t match" in html and f'value="{nurse.username}"' in html
    assert client.get_cookie("homeward_session") is None


def test_it_refuses_a_sign_in_without_the_login_csrf_token(client, staff, db):
    nurse = staff("nurse")
    client.get("/login")
    response = client.post("/login", data={"username": nurse.username,
                                           "password": nurse.password})
    assert response.status_code == 400
    assert client.get_cookie("homeward_session") is None
    assert db.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == 0


def test_it_refuses_a_login_csrf_token_made_for_another_browser(app, staff):
    nurse = staff("nurse")
    attacker, victim = app.test_client(), app.test_client()
    forged = csrf_on(attacker.get("/login"))
    victim.get("/login")
    response = victim.post("/login", data={"username": nurse.username,
                                           "password": nurse.password, "csrf_token": forged})
    assert response.status_code == 400
    assert victim.get_cookie("homeward_session") is None


def test_it_refuses_to_sign_out_without_the_csrf_token_and_stays_signed_in(client, staff):
    sign_in(client, staff("nurse"))
    response = client.post("/logout")
    assert response.status_code == 403
    assert "text/html" in response.content_type
    assert client.get("/").status_code == 200


def test_it_signs_out_with_the_csrf_token_for_good(client, staff):
    sign_in(client, staff("nurse"))
    old_session = client.get_cookie("homeward_session").value
    response = client.post("/logout", data={"csrf_token": csrf_on(client.get("/"))})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.get("/").status_code == 303
    client.set_cookie("homeward_session", old_session)
    assert client.get("/").status_code == 303
    assert client.get("/api/v1/auth/me").status_code == 401


def test_it_ends_a_session_left_idle(client, staff, clock, config):
    sign_in(client, staff("nurse"))
    for _ in range(3):
        clock.advance(minutes=config.session_idle_minutes - 1)
        assert client.get("/").status_code == 200
    clock.advance(minutes=config.session_idle_minutes)
    assert client.get("/").status_code == 303


def test_it_ends_a_busy_session_at_the_end_of_its_lifetime(client, staff, clock, config):
    sign_in(client, staff("nurse"))
    step = config.session_idle_minutes - 1
    for _ in range(config.session_lifetime_hours * 60 // step):
        clock.advance(minutes=step)
        assert client.get("/").status_code == 200
    clock.advance(minutes=step)
    assert client.get("/").status_code == 303


def test_it_ends_the_sessions_of_a_disabled_account(client, staff, db, clock):
    nurse = staff("nurse")
    sign_in(client, nurse)
    disable_user(db, nurse.username, clock.now())
    assert client.get("/").status_code == 303


def test_it_sends_a_signed_in_visitor_from_the_login_page_home(client, staff):
    sign_in(client, staff("nurse"))
    response = client.get("/login")
    assert response.status_code == 303 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target, landing", [
    ("/api/v1/auth/me", "/api/v1/auth/me"),
    ("//evil.example/phish", "/alerts"),
    ("https://evil.example/", "/alerts"),
    ("/\\evil.example", "/alerts"),
    # Browsers drop tabs and line breaks from a URL: "/\t/evil.example" is "//evil.example".
    ("/\t/evil.example", "/alerts"),
    ("/\n/x", "/alerts"),
    ("/\r\n/evil.example", "/alerts"),
    ("/alerts\x00", "/alerts"),
    ("/alerts/\\/evil.example", "/alerts"),
    ("/patients\u202e", "/alerts"),
    ("/patients?q=a#top", "/patients?q=a#top"),
])
def test_it_returns_only_to_a_page_of_this_site_after_sign_in(client, staff, target, landing):
    response = sign_in(client, staff("nurse"), next=target)
    assert response.headers["Location"] == landing


def test_it_ends_an_idle_session_even_while_the_inbox_polls_by_itself(app, client, staff,
                                                                      clock, config):
    """A ward computer left on the inbox must still sign out after the idle time."""
    nurse = staff("nurse")
    page = client.get("/login")
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    client.post("/login", data={"username": nurse.username, "password": nurse.password,
                                "csrf_token": token.group(1)})
    assert client.get("/alerts").status_code == 200
    for _ in range(config.session_idle_minutes // 5 + 1):
        clock.advance(minutes=5)
        client.get("/alerts/live")
    assert client.get("/alerts/live").status_code in (401, 302, 303)


@pytest.fixture
def secure_app(config, clock, app):
    from server import create_app

    secure_app = create_app(config.with_overrides(cookie_secure=True), clock=clock)
    secure_app.extensions[SLEEP_EXTENSION] = lambda seconds: None
    return secure_app


def test_it_says_why_sign_in_cannot_work_over_plain_http_with_secure_cookies(
        secure_app, staff, caplog):
    nurse = staff("nurse")
    client = secure_app.test_client()
    page = client.get("/login", base_url="http://ward-tablet.hospital.example:8000")
    said = page.get_data(as_text=True)
    assert "plain HTTP to ward-tablet.hospital.example" in said
    assert "HOMEWARD_COOKIE_SECURE=false" in said
    # The browser dropped the Secure login cookie, so the form comes back without it.
    client.delete_cookie("homeward_login", domain="ward-tablet.hospital.example", path="/login")
    answer = client.post("/login", base_url="http://ward-tablet.hospital.example:8000",
                         data={"username": nurse.username, "password": nurse.password,
                               "csrf_token": csrf_on(page)})
    said = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "plain HTTP" in said and "expired" not in said
    warnings = [r for r in caplog.records if "HOMEWARD_COOKIE_SECURE" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"


@pytest.mark.parametrize("base_url", ["https://homeward.hospital.example",
                                      "http://localhost:8000", "http://127.0.0.1:8000"])
def test_it_shows_no_cookie_warning_where_browsers_keep_secure_cookies(secure_app,
                                                                         base_url):
    page = secure_app.test_client().get("/login", base_url=base_url)
    assert "plain HTTP" not in page.get_data(as_text=True)


def test_it_shows_no_cookie_warning_when_secure_cookies_are_off(client):
    page = client.get("/login", base_url="http://ward-tablet.hospital.example")
    assert "plain HTTP" not in page.get_data(as_text=True)
