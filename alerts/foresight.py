"""Judging a push's diary entries before the write lock (bench/RESULTS.md, issue 15).

The rules are pure (alerts/evaluate.py): a diary entry's findings depend on the entry and on
what the context reads of the child: the diary entries before it (the previous one's
answers, the last 24 h of temperatures), the physician's overrides and clinical profile,
and the patient's dates. So a push reads those once, in one snapshot, and judges each of
its diary entries in order against the snapshot plus the push's own earlier entries,
exactly as `alerts.intake.build_context` would under the lock once those were stored.

Under the lock, `holds` asks whether that is still the child's history: no entry of the
child committed since the snapshot, the same overrides, profile and patient row. If not
(another phone of the same child pushed in between), the caller judges every entry again
under the lock from the database, so the guarantee stands: the alert is open, with its
outbox row, before the push answers. Episodes and outbox rows are always written under
the lock (alerts/episodes.py reads the open episode there).

Other instruments (neuro check, quality of life) read baselines from the database and are
few: they are judged under the lock as before.
"""
import json
from bisect import bisect_left, insort

from .evaluate import evaluate
from .intake import (DIARY, RECENT, clinical_profile, context_of, entry_of,
                     patient_overrides)
from .storage import utc

DIARY_COLUMNS = "rowid, entry_id, corrected_at, valid_answers"


class Foresight:
    """One push's snapshot of a child's history, and the findings judged from it."""

    def __init__(self, db, cipher, patient, settings, now):
        self.patient, self.cipher, self.settings, self.now = patient, cipher, settings, now
        self.patient_id = patient["patient_id"]
        # A new row's rowid is the largest so far plus one, and entries are never deleted
        # nor the file VACUUMed (which may renumber them): a row after this one is a row
        # committed since the snapshot.
        self.version = db.execute("SELECT MAX(rowid) FROM entries").fetchone()[0] or 0
        self.facts = patient_row(db, self.patient_id)
        self.overrides = patient_overrides(db, self.patient_id, cipher)
        self.profile = clinical_profile(db, self.patient_id)
        self.keys, self.rows = [], []   # diary rows by (corrected_at, rowid), oldest first
        self.answers = {}               # entry_id -> unsealed valid answers
        self.db = db

    def judge(self, entries) -> int:
        """Set `foreseen` on each diary entry of `entries` (the push's StoredEntry objects
        that will be stored, in push order); returns how many were judged."""
        diaries = [stored for stored in entries if stored.questionnaire_id == DIARY]
        if not diaries:
            return 0
        self.load(min(stored.corrected_at for stored in diaries) - RECENT,
                  max(stored.corrected_at for stored in diaries))
        ruleset, pending = self.settings.ruleset, self.version
        for stored in diaries:
            previous, temperatures = self.history(utc(stored.corrected_at),
                                                  utc(stored.corrected_at - RECENT))
            context = context_of(self.patient, stored, self.settings, self.now,
                                 previous=previous, temperatures=temperatures,
                                 overrides=self.overrides, profile=self.profile)
            stored.foreseen = evaluate(ruleset, entry_of(stored), context)
            pending += 1  # stored after the snapshot's rows, in push order
            # As read back from its sealed column: a JSON round trip.
            self.answers[(pending, stored.entry_id)] = json.loads(
                json.dumps(stored.valid_answers))
            self.add(utc(stored.corrected_at), pending, stored.entry_id)
        return len(diaries)

    def load(self, since, until):
        """The child's stored diaries from `since` up to `until`, and the last one before
        `since` (an entry whose day before was empty looks back to it)."""
        rows = self.db.execute(
            f"SELECT {DIARY_COLUMNS} FROM entries WHERE patient_id = ? AND questionnaire_id = ?"
            " AND corrected_at >= ? AND corrected_at < ?",
            [self.patient_id, DIARY, utc(since), utc(until)]).fetchall()
        rows += self.db.execute(
            f"SELECT {DIARY_COLUMNS} FROM entries WHERE patient_id = ? AND questionnaire_id = ?"
            " AND corrected_at < ? ORDER BY corrected_at DESC LIMIT 1",
            [self.patient_id, DIARY, utc(since)]).fetchall()
        for rowid, entry_id, corrected_at, sealed in rows:
            self.answers[(rowid, entry_id)] = sealed
            self.add(corrected_at, rowid, entry_id)

    def add(self, corrected_at, rowid, entry_id):
        key = (corrected_at, rowid)
        at = bisect_left(self.keys, key)
        self.keys.insert(at, key)
        self.rows.insert(at, (rowid, entry_id, corrected_at))

    def history(self, at, since):
        """As `alerts.intake.diary_history` reads it: diaries before `at`, newest first
        (ties newest stored first, as the index gives them)."""
        end = bisect_left(self.keys, (at, -1))
        if end == 0:
            return None, []
        start = bisect_left(self.keys, (since, -1))
        readings = []
        for row in reversed(self.rows[start:end]):
            answers = self.unsealed(row) or {}
            if "temperature_c" in answers:
                readings.append({"at": row[2], "temperature_c": answers["temperature_c"],
                                 "method": answers.get("temperature_method")})
        return self.unsealed(self.rows[end - 1]), readings

    def unsealed(self, row):
        rowid, entry_id, _at = row
        value = self.answers[(rowid, entry_id)]
        if isinstance(value, bytes):
            value = self.cipher.open_json("entries", entry_id, "valid_answers", value)
            self.answers[(rowid, entry_id)] = value
        return value

    def same_patient(self, db) -> bool:
        """Whether the patient's row (dates, time zone, status) is still the snapshot's."""
        return patient_row(db, self.patient_id) == self.facts

    def holds(self, db) -> bool:
        """Under the write lock: whether the child's history is still the snapshot's."""
        if db.execute("SELECT 1 FROM entries WHERE rowid > ? AND patient_id = ? LIMIT 1",
                      [self.version, self.patient_id]).fetchone() is not None:
            return False
        return (self.same_patient(db)
                and patient_overrides(db, self.patient_id, self.cipher) == self.overrides
                and clinical_profile(db, self.patient_id) == self.profile)


def patient_row(db, patient_id):
    """What the judgement reads of the patient's own row, as stored."""
    return db.execute("SELECT infusion_date, timezone, date_of_birth, status FROM patients "
                      "WHERE id = ?", [patient_id]).fetchone()
