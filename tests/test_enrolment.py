"""Enrolment codes and devices, from the nurse's screen to the family's phone."""
import re

import pytest

from support.family import create_patient, enrol, enrolled_family, enrollment_code
from sync.enrolment import normalise_code
from test_errors import assert_envelope


def test_it_gives_a_readable_single_use_code_with_a_qr_code(client, nurse, clock):
    patient_id = create_patient(client, nurse.headers)
    response = client.post(f"/api/v1/patients/{patient_id}/enrollments",
                           json={"respondent": "caregiver"}, headers=nurse.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}",
                        body["code"])
    assert body["expires_at"] == "2026-11-23T19:00:00Z"  # 72 hours
    assert body["qr_svg"].startswith("<svg") and "homeward:enrol?" in body["enrol_uri"]


def test_it_exchanges_a_code_for_a_device_and_a_token(client, nurse, db):
    patient_id = create_patient(client, nurse.headers)
    response = enrol(client, enrollment_code(client, nurse.headers, patient_id, "patient"))
    assert response.status_code == 201
    device = response.get_json()
    assert device["device_id"].startswith("dev_") and device["patient_id"] == patient_id
    assert device["respondent"] == "patient"
    assert device["keys"]["current"] == device["keys"]["keys"][0]["kid"]
    row = db["devices"].get(device["device_id"])
    assert device["device_token"] not in str(row)  # only a hash is kept
    assert b"phone" not in row["device_name"]  # the name is sealed


def test_it_accepts_a_code_typed_in_lower_case_without_dashes(client, nurse):
    patient_id = create_patient(client, nurse.headers)
    code = enrollment_code(client, nurse.headers, patient_id)
    assert enrol(client, code.replace("-", " ").lower()).status_code == 201
    assert normalise_code("abcd-efgh-ijkl") == "ABCDEFGH1JK1"


def test_it_refuses_a_used_code(client, nurse, db):
    code = enrollment_code(client, nurse.headers, create_patient(client, nurse.headers))
    assert enrol(client, code).status_code == 201
    assert_envelope(enrol(client, code), 410, "enrollment_code_used")
    assert db["devices"].count == 1


def test_it_refuses_an_expired_code(client, nurse, clock, db):
    code = enrollment_code(client, nurse.headers, create_patient(client, nurse.headers))
    clock.advance(hours=72)
    assert_envelope(enrol(client, code), 410, "enrollment_code_expired")
    assert db["devices"].count == 0


def test_it_slows_guessing_to_ten_wrong_codes_per_quarter_hour(client, nurse, clock):
    code = enrollment_code(client, nurse.headers, create_patient(client, nurse.headers))
    for _ in range(10):
        assert_envelope(enrol(client, "AAAA-BBBB-CCCC"), 404, "not_found")
    response = enrol(client, code)  # even the right code waits: the guesser can't tell
    assert_envelope(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) == 900
    clock.advance(minutes=16)
    assert enrol(client, code).status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"device_name": "x", "platform": "ios", "app_version": "1"}, "enrollment_code"),
    ({"enrollment_code": "A", "device_name": "x", "platform": "nokia", "app_version": "1"},
     "platform"),
    ({"enrollment_code": 12, "device_name": "x", "platform": "ios", "app_version": "1"},
     "enrollment_code"),
    ({"enrollment_code": "A", "device_name": "", "platform": "ios", "app_version": "1"},
     "device_name"),
])
def test_it_refuses_a_malformed_enrolment(client, body, field, db):
    error = assert_envelope(client.post("/api/v1/devices", json=body), 400, "invalid_request")
    assert field in error["details"]["fields"]
    assert db["devices"].count == 0


def test_it_locks_a_revoked_device_out_of_push_and_pull(client, nurse, clock, db):
    family = enrolled_family(client, nurse.headers, clock=clock)
    response = client.delete(f"/api/v1/devices/{family.device_id}", headers=nurse.headers)
    assert response.status_code == 204
    push = family.push([family.envelope(family.document({"temperature_c": 38.5}))])
    assert_envelope(push, 401, "device_revoked")
    assert_envelope(family.pull(), 401, "device_revoked")
    assert db["entries"].count == 0
    assert list(db.query("SELECT action FROM audit_log WHERE action = 'device.revoke'"))


def test_it_shows_staff_each_devices_last_sync_version_and_backlog(client, nurse, clock):
    family = enrolled_family(client, nurse.headers, clock=clock)
    family.push([family.envelope(family.document({"temperature_c": 37.0}))],
                outbox_pending=3)
    response = client.get(f"/api/v1/patients/{family.patient_id}/devices",
                          headers=nurse.headers)
    [device] = response.get_json()["devices"]
    assert device["device_name"] == "Mamá's phone"
    assert device["last_sync_at"] == "2026-11-20T19:00:00Z"
    assert device["outbox_pending"] == 3 and device["app_version"] == "1.0"


def test_it_lets_only_the_care_team_enrol(client, staff):
    nurse, psychosocial = staff("nurse"), staff("psychosocial")
    patient_id = create_patient(client, nurse.headers)
    response = client.post(f"/api/v1/patients/{patient_id}/enrollments",
                           json={"respondent": "caregiver"}, headers=psychosocial.headers)
    assert_envelope(response, 403, "forbidden")
    response = client.post("/api/v1/patients/pt_missing/enrollments",
                           json={"respondent": "caregiver"}, headers=nurse.headers)
    assert_envelope(response, 404, "not_found")


def test_it_lists_the_devices_on_the_patient_page(client, nurse, clock):
    family = enrolled_family(client, nurse.headers, clock=clock)
    patient = client.get(f"/api/v1/patients/{family.patient_id}", headers=nurse.headers)
    [device] = patient.get_json()["devices"]
    assert device["device_id"] == family.device_id and device["respondent"] == "caregiver"


def test_it_lets_a_revoked_phones_token_stand_for_it_in_one_re_enrolment_only(client, nurse,
                                                                              db):
    patient_id = create_patient(client, nurse.headers)
    lost = enrol(client, enrollment_code(client, nurse.headers, patient_id)).get_json()
    assert client.delete(f"/api/v1/devices/{lost['device_id']}",
                         headers=nurse.headers).status_code == 204
    replaces = {"device_id": lost["device_id"], "device_token": lost["device_token"]}

    def enrol_replacing(code):
        return client.post("/api/v1/devices", json={
            "enrollment_code": code, "device_name": "New phone", "platform": "android",
            "app_version": "1.0", "replaces": replaces})

    first = enrol_replacing(enrollment_code(client, nurse.headers, patient_id))
    assert first.status_code == 201
    code = enrollment_code(client, nurse.headers, patient_id)
    error = assert_envelope(enrol_replacing(code), 403, "forbidden")
    assert "already" in error["message"]
    assert db["devices"].count_where("replaces_device_id = ?", [lost["device_id"]]) == 1
    assert enrol(client, code).status_code == 201  # the code was not spent on the refusal


@pytest.mark.parametrize("settings, server", [
    ({"port": 8711}, "http://127.0.0.1:8711"),
    ({"host": "0.0.0.0", "port": 8712}, "http://127.0.0.1:8712"),
    ({"port": 8711, "base_url": "https://homeward.hospital.example/"},
     "https://homeward.hospital.example"),
])
def test_the_qr_code_points_where_the_server_really_answers(config, clock, settings, server):
    from urllib.parse import parse_qs, urlsplit

    from server import create_app
    from server.auth.tokens import issue_token
    from server.auth.users import create_user
    from server.storage.db import connect
    from server.storage.installation import initialise

    served = config.with_overrides(**settings)
    initialise(served, clock)
    client = create_app(served, clock=clock).test_client()
    db = connect(served.database_path)
    user = create_user(db, "nurse1", "nurse", "correct horse battery staple", served,
                       clock.now())
    headers = {"Authorization": f"Bearer {issue_token(db, user.id, served, clock.now())[0]}"}
    db.conn.close()
    patient_id = create_patient(client, headers)
    uri = client.post(f"/api/v1/patients/{patient_id}/enrollments",
                      json={"respondent": "caregiver"}, headers=headers).get_json()["enrol_uri"]
    assert parse_qs(urlsplit(uri).query)["server"] == [server]
