"""Alerting as configured for this site: the rules with the site's thresholds, and where
notifications go. Loaded once per process and checked at start, so a typo in a threshold
file stops the server instead of silently alerting at the wrong temperature."""
import hashlib
import json
import logging
from dataclasses import dataclass

from alerts.evaluate import ruleset_document
from alerts.grammar import problems_against_catalog
from alerts.intake import AlertSettings, patient_overrides
from alerts.notifications.outbox import enqueue
from alerts.notifications.payload import build_payload
from alerts.notifications.routing import load_routing
from alerts.ruleset import load_default_ruleset, load_site_parameters

log = logging.getLogger("homeward.alerts")


class AlertConfigError(Exception):
    status, code = 500, "alert_configuration"


@dataclass
class AlertRuntime:
    settings: AlertSettings
    routing: object
    base_url: str

    def notifier(self, db, now):
        """`notify(alert, kind, route, key)` for the episode layer: a row per channel in the
        outbox, in the caller's transaction; the scheduler's dispatcher delivers it."""
        def notify(alert, kind, route, key):
            enqueue(db, self.routing, alert_id=alert["id"], kind=kind, route=route,
                    payload=build_payload(alert, kind, self.base_url),
                    idempotency_key=key, now=now)
        return notify

    def rules_document(self, db, patient_id) -> dict:
        return ruleset_document(self.settings.ruleset, self.settings.parameters,
                                patient_overrides(db, patient_id))

    def rules_signature(self, db, patient_id) -> str:
        """Changes when the rules a family's app should hold change: a new rule set, new
        site thresholds, or a physician's override for this child."""
        ruleset = self.settings.ruleset
        material = json.dumps([ruleset.document.get("id"), ruleset.document.get("version"),
                               self.settings.parameters, patient_overrides(db, patient_id)],
                              sort_keys=True, default=str)
        return hashlib.sha256(material.encode()).hexdigest()[:16]


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
    return AlertRuntime(AlertSettings(ruleset, parameters), routing, config.base_url)
