"""Raising alerts in tests without the rules: the episode layer takes any finding with a
reason, a level, whether it escalates at once and its evidence."""
from dataclasses import dataclass, field

from alerts.episodes import record_findings


@dataclass(frozen=True)
class Finding:
    reason: str
    level: str
    escalate_now: bool = False
    evidence: dict = field(default_factory=dict)
    team: str = "car_t"
    escalate: str = "any_time"


class Outbox:
    """Stands in for the notification outbox: records what would be sent."""

    def __init__(self):
        self.sent = []

    def __call__(self, alert, kind, route, key):
        self.sent.append((alert["id"], kind, route, key))

    def kinds(self):
        return [(kind, route) for _id, kind, route, _key in self.sent]


def raise_findings(db, vault, patient_id, findings, now, outbox=None, entry_id=None, late=0):
    cipher = vault.for_patient(db, patient_id)
    outbox = outbox if outbox is not None else Outbox()
    with db.atomic():
        return record_findings(
            db, patient_id=patient_id, findings=findings, now=now, notify=outbox,
            seal=lambda alert_id, column, value: cipher.seal_json("alerts", alert_id, column,
                                                                 value),
            entry_id=entry_id, reported_late_minutes=late)
