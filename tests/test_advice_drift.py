"""The phone says in its sealed entry what advice it showed (docs/protocol.md, `phone_advice`);
when the server finds another level, the push keeps both levels and logs ids only, and
/healthz counts it. Whatever the phone wrote there never quarantines an entry."""
import logging

import pytest

from test_sync_pull import by_type, pull_all

FEVER = {"temperature_c": 38.4, "temperature_method": "axillary"}
CALM = {"temperature_c": 36.8, "temperature_method": "oral"}


def push(family, answers, phone_advice=None, **changes):
    document = family.document(answers, **changes)
    if phone_advice is not None:
        document["phone_advice"] = phone_advice
    response = family.push([family.envelope(document)])
    assert response.status_code == 200, response.get_json()
    [result] = response.get_json()["results"]
    return document, result


def drift_rows(db):
    return list(db.query("SELECT * FROM advice_drift ORDER BY at"))


def test_it_logs_a_fever_the_phone_did_not_advise_on_with_both_levels_and_ids_only(
        family, db, client, caplog):
    with caplog.at_level(logging.WARNING, logger="homeward.alerts.drift"):
        document, result = push(family, FEVER, {"level": None, "rules_signature": "old"})
    assert result["status"] == "accepted" and result["alert"]["level"] == "urgent"
    [row] = drift_rows(db)
    assert (row["entry_id"], row["phone_level"], row["server_level"], row["server_higher"]) == (
        document["entry_id"], None, "urgent", 1)
    assert row["phone_rules_signature"] == "old"
    [line] = [record.getMessage() for record in caplog.records]
    assert document["entry_id"] in line and family.patient_id in line
    assert "phone=none server=urgent" in line
    assert "38.4" not in line and "axillary" not in line and "Mateo" not in line
    drift = client.get("/healthz").get_json()["advice_drift"]
    assert drift == {"total": 1, "last_24_hours": 1, "server_higher_last_24_hours": 1}


def test_it_records_nothing_when_the_phone_and_server_agree(family, db, client):
    push(family, FEVER, {"level": "urgent", "rules_signature": "x"})
    push(family, CALM, {"level": None})
    assert drift_rows(db) == []
    assert client.get("/healthz").get_json()["advice_drift"]["total"] == 0


def test_it_keeps_the_rules_signature_the_phone_held_beside_the_servers(family, db):
    changes, _cursor, _pages = pull_all(family)
    signature = by_type(changes, "rules")["rules"]["data"]["signature"]
    push(family, CALM, {"level": "emergency", "rules_signature": signature})
    [row] = drift_rows(db)
    assert (row["phone_level"], row["server_level"], row["server_higher"]) == ("emergency", None, 0)
    assert row["phone_rules_signature"] == row["server_rules_signature"] == signature


@pytest.mark.parametrize("phone_advice", [
    "urgent", ["urgent"], {"level": "severe"}, {"level": 3}, {"rules_signature": "x"},
    {"level": "URGENT"}, {"level": {"en": "call"}},
])
def test_it_ignores_phone_advice_of_a_shape_it_cannot_trust_and_still_accepts_the_entry(
        family, db, phone_advice):
    _document, result = push(family, FEVER, phone_advice)
    assert result["status"] == "accepted" and result["alert"]["level"] == "urgent"
    assert drift_rows(db) == []


def test_it_counts_a_pushed_again_entry_once(family, db):
    document = family.document(FEVER)
    document["phone_advice"] = {"level": "attention"}
    envelope = family.envelope(document)
    family.push([envelope])
    [result] = family.push([envelope]).get_json()["results"]
    assert result["status"] == "duplicate"
    assert len(drift_rows(db)) == 1


def test_it_still_compares_a_quarantined_entrys_valid_answers(family, db):
    _document, result = push(family, {"temperature_c": 380, "neuro_signs": ["seizure"]},
                             {"level": "urgent"})
    assert result["status"] == "quarantined"
    [row] = drift_rows(db)
    assert (row["phone_level"], row["server_level"]) == ("urgent", "emergency")
