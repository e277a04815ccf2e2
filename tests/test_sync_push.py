"""Push, as PROTOCOL.md promises it: per-entry results, nothing lost, nothing stored twice,
nothing forged gets in."""
import base64
import uuid
from datetime import timedelta

import pytest

from support.family import enrolled_family
from support.raw_database import raw_database_bytes
from sync.sealing import b64url, unb64url
from test_errors import assert_envelope

FEVER = {"temperature_c": 38.4, "temperature_method": "axillary"}


def results(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


CALM = {"temperature_c": 36.8, "temperature_method": "oral"}


def test_it_accepts_a_sealed_entry_and_answers_per_entry(family, db):
    document = family.document(CALM)
    [result] = results(family.push([family.envelope(document)]))
    assert result == {"entry_id": document["entry_id"], "status": "accepted", "alert": None}
    row = db["entries"].get(document["entry_id"])
    assert row["status"] == "accepted" and row["questionnaire_id"] == "symptom-diary"
    assert db["alerts"].count == 0


def test_it_has_the_alert_open_and_its_notification_queued_before_the_push_answers(family,
                                                                                    db):
    document = family.document(FEVER)
    [result] = results(family.push([family.envelope(document)]))
    assert result["status"] == "accepted" and result["alert"]["level"] == "urgent"
    alert = db["alerts"].get(result["alert"]["alert_id"])
    assert alert["status"] == "open" and alert["reasons"] == '["fever"]'
    [queued] = db.query("SELECT kind, route, status, payload FROM notifications")
    assert (queued["kind"], queued["route"], queued["status"]) == ("alert_raised", "urgent",
                                                                   "pending")
    assert "Mateo" not in queued["payload"] and "38.4" not in queued["payload"]


def test_it_makes_ten_fevers_in_an_hour_from_one_patient_one_alert(family, db, clock):
    for minute in range(0, 60, 6):
        results(family.push([family.envelope(family.document(
            FEVER, recorded_at=(clock.now()).isoformat()))]))
        clock.advance(minutes=6)
    assert db["alerts"].count == 1
    assert db["alert_entries"].count == 10
    assert db["notifications"].count == 1


def test_it_still_checks_the_valid_answers_of_a_quarantined_entry(family, db):
    document = family.document({"temperature_c": 380, "neuro_signs": ["seizure"]})
    [result] = results(family.push([family.envelope(document)]))
    assert result["status"] == "quarantined" and result["alert"]["level"] == "emergency"


def test_it_says_how_late_an_alerting_entry_arrived(family, db, clock):
    three_hours_ago = (clock.now() - timedelta(hours=3)).isoformat()
    [result] = results(family.push([family.envelope(
        family.document(FEVER, recorded_at=three_hours_ago))]))
    assert db["alerts"].get(result["alert"]["alert_id"])["reported_late_minutes"] == 180


def test_it_answers_a_repeated_push_with_duplicates_and_stores_nothing_twice(family, db):
    envelopes = [family.envelope(family.document({"temperature_c": 37.0 + i / 10}))
                 for i in range(3)]
    first = results(family.push(envelopes))
    again = results(family.push(envelopes))
    assert [r["status"] for r in first] == ["accepted"] * 3
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert db["entries"].count == 3


def test_it_treats_the_same_document_sealed_twice_as_a_duplicate(family):
    document = family.document(FEVER)
    results(family.push([family.envelope(document)]))
    [again] = results(family.push([family.envelope(document)]))  # new HPKE randomness
    assert again["status"] == "duplicate"


def test_it_rejects_other_content_under_a_known_entry_id_as_a_conflict(family, db):
    document = family.document(FEVER)
    results(family.push([family.envelope(document)]))
    changed = {**document, "answers": {"temperature_c": 36.8}}
    [result] = results(family.push([family.envelope(changed)]))
    assert result["status"] == "rejected" and result["error"]["code"] == "conflict"
    assert db["entries"].count == 1


def test_it_rejects_tampered_bytes(family, db):
    envelope = family.envelope(family.document(FEVER))
    raw = bytearray(unb64url(envelope["sealed"]))
    raw[40] ^= 0x01
    [result] = results(family.push([{**envelope, "sealed": b64url(bytes(raw))}]))
    assert result["error"]["code"] == "decrypt_failed"
    assert db["entries"].count == 0


def test_it_rejects_an_envelope_resent_under_another_entry_id(family, db):
    envelope = family.envelope(family.document(FEVER))
    [result] = results(family.push([{**envelope, "entry_id": str(uuid.uuid4())}]))
    assert result["status"] == "rejected" and result["error"]["code"] == "decrypt_failed"
    assert db["entries"].count == 0


def test_it_rejects_another_devices_envelope(client, nurse, family, clock, db):
    sibling = enrolled_family(client, nurse.headers, patient_id=family.patient_id, clock=clock)
    stolen = family.envelope(family.document(FEVER))
    [result] = results(sibling.push([stolen]))
    assert result["error"]["code"] == "decrypt_failed"
    assert db["entries"].count == 0


def test_it_rejects_an_entry_naming_another_device_or_patient(client, nurse, family, clock, db):
    other = enrolled_family(client, nurse.headers, clock=clock)
    wrong_device = family.document(FEVER, device_id=other.device_id)
    wrong_patient = family.document(FEVER, patient_id=other.patient_id)
    envelopes = [
        {"entry_id": wrong_device["entry_id"], "kid": family.keys["current"],
         "sealed": _seal_as(family, wrong_device)},
        family.envelope(wrong_patient),
    ]
    codes = [r["error"]["code"] for r in results(family.push(envelopes))]
    assert codes == ["wrong_device", "wrong_patient"]
    assert db["entries"].count == 0


def _seal_as(family, document):
    """Seal with the pushing device's binding but a document that names another device."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    from sync.sealing import SUITE, entry_info, entry_plaintext

    info = entry_info(document["entry_id"], family.device_id)
    key = X25519PublicKey.from_public_bytes(family.public_key())
    return b64url(SUITE.encrypt(entry_plaintext(document), key, info))


def test_it_rejects_an_unknown_key_id(family, db):
    envelope = family.envelope(family.document(FEVER))
    [result] = results(family.push([{**envelope, "kid": "k1999zzzz"}]))
    assert result["error"]["code"] == "unknown_key"
    assert db["entries"].count == 0


def test_it_quarantines_an_implausible_temperature_and_keeps_the_valid_answers(family, db, app):
    document = family.document({"temperature_c": 380, "breathing_difficulty": True})
    [result] = results(family.push([family.envelope(document)]))
    assert result["status"] == "quarantined"
    assert result["error"]["field"] == "temperature_c"
    row = db["entries"].get(document["entry_id"])
    vault = app.extensions["homeward"].vault
    valid = vault.for_patient(db, family.patient_id).open_json(
        "entries", document["entry_id"], "valid_answers", row["valid_answers"])
    assert valid == {"breathing_difficulty": True}


def test_it_quarantines_what_opens_but_is_not_an_entry(family, db):
    entry_id = str(uuid.uuid4())
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    from sync.sealing import SUITE, entry_info

    key = X25519PublicKey.from_public_bytes(family.public_key())
    sealed = b64url(SUITE.encrypt(b"not json at all", key, entry_info(entry_id,
                                                                       family.device_id)))
    [result] = results(family.push([{"entry_id": entry_id, "kid": family.keys["current"],
                                     "sealed": sealed}]))
    assert result["status"] == "quarantined"
    assert result["error"]["code"] == "invalid_document"
    assert db["entries"].get(entry_id)["status"] == "quarantined"


def test_it_quarantines_an_unknown_questionnaire_version(family, db):
    document = family.document(FEVER, questionnaire_version="9.9.9")
    [result] = results(family.push([family.envelope(document)]))
    assert result["status"] == "quarantined"
    assert result["error"]["code"] == "unknown_questionnaire"


def test_it_measures_the_device_clock_offset_and_corrects_recorded_times(family, db, clock):
    # The phone's clock runs 10 minutes slow: it says 18:50 when the server says 19:00.
    document = family.document(FEVER, recorded_at="2026-11-20T13:40:00-05:00")  # 18:40Z
    results(family.push([family.envelope(document)], sent_at="2026-11-20T18:50:00+00:00"))
    row = db["entries"].get(document["entry_id"])
    assert row["clock_offset_seconds"] == 600
    assert row["recorded_at"].startswith("2026-11-20T18:40:00")
    assert row["corrected_at"].startswith("2026-11-20T18:50:00")
    device = db["devices"].get(family.device_id)
    assert device["clock_offset_seconds"] == 600 and device["last_sync_at"]


def test_it_records_the_outbox_backlog_the_device_reports(family, db):
    results(family.push([family.envelope(family.document(FEVER))], outbox_pending=42))
    assert db["devices"].get(family.device_id)["outbox_pending"] == 42


def test_it_refuses_more_than_500_entries_with_both_limits(family, db):
    envelope = family.envelope(family.document(FEVER))
    response = family.push([envelope] * 501)
    error = assert_envelope(response, 413, "payload_too_large")
    assert error["details"] == {"max_entries": 500, "max_bytes": 2 * 1024 * 1024}
    assert db["entries"].count == 0


@pytest.mark.parametrize("body, field", [
    ({"entries": []}, "sent_at"),
    ({"sent_at": "yesterday", "entries": []}, "sent_at"),
    ({"sent_at": "2026-11-20T19:00:00", "entries": []}, "sent_at"),
    ({"sent_at": "2026-11-20T19:00:00Z"}, "entries"),
    ({"sent_at": "2026-11-20T19:00:00Z", "entries": "all of them"}, "entries"),
    ({"sent_at": "2026-11-20T19:00:00Z", "entries": [{"entry_id": "x"}]}, "entries"),
    ({"sent_at": "2026-11-20T19:00:00Z", "entries": [], "outbox_pending": -1},
     "outbox_pending"),
])
def test_it_refuses_a_malformed_push_and_stores_nothing(family, db, body, field):
    response = family.client.post("/api/v1/sync/push", headers=family.headers, json=body)
    error = assert_envelope(response, 400, "invalid_request")
    assert field in error["details"]["fields"]
    assert db["entries"].count == 0


def test_it_refuses_a_push_without_a_device_token(client, family, nurse):
    body = {"sent_at": "2026-11-20T19:00:00Z", "entries": []}
    assert_envelope(client.post("/api/v1/sync/push", json=body), 401, "unauthorized")
    forged = {"Authorization": "Bearer hwd_" + base64.urlsafe_b64encode(b"x" * 32).decode()}
    assert_envelope(client.post("/api/v1/sync/push", json=body, headers=forged),
                    401, "unauthorized")
    assert_envelope(client.post("/api/v1/sync/push", json=body, headers=nurse.headers),
                    401, "unauthorized")


def test_it_keeps_answers_out_of_the_raw_database_file(family, db, config):
    document = family.document({"notes": "Quetzalcoatl-pancake-7731", "temperature_c": 37.1})
    results(family.push([family.envelope(document)]))
    raw = raw_database_bytes(db, config.database_path)
    assert b"Quetzalcoatl" not in raw and b"7731" not in raw
    assert document["entry_id"].encode() in raw  # ids are in clear, as documented


def test_it_opens_an_entry_sealed_to_an_older_key_after_rotation(family, config, db):
    from server.cli import main

    old_kid = family.keys["current"]
    sealed_offline = family.envelope(family.document(FEVER))  # sealed before the rotation
    assert main(["keys", "rotate-sealing"],
                environ={"HOMEWARD_DATA_DIR": str(config.data_dir)}) == 0
    keys = family.client.get("/api/v1/keys").get_json()
    assert keys["current"] != old_kid and old_kid in [k["kid"] for k in keys["keys"]]
    [result] = results(family.push([sealed_offline]))
    assert result["status"] == "accepted" and sealed_offline["kid"] == old_kid
