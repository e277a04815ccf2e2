"""The psychosocial view: quality of life and caregiver distress over months and years, a
cohort sorted by recent decline, and the wellbeing alerts the team handles.

Only wellbeing instruments are read here (quality-of-life, caregiver-wellbeing), so these
pages are open to the psychosocial team as well as nurses and physicians; symptom entries
never reach them from here.
"""
from datetime import timedelta

from flask import g

from ..records import audit
from ..auth import require_staff
from ..web.context import get_config, get_db, get_vault, now
from ..records.entries import read_entries
from ..records.patients import get_patient, list_patients, patient_facts
from ..records.trends import trend
from . import blueprint, cards, charts, present
from .common import WELLBEING_TEAM, render
from .inbox import alert_cards

QOL, WELLBEING = "quality-of-life", "caregiver-wellbeing"
# The psychosocial team's concerns, whoever is looking (server.records.alerting).
WELLBEING_ROLE = "psychosocial"


def wellbeing_trends(db, facts, patient_id):
    entries = read_entries(db, facts["cipher"], patient_id, questionnaire_ids=[QOL, WELLBEING],
                           newest_first=False)
    qol = {domain: trend(f"quality_of_life.{domain}", entries, facts)
           for domain in charts.QOL_DOMAINS}
    return qol, trend("caregiver_distress", entries, facts)


# "Recent" for the cohort's order: a decline in small steps over a few months is the one the
# team must not miss, and it never shows in the step from one score to the next.
RECENT = timedelta(days=90)


def decline(points) -> dict:
    """Latest quality-of-life total against the one before and the first (the baseline);
    negative changes are declines. `drop`: how far the latest total sits below the highest
    of the RECENT ones before it (0 when it is the highest: a rise is not a decline)."""
    values = [point["value"] for point in points]
    latest = values[-1] if values else None
    drop = None
    if len(points) > 1:
        latest_at = present.parse(points[-1]["at"])
        recent = [point["value"] for point in points[:-1]
                  if latest_at - present.parse(point["at"]) <= RECENT]
        drop = min(0, latest - max(recent)) if recent else None
    return {"latest": latest, "previous": values[-2] if len(values) > 1 else None,
            "baseline": values[0] if values else None,
            "change": latest - values[-2] if len(values) > 1 else None,
            "since_baseline": latest - values[0] if len(values) > 1 else None,
            "drop": drop, "latest_at": points[-1]["at"] if points else None}


def cohort_order(row):
    # Largest recent drop first; then no drop (steady or rising), by the last change; then
    # those with a single score; then those with none.
    qol = row["qol"]
    change = qol["change"]
    return (change is None, qol.get("drop") or 0, change if change is not None else 0,
            qol["latest"] is None, row["patient"]["display_name"] or "")


@blueprint.get("/wellbeing")
@require_staff(*WELLBEING_TEAM)
def wellbeing_cohort():
    db, vault, moment = get_db(), get_vault(), now()
    rows = []
    for patient in list_patients(db, vault, moment, status="active"):
        facts = patient_facts(db, vault, patient["patient_id"], moment)
        qol, distress = wellbeing_trends(db, facts, patient["patient_id"])
        latest_distress = distress["points"][-1]["value"] if distress["points"] else None
        rows.append({"patient": patient, "qol": decline(qol["total"]["points"]),
                     "distress": latest_distress})
        audit.record(db, "trends.read", patient_id=patient["patient_id"],
                     details={"view": "wellbeing-cohort"})
    rows.sort(key=cohort_order)
    box = cards.inbox(alert_cards(db, vault, WELLBEING_ROLE))
    return render("wellbeing.html", rows=rows, box=box, next_url="/wellbeing")


@blueprint.get("/patients/<patient_id>/wellbeing")
@require_staff(*WELLBEING_TEAM)
def patient_wellbeing(patient_id):
    db, vault, moment = get_db(), get_vault(), now()
    patient = get_patient(db, vault, patient_id, moment)
    if patient["status"] != "active":
        return render("patient.html", patient=patient, erased=True)
    facts = patient_facts(db, vault, patient_id, moment)
    qol, distress = wellbeing_trends(db, facts, patient_id)
    zone = get_config().site_timezone
    alerts = alert_cards(db, vault, WELLBEING_ROLE,
                         statuses=("open", "acknowledged", "resolved"), patient_id=patient_id)
    audit.record(db, "trends.read", patient_id=patient_id,
                 details={"view": "wellbeing", "count": len(qol["total"]["points"])})
    return render("patient_wellbeing.html", patient=patient,
                  qol_chart=charts.qol_chart(qol, zone), qol_rows=charts.qol_rows(qol, zone),
                  qol=decline(qol["total"]["points"]),
                  distress_chart=charts.distress_chart(distress, zone),
                  alerts=[cards.with_version(card) for card in
                          sorted(alerts, key=lambda card: card["raised_at"], reverse=True)],
                  show_timeline=g.staff.role in ("nurse", "physician"),
                  next_url=f"/patients/{patient_id}/wellbeing")
