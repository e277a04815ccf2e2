"""A fast direct loader for a large clinic: patients with their own data keys (the real
vault), a device each, entries in the very layout sync/push.py writes (the sealed document
the phone sent, sealed valid answers and scores, an HMAC of the canonical document, clear
ids and times only) and alerts with their entries, by bulk inserts in transactions.

Going through HTTP would take hours for a million entries; this takes minutes. Entries are
symptom diaries (temperatures, a fever now and then) with a neuro check every tenth,
validated and scored by the real instrument definitions.

    .venv/bin/python bench/seed.py DATA_DIR --patients 1000 --entries 50000
"""
import argparse
import hashlib
import json
import random
import secrets
import time
import uuid
from pathlib import Path
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from questionnaires import load_catalog
from questionnaires.scoring import score
from questionnaires.validation import validate_answers
from server.clock import SystemClock
from server.config import Config
from server.storage.db import connect
from server.records.patients import new_patient_id
from server.storage.vault import Vault
from server.records.contacts import seal_contacts
from sync.canonical import canonicalise
from sync.sealing import entry_plaintext
from sync.simulated_answers import neuro_check

from families import diary_answers

ENTRY_COLUMNS = ("entry_id", "patient_id", "device_id", "questionnaire_id",
                 "questionnaire_version", "variant", "task_id", "respondent", "status",
                 "recorded_at", "received_at", "clock_offset_seconds", "corrected_at",
                 "supersedes", "kid", "content_mac", "document", "valid_answers", "problems",
                 "scores")
ALERT_SHARES = {"open": 0.02, "acknowledged": 0.01, "resolved": 0.30}
CALM_PLAN = SimpleNamespace(neuro_change_at=None)


def utc(moment) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def insert(db, table, columns, rows):
    if rows:
        db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                            f"({', '.join('?' * len(columns))})", rows)


class Loader:
    def __init__(self, data_dir, rng):
        self.config = Config.from_env({}, data_dir=Path(data_dir))
        self.db = connect(self.config.database_path)
        self.db.execute("PRAGMA synchronous=NORMAL")  # loading, not serving: one fsync a chunk
        self.db.execute("PRAGMA foreign_keys=OFF")  # keys are made before their patient row
        self.vault = Vault.open(self.config, self.db, SystemClock())
        self.kid = self.db.execute("SELECT kid FROM sealing_keys WHERE retired_at IS NULL"
                                   ).fetchone()[0]
        self.catalog, self.rng, self.now = load_catalog(), rng, datetime.now(timezone.utc)

    def patient(self, index, entry_count) -> dict:
        """One patient, its key, device, entries and perhaps an alert: {table: rows}."""
        rng, now = self.rng, self.now
        patient_id, device_id = new_patient_id(), "dev_" + secrets.token_hex(8)
        birth = now.date() - timedelta(days=rng.randint(2 * 365, 17 * 365))
        infusion = now.date() - timedelta(days=rng.randint(entry_count // 4 + 1, 400))
        cipher = self.vault.create_patient_key(self.db, patient_id, now)
        clear = {"display_name": f"Seeded Child {index}", "date_of_birth": birth.isoformat(),
                 "mrn": f"MRN-S{index:08d}", "contact": None}
        sealed = {column: cipher.seal_text("patients", patient_id, column, value)
                  for column, value in clear.items()}
        # Two people to phone, as a clinic records them: every inbox card unseals them.
        contacts = seal_contacts(cipher, patient_id, [
            {"name": f"Parent {index}", "relationship": "mother", "phone": "+1 617 555 0101",
             "language": "en", "best_times": "any time"},
            {"name": f"Other {index}", "relationship": "father", "phone": "617 555 0102"}])
        rows = {"patients": [(patient_id, utc(now), "seed", infusion.isoformat(),
                              "America/New_York", rng.choice(("en", "es")), None, "active",
                              sealed["display_name"], sealed["date_of_birth"], sealed["mrn"],
                              sealed["contact"], contacts)],
                "devices": [(device_id, patient_id, "caregiver",
                             hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                             cipher.seal_text("devices", device_id, "device_name", "Phone"),
                             "android", "1.0", utc(now), utc(now))],
                "entries": [], "alerts": [], "alert_entries": [], "patient_checkins": []}
        start = datetime.combine(infusion, datetime.min.time(), timezone.utc) + timedelta(hours=8)
        step = min(timedelta(hours=6), (now - start) / (entry_count + 1))
        fevers = []
        diary = self.catalog.for_entry("symptom-diary", "1.0.0", respondent="caregiver",
                                       date_of_birth=birth, timezone="America/New_York",
                                       recorded_at=now).variant
        for n in range(entry_count):
            at = start + step * (n + 1) + timedelta(seconds=rng.randint(0, 600))
            fever = rng.random() < 0.03
            row = self.entry(cipher, patient_id, device_id, birth, at, n % 10 == 9, fever,
                             diary)
            rows["entries"].append(row)
            if fever and row[3] == "symptom-diary":
                fevers.append((row, at))
        if rows["entries"]:
            rows["patient_checkins"].append((patient_id, rows["entries"][-1][12],
                                             rows["entries"][-1][12]))
        self.alert(rows, cipher, patient_id, fevers)
        return rows

    def entry(self, cipher, patient_id, device_id, birth, at, neuro, fever, diary) -> tuple:
        entry_id = str(uuid.uuid4())
        if neuro:
            definition = self.catalog.for_entry(
                "neuro-check", "1.0.0", respondent="caregiver", date_of_birth=birth,
                timezone="America/New_York", recorded_at=at)
            checked = validate_answers(definition, neuro_check(definition.variant, CALM_PLAN,
                                                               at, self.rng))
            valid, scores = checked.valid_answers, score(definition, checked.valid_answers)
            questionnaire, variant = "neuro-check", definition.variant
        else:
            valid, scores = diary_answers(self.rng, fever), {}
            questionnaire, variant = "symptom-diary", diary
        document = {"entry_id": entry_id, "device_id": device_id, "patient_id": patient_id,
                    "questionnaire_id": questionnaire, "questionnaire_version": "1.0.0",
                    "task_id": None, "respondent": "caregiver", "recorded_at": at.isoformat(),
                    "supersedes": None, "answers": valid}
        received = at + timedelta(minutes=self.rng.randint(0, 30))
        return (entry_id, patient_id, device_id, questionnaire, "1.0.0", variant, None,
                "caregiver", "accepted", utc(at), utc(received), 0.0, utc(at), None, self.kid,
                cipher.mac("entry", canonicalise(document)),
                cipher.seal_bytes("entries", entry_id, "document", entry_plaintext(document)),
                cipher.seal_json("entries", entry_id, "valid_answers", valid), None,
                cipher.seal_json("entries", entry_id, "scores", scores) if scores else None)

    def alert(self, rows, cipher, patient_id, fevers):
        """The last fever as an episode: open, acknowledged or resolved, or none at all."""
        roll, status = self.rng.random(), None
        for name, share in ALERT_SHARES.items():
            if roll < share:
                status = name
                break
            roll -= share
        if status is None or not fevers:
            return
        row, at = fevers[-1]
        alert_id, raised = "al_" + secrets.token_hex(8), row[10]
        answers = json.loads(cipher.open_text("entries", row[0], "valid_answers", row[17]))
        evidence = [{"answers": {k: answers[k] for k in ("temperature_c", "temperature_method")}}]
        done = utc(at + timedelta(hours=2))
        rows["alerts"].append((
            alert_id, patient_id, "temperature", '["fever"]', "urgent", status, raised, raised,
            raised, row[0], 0, None, None,
            done if status != "open" else None, "nurse" if status != "open" else None,
            done if status == "resolved" else None, "nurse" if status == "resolved" else None,
            "advice_given_at_home" if status == "resolved" else None,
            cipher.seal_json("alerts", alert_id, "evidence", evidence)))
        rows["alert_entries"].append((alert_id, row[0], '["fever"]', "urgent", raised))


TABLES = {
    "patients": ("id", "created_at", "created_by", "infusion_date", "timezone", "language",
                 "product", "status", "display_name", "date_of_birth", "mrn", "contact",
                 "contacts"),
    "devices": ("id", "patient_id", "respondent", "token_hash", "device_name", "platform",
                "app_version", "enrolled_at", "last_seen_at"),
    "entries": ENTRY_COLUMNS,
    "alerts": ("id", "patient_id", "concern", "reasons", "level", "status", "raised_at",
               "updated_at", "last_finding_at", "first_entry_id", "reported_late_minutes",
               "escalate_at", "escalated_at", "acknowledged_at", "acknowledged_by",
               "resolved_at", "resolved_by", "outcome", "evidence"),
    "alert_entries": ("alert_id", "entry_id", "reasons", "level", "added_at"),
    "patient_checkins": ("patient_id", "last_temperature_at", "last_entry_at"),
}


def seed(data_dir, patients, entries, rng=None, chunk=200, report=print) -> dict:
    """Load `patients` patients with `entries` entries between them; returns counts."""
    loader = Loader(data_dir, rng or random.Random(3))
    began, per_patient = time.monotonic(), entries / patients
    counts = {table: 0 for table in TABLES}
    made = 0
    for first in range(0, patients, chunk):
        batch = {table: [] for table in TABLES}
        loader.db.conn.execute("BEGIN IMMEDIATE")
        for index in range(first, min(patients, first + chunk)):
            want = round(per_patient * (index + 1)) - made  # exactly `entries` in all
            made += want
            for table, rows in loader.patient(index, want).items():
                batch[table].extend(rows)
        for table, columns in TABLES.items():
            insert(loader.db, table, columns, batch[table])
            counts[table] += len(batch[table])
        loader.db.conn.execute("COMMIT")
        if report and (first // chunk) % 10 == 9:
            report(f"  seeded {counts['patients']:,} patients, {counts['entries']:,} entries "
                   f"in {time.monotonic() - began:.0f} s")
    loader.db.conn.close()
    counts["seconds"] = time.monotonic() - began
    return counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=50_000)
    args = parser.parse_args()
    print(seed(args.data_dir, args.patients, args.entries))
