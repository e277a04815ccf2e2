"""What staff and other phones do while a push is between its judging (before the write
lock) and its write (alerts/foresight.py, sync/push.py): every interleaving ends as one
sequential order of the same operations would, nothing a family sent is lost, no 500, and
no alert is without its outbox row.

The operation runs at the one moment that matters through the same hook as
tests/test_push_foresight.py (`push_in_between`: after `foresee`, before the write lock);
over HTTP that moment is too narrow to hit every time. The sequential order it must equal
is run for real on a second child, with the same readings, and the two compared.
tests/test_push_races_live.py does the same over HTTP against `homeward serve`."""
from datetime import timedelta

import pytest

from server.records.patients import erase_patient
from server.web.context import get_vault
from support.family import enrolled_family
from test_push_foresight import at, push_in_between

CALM = {"temperature_c": 36.8, "temperature_method": "oral"}
FEVER = {"temperature_c": 38.6, "temperature_method": "axillary"}   # under 39.0, over 38.0
RASH = {"temperature_c": 36.9, "temperature_method": "oral", "organ_signs": ["rash"]}
RAISED = {"parameters": {"fever_threshold_c": {"any": 39.0}}}
PROFILE = {"diagnosis": "sle", "organs_involved": ["kidney"], "car_target": "cd19"}


@pytest.fixture
def physician(staff):
    return staff("physician")


@pytest.fixture
def twin(client, nurse, clock):
    """A second child with the same dates: the sequential order is run on them."""
    return enrolled_family(client, nurse.headers, clock=clock)


def readings(clock, *answers):
    """(answers, recorded_at) an hour apart, the last one an hour ago."""
    return [(value, at(clock, len(answers) - index)) for index, value in enumerate(answers)]


def push(family, plan):
    documents = [family.document(answers, recorded_at=when) for answers, when in plan]
    response = family.push([family.envelope(document) for document in documents])
    return response, documents


def outcome(db, family, documents):
    """What staff see of the child, in terms that do not depend on entry or alert ids."""
    position = {document["entry_id"]: index for index, document in enumerate(documents)}
    entries = sorted((position.get(row[0], row[0]), row[1]) for row in db.execute(
        "SELECT entry_id, status FROM entries WHERE patient_id = ?", [family.patient_id]))
    alerts = []
    for alert_id, concern, level, status in db.execute(
            "SELECT id, concern, level, status FROM alerts WHERE patient_id = ? ORDER BY id",
            [family.patient_id]).fetchall():
        linked = sorted(position.get(row[0], row[0]) for row in db.execute(
            "SELECT entry_id FROM alert_entries WHERE alert_id = ?", [alert_id]))
        kinds = [row[0] for row in db.execute(
            "SELECT kind FROM notifications WHERE alert_id = ? ORDER BY id", [alert_id])]
        assert kinds, f"alert {alert_id} ({concern}) has no outbox row"
        alerts.append((concern, level, status, linked, kinds))
    return {"entries": entries, "alerts": alerts}


def results_of(response, documents):
    assert response.status_code == 200, response.get_json()
    position = {document["entry_id"]: index for index, document in enumerate(documents)}
    return [(position[item["entry_id"]], item["status"], (item.get("alert") or {}).get("level"))
            for item in response.get_json()["results"]]


def compare_with_change_first(db, monkeypatch, family, twin, change, plan):
    """Push `plan` for `family` with `change(family)` made between its judging and its
    write, and for `twin` with `change(twin)` made first: the same answers, the same
    stored entries and alerts."""
    push_in_between(monkeypatch, lambda: change(family))
    raced, raced_documents = push(family, plan)
    change(twin)
    sequential, sequential_documents = push(twin, plan)
    assert results_of(raced, raced_documents) == results_of(sequential, sequential_documents)
    assert outcome(db, family, raced_documents) == outcome(db, twin, sequential_documents)
    return outcome(db, family, raced_documents)


def test_it_judges_with_the_raised_fever_threshold_set_while_the_push_was_in_flight(
        client, db, family, twin, physician, clock, monkeypatch):
    def raise_threshold(child):
        response = client.put(f"/api/v1/patients/{child.patient_id}/rule-overrides",
                              json={"overrides": RAISED, "reason": "Runs hot, per Dr. K"},
                              headers=physician.headers)
        assert response.status_code == 200, response.get_json()
    plan = readings(clock, CALM, FEVER, CALM)
    seen = compare_with_change_first(db, monkeypatch, family, twin, raise_threshold, plan)
    assert [alert[:2] for alert in seen["alerts"]] == [("temperature", "attention")], \
        "38.6 is no fever under a 39.0 threshold: a raised temperature, not an urgent fever"


def test_it_judges_with_the_default_threshold_when_the_override_ends_mid_push(
        client, db, family, twin, physician, clock, monkeypatch):
    for child in (family, twin):
        client.put(f"/api/v1/patients/{child.patient_id}/rule-overrides",
                   json={"overrides": RAISED, "reason": "Runs hot, per Dr. K"},
                   headers=physician.headers)

    def end_override(child):
        response = client.delete(f"/api/v1/patients/{child.patient_id}/rule-overrides",
                                 headers=physician.headers)
        assert response.status_code == 200, response.get_json()
    plan = readings(clock, CALM, FEVER, CALM)
    seen = compare_with_change_first(db, monkeypatch, family, twin, end_override, plan)
    assert [alert[:2] for alert in seen["alerts"]] == [("temperature", "urgent")]


def test_it_watches_the_organ_the_physician_added_to_the_profile_mid_push(
        client, db, family, twin, physician, clock, monkeypatch):
    for child in (family, twin):
        response = client.put(f"/api/v1/patients/{child.patient_id}/profile", json=PROFILE,
                              headers=physician.headers)
        assert response.status_code == 200, response.get_json()

    def add_skin(child):
        response = client.put(f"/api/v1/patients/{child.patient_id}/profile",
                              json={**PROFILE, "organs_involved": ["kidney", "skin"]},
                              headers=physician.headers)
        assert response.status_code == 200, response.get_json()
    plan = readings(clock, CALM, RASH)
    seen = compare_with_change_first(db, monkeypatch, family, twin, add_skin, plan)
    assert [alert[0] for alert in seen["alerts"]] == ["organ_flare"], seen


def test_it_counts_days_from_the_infusion_date_as_changed_mid_push(
        db, family, twin, clock, monkeypatch):
    """No route changes a child's day 0 or time zone (only a new patient record sets
    them), so the change is made in the database, from another connection, as a future
    edit would be."""
    def move_day_0(child):
        db.execute("UPDATE patients SET infusion_date = ?, timezone = ? WHERE id = ?",
                   [(clock.now() - timedelta(days=80)).date().isoformat(), "Asia/Tokyo",
                    child.patient_id])
    plan = readings(clock, CALM, RASH)
    seen = compare_with_change_first(db, monkeypatch, family, twin, move_day_0, plan)
    assert seen["alerts"] == [], "day 80 is past the organ-flare watch (days 0-60)"


def test_it_stores_a_push_whose_device_was_revoked_mid_push_as_pushed_just_before(
        client, db, family, nurse, clock, monkeypatch):
    """The revocation and the push overlap: the push first is the order both answers
    agree with (200, every entry stored and judged); the next push is refused."""
    def revoke():
        response = client.delete(f"/api/v1/devices/{family.device_id}",
                                 headers=nurse.headers)
        assert response.status_code == 204, response.get_data(as_text=True)
    push_in_between(monkeypatch, revoke)
    response, documents = push(family, readings(clock, CALM, FEVER))
    assert [item[1] for item in results_of(response, documents)] == ["accepted", "accepted"]
    seen = outcome(db, family, documents)
    assert seen["entries"] == [(0, "accepted"), (1, "accepted")]
    assert [alert[0] for alert in seen["alerts"]] == ["temperature"]
    again, _ = push(family, readings(clock, CALM))
    assert again.status_code == 401
    assert again.get_json()["error"]["code"] == "device_revoked"


def test_it_refuses_a_push_whose_child_was_erased_mid_push_and_stores_nothing(
        app, config, db, family, clock, monkeypatch):
    """Erasure is a command (`homeward patients erase`), not a route: it runs here as the
    command does, from its own connection. Erased first is the only order in which the
    push cannot seal with a key that no longer exists."""
    def erase():
        with app.app_context():
            erase_patient(db, get_vault(), config, family.patient_id, clock.now())
    push_in_between(monkeypatch, erase)
    response, _documents = push(family, readings(clock, CALM, FEVER))
    assert response.status_code == 410, response.get_json()
    assert response.get_json()["error"]["code"] == "patient_erased"
    assert db.execute("SELECT COUNT(*) FROM entries WHERE patient_id = ?",
                      [family.patient_id]).fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM alerts WHERE patient_id = ?",
                      [family.patient_id]).fetchone()[0] == 0


def test_it_answers_duplicate_to_a_push_whose_retry_was_stored_mid_push(
        db, family, clock, monkeypatch):
    documents = [family.document(answers, recorded_at=when)
                 for answers, when in readings(clock, CALM, FEVER, FEVER)]
    envelopes = [family.envelope(document) for document in documents]
    retried = []
    push_in_between(monkeypatch, lambda: retried.append(family.push(envelopes)))
    original = family.push(envelopes)
    assert [item[1] for item in results_of(retried[0], documents)] == ["accepted"] * 3
    answered = results_of(original, documents)
    assert [item[1] for item in answered] == ["duplicate"] * 3
    assert answered == [(index, "duplicate", level) for index, _status, level
                        in results_of(retried[0], documents)], "the same alert, at its level"
    seen = outcome(db, family, documents)
    assert seen["entries"] == [(0, "accepted"), (1, "accepted"), (2, "accepted")]
    assert [(alert[0], alert[3]) for alert in seen["alerts"]] == [("temperature", [1, 2])]


def test_it_rejects_an_entry_whose_id_another_child_took_mid_push_and_judges_the_rest_without_it(
        db, family, twin, clock, monkeypatch):
    """The other child's phone stores an entry under the same id first: this child's copy
    is a conflict, and the fever after it is judged as if it had never come (its previous
    entry is the calm one before, not the colliding one)."""
    plan = readings(clock, CALM, FEVER, FEVER)
    mine = [family.document(answers, recorded_at=when) for answers, when in plan]
    theirs = twin.document(CALM, entry_id=mine[1]["entry_id"], recorded_at=plan[1][1])
    push_in_between(monkeypatch, lambda: twin.push([twin.envelope(theirs)]))
    response = family.push([family.envelope(document) for document in mine])
    answered = results_of(response, mine)
    assert [item[1] for item in answered] == ["accepted", "rejected", "accepted"]
    assert response.get_json()["results"][1]["error"]["code"] == "conflict"
    seen = outcome(db, family, mine)
    assert seen["entries"] == [(0, "accepted"), (2, "accepted")]
    assert [(alert[0], alert[3]) for alert in seen["alerts"]] == [("temperature", [2])]
    assert outcome(db, twin, [theirs])["entries"] == [(0, "accepted")]
