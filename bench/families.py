"""Staff and families for the benchmarks: a staff bearer token made in-process (as
`homeward users create` would), families enrolled through the real clinic API and app
protocol, and diary entries sealed the way the phone seals them (never timed)."""
import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from server.auth.tokens import issue_token
from server.auth.users import create_user
from server.config import Config
from server.storage.db import connect
from sync.sealing import seal_entry, unb64url

CALM_METHODS = ("oral", "axillary", "ear")


def staff_token(data_dir, role="nurse", username=None) -> str:
    """A staff account and its bearer token, written straight into the database; argon2 at
    a test cost, since no benchmark signs in with the password."""
    config = Config.from_env({}, data_dir=Path(data_dir), argon2_memory_kib=64,
                             argon2_time_cost=1)
    db = connect(config.database_path)
    try:
        now = datetime.now(timezone.utc)
        username = username or f"{role}-{uuid.uuid4().hex[:8]}"
        user = create_user(db, username, role, "correct horse battery staple", config, now)
        token, _expires = issue_token(db, user.id, config, now)
        return token
    finally:
        db.conn.close()


@dataclass
class Family:
    patient_id: str
    device_id: str
    token: str
    respondent: str
    kid: str
    public_key: bytes

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}


def child(index, rng=random) -> dict:
    today = datetime.now(timezone.utc).date()
    return {"display_name": f"Bench Child {index}",
            "date_of_birth": (today - timedelta(days=rng.randint(3 * 365, 16 * 365))).isoformat(),
            "infusion_date": (today - timedelta(days=rng.randint(0, 20))).isoformat(),
            "timezone": "America/New_York", "language": rng.choice(("en", "es")),
            "mrn": f"MRN-{index:07d}"}


def enrol_family(http, staff, index=0) -> Family:
    patient_id = http.json("POST", "/api/v1/patients", child(index), token=staff)["patient_id"]
    code = http.json("POST", f"/api/v1/patients/{patient_id}/enrollments",
                     {"respondent": "caregiver"}, token=staff)["code"]
    device = http.json("POST", "/api/v1/devices", {
        "enrollment_code": code, "device_name": "Bench phone", "platform": "android",
        "app_version": "1.0"})
    keys = device["keys"]
    current = next(k for k in keys["keys"] if k["kid"] == keys["current"])
    return Family(patient_id, device["device_id"], device["device_token"],
                  device["respondent"], keys["current"], unb64url(current["public_key"]))


def diary_answers(rng, fever=False) -> dict:
    answers = {"temperature_c": round(rng.uniform(36.3, 37.4), 1),
               "temperature_method": rng.choice(CALM_METHODS),
               "spo2_percent": rng.randint(96, 100), "feels_hot": False,
               "breathing_difficulty": False, "dizzy_or_fainting": False}
    if fever:
        answers.update(temperature_c=round(rng.uniform(38.2, 38.8), 1), feels_hot=True)
    return answers


def document(family, recorded_at, answers, questionnaire_id="symptom-diary") -> dict:
    return {"entry_id": str(uuid.uuid4()), "device_id": family.device_id,
            "patient_id": family.patient_id, "questionnaire_id": questionnaire_id,
            "questionnaire_version": "1.0.0", "task_id": None,
            "respondent": family.respondent, "recorded_at": recorded_at.isoformat(),
            "supersedes": None, "answers": answers}


def envelope(family, doc) -> dict:
    return {"entry_id": doc["entry_id"], "kid": family.kid,
            "sealed": seal_entry(doc, family.public_key)}


def diary_envelopes(family, count, rng, *, every=timedelta(hours=4), fever_every=0,
                    end=None) -> list[dict]:
    """`count` sealed diary entries, oldest first, one every `every`, ending now: a phone
    that was offline for a while. `fever_every` n: every n-th entry is a fever."""
    end = end or datetime.now(timezone.utc) - timedelta(minutes=1)
    start = end - every * count
    return [envelope(family, document(
        family, start + every * (i + 1),
        diary_answers(rng, fever=bool(fever_every) and i % fever_every == fever_every - 1)))
        for i in range(count)]


def push_body(envelopes_json: bytes, outbox_pending=0) -> bytes:
    """The push request with `sent_at` stamped now: envelopes are serialized beforehand so
    the client's work between send and answer is only this concatenation."""
    sent_at = datetime.now(timezone.utc).isoformat().encode()
    return (b'{"sent_at":"' + sent_at + b'","outbox_pending":' + str(outbox_pending).encode()
            + b',"entries":' + envelopes_json + b"}")


def dumps(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
