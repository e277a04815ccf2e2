"""The server's side of alerting: reading alerts for staff (unsealed, summarised) and for
the family's feed, with who may see which."""
import json

from alerts.episodes import LEVELS, concern_of
from alerts.teams import ANY_TIME, DEFAULT_TEAM
from alerts.working_hours import escalation_moment

from ..clock import from_db, to_wire

# The psychosocial team follows wellbeing, not symptoms (PROTOCOL.md, roles).
PSYCHOSOCIAL_CONCERNS = ("quality_of_life", "caregiver_distress")
CARE_TEAM = ("nurse", "physician")


# What to do now, by level, when the team has not written their own message yet.
LEVEL_ADVICE = {
    "emergency": {"en": "Call emergency services now.",
                  "es": "Llame ahora a los servicios de emergencia."},
    "urgent": {"en": "Call the CAR T team now.", "es": "Llame ahora al equipo de CAR T."},
    "attention": {"en": "The care team will look at this today. Call them if your child "
                        "gets worse.",
                  "es": "El equipo lo revisará hoy. Llámelos si su hijo o hija empeora."},
    "info": {"en": "The psychosocial team will be in touch.",
             "es": "El equipo psicosocial se pondrá en contacto con ustedes."},
}
SEEN = {"en": "The care team has seen this.", "es": "El equipo ya lo ha visto."}
CLOSED = {"en": "The care team has closed this alert.",
          "es": "El equipo ha cerrado esta alerta."}


def in_language(texts: dict, language: str) -> str:
    return texts.get(language.split("-")[0], texts["en"])


def rule_advice(ruleset, reasons, level):
    """The advice the rules give for this alert's most severe reason at its level."""
    for reason in reasons:
        for rule in ruleset.rules:
            if rule.reason == reason and rule.level == level and rule.advice:
                return rule.advice
    return None


def default_family_message(alert_row, language, ruleset=None) -> str:
    if alert_row["status"] == "resolved":
        return in_language(CLOSED, language)
    texts = None
    if ruleset is not None:
        texts = rule_advice(ruleset, json.loads(alert_row["reasons"]), alert_row["level"])
    advice = in_language(texts or LEVEL_ADVICE[alert_row["level"]], language)
    if alert_row["status"] == "acknowledged":
        return f"{in_language(SEEN, language)} {advice}"
    return advice


def visible_concerns(role):
    return None if role in CARE_TEAM else PSYCHOSOCIAL_CONCERNS


def visible_questionnaires(role, ruleset):
    """The questionnaires whose entries and tasks `role` may see (None: all): those whose
    every rule raises a concern `visible_concerns` lets the role see, so entries, tasks and
    alerts are split by one function. A neuro-check task that a neuro sign called for tells
    the sign and its time; a questionnaire no rule reads is the care team's."""
    concerns = visible_concerns(role)
    if concerns is None:
        return None
    raised: dict[str, set] = {}
    for rule in ruleset.rules:
        for questionnaire_id in rule.questionnaires or ():
            raised.setdefault(questionnaire_id, set()).add(concern_of(rule.reason))
    return tuple(sorted(questionnaire_id for questionnaire_id, found in raised.items()
                        if found <= set(concerns)))


def describe_evidence(evidence) -> str:
    """A line a nurse reads at a glance, e.g. "temperature_c 38.6, temperature_method axillary"."""
    parts = []
    for item in evidence or []:
        if isinstance(item, dict):
            parts.append(", ".join(f"{key} {format_value(value)}" for key, value in item.items()))
    return "; ".join(dict.fromkeys(part for part in parts if part))


def format_value(value):
    if isinstance(value, list):
        return "+".join(str(v) for v in value)
    return str(value)


def alert_view(row, cipher, entry_ids=(), now=None, working_hours=None) -> dict:
    """An alert as the clinic API shows it; `cipher` unseals evidence, note and messages;
    `now` tells whether a claim still holds (without it, none is shown); `working_hours`
    (the site's) moves `escalate_at` of an alert that waits for them to the moment it will
    really escalate, as the scheduler will: a client paging at the raw 15-minute mark would
    wake someone at night for a lump."""
    reasons = json.loads(row["reasons"])

    def unseal(column):
        if cipher is None or row[column] is None:
            return None
        return cipher.open_json("alerts", row["id"], column, row[column])

    evidence = unseal("evidence")
    late = row["reported_late_minutes"] or 0
    summary = ", ".join(reason.replace("_", " ") for reason in reasons)
    if evidence:
        summary += f": {describe_evidence(evidence)}"
    if late >= 60:
        # The lateness is the opening entry's; the evidence is the latest finding's.
        summary += f" (first reported {late // 60} h {late % 60} min late)"
    escalate_at, waits = escalation_moment(
        {"escalate_at": from_db(row["escalate_at"]), "escalate": row["escalate"],
         "snoozed_until": from_db(row["snoozed_until"]), "status": row["status"],
         "escalated_at": row["escalated_at"]}, working_hours, now)
    return {
        "alert_id": row["id"], "patient_id": row["patient_id"], "level": row["level"],
        "status": row["status"], "reasons": reasons, "concern": row["concern"],
        "team": row["team"] or DEFAULT_TEAM, "escalate": row["escalate"] or ANY_TIME,
        "summary": summary, "evidence": evidence,
        "raised_at": to_wire(from_db(row["raised_at"])),
        "updated_at": to_wire(from_db(row["updated_at"])),
        "entry_ids": list(entry_ids), "reported_late_minutes": late,
        "escalate_at": to_wire(escalate_at), "escalation_waits": waits,
        "escalated_at": to_wire(from_db(row["escalated_at"])),
        "acknowledged_at": to_wire(from_db(row["acknowledged_at"])),
        "acknowledged_by": row["acknowledged_by"],
        "resolved_at": to_wire(from_db(row["resolved_at"])), "resolved_by": row["resolved_by"],
        "outcome": row["outcome"], "note": unseal("note"),
        "family_message": unseal("family_message"),
        "snoozed_until": to_wire(from_db(row["snoozed_until"])),
        "snoozed_by": row["snoozed_by"],
        "snooze_reason": unseal("snooze_reason"),
        **call_state(row, now),
    }


def call_state(row, now) -> dict:
    """Who is calling the family (a claim that still holds), the last call and the recheck
    a call asked for; columns a database from before m009 lacks read as none."""
    from .calls import claim_view

    keys = row.keys() if hasattr(row, "keys") else ()
    if "claimed_by" not in keys:
        return {"claim": None, "last_call_at": None, "recheck_at": None}
    return {"claim": claim_view(row, now) if now is not None else None,
            "last_call_at": to_wire(from_db(row["last_call_at"])),
            "recheck_at": to_wire(from_db(row["recheck_at"]))}


def alerts_where(role, statuses=(), patient_id=None) -> tuple[list[str], list]:
    """SQL conditions and their values for the alerts `role` may see: the API and the
    pages filter the same way, so no page shows what the API would refuse."""
    where, params = [], []
    if statuses:
        where.append(f"status IN ({', '.join('?' * len(statuses))})")
        params += list(statuses)
    if patient_id:
        where.append("patient_id = ?")
        params.append(patient_id)
    concerns = visible_concerns(role)
    if concerns is not None:
        where.append(f"concern IN ({', '.join('?' * len(concerns))})")
        params += list(concerns)
    return where, params


def list_alerts(db, vault, *, role, status=None, patient_id=None, limit=500, now=None,
                working_hours=None):
    """Most urgent first, then oldest first: the order a nurse should work in."""
    where, params = alerts_where(role, (status,) if status else (), patient_id)
    order = " ".join(f"WHEN '{level}' THEN {rank}" for rank, level in enumerate(LEVELS))
    rows = list(db.query(
        f"SELECT * FROM alerts {'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY CASE level {order} END DESC, raised_at ASC LIMIT ?", [*params, limit]))
    ciphers = vault.for_patients(db, [row["patient_id"] for row in rows])
    entries = entries_of(db, [row["id"] for row in rows])
    return [alert_view(row, ciphers.get(row["patient_id"]), entries.get(row["id"], ()), now,
                       working_hours) for row in rows]


def entries_of(db, alert_ids) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for start in range(0, len(alert_ids), 500):
        chunk = alert_ids[start:start + 500]
        for row in db.query(f"SELECT alert_id, entry_id FROM alert_entries WHERE alert_id IN "
                            f"({', '.join('?' * len(chunk))}) ORDER BY added_at, rowid", chunk):
            found.setdefault(row["alert_id"], []).append(row["entry_id"])
    return found


def may_handle(role, alert_row) -> bool:
    concerns = visible_concerns(role)
    return concerns is None or alert_row["concern"] in concerns
