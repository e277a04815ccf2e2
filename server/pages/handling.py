"""Handling one alert: its own page ("Handle this alert"), the same forms as a fragment that
static/alert-actions.js loads into a card when its disclosure opens, and the form posts.

The forms live here rather than in every card because a few hundred cards, each carrying
four forms, made the inbox over 1 MB of HTML and missed its 100 ms target; an opened card
costs one small request instead. The page works without JavaScript.

The posts call the same domain steps as the clinic API (alerts.lifecycle, values sealed with
the patient's key, audit.record), so a nurse on a tablet and an integration script leave the
same trail.
"""
from datetime import timedelta

from flask import g, request

from alerts import lifecycle
from alerts.lifecycle import OUTCOMES, AlertError

from ..records import audit
from ..storage import db as storage
from ..records.alerting import may_handle
from ..records.calls import add_to_thread
from ..auth import require_staff
from ..clock import from_db
from ..web.context import get_config, get_db, get_vault, now
from ..web.errors import Forbidden, InvalidRequest
from . import blueprint, cards, present
from .common import (CARE_TEAM, WELLBEING_TEAM, card_patients, done, readable, render,
                     safe_next)
from .calls import call_context, claim_for_forms, with_calls
from .inbox import card_alert, latest_entries
from .latest_call import latest_call

SNOOZE_CHOICES = ((30, "30 minutes"), (60, "1 hour"), (120, "2 hours"), (240, "4 hours"),
                  (480, "8 hours"), (1440, "24 hours"))
MAX_MESSAGE = 1000


def home_of(row) -> str:
    """Where handling this alert leads back to when the form names nowhere."""
    if g.staff.role in CARE_TEAM:
        return "/alerts"
    return f"/patients/{row['patient_id']}/wellbeing"


def handleable(db, alert_id):
    row = lifecycle.load_alert(db, alert_id)
    if not may_handle(g.staff.role, row):
        raise Forbidden("This alert is for the care team.")
    return row


def forms_for(db, row, shown=None) -> dict:
    """What the forms need, and in words who changed what if the alert is no longer as the
    page that asked for them showed it (`shown`: the status on that card)."""
    form = {"alert_id": row["id"], "status": row["status"], "changed": None, "closed": None,
            "next_url": safe_next(request.args.get("next")) or home_of(row),
            "outcomes": present.OUTCOME_LABELS, "snooze_choices": SNOOZE_CHOICES,
            "call": None}
    if row["status"] == "open" or (row["status"] == "acknowledged" and shown != "open"):
        return form
    zone, moment = get_config().site_timezone, now()

    def when(column):
        at = from_db(row[column])
        return f"{present.local(at, zone, True)} ({present.relative(at, moment)})"

    if row["status"] == "resolved":
        outcome = present.OUTCOME_LABELS.get(row["outcome"], row["outcome"])
        form["closed"] = (f"{row['resolved_by']} resolved this alert at "
                          f"{when('resolved_at')}: {outcome}. There is nothing left to do on "
                          "it.")
    elif shown == "open":
        form["changed"] = (f"{row['acknowledged_by']} acknowledged this alert at "
                           f"{when('acknowledged_at')}, after this page showed it. You can "
                           "still message the family, resolve or snooze it.")
    return form


@blueprint.get("/alerts/<alert_id>")
@require_staff(*WELLBEING_TEAM)
def alert_page(alert_id):
    db = get_db()
    return alert_page_response(db, handleable(db, alert_id), now())


def alert_page_response(db, row, moment, *, status=200, typed=None):
    """The alert's page; `typed`: a refused call form's values and problems (calls.py),
    drawn again as the nurse left them."""
    vault, alert_id = get_vault(), row["id"]
    patient_id = row["patient_id"]
    ciphers = vault.for_patients(db, [patient_id])  # none for an erased patient
    card = cards.alert_card(card_alert(row, ciphers.get(patient_id)),
                            card_patients(db, ciphers, [patient_id], moment).get(patient_id),
                            latest_entries(db, [alert_id]).get(alert_id), moment,
                            get_config().site_timezone)
    audit.record(db, "alert.read", patient_id=patient_id, target=alert_id,
                 details={"via": "page"})
    card = with_calls(db, ciphers, [row], [card], moment)[0]
    return render("alert.html", status=status, card=cards.with_version(card),
                  form=forms_for(db, row), call=call_context(db, row, moment, typed),
                  latest_call=latest_call(db, ciphers.get(patient_id), [alert_id],
                                          get_config().site_timezone, moment),
                  latest_call_heading="h2")


@blueprint.get("/alerts/<alert_id>/forms")
@require_staff(*WELLBEING_TEAM)
def alert_forms(alert_id):
    # No audit row: the fragment holds forms and staff names, nothing about the patient.
    db = get_db()
    row = handleable(db, alert_id)
    form = forms_for(db, row, request.args.get("shown"))
    form["call"] = claim_for_forms(row, now())  # the alert's page has its own call panel
    return render("_alert_forms.html", form=form)


def text_field(name, *, required=False, limit=MAX_MESSAGE):
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise InvalidRequest(f"Fill in the {name.replace('_', ' ')}.")
    if len(value) > limit:
        raise InvalidRequest(f"The {name.replace('_', ' ')} is longer than {limit} "
                             "characters.")
    return value or None


def handle(alert_id, action, change, thread=None):
    """Load, check this role may handle the alert, apply `change(db, seal)`, audit; a
    message for the family (`thread`: kind and text) joins the alert's thread."""
    db, vault = get_db(), get_vault()
    with storage.write_transaction(db):
        row = handleable(db, alert_id)
        cipher = vault.for_patient(db, row["patient_id"])

        def seal(column, value):
            return None if value is None else cipher.seal_json("alerts", alert_id, column, value)

        change(db, seal)
        if thread:
            add_to_thread(db, cipher, row, thread[0], g.staff.username, thread[1], now())
        audit.record(db, action, patient_id=row["patient_id"], target=alert_id,
                     details={"via": "page"})
    return home_of(row)


@blueprint.post("/alerts/<alert_id>/acknowledge")
@require_staff(*WELLBEING_TEAM)
def acknowledge(alert_id):
    message = text_field("message")
    default = handle(alert_id, "alert.acknowledge", lambda db, seal: lifecycle.acknowledge(
        db, alert_id, g.staff.username, now(), seal("family_message", message)),
        ("acknowledgement", message))
    return done(default, "acknowledged", f"alert-{alert_id}")


@blueprint.post("/alerts/<alert_id>/message")
@require_staff(*WELLBEING_TEAM)
def message_family(alert_id):
    message = text_field("message", required=True)
    default = handle(alert_id, "alert.message", lambda db, seal: lifecycle.send_family_message(
        db, alert_id, seal("family_message", message), now()), ("message", message))
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
        seal("family_message", message)), ("resolution", message))
    return done(default, "resolved")


@blueprint.errorhandler(AlertError)
def alert_error_page(error):
    # e.g. a colleague resolved it a moment earlier: say who, and offer the way back.
    return render("error.html", status=error.status, message=readable(error.status, error.message),
                  back=safe_next(request.values.get("next")) or "/alerts")
