import copy
import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from questionnaires import (
    DefinitionError, Patient, parse_schedule, task_id, tasks_between, tasks_triggered_by,
)
from questionnaires.tasks import add_months

UTC = timezone.utc
NY = ZoneInfo("America/New_York")


def window(schedule, patient, start, end):
    return list(tasks_between(schedule, patient, start, end))


def local(task, tz):
    return task.due_at.astimezone(ZoneInfo(tz))


def test_it_makes_twice_daily_diaries_at_local_morning_and_evening_across_a_dst_change(schedule):
    # Day 0 is 1 March 2026; New York springs forward on 8 March.
    patient = Patient("pt_dst", date(2016, 6, 1), "America/New_York", date(2026, 3, 1))
    tasks = [t for t in window(schedule, patient, datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
             if t.questionnaire_id == "symptom-diary" and t.respondent == "caregiver"]
    early = [t for t in tasks if local(t, "America/New_York").date() <= date(2026, 3, 15)]
    assert len(early) == 30  # days 0-14, twice a day
    assert {local(t, "America/New_York").strftime("%H:%M") for t in early} == {"08:00", "18:00"}
    by_day = {local(t, "America/New_York").date(): t for t in early if local(t, "America/New_York").hour == 8}
    assert by_day[date(2026, 3, 7)].due_at == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)
    assert by_day[date(2026, 3, 8)].due_at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert by_day[date(2026, 3, 7)].closes_at - by_day[date(2026, 3, 7)].due_at == timedelta(hours=10)
    later = [t for t in tasks if date(2026, 3, 15) < local(t, "America/New_York").date() <= date(2026, 3, 29)]
    assert len(later) == 14  # days 15-28, once a day
    # After day 28 the diary comes only with the monthly follow-up (1 April falls outside).
    assert not [t for t in tasks if local(t, "America/New_York").date() > date(2026, 3, 29)]


def test_it_covers_each_instrument_as_the_clinical_table_says(schedule):
    patient = Patient("pt_plan", date(2013, 1, 10), "Europe/Madrid", date(2026, 5, 4))
    tasks = window(schedule, patient, datetime(2026, 1, 1, tzinfo=UTC), datetime(2042, 1, 1, tzinfo=UTC))
    caregiver = Counter(t.questionnaire_id for t in tasks if t.respondent == "caregiver")
    assert caregiver["neuro-check"] == 1 + 15 + 14  # baseline day -1, daily days 0-28
    assert caregiver["long-term-follow-up"] == 12 + 14  # monthly to month 12, yearly to year 15
    assert caregiver["symptom-diary"] == 30 + 14 + 26  # plus once with each follow-up
    qol = [t for t in tasks if t.questionnaire_id == "quality-of-life"]
    # Baseline, weeks 1-12, months 4-12, years 2-15; the caregiver's proxy form ends at 18.
    assert Counter(t.respondent for t in qol)["patient"] == 1 + 12 + 9 + 14
    assert caregiver["quality-of-life"] == 1 + 12 + 9 + 3  # years 2-4 only: 18 in January 2031
    assert caregiver["caregiver-wellbeing"] == 12 + 9 + 14
    assert "patient" not in {t.respondent for t in tasks if t.questionnaire_id == "caregiver-wellbeing"}
    baseline = min(qol, key=lambda t: t.due_at)
    assert local(baseline, "Europe/Madrid") == datetime(2026, 5, 3, 10, 0, tzinfo=ZoneInfo("Europe/Madrid"))


def test_it_asks_for_a_baseline_neuro_check_the_day_before_infusion_and_daily_to_day_28(
        schedule):
    patient = Patient("pt_neuro", date(2013, 1, 10), "America/New_York", date(2026, 11, 17))
    checks = [t for t in window(schedule, patient, datetime(2026, 11, 1, tzinfo=UTC),
                                datetime(2027, 1, 1, tzinfo=UTC))
              if t.questionnaire_id == "neuro-check"]
    days = [(local(t, "America/New_York").date() - patient.infusion_date).days for t in checks]
    assert days == list(range(-1, 29))
    assert checks[0].occurrence == "d-1T08:00"
    assert local(checks[0], "America/New_York").hour == 8


def test_it_keeps_the_task_ids_a_patient_already_has_when_the_schedule_gains_checks(schedule):
    # Version 1.0.0 had only days 0-14: those tasks keep their ids, so a phone or server
    # that stored them gets no second copy; only days -1 and 15-28 are new.
    older = copy.deepcopy(schedule.document)
    older["version"] = "1.0.0"
    neuro = next(q for q in older["questionnaires"] if q["questionnaire"] == "neuro-check")
    neuro["occurrences"] = [o for o in neuro["occurrences"] if o["label"] == "daily to day 14"]
    patient = Patient("pt_upgrade", date(2013, 1, 10), "Europe/Madrid", date(2026, 11, 17))
    span = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))

    def ids(document):
        return {t.task_id for t in window(parse_schedule(document), patient, *span)
                if t.questionnaire_id == "neuro-check"}

    before, after = ids(older), ids(schedule.document)
    assert before < after and len(after - before) == 1 + 14


def test_it_gives_each_respondent_the_variant_for_the_age_on_the_day(schedule):
    # Twelve on 10 March 2026: the neuro-check switches mid-window.
    patient = Patient("pt_birthday", date(2014, 3, 10), "Australia/Sydney", date(2026, 3, 1))
    checks = [t for t in window(schedule, patient, datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
              if t.questionnaire_id == "neuro-check"]
    variants = {local(t, "Australia/Sydney").date(): t.variant for t in checks}
    assert variants[date(2026, 3, 9)] == "capd-style"
    assert variants[date(2026, 3, 10)] == "ice-style"
    assert all(t.respondent == "caregiver" for t in checks)


def test_it_gives_a_toddler_no_self_report_tasks(schedule):
    patient = Patient("pt_small", date(2024, 1, 1), "Europe/Madrid", date(2026, 5, 4))
    tasks = window(schedule, patient, datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC))
    assert tasks and all(t.respondent == "caregiver" for t in tasks)


def test_it_keeps_task_ids_stable_and_serialisable(schedule):
    patient = Patient("pt_ids", date(2015, 2, 2), "Europe/Madrid", date(2026, 10, 20))
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    first, second = window(schedule, patient, start, end), window(schedule, patient, start, end)
    assert first == second
    task = first[0]
    assert task.task_id == task_id("pt_ids", task.questionnaire_id, task.respondent, task.occurrence)
    assert task.task_id.startswith("tsk_") and len(task.task_id) == 28
    wire = task.to_dict()
    assert set(wire) >= {"task_id", "questionnaire_id", "questionnaire_version", "respondent", "due_at", "closes_at"}
    assert datetime.fromisoformat(wire["due_at"]) == task.due_at
    other = Patient("pt_other", date(2015, 2, 2), "Europe/Madrid", date(2026, 10, 20))
    assert not {t.task_id for t in first} & {t.task_id for t in window(schedule, other, start, end)}


def test_it_sends_the_schedule_as_plain_json_that_loads_again(schedule):
    document = json.loads(json.dumps(schedule.to_dict()))
    assert parse_schedule(document) == schedule


@pytest.mark.parametrize("breakage, expected", [
    (lambda d: d["questionnaires"][0]["occurrences"][0].update(times=["8am"]), "questionnaire 'symptom-diary'"),
    (lambda d: d["questionnaires"][0]["occurrences"][0].update(times=["18:00", "08:00"]), "in order"),
    (lambda d: d["questionnaires"][0]["occurrences"][2].update({"with": "nothing"}), "'nothing', which is not scheduled"),
    (lambda d: d["questionnaires"][4]["occurrences"].append({"label": "x", "with": "symptom-diary"}), "circle"),
    (lambda d: d["questionnaires"][1]["occurrences"][0].pop("open_hours"), "needs times and open_hours"),
    (lambda d: d["questionnaires"][1]["occurrences"][0]["days"].update({"to": -3}), "'to' comes before 'from'"),
])
def test_it_explains_what_is_wrong_in_a_schedule(schedule, breakage, expected):
    document = copy.deepcopy(schedule.to_dict())
    breakage(document)
    with pytest.raises(DefinitionError, match="^site-schedule.json: ") as caught:
        parse_schedule(document, "site-schedule.json")
    assert expected in str(caught.value)


def test_it_adds_calendar_months_keeping_to_the_end_of_short_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 5, 4), 180) == date(2041, 5, 4)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)


def test_it_asks_for_a_neuro_check_right_after_a_diary_reports_a_neuro_sign(schedule):
    patient = Patient("pt_neuro", date(2010, 4, 4), "America/New_York", date(2026, 3, 1))
    recorded = datetime(2026, 4, 20, 21, 15, tzinfo=NY)
    tasks = tasks_triggered_by(schedule, patient, "symptom-diary", {"neuro_signs": ["tremor"]}, recorded, "e-1")
    assert [(t.questionnaire_id, t.variant, t.respondent) for t in tasks] == [("neuro-check", "ice-style", "caregiver")]
    assert tasks[0].due_at == recorded and tasks[0].closes_at == recorded + timedelta(hours=4)
    assert tasks == tasks_triggered_by(schedule, patient, "symptom-diary", {"neuro_signs": ["tremor"]}, recorded, "e-1")
    assert tasks_triggered_by(schedule, patient, "symptom-diary", {"neuro_signs": []}, recorded, "e-2") == []
    assert tasks_triggered_by(schedule, patient, "quality-of-life", {"neuro_signs": ["tremor"]}, recorded, "e-3") == []


def test_it_refuses_naive_window_bounds(schedule):
    patient = Patient("pt", date(2015, 1, 1), "Europe/Madrid", date(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        window(schedule, patient, datetime(2026, 1, 1), datetime(2026, 2, 1, tzinfo=UTC))


TRANSITIONS = {  # 2026 DST changes: spring forward, fall back
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Europe/Madrid": (date(2026, 3, 29), date(2026, 10, 25)),
    "Australia/Sydney": (date(2026, 10, 4), date(2026, 4, 5)),
}


@st.composite
def patients_and_windows(draw):
    tz = draw(st.sampled_from(sorted(TRANSITIONS)))
    transition = draw(st.sampled_from(TRANSITIONS[tz]))
    day0 = transition + timedelta(days=draw(st.integers(-20, 20)))
    born = date(draw(st.integers(2008, 2024)), draw(st.integers(1, 12)), draw(st.integers(1, 28)))
    patient = Patient(f"pt_{draw(st.integers(0, 10**6))}", born, tz, day0)
    start = datetime.combine(transition, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=draw(st.integers(-24 * 40, 24 * 40)))
    end = start + timedelta(hours=draw(st.integers(1, 24 * 45)))
    split = start + (end - start) * draw(st.floats(0, 1))
    return patient, start, end, split


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=patients_and_windows())
def test_it_makes_no_duplicate_or_out_of_order_tasks_across_dst_changes(schedule, case):
    patient, start, end, split = case
    tasks = window(schedule, patient, start, end)
    assert len({t.task_id for t in tasks}) == len(tasks)
    assert [t.due_at for t in tasks] == sorted(t.due_at for t in tasks)
    assert all(start <= t.due_at < end and t.closes_at > t.due_at for t in tasks)
    assert all(t.due_at.utcoffset() == timedelta(0) for t in tasks)
    assert {local(t, patient.timezone).strftime("%H:%M") for t in tasks} <= {"08:00", "10:00", "18:00"}
    assert tasks == window(schedule, patient, start, end)
    # Two windows side by side give exactly the tasks of the whole: none lost, none twice.
    assert window(schedule, patient, start, split) + window(schedule, patient, split, end) == tasks


NIGHT_SCHEDULE = {
    "format": "homeward-schedule/1", "id": "night", "version": "1.0.0",
    "questionnaires": [{"questionnaire": "symptom-diary", "respondents": ["caregiver"], "occurrences": [
        {"label": "through the night", "days": {"from": -60, "to": 60}, "times": ["01:30", "02:30", "03:30"],
         "open_hours": 1}]}],
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=patients_and_windows())
def test_it_handles_times_that_fall_in_a_dst_gap_or_overlap(case):
    patient, start, end, _ = case
    schedule = parse_schedule(NIGHT_SCHEDULE)
    tasks = window(schedule, patient, start, end)
    assert len({t.task_id for t in tasks}) == len(tasks)
    assert [t.due_at for t in tasks] == sorted(t.due_at for t in tasks)
    per_night = Counter(t.occurrence.split("T")[0] for t in tasks)
    inside = [day for day, n in per_night.items()
              if start + timedelta(days=2) < datetime.combine(
                  patient.infusion_date + timedelta(days=int(day[1:])), datetime.min.time(), tzinfo=UTC)
              < end - timedelta(days=2)]
    assert all(per_night[day] == 3 for day in inside)  # a skipped hour never loses a task


def test_it_moves_a_time_in_the_spring_gap_forward_and_takes_the_first_of_a_repeated_hour():
    schedule = parse_schedule(NIGHT_SCHEDULE)
    patient = Patient("pt_night", date(2015, 1, 1), "America/New_York", date(2026, 3, 1))
    spring = window(schedule, patient, datetime(2026, 3, 8, 5, tzinfo=UTC), datetime(2026, 3, 8, 9, tzinfo=UTC))
    assert [t.due_at.strftime("%H:%M") for t in spring] == ["06:30", "07:30", "07:30"]  # 02:30 does not exist
    assert [t.occurrence for t in spring] == ["d7T01:30", "d7T02:30", "d7T03:30"]
    patient = Patient("pt_night", date(2015, 1, 1), "America/New_York", date(2026, 10, 1))
    autumn = window(schedule, patient, datetime(2026, 11, 1, 4, tzinfo=UTC), datetime(2026, 11, 1, 9, tzinfo=UTC))
    assert [t.due_at.strftime("%H:%M") for t in autumn] == ["05:30", "07:30", "08:30"]  # 01:30 happens twice


def test_it_gives_the_same_due_times_as_the_tasks_without_choosing_variants(schedule):
    from questionnaires.tasks import due_times

    patient = Patient("pt_due", date(2013, 1, 10), "Europe/Madrid", date(2026, 5, 4))
    span = (datetime(2026, 5, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    tasks = sorted({t.due_at for t in window(schedule, patient, *span)
                    if t.questionnaire_id == "long-term-follow-up"})
    assert due_times(schedule, patient, "long-term-follow-up", *span) == tasks
    assert len(tasks) == 12 + 2  # monthly in the first year, then years 2 and 3
