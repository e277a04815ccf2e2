"""Episodes: one alert per patient and concern while open; only worse news notifies again."""
from datetime import timedelta

import pytest

from alerts.episodes import escalate_due
from support.alerting import Finding, Outbox, raise_findings
from support.family import create_patient


@pytest.fixture
def patient_id(client, staff):
    return create_patient(client, staff("nurse").headers)


@pytest.fixture
def vault(app):
    return app.extensions["homeward"].vault


def fever(temperature=38.4):
    return Finding("fever", "urgent", evidence={"temperature_c": temperature})


def test_it_makes_ten_fevers_in_an_hour_one_episode(db, vault, patient_id, clock):
    outbox = Outbox()
    for minute in range(0, 60, 6):
        clock.advance(minutes=6)
        raise_findings(db, vault, patient_id, [fever()], clock.now(), outbox,
                       entry_id=f"e{minute}")
    assert db["alerts"].count == 1
    assert db["alert_entries"].count == 10
    assert outbox.kinds() == [("alert_raised", "urgent")]


def test_it_puts_fever_and_high_fever_from_one_reading_in_one_alert(db, vault, patient_id,
                                                                    clock):
    result = raise_findings(db, vault, patient_id,
                            [fever(39.4), Finding("high_fever", "urgent", True)], clock.now())
    [alert] = db["alerts"].rows
    assert result == {"alert_id": alert["id"], "level": "urgent"}
    assert alert["reasons"] == '["fever", "high_fever"]'
    assert alert["escalated_at"] is not None  # high fever escalates at once


def test_it_raises_the_level_of_an_open_episode_and_notifies_again(db, vault, patient_id,
                                                                  clock):
    outbox = Outbox()
    raise_findings(db, vault, patient_id, [Finding("neuro_sign", "urgent")], clock.now(),
                   outbox)
    clock.advance(minutes=30)
    raise_findings(db, vault, patient_id, [Finding("seizure", "emergency")], clock.now(),
                   outbox)
    [alert] = db["alerts"].rows
    assert alert["level"] == "emergency"
    assert outbox.kinds() == [("alert_raised", "urgent"), ("alert_level_raised", "emergency"),
                              ("alert_escalated", "escalation")]


def test_it_never_lowers_the_level_of_an_episode(db, vault, patient_id, clock):
    raise_findings(db, vault, patient_id, [Finding("seizure", "emergency")], clock.now())
    raise_findings(db, vault, patient_id, [Finding("neuro_sign", "urgent")], clock.now())
    assert db["alerts"].get(next(db["alerts"].rows)["id"])["level"] == "emergency"


def test_it_opens_a_new_episode_after_the_last_was_resolved(db, vault, patient_id, clock):
    raise_findings(db, vault, patient_id, [fever()], clock.now())
    db.execute("UPDATE alerts SET status = 'resolved'")
    raise_findings(db, vault, patient_id, [fever()], clock.now())
    assert db["alerts"].count == 2


def test_it_keeps_separate_concerns_in_separate_alerts(db, vault, patient_id, clock):
    raise_findings(db, vault, patient_id,
                   [fever(), Finding("organ_flare", "attention")], clock.now())
    assert sorted(row["concern"] for row in db["alerts"].rows) == ["organ_flare",
                                                                   "temperature"]


def test_it_escalates_an_unacknowledged_urgent_alert_after_15_minutes_once(
        db, vault, patient_id, clock):
    raise_findings(db, vault, patient_id, [fever()], clock.now())
    outbox = Outbox()
    clock.advance(minutes=14, seconds=59)
    assert escalate_due(db, clock.now(), outbox) == []
    clock.advance(seconds=1)
    assert len(escalate_due(db, clock.now(), outbox)) == 1
    clock.advance(minutes=5)
    assert escalate_due(db, clock.now(), outbox) == []
    assert outbox.kinds() == [("alert_escalated", "escalation")]


def test_it_does_not_escalate_an_acknowledged_or_snoozed_alert(db, vault, patient_id, clock):
    raise_findings(db, vault, patient_id, [fever()], clock.now())
    raise_findings(db, vault, patient_id, [Finding("breathing", "urgent")], clock.now())
    db.execute("UPDATE alerts SET status = 'acknowledged' WHERE concern = 'temperature'")
    later = clock.now() + timedelta(hours=1)
    db.execute("UPDATE alerts SET snoozed_until = ? WHERE concern = 'breathing'",
               [later.isoformat()])
    clock.advance(minutes=30)
    assert escalate_due(db, clock.now(), Outbox()) == []
    clock.advance(minutes=31)
    assert len(escalate_due(db, clock.now(), Outbox())) == 1  # the snooze ran out


def test_it_does_not_escalate_attention_or_info_alerts(db, vault, patient_id, clock):
    raise_findings(db, vault, patient_id, [Finding("organ_flare", "attention")], clock.now())
    clock.advance(hours=3)
    assert escalate_due(db, clock.now(), Outbox()) == []


def test_it_lets_an_episode_wait_for_working_hours_only_while_every_finding_may(
        db, vault, patient_id, clock):
    from alerts.working_hours import parse_working_hours

    closed = parse_working_hours("mon-fri", "08:00-18:00", "America/New_York")
    lump = Finding("new_lump", "urgent", team="physician", escalate="working_hours")
    alert_id = raise_findings(db, vault, patient_id, [lump], clock.now())["alert_id"]
    clock.advance(hours=4)  # Friday 23:00 in New York
    assert escalate_due(db, clock.now(), Outbox(), closed) == []
    # The same concern again, from a rule that must reach someone at any hour.
    raise_findings(db, vault, patient_id, [Finding("new_lump", "urgent")], clock.now())
    row = db["alerts"].get(alert_id)
    assert (row["team"], row["escalate"]) == ("physician", "any_time")
    assert escalate_due(db, clock.now(), Outbox(), closed) == [alert_id]
