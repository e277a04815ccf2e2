"""Every failure reaches a client as the JSON envelope of PROTOCOL.md."""
import logging


def assert_envelope(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


def test_it_answers_an_unknown_address_with_not_found(client):
    assert_envelope(client.get("/api/v1/nothing-here"), 404, "not_found")


def test_it_answers_a_wrong_method_with_method_not_allowed_and_allow(client):
    response = client.put("/api/v1/patients")
    assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_it_refuses_a_body_over_the_limit_before_reading_it(client, config):
    response = client.post("/api/v1/devices", data=b"x" * (config.max_request_bytes + 1),
                           content_type="application/json")
    error = assert_envelope(response, 413, "payload_too_large")
    assert error["details"]["max_bytes"] == config.max_request_bytes


def test_it_hides_an_unexpected_error_behind_a_request_id(app, caplog):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals at line 42")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom", headers={"X-Request-Id": "req-123"})
    error = assert_envelope(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert error["details"]["request_id"] == "req-123"
    assert response.headers["X-Request-Id"] == "req-123"
    assert "secret internals" in caplog.text


def test_it_gives_every_response_a_request_id(client):
    assert client.get("/api/v1/nothing-here").headers["X-Request-Id"]


def test_it_says_plainly_when_the_body_is_not_json(client):
    response = client.post("/api/v1/devices", data=b'{"enrollment_code": ',
                           content_type="application/json")
    error = assert_envelope(response, 400, "invalid_request")
    assert error["message"] == "The body is not valid JSON."
