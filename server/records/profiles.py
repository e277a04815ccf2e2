"""A child's clinical profile: what disease, which organs it had hit before CAR T, which
product, and which registries the family agreed to share de-identified data with.

An edit is a new row and the old one is marked superseded, so what was believed when is
never lost. Codes are kept in clear (the LICATS rule and registry exports read them); the
free texts and the product's name are sealed, since in a small cohort they can name a child.
"""
import json

from ..clock import from_db, to_db, to_wire
from ..storage.db import write_transaction
from .feed import INSERT_CHANGE

TABLE = "patient_profiles"
SEALED = ("diagnosis_text", "product_name", "car_target_text", "lymphodepletion_text")


def read_current_row(db, patient_id):
    rows = list(db.query("SELECT * FROM patient_profiles WHERE patient_id = ? AND "
                         "superseded_at IS NULL ORDER BY id DESC LIMIT 1", [patient_id]))
    return rows[0] if rows else None


def _describe(values, cipher) -> dict:
    profile = {
        "profile_id": values["id"], "diagnosis": values["diagnosis"],
        "organs_involved": json.loads(values["organs_involved"]),
        "car_target": values["car_target"], "lymphodepletion": values["lymphodepletion"],
        "sex_at_birth": values["sex_at_birth"],
        "registry_consents": json.loads(values["registry_consents"]),
        "recorded_by": values["recorded_by"],
        "recorded_at": to_wire(from_db(values["recorded_at"])),
        "superseded_at": to_wire(from_db(values["superseded_at"])),
    }
    for column in SEALED:
        profile[column] = cipher.open_text(TABLE, str(values["id"]), column, values[column])
    return profile


def current_profile(db, cipher, patient_id) -> dict | None:
    """The profile in force, or None before a physician records one."""
    row = read_current_row(db, patient_id)
    return None if row is None else _describe(row, cipher)


def profile_history(db, cipher, patient_id) -> list[dict]:
    """Every version, newest first."""
    rows = db.query("SELECT * FROM patient_profiles WHERE patient_id = ? ORDER BY id DESC",
                    [patient_id])
    return [_describe(row, cipher) for row in rows]


def organs_involved(db, patient_id) -> list[str] | None:
    """The organs the disease had hit before CAR T, or None when no profile is recorded
    (the LICATS rule then watches every organ). Codes only: nothing is unsealed."""
    row = db.execute("SELECT organs_involved FROM patient_profiles WHERE patient_id = ? AND "
                     "superseded_at IS NULL ORDER BY id DESC LIMIT 1", [patient_id]).fetchone()
    return None if row is None else json.loads(row[0])


def consenting_patients(db, registry: str) -> list[str]:
    """Ids of active patients whose profile in force consents to `registry` (for exports)."""
    rows = db.execute("SELECT p.patient_id, p.registry_consents FROM patient_profiles p "
                      "JOIN patients ON patients.id = p.patient_id WHERE p.superseded_at IS "
                      "NULL AND patients.status = 'active' ORDER BY p.patient_id").fetchall()
    return [patient_id for patient_id, consents in rows
            if any(c["registry"] == registry for c in json.loads(consents))]


def save_profile(db, cipher, patient_id, profile: dict, *, recorded_by, now) -> tuple[dict, list]:
    """Record `profile` (already checked at the edge) as the one in force; returns it and
    the names of the fields that changed, which is all the audit log may say."""
    before = current_profile(db, cipher, patient_id)
    consents = sorted(({"registry": c["registry"], "consented_on": str(c["consented_on"])}
                       for c in profile.get("registry_consents") or []),
                      key=lambda c: c["registry"])
    clear = {"diagnosis": profile["diagnosis"],
             "organs_involved": sorted(set(profile.get("organs_involved") or [])),
             "car_target": profile["car_target"],
             "lymphodepletion": profile.get("lymphodepletion"),
             "sex_at_birth": profile.get("sex_at_birth"), "registry_consents": consents}
    with write_transaction(db):
        db.execute("UPDATE patient_profiles SET superseded_at = ? WHERE patient_id = ? AND "
                   "superseded_at IS NULL", [to_db(now), patient_id])
        row_id = db[TABLE].insert({
            "patient_id": patient_id, **clear,
            "organs_involved": json.dumps(clear["organs_involved"]),
            "registry_consents": json.dumps(consents, sort_keys=True),
            "recorded_by": recorded_by, "recorded_at": to_db(now)}).last_pk
        db[TABLE].update(row_id, {column: cipher.seal_text(TABLE, str(row_id), column,
                                                           profile.get(column) or None)
                                  for column in SEALED})
        # The family's app advises offline with the organs involved: its next pull gets
        # the profile again (docs/protocol.md).
        db.execute(INSERT_CHANGE, [patient_id, "profile", patient_id, "upsert", to_db(now)])
    after = current_profile(db, cipher, patient_id)
    fields = [*clear, *SEALED]
    changed = sorted(name for name in fields
                     if before is None or before.get(name) != after.get(name))
    return after, changed
