"""Simulated families driving a Homeward server through the real protocol, with the
reference client: offline spells, clock skew, lost answers, fevers at a chosen rate.

History is recorded with past times and synced now, the way a phone that was offline
catches up; the last hours are recorded "live", so alerts from them arrive on time.
"""
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import requests
from requests.adapters import HTTPAdapter

from questionnaires import parse_definition, validate_answers

from .client import Client
from .simulated_answers import answers_for

ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/Madrid",
         "America/Mexico_City")
GIVEN = ("Mateo", "Sofía", "Liam", "Emma", "Noah", "Valentina", "Lucas", "Isabella", "Leo",
         "Camila", "Hugo", "Martina", "Daniel", "Lucía", "Adam", "Julia", "Elias", "Mía")
FAMILY = ("García", "Smith", "Martínez", "Johnson", "López", "Brown", "Hernández", "Lee")


@dataclass
class FamilyPlan:
    name: str
    date_of_birth: date
    infusion_date: date
    timezone: str
    language: str
    fever_at: datetime | None = None        # when a fever is recorded, if ever
    neuro_change_at: datetime | None = None
    offline_from: datetime | None = None    # entries after this sync only at the very end
    clock_skew: timedelta = timedelta(0)
    qol_decline: bool = False
    emergency_at: datetime | None = None    # a seizure reported then, if ever
    mrn: str = "SIM-0"                      # sites require one by default (HOMEWARD_REQUIRE_MRN)


@dataclass
class Summary:
    families: int = 0
    entries_sent: int = 0
    statuses: dict = field(default_factory=dict)
    alerts: int = 0                  # entries whose push raised or extended an alert
    open_alerts: int | None = None   # alerts open on the server at the end
    alert_seconds: list = field(default_factory=list)   # round trips of alerting pushes

    def add(self, report):
        for status, count in report.pushed.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.alerts += len(report.alerts)


class LosingAdapter(HTTPAdapter):
    """Loses a share of push answers after the server committed them: the phone retries
    and must get `duplicate`, never a second copy."""

    def __init__(self, loss_rate, rng):
        super().__init__()
        self.loss_rate, self.rng = loss_rate, rng

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        if request.url.endswith("/sync/push") and self.rng.random() < self.loss_rate:
            raise requests.ConnectionError("simulated: the answer was lost on the way back")
        return response


def plan_cohort(count, now, *, seed=7, fever_rate=0.1, offline_rate=0.1, days=7,
                max_skew_minutes=5):
    rng = random.Random(seed)
    plans = []
    for index in range(count):
        age = rng.randint(3, 17)
        day = rng.choice([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 18, 25, 40, 60, 90,
                          150, 240, 365])
        today = now.date()
        plan = FamilyPlan(
            name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            date_of_birth=today - timedelta(days=365 * age + rng.randint(0, 364)),
            infusion_date=today - timedelta(days=day), timezone=rng.choice(ZONES),
            language=rng.choice(("en", "en", "es")),
            clock_skew=timedelta(minutes=rng.uniform(-max_skew_minutes, max_skew_minutes)),
            qol_decline=rng.random() < 0.15, mrn=f"SIM-{seed}-{index + 1:05d}")
        if rng.random() < fever_rate:
            plan.fever_at = now - timedelta(hours=rng.uniform(0.1, min(days, 3) * 24))
        if rng.random() < offline_rate:
            plan.offline_from = now - timedelta(hours=rng.uniform(20, 28))
        plans.append(plan)
    return plans


def timeline(plan, start, end):
    """(when, questionnaire id) for the family's entries in [start, end): diaries twice a
    day in the first two weeks, neuro checks daily, quality of life weekly then monthly."""
    events = []
    day0 = datetime.combine(plan.infusion_date, datetime.min.time(), timezone.utc)
    moment = start.replace(minute=0, second=0, microsecond=0)
    while moment < end:
        day = (moment - day0).days
        if moment.hour in (8, 20) and (0 <= day <= 14 or (day <= 28 and moment.hour == 8)):
            events.append((moment, "symptom-diary"))
        if moment.hour == 9 and 0 <= day <= 14:
            events.append((moment, "neuro-check"))
        if moment.hour == 18 and (day == -1 or (0 < day <= 84 and day % 7 == 0)
                                  or (84 < day and day % 30 == 0)):
            events.append((moment, "quality-of-life"))
            # The caregiver's own wellbeing on the same days, so distress has a history.
            events.append((moment + timedelta(minutes=10), "caregiver-wellbeing"))
        moment += timedelta(hours=1)
    if plan.emergency_at is not None and start <= plan.emergency_at < end:
        events.append((plan.emergency_at, "symptom-diary"))  # reported when it happened
    return sorted(events)


class StaffApi:
    def __init__(self, base_url, token):
        self.base_url, self.session = base_url.rstrip("/"), requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method, path, body=None):
        response = self.session.request(method, self.base_url + "/api/v1" + path, json=body,
                                        timeout=30)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def enrol_family(self, plan):
        patient = self.call("POST", "/patients", {
            "display_name": plan.name, "date_of_birth": plan.date_of_birth.isoformat(),
            "infusion_date": plan.infusion_date.isoformat(), "timezone": plan.timezone,
            "language": plan.language, "mrn": plan.mrn})
        code = self.call("POST", f"/patients/{patient['patient_id']}/enrollments",
                         {"respondent": "caregiver"})["code"]
        return patient["patient_id"], code


def record_valid(client, questionnaire_id, answers, when):
    """Keep what validates against the definition the phone holds, as an app would."""
    definition = client.questionnaire(questionnaire_id)
    if definition is None:
        return None
    checked = validate_answers(parse_definition(definition, "pulled"), answers)
    if not checked.valid_answers:
        return None
    return client.record(questionnaire_id, definition["version"], checked.valid_answers,
                         recorded_at=when)


def now_utc():
    return datetime.now(timezone.utc)


class SimulatedFamily:
    """One family's phone. Its clock is real time plus its skew: history is recorded with
    the times things happened and pushed now, as a phone that was offline does."""

    def __init__(self, staff, plan, base_url, state_dir, *, rng, loss_rate=0.0,
                 clock=now_utc):
        self.plan, self.rng = plan, rng
        self.patient_id, code = staff.enrol_family(plan)
        self.client = Client(state_dir / f"{self.patient_id}.db",
                             now=lambda: clock() + plan.clock_skew, sleep=lambda s: None)
        for scheme in ("http://", "https://"):
            if loss_rate:
                self.client.session.mount(scheme, LosingAdapter(loss_rate, rng))
        self.client.enrol(base_url, code, f"{plan.name.split()[0]}'s phone",
                          platform="android")
        self.client.sync()

    def record_history(self, start, end, summary, *, sync_every=40):
        """Entries from `start` to `end`; those before the plan's offline spell are synced
        as they pile up, the rest wait on the phone until `come_back`."""
        waiting = 0
        for when, questionnaire_id in timeline(self.plan, start, end):
            answers = answers_for(questionnaire_id, self.client, self.plan, when, self.rng)
            if record_valid(self.client, questionnaire_id, answers, when + self.plan.clock_skew):
                summary.entries_sent += 1
                waiting += 1
            offline = self.plan.offline_from is not None and when >= self.plan.offline_from
            if waiting >= sync_every and not offline:
                self.sync(summary)
                waiting = 0
        if self.plan.offline_from is None:
            self.sync(summary)

    def record_now(self, questionnaire_id, answers, summary):
        if record_valid(self.client, questionnaire_id, answers, self.client.now()):
            summary.entries_sent += 1
        return self.sync(summary)

    def sync(self, summary):
        """Sync until the outbox is empty; the wall time of a sync that raised an alert is
        an upper bound on push → alert for its entries."""
        while True:
            started = time.monotonic()
            report = self.client.sync()
            summary.add(report)
            if report.alerts:
                summary.alert_seconds.append(time.monotonic() - started)
            if not report.ok or not report.outbox_left:
                return report

    def close(self):
        self.client.close()


def history_start(plan, now, days):
    """Recent days for everyone; for children months out, their whole follow-up so far
    (up to 400 days), so quality of life has a history to chart."""
    since_infusion = (now.date() - plan.infusion_date).days
    if since_infusion > 90:
        return now - timedelta(days=min(since_infusion + 1, 400))
    return now - timedelta(days=days)


def simulate(base_url, token, plans, *, days, state_dir, loss_rate=0.0, seed=7,
             progress=None, clock=now_utc):
    """Run every family; offline families come back after the others. Returns a Summary."""
    staff, rng, summary = StaffApi(base_url, token), random.Random(seed), Summary()
    now, families = clock(), []
    for index, plan in enumerate(plans):
        family = SimulatedFamily(staff, plan, base_url, state_dir, rng=rng,
                                 loss_rate=loss_rate, clock=clock)
        family.record_history(history_start(plan, now, days), now, summary)
        families.append(family)
        summary.families += 1
        if progress:
            progress(index + 1, len(plans))
    for family in families:
        if family.plan.offline_from is not None:
            family.sync(summary)  # back online: a day of entries arrives late
        family.close()
    summary.open_alerts = len(staff.call("GET", "/alerts?status=open")["alerts"])
    return summary
