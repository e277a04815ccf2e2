"""Clinic API: a patient's tasks and decrypted entries, with entries pushed sealed through
the real app protocol. Now is 14:00 in the family's timezone (19:00 UTC), day 3."""
import json
from datetime import datetime, timedelta

from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from server.records.patients import erase_patient
from support.family import enrolled_family
from test_errors import assert_envelope

FEVER = {"temperature_c": 38.4, "temperature_method": "axillary"}


def local(hour, minute=0):
    return f"2026-11-20T{hour:02d}:{minute:02d}:00-05:00"


def push(family, *documents, **options):
    response = family.push([family.envelope(document) for document in documents], **options)
    assert response.status_code == 200, response.get_json()
    return [result["status"] for result in response.get_json()["results"]]


def get(client, who, patient_id, what="entries", **query):
    return client.get(f"/api/v1/patients/{patient_id}/{what}", headers=who.headers,
                      query_string=query)


def read(client, who, patient_id, **query):
    response = get(client, who, patient_id, **query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def audited(db, action):
    return list(db.query("SELECT * FROM audit_log WHERE action = ? ORDER BY id", [action]))


def test_it_returns_decrypted_entries_newest_first_and_audits_the_read(client, nurse, family,
                                                                       db):
    older = family.document(FEVER, recorded_at=local(13))
    newer = family.document({"spo2_percent": 97}, recorded_at=local(13, 30))
    assert push(family, older, newer) == ["accepted", "accepted"]
    body = read(client, nurse, family.patient_id)
    assert [e["entry_id"] for e in body["entries"]] == [newer["entry_id"], older["entry_id"]]
    assert body["has_more"] is False
    first = body["entries"][1]
    assert first == {
        "entry_id": older["entry_id"], "questionnaire_id": "symptom-diary",
        "questionnaire_version": "1.0.0", "variant": "caregiver", "task_id": None,
        "respondent": "caregiver", "device_id": family.device_id, "status": "accepted",
        "recorded_at": "2026-11-20T18:00:00Z", "received_at": "2026-11-20T19:00:00Z",
        "corrected_at": "2026-11-20T18:00:00Z", "clock_offset_seconds": 0.0,
        "clock_differs": False, "reported_late_minutes": 60, "answers": FEVER, "scores": {},
        "problems": [], "document": None, "supersedes": None, "superseded_by": None}
    [row] = audited(db, "entries.read")
    assert (row["actor_username"], row["patient_id"]) == (nurse.username, family.patient_id)
    assert json.loads(row["details"]) == {"count": 2, "questionnaire_id": None}


def test_it_shows_a_quarantined_entry_with_its_problems_and_what_the_phone_sent(
        client, nurse, family):
    bad = family.document({"temperature_c": 380, "breathing_difficulty": True})
    fine = family.document(FEVER)
    assert push(family, bad, fine) == ["quarantined", "accepted"]
    [entry] = read(client, nurse, family.patient_id, status="quarantined")["entries"]
    assert entry["entry_id"] == bad["entry_id"] and entry["status"] == "quarantined"
    assert entry["answers"] == {"breathing_difficulty": True}
    assert [p["field"] for p in entry["problems"]] == ["temperature_c"]
    assert json.loads(entry["document"]) == bad


def test_it_marks_each_correction_and_the_entry_it_replaces(client, nurse, family):
    first = family.document(FEVER, recorded_at=local(13))
    second = family.document({**FEVER, "temperature_c": 37.2}, recorded_at=local(13, 5),
                             supersedes=first["entry_id"])
    third = family.document({**FEVER, "temperature_c": 37.3}, recorded_at=local(13, 10),
                            supersedes=second["entry_id"])
    push(family, first, second, third)
    found = {e["entry_id"]: e for e in read(client, nurse, family.patient_id)["entries"]}
    assert found[first["entry_id"]]["superseded_by"] == second["entry_id"]
    assert found[second["entry_id"]]["superseded_by"] == third["entry_id"]
    assert found[second["entry_id"]]["supersedes"] == first["entry_id"]
    assert found[third["entry_id"]]["superseded_by"] is None


def test_it_orders_by_corrected_time_and_flags_a_clock_off_by_over_two_minutes(
        client, nurse, family, clock):
    slow = family.document(FEVER, recorded_at=local(12, 30))
    close = family.document(FEVER, recorded_at=local(12, 20))
    right = family.document(FEVER, recorded_at=local(12, 35))
    push(family, slow, sent_at=(clock.now() - timedelta(minutes=10)).isoformat())
    push(family, close, sent_at=(clock.now() - timedelta(seconds=90)).isoformat())
    push(family, right)
    entries = read(client, nurse, family.patient_id)["entries"]
    assert [e["entry_id"] for e in entries] == [
        slow["entry_id"], right["entry_id"], close["entry_id"]]
    late = entries[0]
    assert (late["recorded_at"], late["corrected_at"]) == ("2026-11-20T17:30:00Z",
                                                           "2026-11-20T17:40:00Z")
    assert late["clock_offset_seconds"] == 600.0 and late["clock_differs"] is True
    assert late["reported_late_minutes"] == 80
    assert [e["clock_differs"] for e in entries[1:]] == [False, False]


def test_it_filters_by_questionnaire_status_and_corrected_time_and_limits(client, nurse,
                                                                        family):
    morning = family.document(FEVER, recorded_at=local(13))
    wellbeing = family.document({"distress": 3}, questionnaire_id="caregiver-wellbeing",
                                recorded_at=local(13, 30))
    later = family.document({"spo2_percent": 98}, recorded_at=local(13, 45))
    push(family, morning, wellbeing, later)

    def ids(**query):
        return [e["entry_id"] for e in read(client, nurse, family.patient_id,
                                            **query)["entries"]]

    assert ids(questionnaire_id="symptom-diary") == [later["entry_id"], morning["entry_id"]]
    assert ids(since="2026-11-20T18:30:00Z") == [later["entry_id"], wellbeing["entry_id"]]
    assert ids(until="2026-11-20T18:30:00+00:00") == [morning["entry_id"]]
    assert ids(status="quarantined") == []
    limited = read(client, nurse, family.patient_id, limit=1)
    assert [e["entry_id"] for e in limited["entries"]] == [later["entry_id"]]
    assert limited["has_more"] is True


def test_it_lets_psychosocial_staff_read_wellbeing_entries_only(client, staff, family, db):
    psychosocial, admin = staff("psychosocial"), staff("admin")
    push(family, family.document(FEVER),
         family.document({"distress": 6}, questionnaire_id="caregiver-wellbeing"))
    for query in ({}, {"questionnaire_id": "symptom-diary"}):
        error = assert_envelope(get(client, psychosocial, family.patient_id, **query),
                                403, "forbidden")
        assert "quality-of-life" in error["message"]
    [entry] = read(client, psychosocial, family.patient_id,
                   questionnaire_id="caregiver-wellbeing")["entries"]
    assert entry["answers"]["distress"] == 6
    assert_envelope(get(client, admin, family.patient_id), 403, "forbidden")
    assert [row["actor_role"] for row in audited(db, "entries.read")] == ["psychosocial"]


def test_it_refuses_bad_query_values_naming_each_field_and_reads_nothing(client, nurse,
                                                                        family, db):
    error = assert_envelope(get(client, nurse, family.patient_id, status="deleted", limit=0,
                                since="2026-11-20T10:00:00"), 400, "invalid_request")
    assert sorted(error["details"]["fields"]) == ["limit", "since", "status"]
    error = assert_envelope(get(client, nurse, family.patient_id,
                                since="2026-11-20T12:00:00Z", until="2026-11-20T11:00:00Z"),
                            400, "invalid_request")
    assert list(error["details"]["fields"]) == ["until"]
    assert audited(db, "entries.read") == []


def test_it_answers_an_unknown_patient_with_not_found_and_an_erased_one_with_gone(
        app, client, nurse, family, db, config, clock):
    assert_envelope(get(client, nurse, "pt_nobody"), 404, "not_found")
    push(family, family.document(FEVER))
    erase_patient(db, app.extensions["homeward"].vault, config, family.patient_id,
                  clock.now())
    for what, query in (("entries", {}), ("tasks", {}), ("trends", {"measure": "spo2"})):
        assert_envelope(get(client, nurse, family.patient_id, what, **query),
                        410, "patient_erased")


def fhir(client, who, patient_id, entry_id):
    return client.get(f"/api/v1/patients/{patient_id}/entries/{entry_id}/fhir",
                      headers=who.headers)


def test_it_exports_an_entry_as_a_fhir_questionnaire_response_by_a_caregiver(
        client, nurse, family, db, clock):
    document = family.document(FEVER, recorded_at=local(12, 30))
    push(family, document, sent_at=(clock.now() - timedelta(minutes=10)).isoformat())
    response = fhir(client, nurse, family.patient_id, document["entry_id"])
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    resource = QuestionnaireResponse.model_validate(response.get_json())
    assert resource.author.type == "RelatedPerson"
    assert resource.author.identifier.value == family.device_id
    assert resource.subject.reference == f"Patient/{family.patient_id}"
    assert [item.linkId for item in resource.item] == ["temperature_c", "temperature_method"]
    assert str(resource.item[0].answer[0].valueDecimal) == "38.4"
    assert response.get_json()["authored"] == "2026-11-20T17:40:00+00:00"  # corrected
    [row] = audited(db, "entry.read_fhir")
    assert (row["patient_id"], row["target"]) == (family.patient_id, document["entry_id"])


def test_it_names_the_patient_as_the_author_of_a_self_report(client, nurse, family, clock):
    child = enrolled_family(client, nurse.headers, respondent="patient",
                            patient_id=family.patient_id, clock=clock)
    document = child.document({"temperature_c": 37.0, "temperature_method": "oral"})
    assert push(child, document) == ["accepted"]
    response = fhir(client, nurse, family.patient_id, document["entry_id"])
    resource = QuestionnaireResponse.model_validate(response.get_json())
    assert resource.author.reference == f"Patient/{family.patient_id}"
    assert resource.questionnaire.endswith("symptom-diary:self-report|1.0.0")


def test_it_keeps_fhir_exports_to_the_care_team_and_to_known_questionnaires(
        client, nurse, staff, family, clock):
    other = enrolled_family(client, nurse.headers, clock=clock)
    unknown = family.document(FEVER, questionnaire_id="mood-diary")
    theirs = other.document(FEVER)
    push(family, unknown)
    push(other, theirs)
    error = assert_envelope(fhir(client, nurse, family.patient_id, unknown["entry_id"]),
                            404, "not_found")
    assert error["details"] == {"reason": "unknown_questionnaire"}
    assert_envelope(fhir(client, nurse, family.patient_id, theirs["entry_id"]), 404,
                    "not_found")
    assert_envelope(fhir(client, staff("psychosocial"), other.patient_id,
                         theirs["entry_id"]), 403, "forbidden")


def tasks(client, who, patient_id, **query):
    return read(client, who, patient_id, what="tasks", **query)["tasks"]


def when(text):
    return datetime.fromisoformat(text)


def test_it_lists_tasks_in_the_window_with_the_entry_that_completed_one(client, nurse,
                                                                       family, db, clock):
    now = clock.now()
    listed = tasks(client, nurse, family.patient_id)
    assert listed and all(when(t["due_at"]) < now + timedelta(days=14)
                          and when(t["closes_at"]) > now - timedelta(days=1) for t in listed)
    # Read before the family's first pull: the horizon was topped up for staff too.
    assert max(when(t["due_at"]) for t in listed) > now + timedelta(days=13)
    [task] = [t for t in listed if t["state"] == "open" and t["respondent"] == "caregiver"
              and t["questionnaire_id"] == "symptom-diary"]
    assert task["due_at"] == "2026-11-20T13:00:00Z" and task["completed_by_entry"] is None
    quarantined = family.document({"temperature_c": 380}, task_id=task["task_id"])
    done = family.document(FEVER, task_id=task["task_id"])
    assert push(family, quarantined, done) == ["quarantined", "accepted"]
    again = next(t for t in tasks(client, nurse, family.patient_id)
                 if t["task_id"] == task["task_id"])
    assert again["state"] == "completed" and again["completed_by_entry"] == done["entry_id"]
    assert len(audited(db, "tasks.read")) == 2


def test_it_narrows_tasks_to_a_window_and_refuses_a_backwards_one(client, nurse, staff,
                                                                 family):
    window = {"from": "2026-11-23T00:00:00Z", "to": "2026-11-24T00:00:00Z"}
    listed = tasks(client, nurse, family.patient_id, **window)
    assert listed and all(when(t["due_at"]) < when(window["to"])
                          and when(t["closes_at"]) > when(window["from"]) for t in listed)
    assert {t["state"] for t in listed} == {"upcoming"}
    error = assert_envelope(get(client, nurse, family.patient_id, "tasks",
                                **{"from": window["to"], "to": window["from"]}),
                            400, "invalid_request")
    assert list(error["details"]["fields"]) == ["to"]
    error = assert_envelope(get(client, nurse, family.patient_id, "tasks",
                                **{"from": "2026-11-23T00:00:00"}), 400, "invalid_request")
    assert list(error["details"]["fields"]) == ["from"]
    assert_envelope(get(client, staff("admin"), family.patient_id, "tasks"), 403, "forbidden")
