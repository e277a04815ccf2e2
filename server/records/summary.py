"""The toxicity summary a registry asks for, from the physician's events, beside the alerts
that led to them. Plain data: an exporter turns it into rows without knowing the tables.

Days count from the infusion (day 0), as the rest of Homeward does. Duration is the number
of days from onset to resolution (a one-day event that resolved the day it began is 0);
an unresolved event has none yet.
"""
import json
from datetime import date, timedelta

from ..clock import from_db, to_wire
from .toxicity import current_events

# Which alert concerns can be the home side of each kind of toxicity (alerts/episodes.py).
CONCERNS_OF_KIND = {
    "crs": ("temperature", "breathing"), "icans": ("neuro",),
    "licats": ("organ_flare",), "infection": ("temperature", "serious_infection"),
    "hlh": ("temperature",), "icaht": ("temperature", "serious_infection"),
    "other": ("new_lump",),  # e.g. a new malignancy
}
# How far before the recorded onset a family's alert may have been the first sign of it.
LEAD_DAYS = 3
GRADED = ("crs", "icans")
LISTED = ("icaht", "licats", "infection", "hlh", "other")


def day_of(when: str | None, infusion: date) -> int | None:
    return None if when is None else (date.fromisoformat(when) - infusion).days


def duration_days(event) -> int | None:
    if event["resolution_date"] is None:
        return None
    return (date.fromisoformat(event["resolution_date"])
            - date.fromisoformat(event["onset_date"])).days


def with_days(event, infusion) -> dict:
    return {**event, "onset_day": day_of(event["onset_date"], infusion),
            "resolution_day": day_of(event["resolution_date"], infusion),
            "duration_days": duration_days(event)}


def worst(events) -> dict:
    """The highest grade of one kind and that episode's onset day and duration."""
    if not events:
        return {"max_grade": None, "onset_day": None, "duration_days": None, "count": 0}
    top = max(events, key=lambda e: (e["grade"], -e["onset_day"]))
    return {"max_grade": top["grade"], "onset_day": min(e["onset_day"] for e in events),
            "duration_days": top["duration_days"], "count": len(events),
            "event_id": top["event_id"]}


def toxicity_summary(db, cipher, patient_row) -> dict:
    infusion = date.fromisoformat(patient_row["infusion_date"])
    events = [with_days(event, infusion)
              for event in current_events(db, cipher, patient_row["id"])]
    alerts = patient_alerts(db, patient_row["id"])
    for event in events:
        event["alerts"] = alerts_for(event, alerts, infusion)
    by_kind = {kind: [e for e in events if e["kind"] == kind] for kind in (*GRADED, *LISTED)}
    return {
        "patient_id": patient_row["id"], "infusion_date": patient_row["infusion_date"],
        **{kind: worst(by_kind[kind]) for kind in GRADED},
        **{kind: by_kind[kind] for kind in LISTED},
        "treatments": sorted({t for e in events for t in e["treatments"]}),
        "icu_days": sum(e["icu_days"] or 0 for e in events),
        "events": events,
    }


def patient_alerts(db, patient_id) -> list[dict]:
    """Every alert of the patient with the nurses' calls on it, in clear columns only
    (codes and times: what was said on a call stays sealed in its own record)."""
    calls = {}
    for row in db.query("SELECT alert_id, called_by, called_at, reached, disposition, "
                        "triage FROM alert_calls WHERE patient_id = ? ORDER BY called_at",
                        [patient_id]):
        calls.setdefault(row["alert_id"], []).append({
            "called_at": to_wire(from_db(row["called_at"])), "called_by": row["called_by"],
            "reached": bool(row["reached"]), "disposition": row["disposition"],
            "triage": row["triage"]})
    return [{"alert_id": row["id"], "concern": row["concern"],
             "reasons": json.loads(row["reasons"]), "level": row["level"],
             "status": row["status"], "raised_at": to_wire(from_db(row["raised_at"])),
             "outcome": row["outcome"], "calls": calls.get(row["id"], [])}
            for row in db.query("SELECT id, concern, reasons, level, status, raised_at, "
                                "outcome FROM alerts WHERE patient_id = ? ORDER BY raised_at",
                                [patient_id])]


def alerts_for(event, alerts, infusion) -> list[dict]:
    """The alerts the physician linked to the event, then those of a matching concern raised
    from LEAD_DAYS before its onset to its resolution (or 14 days on), marked `linked`."""
    linked = set(event["alert_ids"])
    start = date.fromisoformat(event["onset_date"]) - timedelta(days=LEAD_DAYS)
    end = (date.fromisoformat(event["resolution_date"]) if event["resolution_date"]
           else date.fromisoformat(event["onset_date"]) + timedelta(days=14))
    found = []
    for alert in alerts:
        raised = date.fromisoformat(alert["raised_at"][:10])
        nearby = (alert["concern"] in CONCERNS_OF_KIND[event["kind"]]
                  and start <= raised <= end)
        if alert["alert_id"] in linked or nearby:
            found.append({**alert, "linked": alert["alert_id"] in linked,
                          "day_post_infusion": (raised - infusion).days})
    return found
