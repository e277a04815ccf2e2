"""The latest call to the family, as a panel near the top of the patient's timeline and of an
alert's page, in words and most urgent first: what happens next, the triage colour and why,
then who called when and who answered. A nurse picking up a handover reads the first line
and knows what the last call decided.

Only the newest call is unsealed (its findings give the colour's reasons); the full log is
on the alert's page.
"""
import json
from datetime import timedelta

from ..clock import from_db
from ..records.calls import call_view
from . import present
from .cards import reason_words

NEXT_STEPS = {
    "home_advice": "Advice at home: nothing more is planned unless the family calls or "
                   "sends a new entry.",
    "day_unit": "Come to the day unit.",
    "emergency_department": "Go to the emergency department.",
    "ambulance": "Call an ambulance.",
}
COLOUR_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}


def newest_call_row(db, alert_ids):
    """The newest call on any of these alerts (one patient's, a few dozen at most)."""
    if not alert_ids:
        return None
    rows = list(db.query(
        f"SELECT * FROM alert_calls WHERE alert_id IN ({', '.join('?' * len(alert_ids))}) "
        "ORDER BY called_at DESC, rowid DESC LIMIT 1", list(alert_ids)))
    return rows[0] if rows else None


def next_step(call, alert, zone, now) -> str:
    if alert["status"] == "resolved":
        outcome = present.OUTCOME_LABELS.get(alert["outcome"], alert["outcome"])
        at = from_db(alert["resolved_at"])
        return (f"Alert resolved by {alert['resolved_by']} at {present.local(at, zone, True)}: "
                f"{outcome}.")
    if not call["answered"]:
        return "Nobody answered: call again."
    if call["disposition"] == "recheck":
        due = from_db(call["called_at"]) + timedelta(minutes=call["recheck_minutes"] or 0)
        if due > now:
            return (f"Call back by {present.local(due, zone)} ({present.relative(due, now)}); "
                    "if no call or entry comes, the alert escalates again.")
        return (f"The call back was due at {present.local(due, zone)} "
                f"({present.relative(due, now)}).")
    return NEXT_STEPS.get(call["disposition"], "No decision was recorded.")


def triage_words(call) -> str | None:
    """Why the colour, in words ("temperature 38.9 °C: fever after CAR T; drinking less than
    usual"); None when nobody answered, since there was nobody to report anything."""
    triage = call["triage"]
    if not triage:
        return None
    return "; ".join(triage["reasons"]) or "nothing reported calls for more than advice at home"


def latest_call(db, cipher, alert_ids, zone, now) -> dict | None:
    """What _latest_call.html shows of the newest call on these alerts, or None."""
    row = newest_call_row(db, alert_ids) if cipher is not None else None
    if row is None:
        return None
    call = call_view(row, cipher)
    colour = call["triage"]["colour"] if call["triage"] else None
    [alert] = db.query("SELECT * FROM alerts WHERE id = ?", [row["alert_id"]])
    called_at = from_db(row["called_at"])
    ago = present.relative(called_at, now)
    who = (f"{call['called_by']} called at {present.local(called_at, zone, True)} "
           f"({'just now' if ago == 'now' else ago})")
    reasons = ", ".join(reason_words(json.loads(alert["reasons"])))
    state = "resolved" if alert["status"] == "resolved" else "still open"
    return {
        "alert_id": row["alert_id"],
        "colour": colour, "colour_word": COLOUR_WORDS.get(colour, colour),
        "next_step": next_step(call, alert, zone, now),
        "triage": triage_words(call),
        "who": (f"{who} and spoke to {call['reached']}." if call["answered"]
                else f"{who}: no answer."),
        "grades": [grade["label"] for grade in call["grades"]],
        "about": f"About the {reasons} alert ({state}).",
    }
