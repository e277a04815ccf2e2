"""What may leave the site for one registry: the consenting children, each under a
pseudonym, with codes, grades, whole years and days after the infusion, and nothing else.

De-identification is by allow-list: a value reaches the dataset only if it is named here.
Names, MRNs, dates of birth, contact details, free texts (the diagnosis text, the product's
name, notes, the follow-up form's text answers), device ids, entry and alert ids and every
calendar date stay behind. Nothing here depends on when the export runs, so the same data
and settings give the same dataset.
"""
import json
import re
from datetime import date

from questionnaires import age_on

from ..entries import read_entries
from ..patients import local_date, read_patient_row
from ..profiles import consenting_patients, current_profile
from ..summary import toxicity_summary
from .pseudonyms import load_pseudonym_key, pseudonym

REGISTRY_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,31}$")  # as consents name them
FOLLOW_UP = "long-term-follow-up"
# The follow-up form's answers a registry may have: codes, yes/no and counts. Its text
# answers (what the infection was, where the lump is, anything else) never leave.
FOLLOW_UP_ITEMS = ("infection", "infection_hospital", "hospital_stay", "hospital_nights",
                   "new_lump", "disease_signs", "flare_muscle_weakness",
                   "flare_skin_tightening", "flare_raynaud", "flare_foamy_urine",
                   "school_work", "days_missed")
SCORED = ("neuro-check", "quality-of-life", "caregiver-wellbeing")
EVENT_FIELDS = ("kind", "grading_system", "grade", "onset_day", "resolution_day",
                "duration_days", "treatments", "icu_days")


class ExportProblem(Exception):
    """An export that cannot be made as asked; carries its HTTP status (server/web/errors.py)."""

    status, code = 400, "invalid_request"

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        self.details = {}
        if status:
            self.status = status
            self.code = {409: "conflict", 404: "not_found"}.get(status, self.code)


def check_request(registry: str, site_code: str | None, known=None) -> None:
    """A registry code (and, given `known`, one the site shares with) and a site code."""
    if not REGISTRY_CODE.fullmatch(registry or ""):
        raise ExportProblem(f"{registry!r} is not a registry code (lower case letters, digits, "
                            "- or _, as the consents name them, e.g. ebmt).")
    if known is not None and registry not in known:
        raise ExportProblem(f"{registry} is not a registry this site shares with (it knows "
                            f"{', '.join(known)}; HOMEWARD_REGISTRIES adds others).", 404)
    if not site_code:
        raise ExportProblem("Set HOMEWARD_SITE_CODE to the centre's registry code before "
                            "exporting: every row names the centre.", 409)


def check_since(since: date | None, today: date) -> None:
    if since is not None and since > today:
        raise ExportProblem(f"--since {since.isoformat()} is in the future: nobody has been "
                            "infused since then.")


def registries_consented(db) -> list[str]:
    """Every registry a consent in force names, for an export of them all."""
    rows = db.execute("SELECT p.registry_consents FROM patient_profiles p JOIN patients ON "
                      "patients.id = p.patient_id WHERE p.superseded_at IS NULL AND "
                      "patients.status = 'active'").fetchall()
    return sorted({c["registry"] for (consents,) in rows for c in json.loads(consents)})


def gather(db, vault, *, registry: str, site_code: str, since: date | None = None) -> dict:
    """The dataset for `registry`: children whose profile in force consents to it (and who
    were infused on or after `since`), ordered by pseudonym."""
    check_request(registry, site_code)
    key = load_pseudonym_key(db, vault)
    children = []
    for patient_id in consenting_patients(db, registry):
        row = read_patient_row(db, patient_id)
        if since is not None and date.fromisoformat(row["infusion_date"]) < since:
            continue
        child = gather_child(db, vault.for_patient(db, patient_id), row, registry)
        children.append({"pseudonym": pseudonym(key, registry, patient_id), **child})
    children.sort(key=lambda child: child["pseudonym"])
    return {"registry": registry, "site_code": site_code,
            "since": since.isoformat() if since else None, "patients": children}


def gather_child(db, cipher, row, registry) -> dict:
    infusion = date.fromisoformat(row["infusion_date"])
    birth = date.fromisoformat(cipher.open_text("patients", row["id"], "date_of_birth",
                                                row["date_of_birth"]))
    profile = current_profile(db, cipher, row["id"])
    consent = next(c for c in profile["registry_consents"] if c["registry"] == registry)
    summary = toxicity_summary(db, cipher, row)
    entries = [entry for entry in read_entries(db, cipher, row["id"], status="accepted",
                                               questionnaire_ids=[FOLLOW_UP, *SCORED],
                                               newest_first=False)
               if entry.superseded_by is None]

    def day(entry) -> int:
        # The family's own calendar day, as day_post_infusion is everywhere in Homeward.
        return (local_date(entry.corrected_at, row["timezone"]) - infusion).days

    follow_ups = sorted((follow_up_row(entry, day(entry))
                         for entry in entries if entry.questionnaire_id == FOLLOW_UP),
                        key=_sort_key)
    scores = sorted(({"day_post_infusion": day(entry), "questionnaire": entry.questionnaire_id,
                      "variant": entry.variant, "score": name, "value": value}
                     for entry in entries if entry.questionnaire_id in SCORED
                     for name, value in sorted(entry.scores.items()) if value is not None),
                    key=_sort_key)
    return {
        "sex_at_birth": profile["sex_at_birth"],
        "age_at_infusion_years": age_on(birth, max(birth, infusion)),
        "diagnosis": profile["diagnosis"], "organs_involved": profile["organs_involved"],
        "car_target": profile["car_target"], "lymphodepletion": profile["lymphodepletion"],
        "consent_day": (date.fromisoformat(consent["consented_on"]) - infusion).days,
        "last_follow_up_day": max((f["day_post_infusion"] for f in follow_ups), default=None),
        "toxicity": summary_fields(summary), "events": event_rows(summary["events"]),
        "follow_ups": follow_ups, "scores": scores,
    }


def summary_fields(summary) -> dict:
    out = {kind: {k: summary[kind][k] for k in ("max_grade", "onset_day", "duration_days",
                                                 "count")} for kind in ("crs", "icans")}
    for kind in ("icaht", "licats", "infection", "hlh", "other"):
        events = summary[kind]
        out[kind] = {"count": len(events),
                     "max_grade": max((e["grade"] for e in events), default=None)}
    out["treatments"] = summary["treatments"]
    out["icu_days"] = summary["icu_days"]
    return out


def event_rows(events) -> list[dict]:
    rows = sorted(({name: event[name] for name in EVENT_FIELDS}
                   | {"home_alerts": len(event["alerts"]),
                      "first_home_alert_day": min((a["day_post_infusion"]
                                                   for a in event["alerts"]), default=None)}
                   for event in events), key=_sort_key)
    return [{"event_number": number, **row} for number, row in enumerate(rows, 1)]


def follow_up_row(entry, day) -> dict:
    answers = {item: entry.answers.get(item) for item in FOLLOW_UP_ITEMS}
    if isinstance(answers["disease_signs"], list):
        answers["disease_signs"] = sorted(answers["disease_signs"])
    return {"day_post_infusion": day, "respondent": entry.respondent,
            "form_variant": entry.variant, "form_version": entry.version, **answers}


def _sort_key(row) -> tuple:
    # By day, then every value in the row, so ties still sort the same way every time.
    day = row.get("day_post_infusion", row.get("onset_day"))
    return day, json.dumps(row, sort_keys=True, default=str)
