"""Pull by respondent: what a parent tells the psychosocial team about themselves, and what
the team answers, reaches the parent's phone and never the child's own."""
import json
from pathlib import Path

import pytest

from support.alerting import Finding, raise_findings
from support.family import enrolled_family
from test_sync_pull import pull_all

RULES = json.loads((Path(__file__).parents[1] / "alerts" / "rules" / "default.json")
                   .read_text())
REASONS = sorted({(rule["reason"], rule["level"]) for rule in RULES["rules"]})
CAREGIVER_ONLY = {"caregiver_distress"}


@pytest.fixture
def vault(app):
    return app.extensions["homeward"].vault


@pytest.fixture
def phones(client, nurse, clock):
    """The parent's phone and the child's own, enrolled for the same child."""
    parent = enrolled_family(client, nurse.headers, clock=clock)
    child = enrolled_family(client, nurse.headers, respondent="patient",
                            patient_id=parent.patient_id, clock=clock)
    return {"caregiver": parent, "patient": child}


def alert_ids(changes, op="upsert"):
    return {c["id"] for c in changes if c["type"] == "alert" and c["op"] == op}


def expected_on(respondent, reason):
    return respondent == "caregiver" or reason not in CAREGIVER_ONLY


@pytest.mark.parametrize("respondent", ["caregiver", "patient"])
@pytest.mark.parametrize("reason,level", REASONS)
def test_it_sends_an_alert_in_a_snapshot_only_to_the_devices_it_is_for(
        phones, db, vault, clock, reason, level, respondent):
    phone = phones[respondent]
    alert_id = raise_findings(db, vault, phone.patient_id, [Finding(reason, level)],
                              clock.now())["alert_id"]
    changes, _cursor, _pages = pull_all(phone)
    assert (alert_id in alert_ids(changes)) is expected_on(respondent, reason)


@pytest.mark.parametrize("respondent", ["caregiver", "patient"])
@pytest.mark.parametrize("reason,level", REASONS)
def test_it_sends_an_alert_and_the_teams_message_as_a_change_only_to_the_devices_it_is_for(
        client, staff, phones, db, vault, clock, reason, level, respondent):
    phone = phones[respondent]
    _changes, cursor, _pages = pull_all(phone)
    alert_id = raise_findings(db, vault, phone.patient_id, [Finding(reason, level)],
                              clock.now())["alert_id"]
    changes, cursor, _pages = pull_all(phone, cursor)
    assert (alert_id in alert_ids(changes)) is expected_on(respondent, reason)
    if not expected_on(respondent, reason):
        # A delete with no data: it clears a copy sent before this was fixed, says nothing.
        assert [c for c in changes if c["type"] == "alert"] == [
            {"type": "alert", "op": "delete", "id": alert_id, "data": None}]
    handler = staff("psychosocial" if reason in ("caregiver_distress", "qol_drop") else "nurse")
    answered = client.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=handler.headers,
                           json={"message": "Lucía from the psychosocial team will call you"})
    assert answered.status_code == 200, answered.get_json()
    changes, _cursor, _pages = pull_all(phone, cursor)
    messages = [c["data"]["message"] for c in changes if c["type"] == "alert" and c["data"]]
    if expected_on(respondent, reason):
        assert messages == ["Lucía from the psychosocial team will call you"]
    else:
        assert messages == [] and "Lucía" not in json.dumps(changes)
