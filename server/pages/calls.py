"""The nurse's call on the alert's page: the family's contacts with tel: buttons, "I'm
calling" (seen by colleagues on every card at once), the call form (who answered, findings
by phone, the neuro assessment for the child's age, a disposition), the call log with its
triage colour and compatible grade, and the messages sent to the family as a thread. Also
the contacts form on the patient's page. Works without JavaScript.

The posts call the same steps as the clinic API (server.records.calls, alerts.calls), audited alike.
"""
from datetime import timedelta

from flask import g, request

from alerts import calls as domain
from alerts.calls import DISPOSITIONS
from alerts.lifecycle import AlertConflict, AlertError
from questionnaires import NoVariantError

from ..records import audit, calls, contacts
from ..storage import db as storage
from ..auth import require_staff
from ..clock import from_db
from ..web.context import get_catalog, get_config, get_db, get_vault, now
from ..web.errors import Forbidden, InvalidRequest
from ..records.patients import patient_facts
from . import blueprint, call_form, present
from .call_form import CHOICES
from .common import CARE_TEAM, done, safe_next

WORDS = {
    "home_advice": "Advice at home", "recheck": "Call back to recheck",
    "day_unit": "Come to the day unit", "emergency_department": "Go to the emergency department",
    "ambulance": "Call an ambulance",
    "normal": "Normal", "faster_or_harder": "Faster or harder than usual",
    "struggling": "Struggling to breathe", "less": "Less than usual",
    "hardly": "Hardly at all", "none_12h": "None for 12 hours or more", "none": "Neither",
    "dizzy": "Dizzy", "fainted": "Fainted",
    "oral": "Oral", "axillary": "Under the arm", "ear": "Ear", "forehead": "Forehead",
    "rectal": "Rectal",
    "capd-style-staff": "CAPD-style assessment (9 or more is positive)",
    "ice-style-staff": "ICE-style assessment (of 10)",
    "acknowledgement": "Acknowledgement", "message": "Message", "resolution": "Closing message",
}
RECHECK_CHOICES = (15, 30, 60, 120, 240)


def when(text, zone):
    return present.local(from_db(text), zone) if text else None


def neuro_definition(db, patient_id, moment):
    """The staff variant of the neuro check for the child's age today, or None (another
    role, an erased patient, no variant fits)."""
    if g.staff.role not in CARE_TEAM or get_vault().for_patients(db, [patient_id]).get(
            patient_id) is None:
        return None
    family_zone = db.execute("SELECT timezone FROM patients WHERE id = ?",
                             [patient_id]).fetchone()[0]
    try:
        facts = patient_facts(db, get_vault(), patient_id, moment)
        return get_catalog().choose(
            "neuro-check", date_of_birth=facts["date_of_birth"], timezone=family_zone,
            at=moment, respondent="staff", language="en").definition
    except NoVariantError:
        return None


def call_context(db, row, moment, typed=None) -> dict:
    """What _call.html needs for one alert. `typed`: {"values", "errors"} of a refused call
    form, drawn again as the nurse left it."""
    patient_id = row["patient_id"]
    zone = get_config().site_timezone  # every time on the pages is the site's (present.py)
    cipher = get_vault().for_patients(db, [patient_id]).get(patient_id)
    held = domain.active_claim(row, moment)
    neuro = neuro_definition(db, patient_id, moment)
    call_log = calls.calls_of(db, cipher, row["id"]) if cipher is not None else []
    for call in call_log:
        call["when"] = when(call["called_at"].replace("Z", "+00:00"), zone)
    thread = calls.thread_of(db, cipher, row["id"]) if cipher is not None else []
    for message in thread:
        for key in ("sent_at", "delivered_at", "read_at"):
            message[key + "_local"] = when(message[key] and message[key].replace("Z", "+00:00"),
                                           zone)
    return {
        "alert_id": row["id"], "patient_id": patient_id, "status": row["status"],
        "can_call": g.staff.role in CARE_TEAM and row["status"] in ("open", "acknowledged"),
        "claim": held and {**held, "since_local": when(held["since"], zone)},
        "mine": bool(held and held["by"] == g.staff.username),
        "recheck": when(row["recheck_at"], zone), "contacts": contacts.open_contacts(
            cipher, patient_id, db.execute("SELECT contacts FROM patients WHERE id = ?",
                                           [patient_id]).fetchone()[0]),
        "calls": call_log, "thread": thread, "neuro": neuro, "words": WORDS,
        "choices": CHOICES, "dispositions": DISPOSITIONS, "recheck_choices": RECHECK_CHOICES,
        "next_url": safe_next(request.args.get("next")) or f"/alerts/{row['id']}",
        "typed": typed["values"] if typed else {}, "errors": typed["errors"] if typed else {},
        "first_error": next(iter(typed["errors"]), None) if typed else None,
    }


def with_calls(db, ciphers, rows, found, moment):
    """Cards gain the family's contacts (tel: buttons), who is calling them (so a colleague
    sees the claim on the next poll and does not ring the same family), the last call and
    a pending recheck. From clear columns, but the contacts."""
    phone_book = contacts.contacts_of(db, ciphers, [row["patient_id"] for row in rows])
    last = last_calls(db, [row["id"] for row in rows])
    zone = get_config().site_timezone  # every time on the pages is the site's (present.py)
    for row, card in zip(rows, found):
        patient_id = row["patient_id"]
        held, call = domain.active_claim(row, moment), last.get(row["id"])
        card["contacts"] = phone_book.get(patient_id, [])
        card["claim"] = (f"{held['by']} is calling since {when(held['since'], zone)}"
                         if held else None)
        card["last_call"] = call and " ".join(filter(None, (
            f"{when(call['called_at'], zone)} by {call['called_by']}:",
            WORDS.get(call["disposition"], "no answer") if call["reached"] else "no answer",
            f"in {call['recheck_minutes']} minutes" if call["recheck_minutes"] else None,
            f"(triage {call['triage']})" if call["triage"] else None)))
        card["recheck"] = (f"Recheck due by {when(row['recheck_at'], zone)}"
                           if row["recheck_at"] and row["status"] != "resolved" else None)
    return found


def claim_for_forms(row, moment) -> dict | None:
    """"I'm calling" in a card's pop-out (handling.forms_for): who holds the claim and since
    when, in the site's time, for the nurse who opened it; None where she cannot call."""
    if g.staff.role not in CARE_TEAM or row["status"] not in ("open", "acknowledged"):
        return None
    held = domain.active_claim(row, moment)
    mine = bool(held and held["by"] == g.staff.username)
    since = held and when(held["since"], get_config().site_timezone)
    text = None
    if held:
        text = (f"You are calling since {since}: colleagues see it on this card." if mine
                else f"{held['by']} is calling since {since}.")
    return {"claim": text, "mine": mine, "held": bool(held),
            "lapse_minutes": get_config().claim_lapse_minutes,
            "call_form": f"/alerts/{row['id']}#call-form"}


def last_calls(db, alert_ids) -> dict[str, dict]:
    """Each alert's latest call, clear columns only (who, when, disposition, colour)."""
    latest = {}
    for start in range(0, len(alert_ids), 500):
        chunk = alert_ids[start:start + 500]
        for row in db.query(
                f"SELECT alert_id, called_by, called_at, reached, disposition, recheck_minutes, "
                f"triage FROM alert_calls WHERE alert_id IN ({', '.join('?' * len(chunk))}) "
                f"ORDER BY called_at, rowid", chunk):
            latest[row["alert_id"]] = row
    return latest


def callable_row(db, alert_id):
    if g.staff.role not in CARE_TEAM:
        raise Forbidden("Calls and claims are for nurses and physicians.")
    return domain.load_alert(db, alert_id)


def back_to(alert_id):
    return f"/alerts/{alert_id}"


@blueprint.post("/alerts/<alert_id>/claim")
@require_staff(*CARE_TEAM)
def claim_alert(alert_id):
    return _claim(alert_id, release=False)


@blueprint.post("/alerts/<alert_id>/release")
@require_staff(*CARE_TEAM)
def release_alert(alert_id):
    return _claim(alert_id, release=True)


def _claim(alert_id, release):
    db = get_db()
    with storage.write_transaction(db):
        row = callable_row(db, alert_id)
        try:
            if release:
                domain.release(db, alert_id, g.staff.username, now())
            else:
                domain.claim(db, alert_id, g.staff.username, now(),
                             timedelta(minutes=get_config().claim_lapse_minutes))
        except AlertConflict as refused:
            raise in_site_time(refused) from None
        audit.record(db, "alert.release" if release else "alert.claim",
                     patient_id=row["patient_id"], target=alert_id, details={"via": "page"})
    # From a card's pop-out (it sends `next`) back to that card; else to the call panel.
    anchor = f"alert-{alert_id}" if safe_next(request.form.get("next")) else "call"
    return done(back_to(alert_id), "released" if release else "claimed", anchor)


def in_site_time(refused):
    """The domain names a colleague's claim in UTC; the pages speak the site's time."""
    by, since = refused.details.get("claimed_by"), refused.details.get("claimed_at")
    if not by or not since:
        return refused
    return AlertConflict(f"{by} is already calling this family (since "
                         f"{when(since, get_config().site_timezone)}). Nothing was changed.",
                         refused.details)


@blueprint.post("/alerts/<alert_id>/calls")
@require_staff(*CARE_TEAM)
def record_call(alert_id):
    """A refused form comes back as the alert's page with everything the nurse typed and
    each problem beside its field (400), never as an error page that loses the call."""
    from .handling import alert_page_response  # handling imports this module

    db, vault, moment = get_db(), get_vault(), now()
    row = callable_row(db, alert_id)
    neuro = neuro_definition(db, row["patient_id"], moment)
    try:
        body = call_form.read_call_form(request.form, neuro)
        with storage.write_transaction(db):
            row = callable_row(db, alert_id)
            _row, call_id = calls.record_call(
                db, vault, get_catalog(), alert_row=row, staff_name=g.staff.username,
                body=body, now=moment, lapse_minutes=get_config().claim_lapse_minutes)
            audit.record(db, "alert.call", patient_id=row["patient_id"], target=alert_id,
                         details={"call_id": call_id, "via": "page"})
    except call_form.CallFormErrors as refused:
        errors = refused.errors
    except (InvalidRequest, AlertError) as refused:
        errors = call_form.errors_of_refusal(refused, neuro)
        if errors is None:
            raise
    else:
        return done(back_to(alert_id), "call_recorded", "call-log")
    return alert_page_response(db, row, moment, status=400,
                               typed={"values": request.form, "errors": errors})
