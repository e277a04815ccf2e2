"""Keeping each patient's change feed current: the sources in snapshot order, and the
changes that time alone causes (a birthday that changes the age band, new variants after an
upgrade, tasks coming into the 14-day horizon)."""
import json
from datetime import date, timedelta, timezone

from questionnaires import Patient, tasks_between, tasks_triggered_by
from sync.sources import (AlertSource, KeysSource, ProfileSource, QuestionnaireSource,
                          RulesSource, ScheduleSource, TaskSource, variants_signature)

from ..storage import db as storage
from ..clock import from_db, to_db

# The protocol promises at least 14 days of tasks ahead; topping up to 15 when fewer than
# 14 remain means one write a day per patient, not one per pull.
TASK_HORIZON = timedelta(days=14)
TASK_TOP_UP = timedelta(days=15)
# An app offline past the horizon answers tasks it made from the schedule; the longest a
# scheduled task stays open is 30 days (a yearly follow-up), so look that far back.
TASK_LOOKBACK = timedelta(days=31)
INSERT_CHANGE = "INSERT INTO changes (patient_id, type, item_id, op, at) VALUES (?, ?, ?, ?, ?)"


def feed_sources():
    # Keys first: an app that has them can seal even if the rest of the snapshot is cut off.
    return [KeysSource(), ProfileSource(), ScheduleSource(), QuestionnaireSource(),
            TaskSource(), RulesSource(), AlertSource()]


def refresh_patient_feed(db, catalog, schedule, patient, now, rules_signature="") -> int:
    """Write change rows for what changed since the feed last looked; returns how many.
    Reads only, unless something changed: most pulls find nothing to write.
    `rules_signature` names the rules document this patient's devices should hold."""
    patient_id = patient["patient_id"]
    state = db.execute("SELECT age_band, variants, tasks_until, rules FROM patient_feed_state "
                       "WHERE patient_id = ?", [patient_id]).fetchone()
    signature = variants_signature(catalog, patient, now)
    tasks_until = from_db(state[2]) if state is not None else None
    tasks_due = tasks_until is None or tasks_until < now + TASK_HORIZON
    if not tasks_due and state[0] == patient["age_band"] and state[1] == signature \
            and state[3] == rules_signature:
        return 0
    changed = []
    if state is not None and state[3] != rules_signature:
        # The signature also covers the site's care team numbers, which the profile carries.
        changed += [("rules", "rules"), ("profile", patient_id)]
    if state is None or state[0] != patient["age_band"]:
        changed.append(("profile", patient_id))
    before = json.loads(state[1]) if state is not None else {}
    after = json.loads(signature)
    for respondent, chosen in after.items():
        old = before.get(respondent, {})
        changed += [("questionnaire", qid) for qid in sorted(set(chosen) | set(old))
                    if chosen.get(qid) != old.get(qid)]
    with storage.write_transaction(db):
        if tasks_due:
            start = max(tasks_until or now, now) - timedelta(days=1)
            tasks_until = now + TASK_TOP_UP
            changed += [("task", task_id) for task_id in
                        add_tasks(db, catalog, schedule, patient, start, tasks_until, now)]
        # Plain statements: sqlite-utils' insert() and upsert() inspect the table on every
        # call, and a new patient's first pull writes some sixty change rows.
        db.conn.executemany(INSERT_CHANGE, [(patient_id, kind, item_id, "upsert", to_db(now))
                                            for kind, item_id in dict.fromkeys(changed)])
        db.execute("INSERT INTO patient_feed_state (patient_id, age_band, variants, "
                   "tasks_until, rules) VALUES (?, ?, ?, ?, ?) ON CONFLICT (patient_id) DO "
                   "UPDATE SET age_band = excluded.age_band, variants = excluded.variants, "
                   "tasks_until = excluded.tasks_until, rules = excluded.rules",
                   [patient_id, patient["age_band"], signature, to_db(tasks_until),
                    rules_signature])
    return len(changed)


def add_tasks(db, catalog, schedule, patient, start, end, now) -> list[str]:
    """Store the tasks due in [start, end); returns the ids that were new. Task ids are
    derived from the occurrence, so an overlap with earlier runs adds nothing twice."""
    return [task.task_id for task in tasks_between(schedule, patient_of(patient), start, end,
                                                   catalog)
            if insert_task(db, task, now)]


def patient_of(patient) -> Patient:
    return Patient(patient["patient_id"], patient["date_of_birth"], patient["timezone"],
                   date.fromisoformat(patient["infusion_date"]))


def add_triggered_tasks(db, catalog, schedule, patient, stored, now) -> list[str]:
    """Tasks an entry asks for (CLINICAL.md: a neuro check with any neuro sign), stored and
    sent to the family's devices like scheduled ones."""
    if stored.questionnaire_id is None:
        return []
    added = []
    for task in tasks_triggered_by(schedule, patient_of(patient), stored.questionnaire_id,
                                   stored.valid_answers, stored.corrected_at, stored.entry_id,
                                   catalog):
        if insert_task(db, task, now):
            added.append(task.task_id)
            db.execute(INSERT_CHANGE, [patient["patient_id"], "task", task.task_id, "upsert",
                                       to_db(now)])
    return added


def note_answered_task(db, patient, stored, now) -> None:
    """An accepted entry answers its task: the feed upserts the task (now with `answered_at`)
    so the family's other phones stop showing it as due. A task only the phones made (past
    the feed's horizon) has no row, so nothing to tell."""
    if stored.task_id is None or stored.status != "accepted":
        return
    db.execute("INSERT INTO changes (patient_id, type, item_id, op, at) "
               "SELECT patient_id, 'task', task_id, 'upsert', ? FROM tasks "
               "WHERE task_id = ? AND patient_id = ?",
               [to_db(now), stored.task_id, patient["patient_id"]])


def insert_task(db, task, now) -> bool:
    inserted = db.execute(
        "INSERT OR IGNORE INTO tasks (task_id, patient_id, questionnaire_id, "
        "questionnaire_version, variant, respondent, due_at, closes_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [task.task_id, task.patient_id, task.questionnaire_id, task.questionnaire_version,
         task.variant, task.respondent, to_db(task.due_at), to_db(task.closes_at),
         to_db(now)])
    return inserted.rowcount == 1


def task_checker(db, catalog, schedule, patient):
    """`PushContext.task_is_known` for one patient: a task the feed holds, or one the schedule
    makes around the entry's time (the same ids an offline app makes, questionnaires.task_id):
    due in the 31 days before the entry's UTC day up to the end of the next. Tasks an entry
    triggers are in the table once that entry is stored: the app pushes in recording order."""
    made = ScheduledTasks(catalog, schedule, patient_of(patient))

    def known(task_id, questionnaire_id, recorded_at) -> bool:
        row = db.execute("SELECT questionnaire_id FROM tasks WHERE task_id = ? AND "
                         "patient_id = ?", [task_id, patient["patient_id"]]).fetchone()
        if row is not None:
            return row[0] == questionnaire_id
        try:
            day = recorded_at.astimezone(timezone.utc).replace(hour=0, minute=0, second=0,
                                                               microsecond=0)
            start, end = day - TASK_LOOKBACK, day + timedelta(days=2)
            due = made.due(task_id, questionnaire_id, start, end)
        except (OverflowError, ValueError):
            return False  # a time no schedule reaches
        return any(start <= at < end for at in due)
    return known


class ScheduledTasks:
    """The schedule's tasks of one patient, made for spans of time as they are asked for:
    a push of weeks of entries makes its weeks once, not a month around each entry's day
    (that took ~4 ms a day: bench/RESULTS.md, issue 15). A task is due at the same time
    whatever span it is made in (`tasks_between`: the same arguments give the same tasks,
    and a task's id comes from its occurrence), so the spans' union answers as each day's
    own month would."""

    AHEAD = timedelta(days=30)  # entries come oldest first: make the next month with this one

    def __init__(self, catalog, schedule, patient):
        self.catalog, self.schedule, self.patient = catalog, schedule, patient
        self.spans = []   # [(start, end)] made so far
        self.due_at = {}  # (task_id, questionnaire_id) -> [due times]

    def due(self, task_id, questionnaire_id, start, end) -> list:
        """When the schedule makes this task due, in any span made so far; [start, end)
        is made first if no span covers it."""
        if not any(low <= start and end <= high for low, high in self.spans):
            end = end + self.AHEAD
            for task in tasks_between(self.schedule, self.patient, start, end, self.catalog):
                self.due_at.setdefault((task.task_id, task.questionnaire_id), []).append(
                    task.due_at)
            self.spans.append((start, end))
        return self.due_at.get((task_id, questionnaire_id), ())
