"""Alerting as configured for this site: the rules with the site's thresholds, and where
notifications go. Loaded once per process and checked at start, so a typo in a threshold
file stops the server instead of silently alerting at the wrong temperature."""
import hashlib
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache

from alerts.evaluate import ruleset_document
from alerts.grammar import problems_against_catalog
from alerts.intake import AlertSettings, patient_overrides
from alerts.notifications.outbox import enqueue
from alerts.notifications.payload import build_payload
from alerts.notifications.routing import load_routing
from alerts.ruleset import load_default_ruleset, load_site_parameters
from alerts.working_hours import WorkingHours, parse_working_hours

from .records.care_team import care_team_document

log = logging.getLogger("homeward.alerts")
DOCUMENTS_KEPT = 256


class AlertConfigError(Exception):
    status, code = 500, "alert_configuration"


@dataclass
class AlertRuntime:
    settings: AlertSettings
    routing: object
    base_url: str
    # When an alert that may wait for the working day escalates (alerts/working_hours.py).
    working_hours: WorkingHours | None = None

    def notifier(self, db, now):
        """`notify(alert, kind, route, key)` for the episode layer: a row per channel in the
        outbox, in the caller's transaction; the scheduler's dispatcher delivers it. The
        alert's team chooses its own route when the site gave it one (routing.py)."""
        def notify(alert, kind, route, key):
            enqueue(db, self.routing, alert_id=alert["id"], kind=kind, route=route,
                    payload=build_payload(alert, kind, self.base_url),
                    idempotency_key=key, now=now, team=alert.get("team"))
        return notify

    # Rules documents by signature, as JSON text: every pull of a snapshot serves one, and
    # building it deep-copies the whole rule set (bench/RESULTS.md). Bounded, since each
    # child with overrides has a signature of its own.
    _documents: dict = field(default_factory=dict, repr=False)
    # Whom the family calls (server/records/care_team.py): served in the profile, and part of the
    # signature so that a changed number reaches every phone at its next pull.
    care_team: dict = field(default_factory=dict)

    def rules_document(self, db, patient_id, cipher) -> dict:
        """The rules a family's app holds; each caller gets its own copy. `cipher`, the
        patient's, opens the physician's overrides."""
        overrides = patient_overrides(db, patient_id, cipher)
        key = hashlib.sha256(self._material(overrides)).hexdigest()  # in memory only
        found = self._documents.get(key)
        if found is None:
            found = json.dumps(ruleset_document(self.settings.ruleset, self.settings.parameters,
                                                overrides))
            if len(self._documents) >= DOCUMENTS_KEPT:
                self._documents.clear()
            self._documents[key] = found
        # The signature travels with the document, so the phone can say which rules it ran
        # when it reports its advice (alerts/drift.py); keyed, as it comes back in clear.
        return {**json.loads(found), "signature": self.signature_of(overrides, cipher)}

    def rules_signature(self, db, patient_id, cipher) -> str:
        """Changes when the rules a family's app should hold change: a new rule set, new
        site thresholds, or a physician's override for this child. Keyed with the patient's
        key, because it is stored in clear and the few overrides a physician can set could
        be told from a plain hash by trying them all."""
        return self.signature_of(patient_overrides(db, patient_id, cipher), cipher)

    def signature_of(self, overrides, cipher) -> str:
        return cipher.mac("rules-signature", self._material(overrides)).hex()[:16]

    def _material(self, overrides) -> bytes:
        ruleset = self.settings.ruleset
        return json.dumps([ruleset.document.get("id"), ruleset.document.get("version"),
                           self.settings.parameters, overrides, self.care_team],
                          sort_keys=True, default=str).encode()


@lru_cache(maxsize=8)
def working_hours_of(config) -> WorkingHours:
    """The site's working hours (HOMEWARD_WORKING_DAYS and _HOURS in its time zone, less
    HOMEWARD_HOLIDAYS)."""
    return parse_working_hours(config.working_days, config.working_hours,
                               config.site_timezone, config.holidays)


def load_alert_runtime(config, catalog) -> AlertRuntime:
    ruleset = load_default_ruleset()
    problems = problems_against_catalog(ruleset.rules, catalog)
    if problems:
        # A rule naming an item no instrument has can never fire: a silent gap in safety.
        raise AlertConfigError("The safety rules do not match the instruments: "
                               + "; ".join(problems[:5]))
    parameters = {}
    if config.rules_parameters_file:
        parameters = load_site_parameters(config.rules_parameters_file, ruleset)
        log.info("site rule thresholds from %s: %s", config.rules_parameters_file,
                 ", ".join(sorted(parameters)) or "none")
    routing = load_routing(str(config.notifications_file) if config.notifications_file
                           else None)
    unknown = sorted(set(routing.teams) - {rule.team for rule in ruleset.rules})
    if unknown:
        # A misspelt team would be a route nobody's alerts ever take.
        raise AlertConfigError(
            f"{routing.source}: teams: no rule is for the team {unknown[0]!r}; the rules "
            f"name {', '.join(sorted({rule.team for rule in ruleset.rules}))}.")
    runtime = AlertRuntime(AlertSettings(ruleset, parameters), routing, config.public_url,
                           working_hours=working_hours_of(config),
                           care_team=care_team_document(config))
    runtime.settings.signature_for = runtime.signature_of
    return runtime
