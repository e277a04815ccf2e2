"""A family enrolled through the real clinic API and app protocol, for tests that need one."""
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sync.sealing import seal_entry, unb64url

CHILD = {"display_name": "Mateo Ruiz", "date_of_birth": "2015-03-14",
         "infusion_date": "2026-11-17", "timezone": "America/New_York", "language": "es",
         "mrn": "MRN-5550123"}


@dataclass
class Family:
    client: object
    patient_id: str
    device_id: str
    token: str
    respondent: str
    keys: dict
    now: object = field(default=lambda: datetime.now(timezone.utc))  # the device's clock

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def public_key(self, kid=None):
        kid = kid or self.keys["current"]
        return next(unb64url(k["public_key"]) for k in self.keys["keys"] if k["kid"] == kid)

    def document(self, answers, **changes):
        document = {"entry_id": str(uuid.uuid4()), "device_id": self.device_id,
                    "patient_id": self.patient_id, "questionnaire_id": "symptom-diary",
                    "questionnaire_version": "1.0.0", "task_id": None,
                    "respondent": self.respondent, "recorded_at": "2026-11-20T13:55:00-05:00",
                    "supersedes": None, "answers": answers}
        document.update(changes)
        return document

    def envelope(self, document, kid=None, public_key=None):
        kid = kid or self.keys["current"]
        return {"entry_id": document["entry_id"], "kid": kid,
                "sealed": seal_entry(document, public_key or self.public_key(kid))}

    def push(self, envelopes, sent_at=None, **extra):
        sent_at = sent_at or self.now().isoformat()
        return self.client.post("/api/v1/sync/push", headers=self.headers,
                                json={"sent_at": sent_at, "entries": envelopes, **extra})

    def pull(self, cursor=None, limit=None):
        query = {}
        if cursor:
            query["cursor"] = cursor
        if limit:
            query["limit"] = limit
        return self.client.get("/api/v1/sync/pull", headers=self.headers, query_string=query)


def create_patient(client, headers, **changes):
    response = client.post("/api/v1/patients", json={**CHILD, **changes}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["patient_id"]


def enrollment_code(client, headers, patient_id, respondent="caregiver"):
    response = client.post(f"/api/v1/patients/{patient_id}/enrollments",
                           json={"respondent": respondent}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["code"]


def enrol(client, code, name="Mamá's phone"):
    return client.post("/api/v1/devices", json={"enrollment_code": code, "device_name": name,
                                                "platform": "android", "app_version": "1.0"})


def enrolled_family(client, nurse_headers, respondent="caregiver", patient_id=None, clock=None,
                    **child):
    patient_id = patient_id or create_patient(client, nurse_headers, **child)
    body = enrol(client, enrollment_code(client, nurse_headers, patient_id, respondent))
    assert body.status_code == 201, body.get_json()
    device = body.get_json()
    family = Family(client, patient_id, device["device_id"], device["device_token"],
                    device["respondent"], device["keys"])
    if clock is not None:
        family.now = clock.now
    return family
