"""The clinic API's sign-in: staff bearer tokens, who they belong to, and role checks."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.auth.throttle import SLEEP_EXTENSION
from server.auth.users import disable_user, set_password

TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


def assert_envelope(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture(autouse=True)
def no_waiting(app):
    app.extensions[SLEEP_EXTENSION] = lambda seconds: None


def test_it_issues_a_token_that_says_who_it_belongs_to(client, staff):
    nurse = staff("nurse")
    response = client.post(TOKEN, json={"username": nurse.username, "password": nurse.password})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"].startswith("hws_")
    assert body["expires_at"] == "2026-11-21T07:00:00Z"  # START + 12 h, RFC 3339

    me = client.get(ME, headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json() == {"id": nurse.id, "username": nurse.username, "role": "nurse"}


def test_it_accepts_the_username_in_any_case(client, staff):
    nurse = staff("nurse", username="ann.lee")
    response = client.post(TOKEN, json={"username": "Ann.Lee", "password": nurse.password})
    assert response.status_code == 200


def test_it_keeps_only_a_hash_of_the_token(client, staff, db):
    nurse = staff("nurse")
    token = client.post(TOKEN, json={"username": nurse.username,
                                     "password": nurse.password}).get_json()["token"]
    dump = "\n".join(db.conn.iterdump())
    assert token not in dump and token[4:] not in dump


def test_it_answers_a_wrong_password_and_an_unknown_user_alike(client, staff, db):
    nurse = staff("nurse")
    wrong_password = client.post(TOKEN, json={"username": nurse.username,
                                              "password": "not the password at all"})
    unknown_user = client.post(TOKEN, json={"username": "nobody.here",
                                            "password": "not the password at all"})
    first = assert_envelope(wrong_password, 401, "unauthorized")
    second = assert_envelope(unknown_user, 401, "unauthorized")
    assert first == second
    assert count(db, "staff_tokens") == 1  # only the fixture's own


def test_it_refuses_a_token_once_it_has_expired(client, staff, clock, config):
    nurse = staff("nurse")
    clock.advance(hours=config.token_lifetime_hours, seconds=-1)
    assert client.get(ME, headers=nurse.headers).status_code == 200
    clock.advance(seconds=1)
    error = assert_envelope(client.get(ME, headers=nurse.headers), 401, "unauthorized")
    assert "expired" in error["message"]


def test_it_revokes_the_token_used_and_only_that_one(client, staff):
    nurse = staff("nurse")
    second = client.post(TOKEN, json={"username": nurse.username,
                                      "password": nurse.password}).get_json()["token"]
    response = client.delete(TOKEN, headers=nurse.headers)
    assert response.status_code == 204
    assert_envelope(client.get(ME, headers=nurse.headers), 401, "unauthorized")
    assert_envelope(client.delete(TOKEN, headers=nurse.headers), 401, "unauthorized")
    assert client.get(ME, headers=bearer(second)).status_code == 200


def test_it_refuses_the_tokens_of_a_disabled_account(client, staff, db, clock):
    nurse = staff("nurse")
    disable_user(db, nurse.username, clock.now())
    assert_envelope(client.get(ME, headers=nurse.headers), 401, "unauthorized")
    assert_envelope(client.post(TOKEN, json={"username": nurse.username,
                                             "password": nurse.password}), 401, "unauthorized")


def test_it_ends_old_tokens_when_the_password_is_set_anew(client, staff, db, clock, config):
    nurse = staff("nurse")
    set_password(db, nurse.username, "a brand new pass phrase", config, clock.now())
    assert_envelope(client.get(ME, headers=nurse.headers), 401, "unauthorized")
    assert client.post(TOKEN, json={"username": nurse.username,
                                    "password": "a brand new pass phrase"}).status_code == 200


@pytest.mark.parametrize("header", [
    "Bearer hwd_a-device-token-is-not-a-staff-token",
    "Bearer hws_guessedguessedguessedguessedguessedguess",
    "Bearer ",
    "Basic bnVyc2U6cGFzc3dvcmQ=",
    "hws_without_a_scheme",
])
def test_it_refuses_anything_but_a_live_staff_token(client, staff, header):
    staff("nurse")
    assert_envelope(client.get(ME, headers={"Authorization": header}), 401, "unauthorized")


def test_it_asks_for_credentials_when_none_are_sent(client):
    assert_envelope(client.get(ME), 401, "unauthorized")
    assert_envelope(client.delete(TOKEN), 401, "unauthorized")


@pytest.mark.parametrize("role, status", [
    ("nurse", 403), ("physician", 403), ("psychosocial", 403), ("admin", 200)])
def test_it_lets_only_admins_read_the_audit_log(client, staff, role, status):
    member = staff(role)
    response = client.get("/api/v1/audit", headers=member.headers)
    assert response.status_code == status
    if status == 403:
        assert_envelope(response, 403, "forbidden")


@pytest.mark.parametrize("body, content_type, field", [
    ('{"username": "nurse1", "password": ', "application/json", None),
    ("[]", "application/json", None),
    ('"nurse1"', "application/json", None),
    ('{"username": 7, "password": "correct horse nurse1 battery"}', "application/json",
     "username"),
    ('{"username": "nurse1", "password": ["x"]}', "application/json", "password"),
    ('{"username": "nurse1"}', "application/json", "password"),
    ('{"password": "correct horse nurse1 battery"}', "application/json", "username"),
    ('{"username": "nurse1", "password": "correct horse nurse1 battery", "otp": 1}',
     "application/json", "otp"),
    ('{"username": "", "password": ""}', "application/json", "username"),
    # A form body is 415 now (tests/test_media_type.py).
])
def test_it_refuses_a_malformed_token_request_and_changes_nothing(client, staff, db, body,
                                                                  content_type, field):
    staff("nurse")
    response = client.post(TOKEN, data=body, content_type=content_type)
    error = assert_envelope(response, 400, "invalid_request")
    if field:
        assert field in error["details"]["fields"]
    assert count(db, "staff_tokens") == 1
    assert count(db, "login_failures") == 0


def test_it_refuses_a_password_too_long_to_be_real(client, staff, db):
    nurse = staff("nurse")
    response = client.post(TOKEN, json={"username": nurse.username, "password": "x" * 5000})
    assert_envelope(response, 400, "invalid_request")


def test_it_documents_the_sign_in_calls_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "delete"} <= set(paths["/api/v1/auth/token"])
    assert "get" in paths["/api/v1/auth/me"]
    assert "get" in paths["/api/v1/audit"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(username=st.text(max_size=80), password=st.text(max_size=80))
def test_it_never_fails_on_odd_credentials(client, username, password):
    response = client.post(TOKEN, json={"username": username, "password": password})
    assert response.status_code in (400, 401, 429)
    assert response.get_json()["error"]["code"] in ("invalid_request", "unauthorized",
                                                    "rate_limited")
