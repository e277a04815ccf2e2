"""Cross-origin use of the app protocol (server/web/cors.py): none by default; a listed origin
may call the key set, enrolment, push and pull, and nothing else."""
import pytest

from server import create_app
from server.config import Config, ConfigError
from support.family import enrolled_family

APP_ORIGIN = "https://family-app.example.org"
ELSEWHERE = "https://evil.example"
PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization, content-type"}


@pytest.fixture
def cors_client(config, clock, app):
    listed = create_app(config.with_overrides(app_origins=APP_ORIGIN), clock=clock)
    listed.testing = True
    return listed.test_client()


def cors_headers(response):
    return {name: value for name, value in response.headers.items()
            if name.lower().startswith("access-control-")}


def test_it_answers_no_other_origin_by_default(client, family):
    for answer in (client.get("/api/v1/keys", headers={"Origin": APP_ORIGIN}),
                   client.options("/api/v1/sync/push",
                                  headers={"Origin": APP_ORIGIN, **PREFLIGHT}),
                   family.client.post("/api/v1/sync/push", headers={
                       **family.headers, "Origin": APP_ORIGIN}, json={"sent_at": "x"})):
        assert cors_headers(answer) == {}


def test_it_answers_a_preflight_from_a_listed_origin_on_the_push(cors_client):
    answer = cors_client.options("/api/v1/sync/push",
                                 headers={"Origin": APP_ORIGIN, **PREFLIGHT})
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    allowed = answer.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "Origin" in answer.headers["Vary"]


def test_a_listed_origin_reads_keys_enrols_pushes_and_pulls(cors_client, nurse):
    origin = {"Origin": APP_ORIGIN}
    keys = cors_client.get("/api/v1/keys", headers=origin)
    assert keys.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    family = enrolled_family(cors_client, nurse.headers)
    family_headers = {**family.headers, **origin}
    pushed = cors_client.post("/api/v1/sync/push", headers=family_headers, json={
        "sent_at": family.now().isoformat(), "entries": [family.envelope(family.document(
            {"temperature_c": 36.9}))]})
    pulled = cors_client.get("/api/v1/sync/pull", headers=family_headers)
    refused = cors_client.get("/api/v1/sync/pull", headers=origin)  # no token: 401
    for answer in (pushed, pulled, refused):
        assert answer.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
        assert "X-Request-Id" in answer.headers["Access-Control-Expose-Headers"]
        assert "Origin" in answer.headers["Vary"]
    assert (pushed.status_code, pulled.status_code, refused.status_code) == (200, 200, 401)


def test_it_answers_an_unlisted_origin_nothing(cors_client):
    for answer in (cors_client.get("/api/v1/keys", headers={"Origin": ELSEWHERE}),
                   cors_client.options("/api/v1/sync/push",
                                       headers={"Origin": ELSEWHERE, **PREFLIGHT})):
        assert "Access-Control-Allow-Origin" not in answer.headers


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/patients"), ("POST", "/api/v1/auth/token"), ("GET", "/api/v1/alerts"),
    ("DELETE", "/api/v1/devices/dev_0123"), ("GET", "/api/v1/patients/pt_1/devices"),
    ("GET", "/login"), ("GET", "/api/v1/openapi.json")])
def test_it_never_opens_staff_routes_to_a_listed_origin(cors_client, nurse, method, path):
    headers = {"Origin": APP_ORIGIN, **nurse.headers}
    answer = cors_client.open(path, method=method, headers=headers)
    preflight = cors_client.options(path, headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": method})
    assert cors_headers(answer) == {} and cors_headers(preflight) == {}


@pytest.mark.parametrize("listed, kept", [
    ("https://App.Example.org:443, http://localhost:5173,", "https://app.example.org,"
                                                            "http://localhost:5173"),
    ("", "")])
def test_it_reads_the_setting_as_exact_origins(listed, kept):
    assert Config.from_env({"HOMEWARD_APP_ORIGINS": listed}).app_origins == kept


@pytest.mark.parametrize("listed", ["*", "https://app.example.org/", "app.example.org",
                                    "ftp://app.example.org", "https://app.example.org/app",
                                    "https://app.example.org:99999"])
def test_it_refuses_anything_but_exact_origins_naming_the_setting(listed):
    with pytest.raises(ConfigError, match="HOMEWARD_APP_ORIGINS"):
        Config.from_env({"HOMEWARD_APP_ORIGINS": listed})
