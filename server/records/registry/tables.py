"""The dataset as CSV tables, and the data dictionary that describes every column.

One row per child, per toxicity event, per follow-up form and per score, keyed by the
pseudonym. Lists are codes joined by `;` in sorted order; an empty cell is "not recorded".
Rows are sorted, lines end in LF and the encoding is UTF-8: the same data give the same
bytes.
"""
import csv
import io
from dataclasses import dataclass

from ..vocabulary import (CAR_TARGETS, DIAGNOSES, GRADING, KINDS, LYMPHODEPLETION, ORGANS,
                          SEX_AT_BIRTH, TREATMENTS)

YES_NO_NOT_SURE = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
BOOLEAN = {"true": "Yes", "false": "No"}
DISEASE_SIGNS = {"rash": "Rash", "joint_pain": "Painful or swollen joints",
                 "muscle_weakness": "Weak muscles", "tiredness": "Lasting tiredness",
                 "unexplained_fever": "Fevers with no clear cause", "mouth_sores": "Mouth sores",
                 "swelling": "Swelling of the legs or around the eyes",
                 "hair_loss": "Hair loss"}
SCHOOL = {"as_usual": "Going as usual", "part_time": "Going some of the time",
          "not_going": "Not going", "not_applicable": "Does not apply"}
QUESTIONNAIRES = {"neuro-check": "Home neuro check", "quality-of-life": "Quality of life",
                  "caregiver-wellbeing": "Caregiver wellbeing"}
SCORES = {"total": "neuro-check: ICE-style 0-10 (higher is better) or CAPD-style 0-32 "
                   "(higher is worse); quality-of-life: 0-100", "physical": "0-100",
          "emotional": "0-100", "social": "0-100", "school": "0-100", "distress": "0-10"}


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    type: str  # code, codes (;-separated), integer, decimal, boolean, text
    unit: str = ""
    codes: dict | None = None


def column(name, meaning, type_, unit="", codes=None):
    return Column(name, meaning, type_, unit, codes)


KEY = column("pseudonym", "The child's pseudonym for this registry (stable across exports; "
             "another registry sees another one).", "text")
GRADE = "grade"
DAY = "day after infusion (day 0)"

PATIENTS = (
    KEY,
    column("site_code", "The centre (HOMEWARD_SITE_CODE).", "text"),
    column("registry", "The registry this file was made for.", "text"),
    column("sex_at_birth", "Sex at birth.", "code", codes=SEX_AT_BIRTH),
    column("age_at_infusion_years", "Age at the CAR T infusion in whole years.", "integer",
           "year"),
    column("diagnosis", "The rheumatic disease treated.", "code", codes=DIAGNOSES),
    column("organs_involved", "Organs the disease had involved before CAR T.", "codes",
           codes=ORGANS),
    column("car_target", "The CAR's target antigen.", "code", codes=CAR_TARGETS),
    column("lymphodepletion", "Lymphodepletion regimen.", "code", codes=LYMPHODEPLETION),
    column("consent_day", "Day the family consented to this registry (negative: before "
           "the infusion).", "integer", DAY),
    column("last_follow_up_day", "Day of the latest long-term follow-up form received.",
           "integer", DAY),
)
SUMMARY = (
    KEY,
    *(c for kind in ("crs", "icans") for c in (
        column(f"{kind}_max_grade", f"Highest {KINDS[kind]} grade (ASTCT 2019).", "integer",
               GRADE),
        column(f"{kind}_onset_day", f"Earliest onset of {KINDS[kind]}.", "integer", DAY),
        column(f"{kind}_duration_days", f"Duration of the worst {KINDS[kind]} episode "
               "(resolution - onset; empty while unresolved).", "integer", "day"),
        column(f"{kind}_events", f"Number of {KINDS[kind]} episodes recorded.", "integer"))),
    *(c for kind in ("icaht", "licats", "infection", "hlh", "other") for c in (
        column(f"{kind}_events", f"Number of {KINDS[kind]} events recorded.", "integer"),
        column(f"{kind}_max_grade", f"Highest grade of {KINDS[kind]} events.", "integer",
               GRADE))),
    column("treatments", "Every treatment given for any toxicity.", "codes", codes=TREATMENTS),
    column("icu_days", "Days in intensive care for toxicities, all events together.",
           "integer", "day"),
)
EVENTS = (
    KEY,
    column("event_number", "The event's number for this child, in order of onset.",
           "integer"),
    column("kind", "What the toxicity was.", "code", codes=KINDS),
    column("grading_system", "The grading system of the grade.", "code", codes=GRADING),
    column("grade", "Grade on that system (ASTCT and EHA/EBMT 1-4; CTCAE 1-5, 5 = death).",
           "integer", GRADE),
    column("onset_day", "Day of onset.", "integer", DAY),
    column("resolution_day", "Day of resolution; empty while unresolved.", "integer", DAY),
    column("duration_days", "resolution_day - onset_day; empty while unresolved.",
           "integer", "day"),
    column("treatments", "Treatments given for this event.", "codes", codes=TREATMENTS),
    column("icu_days", "Days in intensive care for this event.", "integer", "day"),
    column("home_alerts", "Alerts from the family's home reports that preceded or "
           "accompanied the event (docs/records.md).", "integer"),
    column("first_home_alert_day", "Day of the first of those alerts.", "integer", DAY),
)
FOLLOW_UPS = (
    KEY,
    column("day_post_infusion", "Day the family filled in the long-term follow-up form.",
           "integer", DAY),
    column("respondent", "Who answered.", "code",
           codes={"caregiver": "Parent or caregiver", "patient": "The young person"}),
    column("form_version", "Version of the follow-up form.", "text"),
    column("infection", "An infection needing a doctor or medicine since the last form.",
           "boolean", codes=BOOLEAN),
    column("infection_hospital", "That infection meant a hospital stay.", "code",
           codes=YES_NO_NOT_SURE),
    column("hospital_stay", "Any overnight hospital stay since the last form.", "boolean",
           codes=BOOLEAN),
    column("hospital_nights", "Nights in hospital in total.", "integer", "night"),
    column("new_lump", "A new lump or swelling noticed (lymph nodes; possible new "
           "malignancy, to be assessed by the team).", "boolean", codes=BOOLEAN),
    column("disease_signs", "Signs of the disease coming back the family ticked.", "codes",
           codes=DISEASE_SIGNS),
    column("flare_muscle_weakness", "Myositis flare sign: harder to climb stairs or lift "
           "the arms.", "code", codes=YES_NO_NOT_SURE),
    column("flare_skin_tightening", "Systemic sclerosis flare sign: skin tighter or "
           "harder.", "code", codes=YES_NO_NOT_SURE),
    column("flare_raynaud", "Systemic sclerosis flare sign: Raynaud's more than before.",
           "code", codes=YES_NO_NOT_SURE),
    column("flare_foamy_urine", "Lupus nephritis flare sign: foamy urine.", "code",
           codes=YES_NO_NOT_SURE),
    column("school_work", "School or work at the moment.", "code", codes=SCHOOL),
    column("days_missed", "Days of school or work missed because of health.", "integer",
           "day"),
)
SCORE_ROWS = (
    KEY,
    column("day_post_infusion", "Day the form was filled in.", "integer", DAY),
    column("questionnaire", "Which Homeward instrument (its own wording, not a licensed "
           "one).", "code", codes=QUESTIONNAIRES),
    column("variant", "The instrument's variant (respondent and age).", "text"),
    column("score", "Which score of the instrument.", "code", codes=SCORES),
    column("value", "The score.", "decimal", "score points"),
)
TABLES = {"patients.csv": PATIENTS, "toxicity_summary.csv": SUMMARY,
          "toxicity_events.csv": EVENTS, "follow_up.csv": FOLLOW_UPS, "scores.csv": SCORE_ROWS}


def rows_of(dataset) -> dict[str, list[dict]]:
    out = {name: [] for name in TABLES}
    for child in dataset["patients"]:
        key = {"pseudonym": child["pseudonym"]}
        out["patients.csv"].append({**key, "site_code": dataset["site_code"],
                                    "registry": dataset["registry"], **child})
        toxicity = child["toxicity"]
        flat = {f"{kind}_{name}": value for kind, values in toxicity.items()
                if isinstance(values, dict) for name, value in values.items()}
        flat.update({f"{kind}_events": flat.pop(f"{kind}_count") for kind in
                     ("crs", "icans", "icaht", "licats", "infection", "hlh", "other")})
        out["toxicity_summary.csv"].append({**key, **flat, "treatments": toxicity["treatments"],
                                            "icu_days": toxicity["icu_days"]})
        out["toxicity_events.csv"] += [{**key, **event} for event in child["events"]]
        out["follow_up.csv"] += [{**key, **row} for row in child["follow_ups"]]
        out["scores.csv"] += [{**key, **row} for row in child["scores"]]
    return out


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(sorted(str(v) for v in value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render_csv(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([cell(row.get(c.name)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def render_dictionary() -> bytes:
    columns = (column("file", "", "text"), column("column", "", "text"),
               column("meaning", "", "text"), column("type", "", "text"),
               column("unit", "", "text"), column("codes", "", "text"))
    rows = [{"file": name, "column": c.name, "meaning": c.meaning, "type": c.type,
             "unit": c.unit, "codes": " | ".join(f"{code}={label}" for code, label
                                                 in (c.codes or {}).items())}
            for name, table in TABLES.items() for c in table]
    return render_csv(columns, rows)


def render_tables(dataset) -> dict[str, bytes]:
    rows = rows_of(dataset)
    files = {name: render_csv(TABLES[name], rows[name]) for name in TABLES}
    files["data_dictionary.csv"] = render_dictionary()
    return files
