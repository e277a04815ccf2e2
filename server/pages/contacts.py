"""The patient's contacts on the pages: who to phone (name, relationship, phone, language,
best times), edited on their own page from the timeline and entered in the new-patient
form. Saved through server.records.contacts, sealed and audited as through the API."""
from flask import request

from ..records import contacts
from ..auth import require_staff
from ..web.context import get_db, get_vault, now
from ..records.patients import get_patient
from ..records import audit
from . import blueprint
from .common import CARE_TEAM, done, render

CONTACT_FIELDS = (("name", "Name"), ("relationship", "Relationship"), ("phone", "Phone"),
                  ("language", "Language"), ("best_times", "Best times to call"))


@blueprint.get("/patients/<patient_id>/contacts")
@require_staff(*CARE_TEAM)
def contacts_page(patient_id):
    db = get_db()
    patient = get_patient(db, get_vault(), patient_id, now())
    audit.record(db, "patient.read", patient_id=patient_id, details={"view": "contacts"})
    rows = patient["contacts"] + [{}]  # one empty row to add a contact
    return render("contacts.html", patient=patient, rows=rows, fields=CONTACT_FIELDS,
                  errors={})


@blueprint.post("/patients/<patient_id>/contacts")
@require_staff(*CARE_TEAM)
def save_contacts_page(patient_id):
    db = get_db()
    found, errors = contacts_from_form(request.form)
    if errors:
        patient = get_patient(db, get_vault(), patient_id, now())
        return render("contacts.html", status=400, patient=patient, rows=found + [{}],
                      fields=CONTACT_FIELDS, errors=errors)
    contacts.save_contacts(db, get_vault(), patient_id, found, via="page")
    return done(f"/patients/{patient_id}", "contacts_saved", "contacts")


def contacts_from_form(form) -> tuple[list[dict], dict]:
    """Rows contact-0-name ... from the form; a row left empty is dropped."""
    rows, errors = [], {}
    for index in range(contacts.MAX_CONTACTS):
        row = {field: (form.get(f"contact-{index}-{field}") or "").strip()
               for field, _label in CONTACT_FIELDS}
        if not any(row.values()):
            continue
        for field, problem in contacts.contact_problems(row).items():
            errors[f"contact-{len(rows)}-{field}"] = problem
        rows.append(row)
    return rows, errors

