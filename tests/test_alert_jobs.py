"""The scheduler's alert jobs with a clock the test moves: missed check-ins, escalation,
catching up after downtime, and delivery of a pushed fever to a real webhook receiver."""
import json
from datetime import timedelta

import pytest

from server.storage.db import connect
from server.jobs import build_jobs
from support.family import enrolled_family
from support.receiver import SECRET, Receiver


@pytest.fixture
def receiver(clock):
    receiver = Receiver(clock)
    yield receiver
    receiver.close()


@pytest.fixture
def paged_config(config, tmp_path, receiver, monkeypatch):
    monkeypatch.setenv("PAGER_WEBHOOK_SECRET", SECRET)
    routes = {"channels": {"pager": {"type": "webhook", "url": receiver.url,
                                     "secret_env": "PAGER_WEBHOOK_SECRET"}},
              "routes": {level: ["pager"] for level in
                         ("emergency", "urgent", "escalation", "attention", "info")}}
    path = tmp_path / "notifications.json"
    path.write_text(json.dumps(routes))
    return config.with_overrides(notifications_file=path)


@pytest.fixture
def app(paged_config, clock):
    from server import create_app
    from server.storage.installation import initialise

    initialise(paged_config, clock)
    return create_app(paged_config, clock=clock)


@pytest.fixture
def run_jobs(paged_config, clock):
    connection = connect(paged_config.database_path)
    jobs = {job.name: job for job in build_jobs(paged_config, connection, clock)}

    def run(*names):
        return {name: jobs[name].function(connection, clock.now()) for name in names}
    yield run
    connection.close()


def alerts_of(db, patient_id):
    return list(db.query("SELECT * FROM alerts WHERE patient_id = ?", [patient_id]))


def test_it_pages_a_pushed_fever_with_a_signed_minimal_message(client, staff, clock, db,
                                                               receiver, run_jobs):
    family = enrolled_family(client, staff("nurse").headers, clock=clock)
    family.push([family.envelope(family.document({"temperature_c": 38.9,
                                                  "temperature_method": "ear"}))])
    counts = run_jobs("notifications")["notifications"]
    assert counts["sent"] == 1
    [(valid, key, body)] = receiver.received
    assert valid and key.endswith(":pager")
    assert body["level"] == "urgent" and body["reasons"] == ["fever"]
    assert body["patient"] == family.patient_id and "Mateo" not in json.dumps(body)
    run_jobs("notifications")
    assert len(receiver.received) == 1  # delivered once, not again


def test_it_flags_a_silent_family_at_12_hours_and_raises_it_at_24(client, staff, clock, db,
                                                                  run_jobs):
    family = enrolled_family(client, staff("nurse").headers, clock=clock)
    family.push([family.envelope(family.document({"temperature_c": 36.9},
                                                 recorded_at=clock.now().isoformat()))])
    clock.advance(hours=11, minutes=59)
    run_jobs("missed_checkins")
    assert alerts_of(db, family.patient_id) == []
    clock.advance(minutes=1)
    run_jobs("missed_checkins")
    [alert] = alerts_of(db, family.patient_id)
    assert (alert["level"], alert["reasons"]) == ("attention", '["missed_checkin"]')
    run_jobs("missed_checkins")  # a repeat run adds nothing
    assert db["notifications"].count == 1
    clock.advance(hours=12)
    run_jobs("missed_checkins")
    [alert] = alerts_of(db, family.patient_id)
    assert alert["level"] == "urgent" and "no_contact" in alert["reasons"]
    kinds = [row["kind"] for row in db.query("SELECT kind FROM notifications ORDER BY id")]
    assert kinds == ["alert_raised", "alert_level_raised"]


def test_it_counts_silence_from_enrolment_before_the_first_reading(client, staff, clock, db,
                                                                  run_jobs):
    family = enrolled_family(client, staff("nurse").headers, clock=clock)
    clock.advance(hours=12)
    run_jobs("missed_checkins")
    assert [a["reasons"] for a in alerts_of(db, family.patient_id)] == ['["missed_checkin"]']


def test_it_leaves_families_past_the_monitoring_window_alone(client, staff, clock, db,
                                                             run_jobs):
    family = enrolled_family(client, staff("nurse").headers, clock=clock,
                             infusion_date="2026-10-01")
    clock.advance(hours=30)
    run_jobs("missed_checkins")
    assert alerts_of(db, family.patient_id) == []


def test_it_catches_up_after_a_two_hour_outage_without_firing_twice(client, staff, clock, db,
                                                                    receiver, run_jobs):
    family = enrolled_family(client, staff("nurse").headers, clock=clock)
    family.push([family.envelope(family.document({"temperature_c": 38.5}))])
    clock.advance(hours=2)  # the scheduler was down; nobody acknowledged the fever
    run_jobs("escalation", "missed_checkins", "notifications")
    run_jobs("escalation", "missed_checkins", "notifications")  # the next tick
    [alert] = alerts_of(db, family.patient_id)
    assert alert["escalated_at"] is not None
    kinds = sorted(body["kind"] for _valid, _key, body in receiver.received)
    assert kinds == ["alert_escalated", "alert_raised"]


def test_it_escalates_an_unacknowledged_fever_after_15_minutes(client, staff, clock, db,
                                                               run_jobs):
    family = enrolled_family(client, staff("nurse").headers, clock=clock)
    family.push([family.envelope(family.document({"temperature_c": 38.2}))])
    clock.advance(minutes=14)
    assert run_jobs("escalation")["escalation"] == []
    clock.advance(minutes=1)
    assert len(run_jobs("escalation")["escalation"]) == 1
    [row] = db.query("SELECT route FROM notifications WHERE kind = 'alert_escalated'")
    assert row["route"] == "escalation"


def test_it_reminds_a_family_once_an_hour_after_a_task_falls_due(client, staff, clock, db,
                                                                 paged_config, receiver,
                                                                 monkeypatch):
    from alerts.jobs import remind_overdue
    from alerts.notifications.outbox import enqueue
    from alerts.notifications.routing import load_routing

    family = enrolled_family(client, staff("nurse").headers, clock=clock)
    family.pull()  # makes the tasks
    silent = load_routing(str(paged_config.notifications_file))
    assert remind_overdue(db, clock.now(), routing=silent, enqueue=enqueue) == []  # unrouted
    document = json.loads(paged_config.notifications_file.read_text())
    document["routes"]["reminder"] = ["pager"]
    routing = load_routing(document)
    clock.advance(hours=13)
    reminded = remind_overdue(db, clock.now(), routing=routing, enqueue=enqueue)
    assert reminded
    assert remind_overdue(db, clock.now(), routing=routing, enqueue=enqueue) == []
    answered = db["tasks"].get(reminded[0])
    assert answered["due_at"] <= (clock.now() - timedelta(hours=1)).isoformat()
