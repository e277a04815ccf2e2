"""The scheduler's jobs as this installation configures them: the alert rules with the
site's thresholds, the notification routes, and the vault to seal and unseal with."""
from alerts.jobs import checkin_job, escalation_job, recheck_job, reminder_job
from alerts.notifications.outbox import enqueue
from alerts.notifications.dispatch import register_jobs as register_dispatch
from alerts.scheduler import Registry
from questionnaires import load_catalog

from .alert_runtime import load_alert_runtime
from .clock import SystemClock
from .records.patients import patient_facts
from .storage.vault import Vault


def build_jobs(config, database, clock=None) -> Registry:
    clock = clock or SystemClock()
    catalog = load_catalog((config.instruments_dir,) if config.instruments_dir else ())
    runtime = load_alert_runtime(config, catalog)
    vault = Vault.open(config, database, clock)

    def evidence(db, alert_id):
        """Unsealed evidence, only for channels the site marked as clinical."""
        row = db.execute("SELECT patient_id, evidence FROM alerts WHERE id = ?",
                         [alert_id]).fetchone()
        if row is None or row[1] is None:
            return None
        return vault.for_patient(db, row[0]).open_json("alerts", alert_id, "evidence", row[1])

    registry = Registry()
    register_dispatch(registry, runtime.routing, evidence=evidence)
    registry.add(escalation_job(runtime.notifier, runtime.working_hours))
    registry.add(recheck_job(runtime.notifier))
    registry.add(checkin_job(
        settings=runtime.settings, notifier=runtime.notifier, cipher_for=vault.for_patient,
        patient_facts=lambda db, patient_id, now: patient_facts(db, vault, patient_id, now)))
    registry.add(reminder_job(runtime.routing, enqueue))
    return registry
