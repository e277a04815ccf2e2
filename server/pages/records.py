"""The clinic's records on the staff pages: a child's clinical profile and toxicity record
(one page, forms for physicians), and the long-term follow-up worklist with its contact
form. The posts call the same steps as the clinic API (server/api/profiles.py, toxicity.py,
worklist.py), so a page and a script leave the same records and the same audit rows.
"""
from datetime import date

from flask import g, request
from marshmallow import ValidationError

from ..records import audit
from ..api import profiles as profile_api
from ..api import toxicity as toxicity_api
from ..api import worklist as worklist_api
from ..api.record_fields import text_problem
from ..auth import require_staff
from ..web.context import get_config, get_db, get_vault, now
from ..web.errors import InvalidRequest
from ..records.entries import read_entries
from ..records.grading import compatible_grades
from ..records.patients import get_patient, read_patient_row
from ..records import closures, profiles, toxicity, vocabulary, worklist
from ..records.summary import patient_alerts, toxicity_summary
from . import _error_page, blueprint, present
from .common import CARE_TEAM, NOTICES, done, render
from .timeline import readings

NOTICES.update({"profile_saved": "Clinical profile saved.",
                "event_recorded": "Toxicity event recorded.",
                "event_revised": "Toxicity event corrected; the earlier version is kept.",
                "event_retracted": "Toxicity event retracted; it stays in the history.",
                "contact_recorded": "Contact recorded.",
                "followup_closed": "Closed: the patient is off the worklist.",
                "followup_reopened": "Reopened: the patient is listed again while a reason "
                                     "holds."})
# The acute window whose reports the "compatible with" hint reads.
HINT_DAYS = (-1, 28)
LIST_FIELDS = {"organs_involved", "treatments", "alert_ids"}


def form_values(form) -> dict:
    """A posted form as the API's JSON: lists from checkboxes, empty boxes left out."""
    values = {}
    for name in form:
        if name in ("csrf_token", "next"):
            continue
        if name in LIST_FIELDS:
            values[name] = [v for v in form.getlist(name) if v]
        elif form.get(name, "").strip():
            values[name] = form[name].strip()
    return values


def consents_from(text) -> list[dict]:
    """One registry a line: `ebmt 2026-11-01`."""
    consents = []
    for line in (text or "").splitlines():
        parts = line.split()
        if parts:
            consents.append({"registry": parts[0],
                             "consented_on": parts[1] if len(parts) > 1 else ""})
    return consents


def whole_numbers(values, *names) -> dict:
    """Form boxes hold text; the API's schema takes numbers strictly, and tells the rest."""
    return {**values, **{name: int(values[name]) for name in names
                         if str(values.get(name, "")).isdigit()}}


def first_errors(error: ValidationError) -> dict:
    messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
    flat = {}
    for name, value in messages.items():
        while isinstance(value, (list, dict)):
            value = (list(value.values()) if isinstance(value, dict) else value)[0]
        flat[name] = str(value)
    return flat


def home_hint(db, facts_cipher, patient):
    """What the family's reports of days -1 to 28 are compatible with: a hint, never a grade."""
    infusion = date.fromisoformat(patient["infusion_date"])
    entries = [entry for entry in read_entries(db, facts_cipher, patient["patient_id"],
                                               newest_first=False)
               if entry.superseded_by is None
               and HINT_DAYS[0] <= (entry.corrected_at.date() - infusion).days <= HINT_DAYS[1]]
    return compatible_grades(readings(entries))


def record_page(patient_id, status=200, profile_form=None, profile_errors=None,
                event_form=None, event_errors=None):
    db, vault, moment = get_db(), get_vault(), now()
    patient = get_patient(db, vault, patient_id, moment)
    if patient["status"] != "active":
        return render("patient.html", patient=patient, erased=True)
    cipher = vault.for_patient(db, patient_id)
    row = read_patient_row(db, patient_id)
    profile = profiles.current_profile(db, cipher, patient_id)
    summary = toxicity_summary(db, cipher, row)
    retracted = [e for e in toxicity.current_events(db, cipher, patient_id,
                                                    include_retracted=True)
                 if e["status"] == "retracted"]
    audit.record(db, "toxicity.read", patient_id=patient_id, details={"view": "page"})
    audit.record(db, "entries.read", patient_id=patient_id, details={"view": "grading-hint"})
    return render(
        "patient_record.html", status=status, patient=patient, profile=profile,
        summary=summary, retracted=retracted, vocabulary=vocabulary,
        hint=home_hint(db, cipher, patient), alerts=patient_alerts(db, patient_id),
        contacts=worklist.contacts(db, cipher, patient_id), outcomes=worklist.OUTCOMES,
        closure=closures.closure_in_force(db, patient_id, cipher),
        can_edit=g.staff.role == "physician",
        profile_form=profile_form if profile_form is not None else profile_defaults(profile),
        profile_errors=profile_errors or {}, event_form=event_form or {},
        event_errors=event_errors or {}, next_url=f"/patients/{patient_id}/record")


def profile_defaults(profile) -> dict:
    if profile is None:
        return {"organs_involved": [], "consents_text": ""}
    return {**profile, "consents_text": "\n".join(
        f"{c['registry']} {c['consented_on']}" for c in profile["registry_consents"])}


@blueprint.get("/patients/<patient_id>/record")
@require_staff(*CARE_TEAM)
def patient_record(patient_id):
    return record_page(patient_id)


@blueprint.post("/patients/<patient_id>/profile")
@require_staff("physician")
def save_profile(patient_id):
    values = form_values(request.form)
    values.pop("consents_text", None)
    values["organs_involved"] = values.get("organs_involved", [])
    values["registry_consents"] = consents_from(request.form.get("consents_text"))
    try:
        body = profile_api.ProfileSchema().load(values)
        profile_api.save(get_db(), patient_id, body)
    except (ValidationError, InvalidRequest) as error:
        shown = {**request.form, "organs_involved": request.form.getlist("organs_involved")}
        errors = (first_errors(error) if isinstance(error, ValidationError) else
                  {name: why[0] for name, why in error.details["fields"].items()})
        return record_page(patient_id, 400, profile_form=shown, profile_errors=errors)
    return done(f"/patients/{patient_id}/record", "profile_saved", "profile")


@blueprint.post("/patients/<patient_id>/toxicity-events")
@require_staff("physician")
def record_event(patient_id):
    values = form_values(request.form)
    # "tox_…:2": the event and the revision the physician saw, so a colleague's correction
    # saved meanwhile is not overwritten unseen.
    event_id, _, revision = values.pop("event_id", "").partition(":")
    if event_id and revision:
        values["revision"] = revision
    schema = toxicity_api.RevisionSchema() if event_id else toxicity_api.EventSchema()
    try:
        body = schema.load(whole_numbers(values, "grade", "icu_days", "revision"))
        db = get_db()
        if event_id:
            toxicity_api.revise(db, patient_id, event_id, body)
        else:
            toxicity_api.record(db, patient_id, body)
    except ValidationError as error:
        return event_problem(patient_id, first_errors(error))
    except toxicity.StaleRevision as problem:
        return event_problem(patient_id, {"event_id": problem.message})
    except toxicity.RecordProblem as problem:
        if problem.status != 400:
            raise
        return event_problem(patient_id, {name: messages[0] for name, messages in
                                          problem.details.get("fields", {}).items()}
                             or {"_": problem.message})
    return done(f"/patients/{patient_id}/record",
                "event_revised" if event_id else "event_recorded", "events")


def event_problem(patient_id, errors):
    shown = {**request.form, "treatments": request.form.getlist("treatments")}
    return record_page(patient_id, 400, event_form=shown, event_errors=errors)


@blueprint.post("/patients/<patient_id>/toxicity-events/<event_id>/retraction")
@require_staff("physician")
def retract_event(patient_id, event_id):
    reason = request.form.get("reason", "").strip()
    if len(reason) < 3:
        return event_problem(patient_id, {"reason": "Say why the event is retracted."})
    revision = request.form.get("revision", "")
    try:
        toxicity_api.retract(get_db(), patient_id, event_id, reason[:1000],
                             int(revision) if revision.isdigit() else None)
    except toxicity.StaleRevision as problem:
        return event_problem(patient_id, {"reason": problem.message})
    return done(f"/patients/{patient_id}/record", "event_retracted", "events")


@blueprint.get("/follow-up")
@require_staff(*CARE_TEAM)
def followup_worklist():
    found = worklist_api.build_worklist(get_db())
    zone = get_config().site_timezone
    closed_on = {row["patient_id"]: present.local(present.parse(row["closure"]["closed_at"]),
                                                  zone, with_date=True)
                 for row in found["patients"] + found["closed"] if row.get("closure")}
    return render("followup.html", worklist=found, outcomes=worklist.OUTCOMES,
                  reasons=closures.REASONS, closed_on=closed_on, next_url="/follow-up")


@blueprint.post("/patients/<patient_id>/follow-up-contacts")
@require_staff(*CARE_TEAM)
def record_contact(patient_id):
    outcome = _choice("outcome", worklist.OUTCOMES, "Choose how the contact went.")
    worklist_api.add_contact(get_db(), patient_id, {"outcome": outcome,
                                                    "note": _note(request.form)})
    return done("/follow-up", "contact_recorded")


@blueprint.post("/patients/<patient_id>/follow-up-closure")
@require_staff(*CARE_TEAM)
def close_followup(patient_id):
    reason = _choice("reason", closures.REASONS, "Choose why the follow-up is closed.")
    worklist_api.close_followup(get_db(), patient_id, {"reason": reason,
                                                      "note": _note(request.form)})
    return done("/follow-up", "followup_closed")


@blueprint.post("/patients/<patient_id>/follow-up-closure/reopening")
@require_staff(*CARE_TEAM)
def reopen_followup(patient_id):
    worklist_api.reopen_followup(get_db(), patient_id, {"note": _note(request.form)})
    return done("/follow-up", "followup_reopened")


def _choice(field, allowed, problem):
    """One of a form's coded choices, or the page's own refusal naming the field."""
    value = request.form.get(field, "")
    if value not in allowed:
        raise toxicity.RecordProblem(problem, field)
    return value


def _note(form):
    """The form's note as the API would take it (server/api/record_fields.py)."""
    note = form.get("note", "").strip()
    problem = text_problem(note) or (len(note) > 2000
                                     and "A note holds at most 2,000 characters.")
    if problem:
        raise toxicity.RecordProblem(problem, "note")
    return note or None


@blueprint.errorhandler(toxicity.RecordProblem)
@blueprint.errorhandler(closures.ClosureConflict)
def _record_problem_page(error):
    """The records' own refusals (a bad choice on a form, closing what is closed, retracting
    twice) as the page's error, with their status: they are not ApiErrors."""
    return _error_page(error.status, error.message)
