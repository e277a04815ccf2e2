"""Alerts as cards for the inbox and the wellbeing page, and the inbox's version stamp.
Pure: takes alert values (inbox.card_alert, shaped like server.records.alerting.alert_view) and
patients, returns plain dicts.

The waiting time and the "in 12 min" beside the escalation deadline are left out of the
version on purpose: they change every second, and the page counts them itself from the
server's time, so an unchanged inbox costs the polling browser a 204 and the audit log
nothing.
"""
import hashlib
import json
from datetime import timedelta

from alerts.episodes import LEVELS
from alerts.teams import DEFAULT_TEAM, for_whom

from . import present

REASON_WORDS = {
    "fever": "fever", "high_fever": "high fever", "borderline_temperature":
    "borderline temperature", "breathing": "breathing", "neuro_sign": "neuro sign",
    "seizure": "seizure", "unresponsive": "cannot be woken",
    "neuro_check_drop": "neuro check drop", "delirium_screen": "delirium screen",
    "organ_flare": "organ flare", "missed_checkin": "missed check-in",
    "no_contact": "no contact", "qol_drop": "quality of life drop",
    "caregiver_distress": "caregiver distress",
}


def reason_words(reasons) -> list[str]:
    return [REASON_WORDS.get(reason, reason.replace("_", " ")) for reason in reasons]


# Counted by the page itself (static/inbox.js), so not part of a card's version.
TICKING = ("waiting", "escalation_relative")


def alert_card(alert: dict, patient: dict | None, latest_entry, now, zone) -> dict:
    """`latest_entry`: {"at", "late_minutes"} of the newest entry behind the alert (its
    evidence is that entry's), or None for alerts no entry raised (missed check-ins).
    `zone`: the site's time zone, in which every time is shown; the family's own time is
    a second line where it differs."""
    patient = patient or {}
    latest_entry = latest_entry or {"at": None,
                                    "late_minutes": alert.get("reported_late_minutes")}
    family_zone = patient.get("timezone")
    raised = present.parse(alert["raised_at"])
    due = present.escalation_moment(alert, now)
    old_evidence = latest_entry["at"] is not None and now - latest_entry["at"] > timedelta(hours=12)
    return {
        "alert_id": alert["alert_id"], "patient_id": alert["patient_id"],
        "level": alert["level"], "level_label": present.LEVEL_LABELS[alert["level"]],
        "concern": alert.get("concern"),
        # Said only for a team other than the CAR T nurses, whose inbox this is: "For a
        # physician" stands out where forty "For the CAR T team" lines would not.
        "for_team": (for_whom(alert["team"]) if alert.get("team") not in (None, DEFAULT_TEAM)
                     else ""),
        "status": alert["status"],
        "patient_name": patient.get("display_name") or "(erased patient)",
        "age_years": patient.get("age_years"),
        "day_post_infusion": patient.get("day_post_infusion"),
        "reasons": reason_words(alert["reasons"]),
        "evidence": present.evidence_text(alert.get("evidence"), latest_entry["at"], zone,
                                          latest_entry["late_minutes"], now),
        "evidence_family": present.family_time(latest_entry["at"], zone, family_zone,
                                               old_evidence),
        "raised_at": alert["raised_at"], "raised_local": present.local(raised, zone, True),
        "raised_family": present.family_time(raised, zone, family_zone, True),
        "waiting": present.duration((now - raised).total_seconds()),
        "escalation": present.escalation_text(alert, now, zone),
        "escalation_at": due.isoformat() if due else None,
        "escalation_relative": present.relative(due, now),
        "escalated": bool(alert.get("escalated_at")),
        "acknowledged": (f"Acknowledged by {alert['acknowledged_by']} at "
                         f"{present.local(present.parse(alert['acknowledged_at']), zone, True)}"
                         if alert.get("acknowledged_at") else ""),
        "resolved": (f"Resolved by {alert['resolved_by']} at "
                     f"{present.local(present.parse(alert['resolved_at']), zone, True)}: "
                     f"{present.OUTCOME_LABELS.get(alert['outcome'], alert['outcome'])}"
                     if alert.get("resolved_at") else ""),
        "note": alert.get("note"),
        "family_message": alert.get("family_message"),
    }


def ordered(cards) -> list[dict]:
    """Most urgent first, then oldest first: the order a nurse should work in."""
    return sorted(cards, key=lambda card: (-LEVELS.index(card["level"]), card["raised_at"],
                                           card["alert_id"]))


def with_version(card) -> dict:
    stable = {key: value for key, value in card.items() if key not in TICKING}
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode())
    return {**card, "version": digest.hexdigest()[:16]}


def inbox(cards, elsewhere=0) -> dict:
    """Cards split into waiting (open) and being handled (acknowledged), with counts;
    `elsewhere`: how many open alerts another team's page holds."""
    cards = [with_version(card) for card in ordered(cards)]
    waiting = [card for card in cards if card["status"] == "open"]
    handled = [card for card in cards if card["status"] == "acknowledged"]
    counts = {level: sum(1 for card in waiting if card["level"] == level) for level in LEVELS}
    version = hashlib.sha256(" ".join([str(elsewhere)] + [card["version"] for card in cards])
                             .encode())
    return {"waiting": waiting, "handled": handled, "counts": counts,
            "emergencies": [card for card in waiting if card["level"] == "emergency"],
            "urgent": [card for card in waiting if card["level"] == "urgent"],
            "elsewhere": elsewhere, "version": version.hexdigest()[:16]}
