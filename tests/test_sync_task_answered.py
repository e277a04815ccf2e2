"""Two parents' phones for one child: a diary one parent filled in stops showing as due on
the other's phone at its next pull (the task comes again with `answered_at`)."""
from support.family import enrolled_family
from test_sync_pull import by_type, pull_all

DIARY = {"temperature_c": 37.0, "temperature_method": "oral"}


def phones(client, nurse, clock):
    mother = enrolled_family(client, nurse.headers, clock=clock)
    father = enrolled_family(client, nurse.headers, patient_id=mother.patient_id, clock=clock)
    return mother, father


def a_diary_task(changes):
    tasks = [c["data"] for c in by_type(changes, "task").values()
             if c["data"] and c["data"]["questionnaire_id"] == "symptom-diary"]
    return sorted(tasks, key=lambda task: task["due_at"])[0]


def test_it_tells_the_other_parents_phone_that_a_task_was_answered(client, nurse, clock):
    mother, father = phones(client, nurse, clock)
    _changes, mother_cursor, _pages = pull_all(mother)
    changes, father_cursor, _pages = pull_all(father)
    task = a_diary_task(changes)
    assert task["answered_at"] is None

    document = mother.document(DIARY, task_id=task["task_id"],
                               recorded_at="2026-11-20T13:55:00-05:00")
    assert mother.push([mother.envelope(document)]).get_json()["results"][0]["status"] \
        == "accepted"

    changes, _cursor, _pages = pull_all(father, father_cursor)
    again = by_type(changes, "task")[task["task_id"]]["data"]
    assert again["answered_at"] == "2026-11-20T18:55:00Z"
    # A new phone's snapshot says so too.
    changes, _cursor, _pages = pull_all(father)
    assert by_type(changes, "task")[task["task_id"]]["data"]["answered_at"] \
        == "2026-11-20T18:55:00Z"


def test_it_does_not_call_a_task_answered_by_an_entry_it_quarantined(client, nurse, clock):
    mother, father = phones(client, nurse, clock)
    changes, father_cursor, _pages = pull_all(father)
    task = a_diary_task(changes)
    spoiled = mother.document({"temperature_c": "hot"}, task_id=task["task_id"])
    assert mother.push([mother.envelope(spoiled)]).get_json()["results"][0]["status"] \
        == "quarantined"
    changes, _cursor, _pages = pull_all(father, father_cursor)
    found = by_type(changes, "task").get(task["task_id"])
    assert found is None or found["data"]["answered_at"] is None
