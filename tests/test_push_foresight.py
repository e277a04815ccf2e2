"""A push judges its diaries before the write lock, against a snapshot of the child's
history (alerts/foresight.py). When another phone of the same child pushes in between, the
snapshot is stale: the entries are judged again under the lock, so the answer is the one a
push made after the other would get."""
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import server.api.sync
from alerts.evaluate import evaluate
from alerts.intake import build_context, entry_of
from server.records.patients import patient_facts
from server.web.context import get_vault
from support.family import enrolled_family

CALM = {"temperature_c": 36.8, "temperature_method": "oral", "neuro_signs": []}
BORDERLINE_TREMOR = {"temperature_c": 37.7, "temperature_method": "oral",
                     "neuro_signs": ["tremor"]}
FEVER_TREMOR = {"temperature_c": 38.4, "temperature_method": "oral", "neuro_signs": ["tremor"]}


@pytest.fixture
def other_phone(client, nurse, clock, family):
    """The other parent's phone, for the same child."""
    return enrolled_family(client, nurse.headers, patient_id=family.patient_id, clock=clock)


def pushed(family, document):
    response = family.push([family.envelope(document)])
    assert response.status_code == 200, response.get_json()
    [result] = response.get_json()["results"]
    assert result["status"] == "accepted", result
    return result


def at(clock, hours):
    return (clock.now() - timedelta(hours=hours)).isoformat()


def push_in_between(monkeypatch, push):
    """Run `push()` once, after a push has judged its entries and before it writes;
    returns what the interrupted push had foreseen, by entry id."""
    foreseen, real = {}, server.api.sync.foresee

    def foresee_then_push(db, context, prepared, moment):
        foresight = real(db, context, prepared, moment)
        for item in prepared:
            foreseen[item.entry_id] = sorted(f.reason for f in item.stored.foreseen or [])
        monkeypatch.setattr(server.api.sync, "foresee", real)
        # Its own thread: its own application context, so its own database connection.
        failed = []
        other = threading.Thread(target=lambda: failed.extend(run_catching(push)))
        other.start()
        other.join(60)
        assert not failed, failed
        return foresight
    monkeypatch.setattr(server.api.sync, "foresee", foresee_then_push)
    return foreseen


def run_catching(call) -> list:
    try:
        call()
        return []
    except BaseException as error:  # reported by the interrupted push's thread
        return [error]


def test_it_judges_again_under_the_lock_when_the_other_phone_pushed_in_between(
        family, other_phone, db, clock, monkeypatch):
    pushed(family, family.document(CALM, recorded_at=at(clock, 3)))
    late = other_phone.document(BORDERLINE_TREMOR, recorded_at=at(clock, 2))
    foreseen = push_in_between(monkeypatch, lambda: pushed(other_phone, late))
    mine = family.document(FEVER_TREMOR, recorded_at=at(clock, 1))

    result = pushed(family, mine)

    # Against the snapshot, the tremor was new since the calm entry; the other phone's
    # entry, committed before this push took the lock, had it already.
    assert foreseen[mine["entry_id"]] == ["fever", "neuro_sign"]
    episodes = {row["concern"]: row for row in db.query(
        "SELECT id, concern, level, status FROM alerts WHERE patient_id = ?",
        [family.patient_id])}
    assert set(episodes) == {"temperature", "neuro"}
    linked = [row[0] for row in db.execute(
        "SELECT alert_id FROM alert_entries WHERE entry_id = ?", [mine["entry_id"]])]
    assert linked == [episodes["temperature"]["id"]], \
        "the tremor is not new since the other phone's entry: no neuro finding"
    assert episodes["temperature"]["level"] == "urgent"
    assert result["alert"] == {"alert_id": episodes["temperature"]["id"], "level": "urgent"}
    assert db.execute("SELECT COUNT(*) FROM entries WHERE patient_id = ?",
                      [family.patient_id]).fetchone()[0] == 3
    raised = [row["kind"] for row in db.query(
        "SELECT kind FROM notifications WHERE alert_id = ? ORDER BY id",
        [episodes["temperature"]["id"]])]
    assert raised == ["alert_raised", "alert_level_raised"], \
        "the borderline reading opened the episode, the fever raised its level"


def test_it_keeps_what_it_judged_before_the_lock_when_nothing_changed_in_between(
        family, other_phone, db, clock, monkeypatch):
    pushed(family, family.document(CALM, recorded_at=at(clock, 3)))
    mine = family.document(FEVER_TREMOR, recorded_at=at(clock, 1))
    foreseen = push_in_between(monkeypatch, lambda: None)

    result = pushed(family, mine)

    assert foreseen[mine["entry_id"]] == ["fever", "neuro_sign"]
    concerns = sorted(row[0] for row in db.execute(
        "SELECT alerts.concern FROM alert_entries JOIN alerts ON alerts.id = alert_id "
        "WHERE entry_id = ?", [mine["entry_id"]]))
    assert concerns == ["neuro", "temperature"]
    assert result["alert"]["level"] == "urgent"


READING = st.fixed_dictionaries({
    "hours_ago": st.sampled_from([0.5, 1, 1.5, 2, 2, 3, 6, 12, 23.5, 24, 25, 30, 47]),
    "temperature_c": st.sampled_from([None, 36.6, 37.6, 37.9, 38.0, 38.6, 39.3]),
    "temperature_method": st.sampled_from(["oral", "axillary", "tympanic"]),
    "neuro_signs": st.lists(st.sampled_from(["tremor", "headache", "speech"]), unique=True,
                            max_size=2)})
PUSHES = st.lists(st.tuples(st.booleans(), st.lists(READING, min_size=1, max_size=6)),
                  min_size=1, max_size=3)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pushes=PUSHES, again=st.booleans())
def test_it_foresees_what_judging_under_the_lock_from_the_database_finds(
        family, other_phone, clock, monkeypatch, pushes, again):
    """Out of order, on the same minute, across the day's edge, from either phone, with a
    push sent twice: every diary's findings from the snapshot are those the rules find
    from the database under the lock, with the entries before it stored."""
    differences, real = [], server.api.sync.record_judgement

    def compared(db, stored, findings, **given):
        patient = patient_facts(db, get_vault(), stored.patient_id, given["now"])
        context = build_context(db, given["cipher"], patient, stored, given["settings"],
                                given["now"])
        judged = evaluate(given["settings"].ruleset, entry_of(stored), context)
        if judged != findings:
            differences.append((stored.entry_id, findings, judged))
        return real(db, stored, findings, **given)
    monkeypatch.setattr(server.api.sync, "record_judgement", compared)
    for from_other, readings in pushes:
        phone = other_phone if from_other else family
        envelopes = [phone.envelope(phone.document(
            {name: value for name, value in reading.items()
             if name != "hours_ago" and value is not None},
            recorded_at=at(clock, reading["hours_ago"]))) for reading in readings]
        for _ in range(2 if again else 1):
            response = phone.push(envelopes)
            assert response.status_code == 200, response.get_json()
    assert differences == []
