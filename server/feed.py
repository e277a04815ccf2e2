"""Keeping each patient's change feed current: the sources in snapshot order, and the
changes that time alone causes (a birthday that changes the age band, new variants after an
upgrade, tasks coming into the 14-day horizon)."""
import json

from sync.sources import (KeysSource, ProfileSource, QuestionnaireSource, TaskSource,
                          variants_signature)

from . import db as storage
from .clock import to_db


def feed_sources():
    # Keys first: an app that has them can seal even if the rest of the snapshot is cut off.
    return [KeysSource(), ProfileSource(), QuestionnaireSource(), TaskSource()]


def refresh_patient_feed(db, catalog, patient, now) -> int:
    """Write change rows for what changed since the feed last looked; returns how many.
    Reads only, unless something changed: most pulls find nothing to write."""
    patient_id = patient["patient_id"]
    state = db.execute("SELECT age_band, variants FROM patient_feed_state WHERE patient_id = ?",
                       [patient_id]).fetchone()
    signature = variants_signature(catalog, patient, now)
    if state is not None and state[0] == patient["age_band"] and state[1] == signature:
        return 0
    changed = []
    if state is None or state[0] != patient["age_band"]:
        changed.append(("profile", patient_id))
    before = json.loads(state[1]) if state is not None else {}
    after = json.loads(signature)
    for respondent, chosen in after.items():
        old = before.get(respondent, {})
        changed += [("questionnaire", qid) for qid in sorted(set(chosen) | set(old))
                    if chosen.get(qid) != old.get(qid)]
    with storage.write_transaction(db):
        for kind, item_id in dict.fromkeys(changed):
            db["changes"].insert({"patient_id": patient_id, "type": kind, "item_id": item_id,
                                  "op": "upsert", "at": to_db(now)})
        db["patient_feed_state"].upsert({"patient_id": patient_id,
                                         "age_band": patient["age_band"],
                                         "variants": signature}, pk="patient_id")
    return len(changed)
