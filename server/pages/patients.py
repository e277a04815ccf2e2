"""The patient list (find by name or MRN), creating a patient, enrolling a family's phone.

Names and MRNs are sealed at rest; the search runs over the list unsealed in memory for the
signed-in staff member, and the read is audited like the API's.
"""
import unicodedata
from datetime import date

import segno
from flask import g, request

from alerts.episodes import OPEN_STATUSES, rank
from sync.enrolment import RESPONDENTS, create_code

from ..records import audit, patients
from ..storage import db as storage
from ..records.alerting import alerts_where
from ..api.devices import app_link, enrol_uri
from ..auth import require_staff
from ..clock import to_wire
from ..web.context import get_config, get_db, get_vault, now
from ..web.errors import InvalidRequest, NotFound
from . import blueprint
from .contacts import contacts_from_form
from .common import CARE_TEAM, WELLBEING_TEAM, done, render
from ..records.zones import zone_problem, zones_by_region
from .present import calendar_day, local, relative

LANGUAGES = (("en", "English"), ("es", "Spanish"))
COMMON_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
                "America/Mexico_City", "Europe/London", "Europe/Madrid", "Europe/Berlin")


def folded(text) -> str:
    """Case- and accent-blind, so "sofia" finds "Sofía" and "mrn-55" finds "MRN-5550123"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def matches(patient, query) -> bool:
    wanted = folded(query).strip()
    return not wanted or any(wanted in folded(patient.get(field))
                             for field in ("display_name", "mrn", "patient_id"))


def open_alert_levels(db, role) -> dict[str, str]:
    """The most severe open or acknowledged alert level per patient among the alerts `role`
    may see (the inbox's filter), from clear columns."""
    worst = {}
    where, params = alerts_where(role, OPEN_STATUSES)
    for patient_id, level in db.execute("SELECT patient_id, level FROM alerts WHERE "
                                        + " AND ".join(where), params):
        if patient_id not in worst or rank(level) > rank(worst[patient_id]):
            worst[patient_id] = level
    return worst


@blueprint.get("/patients")
@require_staff(*WELLBEING_TEAM)
def patient_list(form=None, errors=None, status=200):
    db = get_db()
    everyone = patients.list_patients(db, get_vault(), now())
    query = request.args.get("q", "").strip()[:200]
    shown = [patient for patient in everyone if matches(patient, query)]
    # Those most recently infused need the closest watch: day 0 to 14 first.
    shown.sort(key=lambda p: (p["status"] != "active", p["day_post_infusion"],
                              p["display_name"] or ""))
    audit.record(db, "patient.list", details={"count": len(shown), "view": "page",
                                              "searched": bool(query)})
    return render("patients.html", status=status, patients=shown, query=query,
                  same_names=same_names(everyone), require_mrn=get_config().require_mrn,
                  total=len(everyone), alerts=open_alert_levels(db, g.staff.role),
                  form=form or {}, errors=errors or {}, languages=LANGUAGES,
                  common_zones=COMMON_ZONES, zones=zones_by_region(),
                  can_create=g.staff.role in CARE_TEAM)


def name_key(name) -> str:
    return " ".join(folded(name).split())


def same_names(everyone) -> set[str]:
    """Ids of active patients whose name another active patient shares (capitals and
    accents aside): the two Sofía Garcías on a ward are where a call goes to the wrong
    family."""
    by_name = {}
    for patient in everyone:
        if patient["status"] == "active" and patient.get("display_name"):
            by_name.setdefault(name_key(patient["display_name"]), []).append(
                patient["patient_id"])
    return {pid for ids in by_name.values() if len(ids) > 1 for pid in ids}


def read_date(form, name, errors):
    try:
        return date.fromisoformat(form.get(name, ""))
    except ValueError:
        errors[name] = "Enter a date (YYYY-MM-DD)."
        return None


def checked_patient(form) -> tuple[dict, dict]:
    """The form's values as create_patient takes them, and errors by field."""
    errors = {}
    name = form.get("display_name", "").strip()
    if not 1 <= len(name) <= 200:
        errors["display_name"] = "Enter the child's name."
    birth, infusion = read_date(form, "date_of_birth", errors), read_date(form,
                                                                          "infusion_date",
                                                                          errors)
    today = now().date()
    if birth and (birth > today or birth.year < 1900):
        errors["date_of_birth"] = "Enter a date of birth in the past."
    if birth and infusion and infusion < birth:
        errors["infusion_date"] = "The infusion date is before the date of birth."
    elif infusion and (infusion - today).days > 366:
        errors["infusion_date"] = "The infusion date is more than a year ahead."
    zone = form.get("timezone", "").strip()
    if zone_problem(zone):
        # The API's sentence names IANA zones; the page offers places to pick from.
        errors["timezone"] = "Choose the place the family lives in from the list."
    language = form.get("language", "")
    if language not in dict(LANGUAGES):
        errors["language"] = "Choose the family's language."
    mrn = form.get("mrn", "").strip()[:64] or None
    if mrn is None and get_config().require_mrn:
        errors["mrn"] = "Enter the MRN, so this child's pages match the hospital record."
    values = {"display_name": name, "date_of_birth": birth, "infusion_date": infusion,
              "timezone": zone, "language": language, "mrn": mrn,
              "product": form.get("product", "").strip()[:100] or None}
    values["contacts"], contact_errors = contacts_from_form(form)
    errors.update(contact_errors)
    return values, errors


@blueprint.post("/patients")
@require_staff(*CARE_TEAM)
def create_patient():
    values, errors = checked_patient(request.form)
    db = get_db()
    if not errors and not request.form.get("same_name_confirmed"):
        if namesakes := [p for p in patients.list_patients(db, get_vault(), now(), status="active")
                         if name_key(p["display_name"]) == name_key(values["display_name"])]:
            listed = "; ".join(f"MRN {p['mrn'] or 'none'}, born "
                               f"{calendar_day(p['date_of_birth'])}" for p in namesakes[:3])
            errors["display_name"] = (f"A patient with this name is already followed "
                                      f"({listed}). If this is another child, tick the box "
                                      "below and create again.")
            errors["same_name"] = True
    if errors:
        return patient_list(form=request.form, errors=errors, status=400)
    patient_id = patients.create_patient(db, get_vault(), created_by=g.staff.id, now=now(),
                                         **values)
    audit.record(db, "patient.create", patient_id=patient_id, details={"via": "page"})
    return done(f"/patients/{patient_id}", "patient_created", "devices")


@blueprint.post("/patients/<patient_id>/enrollments")
@require_staff(*CARE_TEAM)
def enrol_device(patient_id):
    respondent = request.form.get("respondent", "")
    if respondent not in RESPONDENTS:
        raise InvalidRequest("Choose who will use the phone: the caregiver or the patient.")
    db, moment = get_db(), now()
    row = patients.read_patient_row(db, patient_id)
    if row["status"] != "active":
        raise NotFound(f"Patient {patient_id} was erased; no device can be enrolled.")
    with storage.write_transaction(db):
        code, expires_at = create_code(db, patient_id, respondent, g.staff.id, moment)
        audit.record(db, "enrollment.create", patient_id=patient_id,
                     details={"respondent": respondent, "via": "page"})
    patient = patients.get_patient(db, get_vault(), patient_id, moment)
    uri = enrol_uri(get_config().public_url, code)
    link = app_link(get_config().public_url, code)
    # segno writes the QR code as plain SVG markup (no script, no style attribute), safe to
    # put inline under the pages' CSP.
    qr_svg = segno.make(link, error="m").svg_inline(scale=5, title="Enrolment QR code")
    return render("enrolment.html", patient=patient, code=code, respondent=respondent,
                  expires_at=to_wire(expires_at),
                  expires_local=f"{local(expires_at, get_config().site_timezone, True)} "
                                f"({relative(expires_at, moment)})",
                  enrol_uri=uri, app_link=link, qr_svg=qr_svg)
