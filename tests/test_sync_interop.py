"""Push as an app in another language sees it: the same entry spelt by another JSON writer
is a duplicate, a duplicate says what its alert is, the encoding is strict, and a task id the
patient does not have is kept for staff with a clear problem."""
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from questionnaires import Patient, load_schedule, tasks_between
from sync.documents import canonical as legacy_canonical
from sync.sealing import b64url, seal_plaintext, unb64url

VECTOR = Path(__file__).parent.parent / "docs" / "vectors" / "canonical-json.json"
FEVER = {"temperature_c": 38.4, "temperature_method": "axillary"}
CALM = {"temperature_c": 36.8, "temperature_method": "oral"}


def results(response):
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def spellings(family):
    """The published entry as JavaScript (37), Kotlin (37.0, spaced) and Swift (3.7e1) write
    it, made this family's."""
    texts = json.loads(VECTOR.read_text(encoding="utf-8"))["same"][0]["documents"]
    return [text.replace("dev_0123456789abcdef", family.device_id)
            .replace("pt_fedcba9876543210", family.patient_id).encode("utf-8")
            for text in texts]


def envelope_of(family, plaintext):
    entry_id = json.loads(plaintext)["entry_id"]
    return {"entry_id": entry_id, "kid": family.keys["current"],
            "sealed": seal_plaintext(plaintext, family.public_key(), entry_id,
                                     family.device_id)}


def test_it_answers_duplicate_when_another_writer_spells_37_as_37_point_0(family):
    javascript, kotlin, swift = spellings(family)
    [first] = results(family.push([envelope_of(family, javascript)]))
    assert first["status"] == "accepted"
    again = results(family.push([envelope_of(family, kotlin), envelope_of(family, swift)]))
    assert [result["status"] for result in again] == ["duplicate", "duplicate"]


def test_it_still_answers_duplicate_to_an_old_phone_retrying_an_entry_stored_before(
        family, app, db):
    javascript, kotlin, _swift = spellings(family)
    envelope = envelope_of(family, kotlin)
    [stored] = results(family.push([envelope]))
    entry_id = stored["entry_id"]
    # As a server before RFC 8785 stored it: the HMAC of Python's own spelling (37.0).
    cipher = app.extensions["homeward"].vault.for_patient(db, family.patient_id)
    with db.conn:
        db.execute("UPDATE entries SET content_mac = ? WHERE entry_id = ?",
                   [cipher.mac("entry", legacy_canonical(json.loads(kotlin))), entry_id])
    [retry] = results(family.push([envelope]))
    assert retry["status"] == "duplicate"
    [other_writer] = results(family.push([envelope_of(family, javascript)]))
    assert other_writer["status"] == "duplicate"
    changed = kotlin.replace(b"37.0", b"38.6")
    [conflict] = results(family.push([envelope_of(family, changed)]))
    assert conflict["status"] == "rejected" and conflict["error"]["code"] == "conflict"
    assert db["entries"].count == 1


def test_a_duplicate_carries_the_alert_its_entry_raised(family):
    fever, calm = family.document(FEVER), family.document(CALM)
    first = results(family.push([family.envelope(fever), family.envelope(calm)]))
    assert first[0]["alert"]["level"] == "urgent" and first[1]["alert"] is None
    # The answer was lost; the phone sends the same entries again.
    again = results(family.push([family.envelope(fever), family.envelope(calm)]))
    assert [result["status"] for result in again] == ["duplicate", "duplicate"]
    assert again[0]["alert"] == first[0]["alert"]
    assert again[1]["alert"] is None


def test_a_duplicate_carries_its_alert_at_the_level_the_alert_has_now(family, db):
    fever = family.document(FEVER)
    [first] = results(family.push([family.envelope(fever)]))
    with db.conn:
        db.execute("UPDATE alerts SET level = 'emergency' WHERE id = ?",
                   [first["alert"]["alert_id"]])
    [again] = results(family.push([family.envelope(fever)]))
    assert again["alert"] == {"alert_id": first["alert"]["alert_id"], "level": "emergency"}


def test_it_rejects_a_padded_or_plus_slash_envelope_as_an_encoding_bug_and_keeps_the_rest(
        family, db):
    def other_alphabet(envelope):
        # Seal until the standard alphabet differs from base64url (nearly always at once).
        while "-" not in envelope["sealed"] and "_" not in envelope["sealed"]:
            envelope = family.envelope(document)
        sealed = envelope["sealed"].replace("-", "+").replace("_", "/")
        return {**envelope, "sealed": sealed}

    document = family.document(CALM)
    padded_document = family.document(CALM)
    padded = family.envelope(padded_document)
    padded["sealed"] += "=" * (-len(padded["sealed"]) % 4 or 4)
    good = family.document(FEVER)
    answer = results(family.push([other_alphabet(family.envelope(document)), padded,
                                  family.envelope(good)]))
    assert [r["status"] for r in answer] == ["rejected", "rejected", "accepted"]
    assert {r["error"]["code"] for r in answer[:2]} == {"invalid_encoding"}
    assert "base64url" in answer[0]["error"]["message"]
    assert db["entries"].count == 1 and answer[2]["alert"]["level"] == "urgent"


def test_it_refuses_a_cursor_that_is_not_exactly_what_it_gave(family):
    cursor = family.pull().get_json()["cursor"]
    payload, signature = cursor.split(".")
    for edited in (f"{payload}.{signature}==", f"{payload}.{signature}\n",
                   f"{payload.replace('-', '+').replace('_', '/')}.{signature}"
                   if ("-" in payload or "_" in payload) else f"{payload}=.{signature}"):
        answer = family.pull(cursor=edited)
        assert answer.status_code == 400, edited
        assert "cursor" in answer.get_json()["error"]["details"]["fields"]


def test_it_quarantines_an_entry_for_a_task_this_patient_does_not_have(family, db):
    entry = family.document(FEVER, task_id="tsk_000000000000000000000000")
    [result] = results(family.push([family.envelope(entry)]))
    assert result["status"] == "quarantined"
    assert result["error"]["code"] == "unknown_task" and result["error"]["field"] == "task_id"
    assert "task_id" in result["error"]["message"]
    assert result["alert"]["level"] == "urgent"  # the fever still reaches the nurse
    assert db["entries"].get(entry["entry_id"])["status"] == "quarantined"


def test_it_accepts_an_entry_for_a_task_from_the_pull_feed(family):
    changes = family.pull(limit=500).get_json()["changes"]
    task = next(change["data"] for change in changes if change["type"] == "task"
                and change["data"]["questionnaire_id"] == "symptom-diary")
    [result] = results(family.push([family.envelope(family.document(
        CALM, task_id=task["task_id"]))]))
    assert result["status"] == "accepted", result


def test_it_quarantines_a_task_id_of_another_questionnaire(family):
    changes = family.pull(limit=500).get_json()["changes"]
    task = next(change["data"] for change in changes if change["type"] == "task"
                and change["data"]["questionnaire_id"] != "symptom-diary")
    [result] = results(family.push([family.envelope(family.document(
        CALM, task_id=task["task_id"]))]))
    assert result["status"] == "quarantined" and result["error"]["code"] == "unknown_task"


def test_it_accepts_a_task_an_app_offline_past_the_horizon_made_from_the_schedule(family,
                                                                                   clock):
    # Day 30 post infusion: never pulled, so the server has no row for it yet.
    patient = Patient(family.patient_id, date(2015, 3, 14), "America/New_York",
                      date(2026, 11, 17))
    start = datetime(2026, 12, 17, 5, tzinfo=timezone.utc)
    task = next(task for task in tasks_between(load_schedule(), patient, start,
                                               start + timedelta(days=1))
                if task.questionnaire_id == "symptom-diary" and task.respondent == "caregiver")
    clock.advance(seconds=(task.due_at - clock.now()).total_seconds() + 3600)
    [result] = results(family.push([family.envelope(family.document(
        CALM, task_id=task.task_id, recorded_at=clock.now().isoformat()))]))
    assert result["status"] == "accepted", result


def test_the_strict_decoder_reads_back_what_the_encoder_writes():
    for size in range(40):
        raw = bytes(range(size))
        assert unb64url(b64url(raw)) == raw
