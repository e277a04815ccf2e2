"""Pulling the change feed, and what the app reads from it offline."""
from datetime import datetime, timezone

import pytest
from client_double import clock, fake, make_client, sleeps  # noqa: F401 (fixtures)

import sync.client.pull as pull

PULL = "/api/v1/sync/pull"


def task(task_id, due_at, closes_at=None):
    return {"type": "task", "op": "upsert", "id": task_id, "data": {
        "task_id": task_id, "questionnaire_id": "symptom-diary",
        "questionnaire_version": "1.0.0", "respondent": "caregiver", "due_at": due_at,
        "closes_at": closes_at}}


def tasks(count, prefix="tsk"):
    return [task(f"{prefix}_{n:03}", "2026-11-20T08:00:00Z") for n in range(count)]


def test_it_takes_a_snapshot_first_then_only_what_changed(make_client, fake):
    client = make_client()
    fake.changes = tasks(3)
    assert client.sync().changes_applied == 3
    fake.changes.append({"type": "task", "op": "delete", "id": "tsk_001"})
    report = client.sync()
    assert report.changes_applied == 1
    queries = [call["query"] for call in fake.calls("GET", PULL)]
    assert "cursor" not in queries[0] and queries[1]["cursor"] == ["3"]
    assert set(client.store.items("task")) == {"tsk_000", "tsk_002"}


def test_it_pulls_again_while_the_server_has_more(make_client, fake):
    client = make_client()
    fake.changes = tasks(450)
    report = client.sync(pull_limit=200)
    assert report.pages == 3 and report.changes_applied == 450
    assert client.status()["items"] == {"task": 450} and client.status()["cursor"]
    assert [call["query"]["limit"] for call in fake.calls("GET", PULL)] == [["200"]] * 3


def test_it_saves_the_cursor_only_with_the_page_it_applied(make_client, fake, monkeypatch):
    client = make_client()
    fake.changes = tasks(4)
    client.sync(pull_limit=2)  # cursor "4"
    client.record("symptom-diary", "1.0.0", {"pain": 1})
    fake.changes += tasks(3, prefix="new")
    real_apply = pull.apply_change

    def crash_on_the_second_change(store, change, generation):
        if change["id"] == "new_001":
            raise RuntimeError("the app was killed here")
        real_apply(store, change, generation)
    monkeypatch.setattr(pull, "apply_change", crash_on_the_second_change)
    with pytest.raises(RuntimeError):
        client.sync()
    assert client.store.get("cursor") == "4"
    assert set(client.store.items("task")) == {f"tsk_{n:03}" for n in range(4)}
    assert client.status()["outbox"] == 0  # the push before the pull is kept

    monkeypatch.setattr(pull, "apply_change", real_apply)
    assert client.sync().changes_applied == 3
    assert client.store.get("cursor") == "7" and client.status()["items"] == {"task": 7}


def test_it_takes_a_full_snapshot_when_the_server_refuses_the_cursor(make_client, fake):
    client = make_client()
    fake.changes = tasks(3)
    client.sync()
    fake.refused_cursors = {"3"}  # e.g. the server was restored from a backup
    fake.changes = [task("tsk_000", "2026-11-21T08:00:00Z"), task("tsk_009", "2026-11-21T08:00:00Z")]
    report = client.sync()
    assert report.ok and report.cursor_reset
    assert "cursor" not in fake.calls("GET", PULL)[-1]["query"]
    items = client.store.items("task")
    assert set(items) == {"tsk_000", "tsk_009"}  # what the snapshot no longer lists is gone
    assert items["tsk_000"]["due_at"] == "2026-11-21T08:00:00Z"


def test_it_keeps_old_items_until_an_interrupted_snapshot_is_finished(make_client, fake,
                                                                     monkeypatch):
    client = make_client()
    fake.changes = tasks(2)
    client.sync()
    fake.refused_cursors = {"2"}
    fake.changes = tasks(5, prefix="fresh")
    real_apply = pull.apply_change

    def crash_in_the_second_page(store, change, generation):
        if change["id"] == "fresh_003":
            raise RuntimeError("the app was killed here")
        real_apply(store, change, generation)
    monkeypatch.setattr(pull, "apply_change", crash_in_the_second_page)
    with pytest.raises(RuntimeError):
        client.sync(pull_limit=3)
    assert set(client.store.items("task")) == {"tsk_000", "tsk_001", "fresh_000", "fresh_001",
                                               "fresh_002"}
    monkeypatch.setattr(pull, "apply_change", real_apply)
    assert client.sync(pull_limit=3).ok
    assert set(client.store.items("task")) == {f"fresh_{n:03}" for n in range(5)}


def test_it_seals_new_entries_to_the_key_a_pull_brings(make_client, fake):
    client = make_client()
    fake.add_key("k2027a")
    fake.changes = [{"type": "keys", "op": "upsert", "id": "keys",
                     "data": fake.keys.public_document()}]
    client.sync()
    client.record("symptom-diary", "1.0.0", {"pain": 0})
    assert client.status()["current_kid"] == "k2027a"
    client.sync()
    assert fake.pushes()[-1]["entries"][0]["kid"] == "k2027a" and len(fake.arrivals) == 1


def test_it_refuses_a_page_it_cannot_apply_and_keeps_its_cursor(make_client, fake):
    client = make_client()
    fake.changes = tasks(1) + [{"type": "task", "op": "merge", "id": "tsk_x", "data": {}}]
    report = client.sync()
    assert report.error["code"] == "bad_answer"
    assert client.store.get("cursor") is None and client.status()["items"] == {}


def test_it_answers_the_app_offline_from_what_it_pulled(make_client, fake, clock):
    client = make_client()
    fake.changes = [
        task("tsk_morning", "2026-11-20T13:00:00Z", "2026-11-20T23:00:00Z"),
        task("tsk_evening", "2026-11-21T01:00:00Z", "2026-11-21T05:00:00Z"),
        task("tsk_closed", "2026-11-19T13:00:00Z", "2026-11-19T23:00:00Z"),
        task("tsk_done", "2026-11-20T12:00:00Z"),
        {"type": "questionnaire", "op": "upsert", "id": "symptom-diary@1.0.0",
         "data": {"id": "symptom-diary", "version": "1.0.0", "items": []}},
        {"type": "questionnaire", "op": "upsert", "id": "symptom-diary@1.10.0",
         "data": {"id": "symptom-diary", "version": "1.10.0", "items": []}},
        {"type": "alert", "op": "upsert", "id": "al_1", "data": {
            "alert_id": "al_1", "entry_id": "e1", "level": "urgent", "status": "acknowledged",
            "message": "We have seen it and will call you within 10 minutes."}},
        {"type": "alert", "op": "upsert", "id": "al_0", "data": {
            "alert_id": "al_0", "entry_id": "e0", "level": "advice", "status": "resolved",
            "message": "All fine."}},
    ]
    client.record("symptom-diary", "1.0.0", {"pain": 0}, task_id="tsk_done")
    client.sync()
    fake.stop()  # everything below works with no server at all
    now = datetime(2026, 11, 20, 19, 30, tzinfo=timezone.utc)
    assert [t["task_id"] for t in client.tasks_due(now)] == ["tsk_morning"]
    assert [t["task_id"] for t in client.tasks_due(datetime(2026, 11, 21, 2, tzinfo=timezone.utc))] \
        == ["tsk_evening"]
    assert client.questionnaire("symptom-diary")["version"] == "1.10.0"
    assert client.questionnaire("symptom-diary", "1.0.0")["version"] == "1.0.0"
    assert client.questionnaire("neuro-check") is None
    assert [a["status"] for a in client.alerts()] == ["acknowledged", "resolved"]
    status = client.status()
    assert status["open_alerts"][0]["message"].startswith("We have seen it")
    assert status["items"] == {"alert": 2, "questionnaire": 2, "task": 4}
    assert status["device_id"] == "dev_1" and status["patient_id"] == "pt_1"
    assert status["last_sync_at"] == "2026-11-20T14:02:00-05:00" and status["cursor"]


def test_it_refuses_a_whole_page_whose_key_set_it_could_not_seal_to(make_client, fake):
    client = make_client()
    keys = fake.keys.public_document()
    keys["keys"][0]["suite"] = "X448-HKDF-SHA512-AES256GCM"
    fake.changes = tasks(1) + [{"type": "keys", "op": "upsert", "id": "keys", "data": keys}]
    report = client.sync()
    assert report.error["code"] == "key_set_unusable" and not report.error["retryable"]
    assert client.store.get("cursor") is None and client.status()["items"] == {}
    assert client.status()["current_kid"] == "k2026a"  # still sealing to the good key


def test_it_never_moves_the_cursor_back_when_two_syncs_race(make_client, fake):
    client = make_client()
    fake.changes = tasks(2)
    client.sync()
    stale_page = {"cursor": "1", "has_more": True, "changes": tasks(1)}
    with pytest.raises(pull.CursorMoved):
        pull.apply_page(client.store, None, stale_page)  # asked before the other sync ran
    assert client.store.get("cursor") == "2"
