"""The nurses' alert inbox: open and acknowledged alerts, most urgent and oldest first, kept
up to date by the page polling /alerts/live, and the forms that handle an alert.

The forms call the same domain steps as the clinic API (alerts.lifecycle, values sealed with
the patient's key, audit.record), so a nurse on a tablet and an integration script leave the
same trail.
"""
from datetime import timedelta

from flask import g, request

from alerts import lifecycle
from alerts.lifecycle import OUTCOMES, AlertError

from .. import audit
from .. import db as storage
from ..alerting import PSYCHOSOCIAL_CONCERNS, list_alerts, may_handle
from ..auth import require_staff
from ..clock import from_db, to_wire
from ..context import get_db, get_vault, now
from ..errors import Forbidden, InvalidRequest
from . import blueprint, cards
from .common import CARE_TEAM, WELLBEING_TEAM, done, patients_by_id, render, safe_next
from .present import OUTCOME_LABELS

# A browser asks this often; an unchanged inbox answers 204 with no body and no audit row.
POLL_SECONDS = 5
SNOOZE_CHOICES = ((30, "30 minutes"), (60, "1 hour"), (120, "2 hours"), (240, "4 hours"),
                  (480, "8 hours"), (1440, "24 hours"))
MAX_MESSAGE = 1000


def alert_cards(db, vault, role, *, statuses=("open", "acknowledged"), patient_id=None):
    found = [alert for status in statuses
             for alert in list_alerts(db, vault, role=role, status=status,
                                      patient_id=patient_id)]
    patients = patients_by_id(db, vault, [alert["patient_id"] for alert in found])
    latest = latest_entries(db, [alert["alert_id"] for alert in found])
    moment = now()
    return [cards.alert_card(alert, patients.get(alert["patient_id"]),
                             latest.get(alert["alert_id"]), moment) for alert in found]


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
    (server.alerting): in a nurse's inbox they would be noise, so the inbox only counts them
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
    response = render("inbox.html", box=box, poll_seconds=POLL_SECONDS, outcomes=OUTCOME_LABELS,
                      snooze_choices=SNOOZE_CHOICES, next_url="/alerts")
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
    response = render("_inbox_live.html", box=box, outcomes=OUTCOME_LABELS,
                      snooze_choices=SNOOZE_CHOICES, next_url="/alerts")
    response.headers.update(headers)
    return response


def text_field(name, *, required=False, limit=MAX_MESSAGE):
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise InvalidRequest(f"Fill in the {name.replace('_', ' ')}.")
    if len(value) > limit:
        raise InvalidRequest(f"The {name.replace('_', ' ')} is longer than {limit} "
                             "characters.")
    return value or None


def handle(alert_id, action, change):
    """Load, check this role may handle the alert, apply `change(db, seal)`, audit."""
    db, vault = get_db(), get_vault()
    with storage.write_transaction(db):
        row = lifecycle.load_alert(db, alert_id)
        if not may_handle(g.staff.role, row):
            raise Forbidden("This alert is for the care team.")
        cipher = vault.for_patient(db, row["patient_id"])

        def seal(column, value):
            return None if value is None else cipher.seal_json("alerts", alert_id, column, value)

        change(db, seal)
        audit.record(db, action, patient_id=row["patient_id"], target=alert_id,
                     details={"via": "page"})
    default = "/alerts" if g.staff.role in CARE_TEAM else f"/patients/{row['patient_id']}/wellbeing"
    return default


@blueprint.post("/alerts/<alert_id>/acknowledge")
@require_staff(*WELLBEING_TEAM)
def acknowledge(alert_id):
    message = text_field("message")
    default = handle(alert_id, "alert.acknowledge", lambda db, seal: lifecycle.acknowledge(
        db, alert_id, g.staff.username, now(), seal("family_message", message)))
    return done(default, "acknowledged", f"alert-{alert_id}")


@blueprint.post("/alerts/<alert_id>/message")
@require_staff(*WELLBEING_TEAM)
def message_family(alert_id):
    message = text_field("message", required=True)
    default = handle(alert_id, "alert.message", lambda db, seal: lifecycle.send_family_message(
        db, alert_id, seal("family_message", message), now()))
    return done(default, "messaged", f"alert-{alert_id}")


@blueprint.post("/alerts/<alert_id>/snooze")
@require_staff(*WELLBEING_TEAM)
def snooze(alert_id):
    minutes = request.form.get("minutes", type=int)
    if minutes not in dict(SNOOZE_CHOICES):
        raise InvalidRequest("Choose how long to snooze for.")
    reason = text_field("reason", required=True, limit=500)
    moment = now()
    default = handle(alert_id, "alert.snooze", lambda db, seal: lifecycle.snooze(
        db, alert_id, g.staff.username, moment + timedelta(minutes=minutes),
        seal("snooze_reason", reason), moment))
    return done(default, "snoozed", f"alert-{alert_id}")


@blueprint.post("/alerts/<alert_id>/resolve")
@require_staff(*WELLBEING_TEAM)
def resolve(alert_id):
    outcome = request.form.get("outcome", "")
    if outcome not in OUTCOMES:
        raise InvalidRequest("Choose the outcome before resolving the alert.")
    note = text_field("note", limit=5000)
    message = text_field("message")
    default = handle(alert_id, "alert.resolve", lambda db, seal: lifecycle.resolve(
        db, alert_id, g.staff.username, outcome, seal("note", note), now(),
        seal("family_message", message)))
    return done(default, "resolved")


@blueprint.errorhandler(AlertError)
def alert_error_page(error):
    # e.g. a colleague resolved it a moment earlier: say who, and offer the way back.
    return render("error.html", status=error.status, message=error.message,
                  back=safe_next(request.form.get("next")) or "/alerts")
