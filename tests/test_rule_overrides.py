"""A physician's per-patient override: a known baseline tremor stops alerting for that
child only, with a reason, audited, and the family's app receives the changed rules."""
import pytest

from support.family import enrolled_family
from test_errors import assert_envelope
from test_sync_pull import by_type, pull_all

TREMOR = {"baseline_signs": {"neuro_signs": ["tremor"]}}


@pytest.fixture
def physician(staff):
    return staff("physician")


def set_override(client, family, who, overrides=TREMOR, reason="Tremor since childhood"):
    return client.put(f"/api/v1/patients/{family.patient_id}/rule-overrides",
                      json={"overrides": overrides, "reason": reason}, headers=who.headers)


def push_tremor(family):
    response = family.push([family.envelope(family.document({"neuro_signs": ["tremor"]}))])
    return response.get_json()["results"][0]


def test_it_stops_a_known_baseline_tremor_alerting_for_that_child(client, family, physician,
                                                                 nurse, clock):
    other = enrolled_family(client, nurse.headers, clock=clock)
    response = set_override(client, family, physician)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["current"]["reason"] == "Tremor since childhood"
    assert push_tremor(family)["alert"] is None
    assert push_tremor(other)["alert"]["level"] == "urgent"


def test_it_still_alerts_a_seizure_whatever_the_override(client, family, physician):
    set_override(client, family, physician)
    response = family.push([family.envelope(family.document({"neuro_signs": ["tremor",
                                                                             "seizure"]}))])
    assert response.get_json()["results"][0]["alert"]["level"] == "emergency"


def test_it_refuses_to_silence_a_seizure(client, family, physician, db):
    response = set_override(client, family, physician,
                            overrides={"baseline_signs": {"neuro_signs": ["seizure"]}})
    assert "overrides" in assert_envelope(response, 400, "invalid_request")["details"]["fields"]
    assert db["patient_rule_overrides"].count == 0


def test_it_lets_only_physicians_set_overrides(client, family, nurse, db):
    assert_envelope(set_override(client, family, nurse), 403, "forbidden")
    assert db["patient_rule_overrides"].count == 0


def test_it_sends_the_changed_rules_to_the_familys_app(client, family, physician):
    changes, cursor, _pages = pull_all(family)
    rules = by_type(changes, "rules")["rules"]["data"]
    assert rules["id"] == "homeward-default" and "patient_overrides" not in rules
    set_override(client, family, physician)
    changes, _cursor, _pages = pull_all(family, cursor)
    rules = by_type(changes, "rules")["rules"]["data"]
    assert rules["patient_overrides"]["baseline_signs"] == {"neuro_signs": ["tremor"]}


def test_it_ends_an_override_and_keeps_the_history_audited(client, family, physician, db):
    set_override(client, family, physician)
    response = client.delete(f"/api/v1/patients/{family.patient_id}/rule-overrides",
                             headers=physician.headers)
    body = response.get_json()
    assert body["current"] is None and body["history"][0]["ended_by"] == physician.username
    assert push_tremor(family)["alert"]["level"] == "urgent"
    actions = [row["action"] for row in db.query(
        "SELECT action FROM audit_log WHERE action LIKE 'rule_overrides.%' ORDER BY id")]
    assert actions == ["rule_overrides.set", "rule_overrides.end"]
