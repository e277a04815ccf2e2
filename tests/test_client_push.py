"""Pushing the outbox: batches, retries and what the app does with each result."""
import pytest
from client_double import MAX_BYTES, clock, error_body, fake, make_client, sleeps  # noqa: F401

PUSH = "/api/v1/sync/push"


def record(client, count, **answers):
    return [client.record("symptom-diary", "1.0.0", {"n": n, **answers}) for n in range(count)]


def test_it_pushes_at_most_500_entries_at_a_time_in_recording_order(make_client, fake):
    client = make_client()
    recorded = record(client, 1001)
    report = client.sync()
    assert report.ok and report.pushed["accepted"] == 1001
    pushes = fake.pushes()
    assert [len(push["entries"]) for push in pushes] == [500, 500, 1]
    assert [push["outbox_pending"] for push in pushes] == [501, 1, 0]
    assert fake.arrivals == recorded


def test_it_keeps_every_push_under_two_mebibytes(make_client, fake):
    client = make_client()
    recorded = record(client, 9, notes="x" * 400_000)  # each sealed envelope is ~530 kB
    assert client.sync().ok
    sizes = [call["bytes"] for call in fake.calls("POST", PUSH)]
    assert [len(push["entries"]) for push in fake.pushes()] == [3, 3, 3]
    assert all(size <= MAX_BYTES for size in sizes) and sum(sizes) > 4 * 1024 * 1024
    assert fake.arrivals == recorded


def test_it_sends_the_token_the_app_version_and_the_device_clock(make_client, fake, clock):
    client = make_client(app_version="test-app/9.9")
    record(client, 2)
    clock.advance(hours=3)
    client.sync()
    push = fake.calls("POST", PUSH)[0]
    token = next(iter(fake.devices))
    assert push["headers"]["Authorization"] == f"Bearer {token}"
    assert push["headers"]["Homeward-App-Version"] == "test-app/9.9"
    assert push["body"]["sent_at"] == "2026-11-20T17:02:00-05:00"
    assert set(push["body"]["entries"][0]) == {"entry_id", "kid", "sealed"}


def test_it_backs_off_exponentially_with_jitter_on_server_errors(make_client, fake, sleeps):
    client = make_client()
    record(client, 1)
    fake.script("POST", PUSH, 503, times=2)
    fake.script("POST", PUSH, 502, body=b"<html>Bad gateway</html>")  # a proxy, not us
    report = client.sync()
    assert report.ok and report.pushed["accepted"] == 1
    assert sleeps == [0.5, 1.0, 2.0]  # random() * 1 s * 2**attempt, with random() = 0.5


def test_it_waits_at_least_as_long_as_retry_after_says(make_client, fake, sleeps):
    client = make_client()
    record(client, 1)
    fake.script("POST", PUSH, 429, headers={"Retry-After": "7"})
    assert client.sync().ok
    assert 7 <= sleeps[0] <= 8


def test_it_gives_up_after_its_attempts_and_keeps_the_outbox(make_client, fake, sleeps):
    client = make_client()
    record(client, 3)
    fake.script("POST", PUSH, 500, times=5)
    report = client.sync()
    assert report.error["code"] == "internal_error" and report.error["retryable"]
    assert len(sleeps) == 4 and client.status()["outbox"] == 3
    assert client.status()["last_sync_error"]["retryable"] and not fake.arrivals
    assert client.sync().ok and client.status()["outbox"] == 0


def test_it_ends_the_sync_when_retry_after_is_longer_than_it_will_wait(make_client, fake,
                                                                       sleeps):
    client = make_client()
    record(client, 1)
    fake.script("POST", PUSH, 429, headers={"Retry-After": "3600"})
    report = client.sync()
    assert report.error["retry_after"] == 3600 and sleeps == []
    assert client.status()["outbox"] == 1


def test_it_drops_stored_entries_and_remembers_their_results_and_alerts(make_client, fake):
    client = make_client()
    fever, odd, plain = record(client, 3)

    def verdict(document):
        if document["entry_id"] == fever:
            return {"status": "accepted", "alert": {"alert_id": "al_1", "level": "urgent"}}
        if document["entry_id"] == odd:
            return {"status": "quarantined", "error": {
                "code": "invalid_answer", "message": "Too hot.", "field": "temperature_c"}}
    fake.verdict = verdict
    report = client.sync()
    assert dict(report.pushed) == {"accepted": 2, "quarantined": 1}
    assert report.alerts == [{"entry_id": fever, "alert_id": "al_1", "level": "urgent"}]
    assert client.status()["outbox"] == 0
    journal = {line["entry_id"]: line for line in client.entries()}
    assert journal[fever]["alert_level"] == "urgent"
    assert journal[odd]["status"] == "quarantined"
    assert journal[odd]["error_field"] == "temperature_c"
    assert journal[plain]["status"] == "accepted"
    assert client.status()["open_alerts"] == [{"alert_id": "al_1", "entry_id": fever,
                                               "level": "urgent", "status": "open",
                                               "message": None}]


def test_it_drops_entries_the_server_already_had_when_an_answer_was_lost(make_client, fake):
    client = make_client()
    recorded = record(client, 4)
    fake.script("POST", PUSH, 502, after=True)  # stored, then the answer is lost
    report = client.sync()
    assert report.ok and report.pushed["duplicate"] == 4
    assert fake.arrivals == recorded and client.status()["outbox"] == 0


def test_it_holds_a_rejected_entry_until_something_changes(make_client, fake):
    client = make_client()
    wrong, fine = record(client, 2)
    fake.verdict = lambda document: {"status": "rejected", "error": {
        "code": "wrong_patient", "message": "Not this patient."}} \
        if document["entry_id"] == wrong else None
    report = client.sync()
    assert report.rejected == [{"entry_id": wrong, "code": "wrong_patient",
                                "message": "Not this patient."}]
    status = client.status()
    assert status["outbox"] == 1 and status["rejected"][0]["entry_id"] == wrong
    assert status["rejected"][0]["undeliverable"] is False

    pushes_before = len(fake.pushes())
    assert client.sync().ok
    assert len(fake.pushes()) == pushes_before  # not sent again blindly

    fake.verdict = None
    assert client.retry_rejected() == 1  # the family tapped "try again"
    assert client.sync().pushed["accepted"] == 1
    assert client.status()["outbox"] == 0 and client.status()["rejected"] == []
    assert fake.arrivals == [fine, wrong]


def test_it_refreshes_the_keys_when_the_server_does_not_know_the_key(make_client, fake):
    client = make_client()
    sealed_to_old = record(client, 1)[0]
    del fake.keys.private_keys["k2026a"]  # a server restored without its old key
    fake.add_key("k2026b")
    report = client.sync()
    assert report.rejected[0]["code"] == "unknown_key" and report.keys_refreshed
    assert len(fake.calls("GET", "/api/v1/keys")) == 1
    assert client.status()["current_kid"] == "k2026b"
    assert client.status()["rejected"][0] | {"undeliverable": True} == \
        client.status()["rejected"][0]
    fresh = record(client, 1)[0]
    assert client.sync().pushed["accepted"] == 1
    assert fake.arrivals == [fresh] and sealed_to_old in [e["entry_id"] for e in
                                                          client.status()["rejected"]]


def test_it_sends_a_held_entry_once_more_when_the_key_set_changes(make_client, fake):
    client = make_client()
    held = record(client, 1)[0]
    missing = fake.keys.private_keys.pop("k2026a")
    fake.add_key("k2026b")
    client.sync()
    fake.keys.private_keys["k2026a"] = missing  # the old key is found and listed again
    fake.changes.append({"type": "keys", "op": "upsert", "id": "keys",
                         "data": fake.keys.public_document()})
    assert sum(client.sync().pushed.values()) == 0  # not resent; the pull brings keys ...
    assert client.sync().pushed["accepted"] == 1  # ... so the held entry goes once more
    assert fake.arrivals == [held]


def test_it_stops_when_the_device_is_revoked_and_keeps_the_outbox(make_client, fake):
    client = make_client()
    record(client, 501)
    fake.script("POST", PUSH, 401, body=error_body(401, "device_revoked", "Enrol again."))
    report = client.sync()
    assert report.needs_enrolment and report.error["code"] == "device_revoked"
    assert len(fake.pushes()) == 1 and client.status()["outbox"] == 501
    assert client.status()["needs_enrolment"]
    client.enrol(fake.url, fake.add_code("NEW"), "Same phone")  # allowed once revoked
    assert not client.status()["needs_enrolment"] and client.status()["outbox"] == 501
    # The kept entries are sealed to the old device id, so they go once under the new
    # enrolment and this server (PROTOCOL.md to the letter) cannot open them: they are held.
    report = client.sync()
    assert report.ok and report.pushed["rejected"] == 501
    assert {entry["code"] for entry in report.rejected} == {"decrypt_failed"}
    assert all(entry["undeliverable"] for entry in client.status()["rejected"])
    pushes = len(fake.pushes())
    assert client.sync().ok and len(fake.pushes()) == pushes


def test_it_pushes_smaller_batches_when_the_server_says_too_large(make_client, fake):
    client = make_client()
    recorded = record(client, 5)
    fake.script("POST", PUSH, 413, body=error_body(413, details={"max_entries": 2,
                                                                "max_bytes": MAX_BYTES}))
    assert client.sync().ok
    assert [len(push["entries"]) for push in fake.pushes()] == [5, 2, 2, 1]
    assert fake.arrivals == recorded


@pytest.mark.parametrize("answer", [{"server_time": "x"}, {"results": [{"entry_id": "?"}]}])
def test_it_keeps_entries_the_answer_says_nothing_about(make_client, fake, answer):
    client = make_client()
    record(client, 2)
    fake.script("POST", PUSH, 200, body=answer, after=True)
    report = client.sync()
    assert client.status()["outbox"] == 2
    assert report.unanswered == 2 or report.error["code"] == "bad_answer"
    assert client.sync().pushed["duplicate"] == 2
