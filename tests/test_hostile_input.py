"""Bad input from a phone or a script never costs a good entry, and never answers 5xx.

The first tests are the defects found from outside, one by one; the hypothesis tests after
them throw hostile documents (depth, size, numbers, unicode, dates, types) at the push
pipeline, sealed as a real phone seals them, and hostile bodies at every JSON route.
"""
import json
import logging
import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.sealing import SUITE, b64url, entry_info
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from support.family import enrolled_family
from support.pages import sign_in

FEVER = {"temperature_c": 38.9, "temperature_method": "axillary"}
CALM = {"temperature_c": 36.8, "temperature_method": "oral"}
FAR_TIMES = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00",
             "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


def seal_bytes(family, entry_id, plaintext: bytes) -> dict:
    """An envelope around any bytes, as a buggy app could seal them."""
    public_key = X25519PublicKey.from_public_bytes(family.public_key())
    sealed = SUITE.encrypt(plaintext, public_key, entry_info(entry_id, family.device_id))
    return {"entry_id": entry_id, "kid": family.keys["current"], "sealed": b64url(sealed)}


def push_beside_a_fever(family, db, envelope):
    """Pushes `envelope` then a genuine fever in one batch; returns the hostile entry's result
    after checking that the fever was stored and raised its alert."""
    fever = family.document(FEVER, recorded_at=family.now().isoformat())
    response = family.push([envelope, family.envelope(fever)])
    assert response.status_code == 200, response.get_json()
    hostile, genuine = response.get_json()["results"]
    assert genuine["entry_id"] == fever["entry_id"] and genuine["status"] == "accepted"
    assert genuine["alert"] is not None and genuine["alert"]["level"] == "urgent"
    assert db["entries"].get(fever["entry_id"])["status"] == "accepted"
    return hostile


@pytest.mark.parametrize("recorded_at", FAR_TIMES)
def test_it_quarantines_a_time_no_calendar_holds_and_still_stores_the_fever_beside_it(
        family, db, recorded_at):
    document = family.document(CALM, recorded_at=recorded_at)
    result = push_beside_a_fever(family, db, family.envelope(document))
    assert result["status"] == "quarantined"
    assert (result["error"]["code"], result["error"]["field"]) == ("implausible_time",
                                                                   "recorded_at")
    assert recorded_at in result["error"]["message"]
    stored = db["entries"].get(document["entry_id"])
    assert stored["status"] == "quarantined" and stored["recorded_at"] is None
    assert stored["corrected_at"] == stored["received_at"]


@pytest.mark.parametrize("recorded_at, why", [
    ("1999-12-31T23:59:59+00:00", "before 2000-01-01"),
    ("2026-11-22T19:00:01+00:00", "more than a day ahead"),
])
def test_it_quarantines_a_time_outside_the_plausible_window_with_the_reason(
        family, db, recorded_at, why):
    document = family.document(CALM, recorded_at=recorded_at)
    result = push_beside_a_fever(family, db, family.envelope(document))
    assert result["status"] == "quarantined" and result["error"]["code"] == "implausible_time"
    assert why in result["error"]["message"]


def test_it_still_alerts_on_a_fever_recorded_at_an_implausible_time(family, db):
    document = family.document(FEVER, recorded_at="9999-12-31T23:59:59+00:00")
    [result] = family.push([family.envelope(document)]).get_json()["results"]
    assert result["status"] == "quarantined" and result["alert"]["level"] == "urgent"


def test_it_accepts_a_time_a_day_ahead_as_a_fast_clock(family, db, clock):
    document = family.document(CALM, recorded_at=(clock.now() + timedelta(hours=23))
                               .isoformat())
    [result] = family.push([family.envelope(document)]).get_json()["results"]
    assert result["status"] == "accepted"


@pytest.mark.parametrize("sent_at", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00",
                                     "1999-12-31T23:59:59+00:00"])
def test_it_answers_400_to_a_sent_at_outside_the_plausible_window_and_stores_nothing(
        family, db, sent_at):
    response = family.push([family.envelope(family.document(FEVER))], sent_at=sent_at)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_request" and "sent_at" in error["details"]["fields"]
    assert sent_at in error["message"]
    assert db["entries"].count == 0


def nested(depth, inner="1"):
    return "[" * depth + inner + "]" * depth


@pytest.mark.parametrize("depth", [100, 990, 5000, 100_000])
def test_it_quarantines_only_the_entry_whose_document_is_nested_thousands_deep(
        client, nurse, family, db, depth):
    document = family.document(CALM)
    text = json.dumps(document)
    plaintext = (text[:-1] + ', "extra": ' + nested(depth) + "}").encode("utf-8")
    result = push_beside_a_fever(family, db, seal_bytes(family, document["entry_id"],
                                                        plaintext))
    assert result["status"] == "quarantined" and result["error"]["code"] == "invalid_document"
    assert "deep" in result["error"]["message"]
    assert db["entries"].get(document["entry_id"])["status"] == "quarantined"
    sign_in(client, nurse)
    for path in (f"/patients/{family.patient_id}", f"/patients/{family.patient_id}/entries"):
        assert client.get(path).status_code == 200, path
    response = client.get(f"/api/v1/patients/{family.patient_id}/entries",
                          headers=nurse.headers)
    assert response.status_code == 200


def test_it_quarantines_a_number_too_long_to_read_and_keeps_the_fever(family, db):
    document = family.document(CALM)
    plaintext = json.dumps(document).replace('36.8', "9" * 5000).encode("utf-8")
    result = push_beside_a_fever(family, db, seal_bytes(family, document["entry_id"],
                                                        plaintext))
    assert result["status"] == "quarantined" and result["error"]["code"] == "invalid_document"


UNREADABLE_BODIES = {
    "nested 6,000 deep": '{"a":' * 6000 + "1" + "}" * 6000,
    "nested 500 deep": '{"username":' + nested(500) + ', "password": "x"}',
    "a 5,000-digit integer": '{"username": "nurse1", "password": ' + "9" * 5000 + "}",
}


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/devices"])
@pytest.mark.parametrize("name", sorted(UNREADABLE_BODIES))
def test_it_answers_400_without_a_traceback_to_a_body_it_cannot_read(client, caplog, path,
                                                                      name):
    with caplog.at_level(logging.ERROR):
        response = client.post(path, data=UNREADABLE_BODIES[name],
                               content_type="application/json")
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_request"
    assert [record for record in caplog.records if record.exc_info] == []


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Kiritimati"])
@pytest.mark.parametrize("recorded_at, corrected_at", [
    ("9999-12-31T23:59:59.000000+00:00", "2026-11-20T19:00:00.000000+00:00"),
    ("0001-01-01T00:00:00.000000+00:00", "0001-01-01T00:00:00.000000+00:00"),
    ("9999-12-31T23:59:59.999999+00:00", "9999-12-31T23:59:59.999999+00:00"),
])
def test_it_shows_every_page_and_export_of_an_entry_stored_with_any_time(
        client, nurse, clock, db, zone, recorded_at, corrected_at):
    """Entries an older server stored before the plausible window existed, for a family
    behind UTC and one 14 hours ahead of it."""
    family = enrolled_family(client, nurse.headers, timezone=zone, clock=clock)
    document = family.document(FEVER)
    [result] = family.push([family.envelope(document)]).get_json()["results"]
    alert_id = result["alert"]["alert_id"]
    db.execute("UPDATE entries SET recorded_at = ?, corrected_at = ? WHERE entry_id = ?",
               [recorded_at, corrected_at, document["entry_id"]])
    db.conn.commit()
    api = f"/api/v1/patients/{family.patient_id}"
    for path in (f"{api}/entries", f"{api}/entries/{document['entry_id']}/fhir",
                 f"{api}/trends?measure=temperature", f"{api}/tasks", "/api/v1/alerts",
                 f"/api/v1/alerts/{alert_id}"):
        response = client.get(path, headers=nurse.headers)
        assert response.status_code == 200, (path, response.get_json())
    sign_in(client, nurse)
    for path in (f"/patients/{family.patient_id}", f"/patients/{family.patient_id}/entries",
                 "/patients", "/", "/alerts", f"/alerts/{alert_id}",
                 f"/alerts/{alert_id}/forms"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "38.9" in client.get(f"/patients/{family.patient_id}/entries").get_data(
        as_text=True)
