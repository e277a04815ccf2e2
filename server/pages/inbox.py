"""The nurses' alert inbox: open and acknowledged alerts, most urgent and oldest first, kept
up to date by the page polling /alerts/live. Handling one alert (its page, its forms) is in
handling.py.
"""
import json

from flask import g, request

from alerts.teams import WORKING_HOURS
from alerts.working_hours import escalation_moment

from ..records import audit
from ..records.alerting import PSYCHOSOCIAL_CONCERNS, alerts_where
from ..auth import require_staff
from ..clock import from_db, to_wire
from ..web.context import get_alerting, get_config, get_db, get_vault, now
from . import blueprint, cards
from .common import CARE_TEAM, card_patients, render
from .calls import with_calls

# A browser asks this often; an unchanged inbox answers 204 with no body and no audit row.
POLL_SECONDS = 5
CARD_TIMES = ("raised_at", "escalate_at", "escalated_at", "acknowledged_at", "resolved_at",
              "snoozed_until")


def alert_cards(db, vault, role, *, statuses=("open", "acknowledged"), patient_id=None):
    """Cards of every alert in `statuses` this role handles, in no order (callers sort).

    No cap on the count: an inbox that dropped alerts past a limit would look calm while it
    is not. One query each for the alerts, the patients' keys (shared by the alerts' values
    and the patients' names), the patients and the latest entries: this runs every 5 s for
    each open inbox, with hundreds of alerts on a busy day."""
    where, params = alerts_where(role, statuses, patient_id)
    rows = list(db.query(f"SELECT * FROM alerts WHERE {' AND '.join(where)}", params))
    moment = now()
    ciphers = vault.for_patients(db, [row["patient_id"] for row in rows])
    patients = card_patients(db, ciphers, [row["patient_id"] for row in rows], moment)
    latest = latest_entries(db, [row["id"] for row in rows])
    zone = get_config().site_timezone
    found = [cards.alert_card(card_alert(row, ciphers.get(row["patient_id"])),
                              patients.get(row["patient_id"]), latest.get(row["id"]), moment,
                              zone)
             for row in rows]
    return with_calls(db, ciphers, rows, found, moment)


def card_alert(row, cipher) -> dict:
    """The values a card shows of an alert row, as server.records.alerting.alert_view gives them
    to the API but without what only the API needs (its summary line, entry ids, updated_at
    and snoozed_by), which was a tenth of the inbox's time."""
    def unseal(column):
        if cipher is None or row[column] is None:
            return None
        return cipher.open_json("alerts", row["id"], column, row[column])

    wire = {column: to_wire(from_db(row[column])) for column in CARD_TIMES}
    waits = False
    if row["escalate"] == WORKING_HOURS and row["escalate_at"]:
        # It pages nobody outside working hours: the card names the moment the job will,
        # as the API does (a snooze is the card's own line, so it is left out here).
        alert = {"escalate_at": from_db(row["escalate_at"]), "snoozed_until": None,
                 "escalate": row["escalate"], "status": row["status"],
                 "escalated_at": from_db(row["escalated_at"])}
        start, waits = escalation_moment(alert, get_alerting().working_hours, now())
        wire["escalate_at"] = to_wire(start)
    return {**wire, "team": row["team"], "escalation_waits": waits, "alert_id": row["id"],
            "patient_id": row["patient_id"],
            "level": row["level"], "status": row["status"], "concern": row["concern"],
            "reasons": json.loads(row["reasons"]), "evidence": unseal("evidence"),
            "reported_late_minutes": row["reported_late_minutes"] or 0,
            "acknowledged_by": row["acknowledged_by"], "resolved_by": row["resolved_by"],
            "outcome": row["outcome"], "note": unseal("note"),
            "family_message": unseal("family_message"), "snooze_reason": unseal("snooze_reason")}


def latest_entries(db, alert_ids) -> dict[str, dict]:
    """Per alert, when its newest entry was recorded and how late it arrived: a repeated
    finding replaces the alert's evidence, so the evidence line is about that entry, not the
    one that opened the episode. Insertion order breaks ties, because one push stores many
    entries at the same instant."""
    latest = {}
    for start in range(0, len(alert_ids), 500):
        chunk = alert_ids[start:start + 500]
        for alert_id, corrected_at, received_at in db.execute(
                f"SELECT ae.alert_id, e.corrected_at, e.received_at FROM alert_entries ae "
                f"JOIN entries e ON e.entry_id = ae.entry_id WHERE ae.alert_id IN "
                f"({', '.join('?' * len(chunk))}) ORDER BY ae.added_at, ae.rowid", chunk):
            at, received = from_db(corrected_at), from_db(received_at)
            latest[alert_id] = {"at": at, "late_minutes": max(
                0, int((received - at).total_seconds() // 60))}
    return latest


def current_inbox():
    """Symptom alerts for the care team. Wellbeing alerts are the psychosocial team's work
    (server.records.alerting): in a nurse's inbox they would be noise, so the inbox only counts them
    and points to the Wellbeing page."""
    db = get_db()
    found = alert_cards(db, get_vault(), g.staff.role)
    mine = [card for card in found if card["concern"] not in PSYCHOSOCIAL_CONCERNS]
    return db, cards.inbox(mine, elsewhere=len(found) - len(mine))


@blueprint.get("/alerts")
@require_staff(*CARE_TEAM)
def inbox():
    db, box = current_inbox()
    audit.record(db, "alerts.list", details={"view": "inbox",
                                             "count": len(box["waiting"]) + len(box["handled"])})
    response = render("inbox.html", box=box, poll_seconds=POLL_SECONDS, next_url="/alerts")
    response.headers["X-Server-Time"] = to_wire(now())
    return response


@blueprint.get("/alerts/live")
@require_staff(*CARE_TEAM, passive=True)
def inbox_live():
    db, box = current_inbox()
    headers = {"X-Server-Time": to_wire(now()), "X-Inbox-Version": box["version"]}
    if request.args.get("v") == box["version"]:
        return "", 204, headers
    audit.record(db, "alerts.list", details={"view": "inbox-live",
                                             "count": len(box["waiting"]) + len(box["handled"])})
    response = render("_inbox_live.html", box=box, next_url="/alerts")
    response.headers.update(headers)
    return response
