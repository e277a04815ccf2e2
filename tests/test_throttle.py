"""Password guessing is slowed, then stopped, per username and per client address."""
import pytest

from server.auth.throttle import ADDRESS_FACTOR, MAX_DELAY_SECONDS, SLEEP_EXTENSION

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def sleeps(app):
    waited = []
    app.extensions[SLEEP_EXTENSION] = waited.append
    return waited


def attempt(client, username, password, address="192.0.2.10"):
    return client.post(TOKEN, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def fail(client, username, times, address="192.0.2.10"):
    for _ in range(times):
        assert attempt(client, username, "a wrong password here", address).status_code == 401


def test_it_answers_the_first_failures_at_once_then_ever_more_slowly(client, staff, sleeps,
                                                                     config):
    nurse = staff("nurse")
    fail(client, nurse.username, config.login_slowdown_after)
    assert sleeps == []
    fail(client, nurse.username, 5)
    assert sleeps == [0.25, 0.5, 1.0, 2.0, 2.0]
    assert max(sleeps) <= MAX_DELAY_SECONDS


def test_it_slows_even_the_right_password_while_failures_are_fresh(client, staff, sleeps,
                                                                   config):
    nurse = staff("nurse")
    fail(client, nurse.username, config.login_slowdown_after)
    assert attempt(client, nurse.username, nurse.password).status_code == 200
    assert sleeps == [0.25]


def test_it_locks_out_at_the_limit_even_for_the_right_password(client, staff, sleeps, config):
    nurse = staff("nurse")
    fail(client, nurse.username, config.login_lockout_after)
    response = attempt(client, nurse.username, nurse.password)
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited"
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= config.login_window_minutes * 60
    assert error["details"]["retry_after_seconds"] == retry_after


def test_it_lets_the_user_in_once_the_window_has_passed(client, staff, sleeps, clock, config):
    nurse = staff("nurse")
    fail(client, nurse.username, config.login_lockout_after)
    retry_after = int(attempt(client, nurse.username, nurse.password).headers["Retry-After"])
    clock.advance(seconds=retry_after - 2)
    assert attempt(client, nurse.username, nurse.password).status_code == 429
    clock.advance(seconds=2)
    assert attempt(client, nurse.username, nurse.password).status_code == 200


def test_it_frees_the_account_as_the_oldest_failures_age_out(client, staff, sleeps, clock,
                                                            config):
    nurse = staff("nurse")
    fail(client, nurse.username, 1)
    clock.advance(minutes=5)
    fail(client, nurse.username, config.login_lockout_after - 1)
    response = attempt(client, nurse.username, nurse.password)
    assert int(response.headers["Retry-After"]) == (config.login_window_minutes - 5) * 60


def test_it_does_not_let_turned_away_attempts_prolong_the_lockout(client, staff, sleeps,
                                                                  clock, config):
    nurse = staff("nurse")
    fail(client, nurse.username, config.login_lockout_after)
    for _ in range(30):
        clock.advance(seconds=20)
        assert attempt(client, nurse.username, "guess again and again").status_code == 429
    clock.advance(minutes=config.login_window_minutes)
    assert attempt(client, nurse.username, nurse.password).status_code == 200


def test_it_forgets_the_failures_after_a_successful_sign_in(client, staff, sleeps, config):
    nurse = staff("nurse")
    fail(client, nurse.username, config.login_lockout_after - 1)
    assert attempt(client, nurse.username, nurse.password).status_code == 200
    sleeps.clear()
    fail(client, nurse.username, config.login_slowdown_after)
    assert sleeps == []


def test_it_locks_out_an_unknown_username_just_like_a_real_one(client, sleeps, config):
    fail(client, "no.such.nurse", config.login_lockout_after)
    assert attempt(client, "no.such.nurse", "whatever it is").status_code == 429


def test_it_keeps_other_accounts_open_while_one_is_locked(client, staff, sleeps, config):
    target, colleague = staff("nurse"), staff("nurse")
    fail(client, target.username, config.login_lockout_after, address="198.51.100.7")
    assert attempt(client, colleague.username, colleague.password,
                   address="198.51.100.7").status_code == 200


def test_it_stops_one_address_spraying_guesses_over_many_usernames(client, staff, sleeps,
                                                                   config):
    nurse = staff("nurse")
    limit = config.login_lockout_after * ADDRESS_FACTOR
    for number in range(limit):
        assert attempt(client, f"sprayed{number}", "Winter2026!!", "203.0.113.5").status_code == 401
    assert attempt(client, nurse.username, nurse.password, "203.0.113.5").status_code == 429
    assert attempt(client, nurse.username, nurse.password, "203.0.113.6").status_code == 200


def test_it_throttles_the_web_login_too(client, staff, sleeps, config):
    nurse = staff("nurse")
    fail(client, nurse.username, config.login_lockout_after)
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": nurse.username,
                                           "password": nurse.password, "csrf_token": token})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in response.get_data(as_text=True)
    assert client.get_cookie("homeward_session") is None
