"""The phone makes the server's tasks: server/family/static/js/schedule/tasks.js against
questionnaires.tasks_between on the shipped schedule, for children in time zones either side
of UTC and across daylight saving, over windows that reach months and years after infusion.
Same ids, same questionnaires, same times: so an entry a phone offline for weeks makes
against one of its own tasks is accepted by the server, not quarantined as unknown_task
(the end-to-end proof is in tests/browser/test_family_app_schedule.py)."""
import json
import os
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from questionnaires import Patient, load_catalog, tasks_between, tasks_triggered_by
from questionnaires.schedules import load_schedule

DRIVER = Path(__file__).resolve().parent / "js" / "support" / "schedule-driver.mjs"
SCHEDULE = load_schedule()
CATALOG = load_catalog()
ZONES = ["America/New_York", "Europe/Madrid", "Asia/Kolkata", "Australia/Lord_Howe",
         "America/St_Johns", "Pacific/Auckland", "UTC"]


def on_phone(requests):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("REQUIRE_NODE_TESTS") == "1":
            pytest.fail("node is required")
        pytest.skip("node is not installed")
    answer = subprocess.run([node, str(DRIVER)], input=json.dumps(requests), text=True,
                            capture_output=True, check=True, timeout=120)
    return json.loads(answer.stdout)


def served(day0, zone):
    # What the pull's schedule item holds (sync/sources.py ScheduleSource).
    return {"day0": day0.isoformat(), "timezone": zone, **SCHEDULE.to_dict()}


def wire(moment):
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def same_shape(tasks):
    return [(t.task_id, t.questionnaire_id, t.respondent, wire(t.due_at), wire(t.closes_at),
             t.occurrence) for t in tasks]


def phone_shape(tasks):
    return [(t["task_id"], t["questionnaire_id"], t["respondent"], t["due_at"], t["closes_at"],
             t["occurrence"]) for t in tasks]


def cases():
    for index, zone in enumerate(ZONES):
        # Infusions in autumn and spring so windows cross the changes of clock both ways.
        for day0 in (date(2026, 3, 1 + index), date(2026, 10, 20 + index)):
            for start_day, days in ((-2, 40), (12, 30), (80, 120), (360, 400), (700, 30)):
                for respondent in ("caregiver", "patient"):
                    yield zone, day0, start_day, days, respondent


def test_it_makes_the_same_tasks_as_the_server_with_the_same_ids():
    requests, expected = [], []
    for zone, day0, start_day, days, respondent in cases():
        patient = Patient("pat_" + zone.replace("/", "_"), date(2014, 6, 1), zone, day0)
        start = datetime(day0.year, day0.month, day0.day, 5, 17, tzinfo=timezone.utc) \
            + timedelta(days=start_day)
        end = start + timedelta(days=days)
        tasks = [task for task in tasks_between(SCHEDULE, patient, start, end, CATALOG)
                 if task.respondent == respondent]
        variants = {task.questionnaire_id: {"version": task.questionnaire_version,
                                            "variant": task.variant} for task in tasks}
        requests.append({"schedule": served(day0, zone), "patient_id": patient.patient_id,
                         "respondent": respondent, "variants": variants,
                         "start": wire(start), "end": wire(end)})
        expected.append(same_shape(tasks))
    answers = on_phone(requests)
    assert sum(len(tasks) for tasks in expected) > 3000
    for request, want, got in zip(requests, expected, answers):
        assert phone_shape(got) == want, (request["schedule"]["timezone"], request["start"])


def test_it_makes_the_neuro_check_a_diary_with_a_neuro_sign_calls_for():
    patient = Patient("pat_neuro", date(2014, 6, 1), "America/New_York", date(2026, 11, 18))
    recorded = datetime(2026, 11, 20, 3, 2, tzinfo=timezone(timedelta(hours=-5)))
    answers = {"neuro_signs": ["confusion"], "temperature_c": 37.0}
    [task] = tasks_triggered_by(SCHEDULE, patient, "symptom-diary", answers, recorded,
                                "ent_1", CATALOG)
    entry = {"entry_id": "ent_1", "questionnaire_id": "symptom-diary", "answers": answers,
             "recorded_at": recorded.isoformat()}
    variants = {"neuro-check": {"version": task.questionnaire_version, "variant": task.variant}}
    calm = {**entry, "entry_id": "ent_2", "answers": {"neuro_signs": []}}
    [made, none] = on_phone([{"schedule": served(patient.infusion_date, patient.timezone),
                              "patient_id": "pat_neuro", "respondent": "caregiver",
                              "variants": variants, "entry": one} for one in (entry, calm)])
    assert phone_shape(made) == same_shape([task])
    assert none == []


def test_a_questionnaire_the_phone_holds_no_variant_of_gets_no_task():
    day0 = date(2026, 11, 18)
    [tasks] = on_phone([{"schedule": served(day0, "UTC"), "patient_id": "pat_x",
                         "respondent": "caregiver", "variants": {"symptom-diary": {}},
                         "start": "2026-11-18T00:00:00Z", "end": "2026-11-25T00:00:00Z"}])
    assert {task["questionnaire_id"] for task in tasks} == {"symptom-diary"}
    assert len(tasks) == 14  # twice daily for a week
