"""Recording on the phone: sealed at once, only the envelope kept, in order, offline."""
import json
import math
import os
import stat
import uuid
from datetime import datetime

import pytest
from client_double import clock, fake, make_client, sleeps  # noqa: F401 (fixtures)

from sync.client import Client, EntryError, NotEnrolled
from sync.sealing import OpenFailed

SECRET_ANSWER = "purple-giraffe-headache-7731"


def state_files(client):
    path = client.store.conn.execute("PRAGMA database_list").fetchone()["file"]
    return [p for p in (path, path + "-wal", path + "-shm", path + "-journal")
            if os.path.exists(p)]


def test_it_seals_an_entry_that_opens_only_for_its_own_entry_and_device(make_client, fake):
    client = make_client()
    entry_id = client.record("symptom-diary", "1.0.0", {"temperature_c": 38.6},
                             task_id="tsk_1")
    envelope = dict(client.store.conn.execute("SELECT entry_id, kid, sealed FROM outbox")
                    .fetchone())
    assert envelope["entry_id"] == entry_id and envelope["kid"] == "k2026a"
    document = json.loads(fake.keys.open("k2026a", envelope["sealed"], entry_id, "dev_1"))
    assert document == {
        "entry_id": entry_id, "device_id": "dev_1", "patient_id": "pt_1",
        "questionnaire_id": "symptom-diary", "questionnaire_version": "1.0.0",
        "task_id": "tsk_1", "respondent": "caregiver", "recorded_at": "2026-11-20T14:02:00-05:00",
        "supersedes": None, "answers": {"temperature_c": 38.6}}
    assert uuid.UUID(entry_id).version == 4
    with pytest.raises(OpenFailed):
        fake.keys.open("k2026a", envelope["sealed"], entry_id, "dev_2")


def test_it_never_writes_a_plaintext_answer_to_the_state_file(make_client, fake):
    client = make_client()
    for _ in range(3):
        client.record("symptom-diary", "1.0.0", {"free_text": SECRET_ANSWER, "pain": 3})
    assert client.status()["outbox"] == 3
    client.sync()
    client.record("symptom-diary", "1.0.0", {"free_text": SECRET_ANSWER})
    assert [d["answers"]["free_text"] for d in fake.stored.values()] == [SECRET_ANSWER] * 3
    files = state_files(client)
    assert files, "the state file should exist"
    for path in files:
        raw = open(path, "rb").read()
        assert SECRET_ANSWER.encode() not in raw, path
        assert SECRET_ANSWER.encode("utf-16-le") not in raw, path


def test_it_records_three_offline_days_in_order_with_the_local_offset(make_client, fake, clock):
    client = make_client()
    fake.stop()  # the network is gone for three days
    recorded = []
    for hour in range(0, 72, 8):
        recorded.append(client.record("symptom-diary", "1.0.0", {"hour": hour}))
        clock.advance(hours=8)
    report = client.sync()
    assert not report.ok and report.error["retryable"]
    assert client.status()["outbox"] == len(recorded)
    times = [line["recorded_at"] for line in client.entries()]
    assert times[0] == "2026-11-20T14:02:00-05:00" and times[-1] == "2026-11-23T06:02:00-05:00"

    fake.start()  # back online, at a new address
    client.server_url = fake.url
    assert client.sync().ok
    assert fake.arrivals == recorded
    assert client.status()["outbox"] == 0


def test_it_keeps_the_time_and_respondent_it_is_given(make_client, fake):
    client = make_client()
    first = client.record("symptom-diary", "1.0.0", {"pain": 1}, respondent="patient",
                          recorded_at="2026-11-19T08:00:00+01:00")
    client.record("symptom-diary", "1.0.0", {"pain": 0}, supersedes=first.upper())
    client.sync()
    documents = list(fake.stored.values())
    assert documents[0]["respondent"] == "patient"
    assert documents[0]["recorded_at"] == "2026-11-19T08:00:00+01:00"
    assert documents[1]["supersedes"] == first


@pytest.mark.parametrize("arguments, complaint", [
    ({"answers": {"temperature_c": math.nan}}, "plain JSON"),
    ({"answers": ["not", "an", "object"]}, "linkId"),
    ({"recorded_at": datetime(2026, 11, 20, 14, 2)}, "offset"),
    ({"respondent": "nurse"}, "respondent"),
    ({"supersedes": "yesterday"}, "UUID"),
    ({"questionnaire_id": ""}, "questionnaire_id"),
])
def test_it_refuses_an_entry_it_could_not_send_and_queues_nothing(make_client, arguments,
                                                                  complaint):
    client = make_client()
    call = {"questionnaire_id": "symptom-diary", "questionnaire_version": "1.0.0",
            "answers": {"pain": 1}, **arguments}
    with pytest.raises(EntryError, match=complaint):
        client.record(call.pop("questionnaire_id"), call.pop("questionnaire_version"),
                      call.pop("answers"), **call)
    assert client.status()["outbox"] == 0 and client.entries() == []


def test_it_refuses_to_record_before_enrolment(tmp_path):
    with Client(tmp_path / "new.db") as client:
        with pytest.raises(NotEnrolled):
            client.record("symptom-diary", "1.0.0", {"pain": 1})


def test_it_creates_the_state_file_readable_by_its_owner_only(make_client):
    client = make_client()
    mode = stat.S_IMODE(os.stat(state_files(client)[0]).st_mode)
    assert mode == 0o600


def test_it_keeps_the_enrolment_and_outbox_across_restarts(make_client, tmp_path, fake):
    client = make_client()
    entry_id = client.record("symptom-diary", "1.0.0", {"pain": 2})
    client.close()
    with Client(tmp_path / "phone.db") as reopened:
        assert reopened.status()["device_id"] == "dev_1"
        assert reopened.sync().pushed["accepted"] == 1
    assert fake.arrivals == [entry_id]
