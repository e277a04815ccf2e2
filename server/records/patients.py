"""Patients: who the child is (sealed), when day 0 was, and where and how they live in time.

Identifying values (name, MRN, date of birth, contact) are sealed by the vault; the row keeps
in clear only the id, the infusion date, the timezone, the language and the product code.
"""
import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

from questionnaires import age_band, age_on

from ..clock import from_db, to_db, to_wire
from ..storage.db import write_transaction
from ..web.errors import NotFound

SEALED_COLUMNS = ("display_name", "date_of_birth", "mrn", "contact")


def new_patient_id() -> str:
    return "pt_" + secrets.token_hex(8)


def local_date(moment: datetime, timezone_name: str) -> date:
    return moment.astimezone(ZoneInfo(timezone_name)).date()


def day_post_infusion(infusion_date: date, timezone_name: str, now: datetime) -> int:
    """Day 0 is the infusion date in the family's own timezone; negative before it."""
    return (local_date(now, timezone_name) - infusion_date).days


def age_today(birth: date, timezone_name: str, now: datetime) -> int:
    """Whole years on the family's own date (a birthday starts at their midnight); 0 for a
    date of birth in the future rather than a negative age."""
    return age_on(birth, max(birth, local_date(now, timezone_name)))


def create_patient(db, vault, *, display_name, date_of_birth, infusion_date, timezone,
                   language, created_by, now, mrn=None, product=None, contact=None,
                   contacts=None) -> str:
    patient_id = new_patient_id()
    with write_transaction(db):
        db["patients"].insert({
            "id": patient_id, "created_at": to_db(now), "created_by": created_by,
            "infusion_date": infusion_date.isoformat(), "timezone": timezone,
            "language": language, "product": product, "status": "active",
        })
        cipher = vault.create_patient_key(db, patient_id, now)
        values = {"display_name": display_name, "date_of_birth": date_of_birth.isoformat(),
                  "mrn": mrn, "contact": contact}
        db["patients"].update(patient_id, {
            column: cipher.seal_text("patients", patient_id, column, value)
            for column, value in values.items()
        })
        if contacts:
            from .contacts import seal_contacts

            db.execute("UPDATE patients SET contacts = ? WHERE id = ?",
                       [seal_contacts(cipher, patient_id, contacts), patient_id])
    return patient_id


def read_patient_row(db, patient_id):
    rows = list(db.query("SELECT * FROM patients WHERE id = ?", [patient_id]))
    if not rows:
        raise NotFound(f"No patient has the id {patient_id}.")
    return rows[0]


def describe(row, cipher, now) -> dict:
    """The patient as staff see them; `cipher` is None for an erased patient."""
    infusion = date.fromisoformat(row["infusion_date"])
    patient = {
        "patient_id": row["id"], "status": row["status"],
        "infusion_date": row["infusion_date"], "timezone": row["timezone"],
        "language": row["language"], "product": row["product"],
        "day_post_infusion": day_post_infusion(infusion, row["timezone"], now),
        "created_at": to_wire(from_db(row["created_at"])),
    }
    if cipher is None:
        return {**patient, "display_name": None, "date_of_birth": None, "mrn": None,
                "contact": None, "contacts": [], "age_years": None, "age_band": None,
                "erased_at": to_wire(from_db(row["erased_at"]))}
    sealed = {column: cipher.open_text("patients", row["id"], column, row[column])
              for column in SEALED_COLUMNS}
    birth = date.fromisoformat(sealed["date_of_birth"])
    age = age_today(birth, row["timezone"], now)
    from .contacts import open_contacts

    return {**patient, **sealed, "age_years": age, "age_band": age_band(age),
            "contacts": open_contacts(cipher, row["id"], row["contacts"])}


def patient_facts(db, vault, patient_id, now) -> dict:
    """What sync and the rules need of a patient, with only the date of birth unsealed."""
    row = read_patient_row(db, patient_id)
    cipher = vault.for_patient(db, patient_id)
    birth = date.fromisoformat(cipher.open_text("patients", patient_id, "date_of_birth",
                                                row["date_of_birth"]))
    age = age_today(birth, row["timezone"], now)
    return {"patient_id": patient_id, "infusion_date": row["infusion_date"],
            "timezone": row["timezone"], "language": row["language"], "date_of_birth": birth,
            "age_years": age, "age_band": age_band(age), "cipher": cipher}


def get_patient(db, vault, patient_id, now) -> dict:
    row = read_patient_row(db, patient_id)
    cipher = None if row["status"] == "erased" else vault.for_patient(db, patient_id)
    return describe(row, cipher, now)


def list_patients(db, vault, now, *, status=None) -> list[dict]:
    """Every patient, newest infusion first; keys unwrapped in one query, not one per row."""
    where, params = ("WHERE status = ?", [status]) if status else ("", [])
    rows = list(db.query(f"SELECT * FROM patients {where} ORDER BY infusion_date DESC, id",
                         params))
    ciphers = vault.for_patients(db, [row["id"] for row in rows if row["status"] != "erased"])
    return [describe(row, ciphers.get(row["id"]), now) for row in rows]


def erase_patient(db, vault, config, patient_id, now) -> dict:
    """Crypto-erasure: what was sealed for this patient can never be read again."""
    from ..storage.erasure import record_erasure

    read_patient_row(db, patient_id)
    # The ledger first: if we crash between the two, a restore or a re-run still erases.
    record_erasure(config, patient_id, now)
    with write_transaction(db):
        destroyed = vault.destroy_patient_key(db, patient_id, now)
        db.execute("UPDATE patients SET status = 'erased', erased_at = COALESCE(erased_at, ?) "
                   "WHERE id = ?", [to_db(now), patient_id])
    return {"patient_id": patient_id, "key_destroyed": destroyed,
            "unreadable": unreadable_columns(db, patient_id)}


def unreadable_columns(db, patient_id) -> dict[str, int]:
    """How many sealed values of this patient each table holds, now beyond reach."""
    counts = {"patients": sum(
        1 for row in db.query("SELECT * FROM patients WHERE id = ?", [patient_id])
        for column in (*SEALED_COLUMNS, "contacts") if row[column] is not None)}
    for table, column in SEALED_TABLES:
        if db[table].exists():
            counts[table] = db[table].count_where(f"patient_id = ? AND {column} IS NOT NULL",
                                                  [patient_id])
    return counts


# Other rooms' tables holding values sealed with the patient key, added as they land.
SEALED_TABLES: list[tuple[str, str]] = [
    ("alert_calls", "details"), ("alert_messages", "body"),
    ("patient_profiles", "diagnosis_text"), ("patient_profiles", "product_name"),
    ("toxicity_events", "note"), ("followup_contacts", "note"), ("followup_closures", "note")]
