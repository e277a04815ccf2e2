"""A JSON body sent without `Content-Type: application/json` (a browser's fetch with a
string body says text/plain) is refused with 415 naming the header, not with a list of
"missing" fields that were in fact sent."""
import json
from datetime import datetime, timezone

from support.family import create_patient, enrollment_code
from test_errors import assert_envelope

CALM = {"temperature_c": 36.8, "temperature_method": "oral"}


def test_it_answers_a_text_plain_push_with_415_naming_the_header(family, db):
    document = family.document(CALM)
    body = json.dumps({"sent_at": datetime.now(timezone.utc).isoformat(),
                       "entries": [family.envelope(document)]})
    answer = family.client.post("/api/v1/sync/push", data=body, headers={
        **family.headers, "Content-Type": "text/plain;charset=UTF-8"})
    error = assert_envelope(answer, 415, "unsupported_media_type")
    assert "Content-Type: application/json" in error["message"]
    assert "text/plain" in error["message"]
    assert db["entries"].count == 0
    again = family.client.post("/api/v1/sync/push", data=body, headers={
        **family.headers, "Content-Type": "application/json; charset=utf-8"})
    assert again.status_code == 200 and again.get_json()["results"][0]["status"] == "accepted"


def test_it_answers_a_push_without_any_content_type_with_415(family):
    body = json.dumps({"sent_at": datetime.now(timezone.utc).isoformat(), "entries": []})
    answer = family.client.post("/api/v1/sync/push", data=body.encode(),
                                headers=family.headers)
    assert "Content-Type: application/json" in assert_envelope(
        answer, 415, "unsupported_media_type")["message"]


def test_it_answers_415_on_enrolment_and_the_code_is_not_spent(client, nurse):
    code = enrollment_code(client, nurse.headers, create_patient(client, nurse.headers))
    body = {"enrollment_code": code, "device_name": "Phone", "platform": "android",
            "app_version": "1.0"}
    answer = client.post("/api/v1/devices", data=json.dumps(body),
                         headers={"Content-Type": "text/plain"})
    assert_envelope(answer, 415, "unsupported_media_type")
    assert client.post("/api/v1/devices", json=body).status_code == 201


def test_it_answers_415_to_a_form_posted_to_the_token_route(client, nurse):
    answer = client.post("/api/v1/auth/token", data={"username": nurse.username,
                                                      "password": nurse.password})
    assert_envelope(answer, 415, "unsupported_media_type")


def test_a_json_route_posted_without_a_body_still_names_the_missing_fields(family):
    answer = family.client.post("/api/v1/sync/push", headers=family.headers)
    error = assert_envelope(answer, 400, "invalid_request")
    assert set(error["details"]["fields"]) == {"entries", "sent_at"}
