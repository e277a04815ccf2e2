"""Who to phone about a child: one or more contacts (name, relationship, phone, language, best
times), sealed with the patient's key like the name, as one JSON list bound to its row and
column. The list is replaced whole when edited: it is short, and an edit is a new truth."""
import re

from . import audit
from ..storage.db import write_transaction
from ..web.errors import InvalidRequest, NotFound

MAX_CONTACTS = 6
FIELDS = ("name", "relationship", "phone", "language", "best_times")
LIMITS = {"name": 200, "relationship": 60, "phone": 40, "language": 20, "best_times": 200}
PHONE = re.compile(r"^\+?[0-9][0-9 ().\-]{3,38}$")
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z]{2}|-[0-9]{3})?$")


def contact_problems(contact: dict) -> dict[str, str]:
    """Field -> sentence, for the page's form (the API's schema checks the same)."""
    problems = {}
    for field in FIELDS:
        value = contact.get(field) or ""
        if len(value) > LIMITS[field]:
            problems[field] = f"At most {LIMITS[field]} characters."
    if not (contact.get("name") or "").strip():
        problems["name"] = "Enter the contact's name."
    if not PHONE.match(contact.get("phone") or ""):
        problems["phone"] = "Enter a phone number: digits, spaces, + ( ) - only."
    if contact.get("language") and not LANGUAGE_TAG.match(contact["language"]):
        problems["language"] = "Use a language code such as en, es or es-MX."
    return problems


def tidy(contact: dict) -> dict:
    return {field: (contact.get(field) or "").strip() or None for field in FIELDS}


def tel_href(phone: str) -> str:
    """`tel:` wants the digits and a leading +, nothing else (RFC 3966 global numbers)."""
    digits = re.sub(r"[^0-9]", "", phone or "")
    return "tel:" + ("+" if (phone or "").strip().startswith("+") else "") + digits


def seal_contacts(cipher, patient_id, contacts) -> bytes | None:
    if not contacts:
        return None
    return cipher.seal_json("patients", patient_id, "contacts", [tidy(c) for c in contacts])


def open_contacts(cipher, patient_id, sealed) -> list[dict]:
    if cipher is None or sealed is None:
        return []
    return [{**contact, "tel": tel_href(contact["phone"])}
            for contact in cipher.open_json("patients", patient_id, "contacts", sealed)]


def save_contacts(db, vault, patient_id, contacts, *, via="api") -> list[dict]:
    """Replace the patient's contacts (at most MAX_CONTACTS), audited by count only."""
    if len(contacts) > MAX_CONTACTS:
        raise InvalidRequest(f"At most {MAX_CONTACTS} contacts.")
    with write_transaction(db):
        row = db.execute("SELECT status FROM patients WHERE id = ?", [patient_id]).fetchone()
        if row is None or row[0] != "active":
            raise NotFound(f"No active patient has the id {patient_id}.")
        cipher = vault.for_patient(db, patient_id)
        db.execute("UPDATE patients SET contacts = ? WHERE id = ?",
                   [seal_contacts(cipher, patient_id, contacts), patient_id])
        audit.record(db, "patient.contacts", patient_id=patient_id,
                     details={"count": len(contacts), "via": via})
    return open_contacts(cipher, patient_id, seal_contacts(cipher, patient_id, contacts))


def contacts_of(db, ciphers, patient_ids) -> dict[str, list[dict]]:
    """Contacts of many patients at once, for alert cards (`ciphers` from for_patients)."""
    ids = sorted(set(patient_ids))
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for patient_id, sealed in db.execute(
                f"SELECT id, contacts FROM patients WHERE contacts IS NOT NULL AND id IN "
                f"({', '.join('?' * len(chunk))})", chunk):
            found[patient_id] = open_contacts(ciphers.get(patient_id), patient_id, sealed)
    return found
