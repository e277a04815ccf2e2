"""Where a stored entry meets the safety rules (DESIGN.md step 5): build the patient's
context, evaluate, open or extend episodes, queue notifications, in the push's transaction.

The context is read in the entry's own time, not arrival time: an entry recorded yesterday
and synced today is compared with what came before it yesterday, and its day post infusion
is the day it happened.
"""
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from questionnaires import age_band, age_on, local_date

from .episodes import record_findings, utc
from .drift import note_phone_advice
from .evaluate import evaluate

DIARY, NEURO_CHECK, QUALITY_OF_LIFE = "symptom-diary", "neuro-check", "quality-of-life"
RECENT = timedelta(hours=24)


@dataclass
class AlertSettings:
    ruleset: object                       # alerts.ruleset.RuleSet
    parameters: dict = field(default_factory=dict)   # the site's threshold overrides
    signature_for: object = None   # (overrides, cipher) -> the rules signature a phone holds


@dataclass
class BatchMemory:
    """What the entries of one push may share while its transaction holds the write lock:
    unsealed diary answers by entry id (a stored entry never changes), and each child's
    rule overrides and clinical profile (nobody else can change them before the push
    commits). Without it, each entry of a 500-entry push unsealed the same day of readings
    again (bench/RESULTS.md)."""

    answers: dict = field(default_factory=dict)     # entry_id -> unsealed valid answers
    overrides: dict = field(default_factory=dict)   # patient_id -> overrides or None
    profiles: dict = field(default_factory=dict)    # patient_id -> clinical_profile()


def assess_entry(db, stored, *, patient, cipher, settings, now, notify, memory=None):
    """Findings for one stored entry, judged under the lock from the database, turned into
    episodes; returns the push result's `alert` ({"alert_id", "level"}) or None. `patient`:
    patient_id, date_of_birth (date), timezone, infusion_date (ISO date). `memory`: a
    BatchMemory shared by one push. The caller notes the check-in (`note_checkins`)."""
    if stored.questionnaire_id is None:
        return None  # a document that did not parse has no answers to check
    context = build_context(db, cipher, patient, stored, settings, now, memory)
    findings = evaluate(settings.ruleset, entry_of(stored), context)
    return record_judgement(db, stored, findings, overrides=context["patient_overrides"],
                            cipher=cipher, settings=settings, now=now, notify=notify)


def entry_of(stored) -> dict:
    return {"questionnaire_id": stored.questionnaire_id,
            "variant": stored.definition.variant if stored.definition else None,
            "answers": stored.valid_answers, "scores": stored.scores,
            "recorded_at": stored.corrected_at}


def record_judgement(db, stored, findings, *, overrides, cipher, settings, now, notify):
    """What the findings for a stored entry write, under the lock: the phone's advice
    compared (alerts/drift.py), episodes opened or extended, their outbox rows."""
    if stored.phone_advice is not None:
        signature = settings.signature_for(overrides, cipher) if settings.signature_for else None
        note_phone_advice(db, stored, findings, now, signature)
    if not findings:
        return None
    return record_findings(
        db, patient_id=stored.patient_id, findings=findings, now=now, notify=notify,
        seal=lambda alert_id, column, value: cipher.seal_json("alerts", alert_id, column, value),
        entry_id=stored.entry_id, reported_late_minutes=stored.reported_late_minutes)


def patient_values(patient, moment) -> dict:
    day = local_date(moment, patient["timezone"])
    birth = patient["date_of_birth"]
    age = age_on(birth, max(day, birth))
    return {"day_post_infusion": (day - date.fromisoformat(patient["infusion_date"])).days,
            "age_years": age, "age_band": age_band(age)}


def build_context(db, cipher, patient, stored, settings, now, memory=None) -> dict:
    memory = memory if memory is not None else BatchMemory()
    previous, temperatures = diary_history(db, cipher, stored, memory)
    if stored.patient_id not in memory.overrides:
        memory.overrides[stored.patient_id] = patient_overrides(db, stored.patient_id, cipher)
        memory.profiles[stored.patient_id] = clinical_profile(db, stored.patient_id)
    return context_of(patient, stored, settings, now, previous=previous,
                      temperatures=temperatures,
                      overrides=memory.overrides[stored.patient_id],
                      profile=memory.profiles[stored.patient_id],
                      neuro_total=neuro_baseline(db, cipher, patient, stored),
                      quality_of_life_total=first_score(db, cipher, stored, QUALITY_OF_LIFE,
                                                        "total"))


def context_of(patient, stored, settings, now, *, previous, temperatures, overrides, profile,
               neuro_total=None, quality_of_life_total=None) -> dict:
    """The evaluator's context for `stored` from what was read of the child's history, by
    `build_context` under the lock or by alerts/foresight.py from a snapshot before it."""
    return {
        "now": now, **patient_values(patient, stored.corrected_at),
        "baseline": {
            "neuro_check_total": neuro_total,
            "neuro_check_variant": stored.definition.variant
            if stored.definition is not None and stored.questionnaire_id == NEURO_CHECK else None,
            "quality_of_life_total": quality_of_life_total,
        },
        "previous_diary_answers": previous,
        "recent_temperatures": temperatures,
        "parameters": settings.parameters,
        "patient_overrides": overrides,
        **profile,
    }


def clinical_profile(db, patient_id) -> dict:
    """The diagnosis and organs involved before CAR T from the physician's profile in force
    (server/records), codes kept in clear; None for each when none is recorded, and then
    the LICATS rule watches every organ."""
    row = db.execute("SELECT diagnosis, organs_involved FROM patient_profiles WHERE "
                     "patient_id = ? AND superseded_at IS NULL ORDER BY id DESC LIMIT 1",
                     [patient_id]).fetchone()
    if row is None:
        return {"diagnosis": None, "organs_involved": None}
    return {"diagnosis": row[0], "organs_involved": json.loads(row[1])}


def neuro_baseline(db, cipher, patient, stored):
    """The day -1 check (the latest of the same variant recorded before the infusion day,
    in the family's timezone) is the child's neuro baseline; without one, the first check
    after infusion, as before the schedule had a day -1 check."""
    if stored.questionnaire_id != NEURO_CHECK:
        return None
    day0 = datetime.combine(date.fromisoformat(patient["infusion_date"]), time(),
                            ZoneInfo(patient["timezone"]))
    row = db.execute(
        "SELECT entry_id, scores FROM entries WHERE patient_id = ? AND questionnaire_id = ? "
        "AND status = 'accepted' AND entry_id != ? AND corrected_at < ? AND corrected_at < ? "
        "AND variant = ? ORDER BY corrected_at DESC LIMIT 1",
        [stored.patient_id, NEURO_CHECK, stored.entry_id, utc(stored.corrected_at), utc(day0),
         stored.definition.variant if stored.definition else None]).fetchone()
    if row is not None and row[1] is not None:
        return (cipher.open_json("entries", row[0], "scores", row[1]) or {}).get("total")
    return first_score(db, cipher, stored, NEURO_CHECK, "total", same_variant=True)


def first_score(db, cipher, stored, questionnaire_id, score_id, same_variant=False):
    """The child's own baseline: their first accepted entry of that instrument (and of the
    same variant for the neuro check: a CAPD total and an ICE total are different scales)."""
    if stored.questionnaire_id != questionnaire_id:
        return None
    sql = ("SELECT entry_id, scores FROM entries WHERE patient_id = ? AND questionnaire_id = ? "
           "AND status = 'accepted' AND entry_id != ? AND corrected_at < ?")
    params = [stored.patient_id, questionnaire_id, stored.entry_id, utc(stored.corrected_at)]
    if same_variant:
        sql += " AND variant = ?"
        params.append(stored.definition.variant if stored.definition else None)
    row = db.execute(sql + " ORDER BY corrected_at LIMIT 1", params).fetchone()
    if row is None or row[1] is None:
        return None
    return (cipher.open_json("entries", row[0], "scores", row[1]) or {}).get(score_id)


def diary_rows(db, stored, since=None, limit=None):
    sql = ("SELECT entry_id, corrected_at, valid_answers FROM entries WHERE patient_id = ? "
           "AND questionnaire_id = ? AND entry_id != ? AND corrected_at < ?")
    params = [stored.patient_id, DIARY, stored.entry_id, utc(stored.corrected_at)]
    if since is not None:
        sql += " AND corrected_at >= ?"
        params.append(utc(since))
    sql += " ORDER BY corrected_at DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return db.execute(sql, params).fetchall()


def diary_history(db, cipher, stored, memory):
    """(the previous diary entry's answers or None, the temperatures of the 24 h before).
    The newest entry of those 24 h is the previous entry, so one query does for both unless
    the day before was empty; each entry is unsealed once per push."""
    recent = diary_rows(db, stored, stored.corrected_at - RECENT)
    previous = recent[:1] or diary_rows(db, stored, limit=1)
    if not previous:
        return None, []
    readings = []
    for entry_id, corrected_at, sealed in recent:
        answers = diary_answers(cipher, memory, entry_id, sealed) or {}
        if "temperature_c" in answers:
            readings.append({"at": corrected_at, "temperature_c": answers["temperature_c"],
                             "method": answers.get("temperature_method")})
    entry_id, _corrected_at, sealed = previous[0]
    return diary_answers(cipher, memory, entry_id, sealed), readings


def diary_answers(cipher, memory, entry_id, sealed):
    if entry_id not in memory.answers:
        memory.answers[entry_id] = cipher.open_json("entries", entry_id, "valid_answers",
                                                    sealed)
    return memory.answers[entry_id]


def patient_overrides(db, patient_id, cipher):
    """The physician's overrides in force for this child, or None; sealed at rest with the
    patient's key (`cipher`), since they say what is normal for this child."""
    row = db.execute("SELECT id, overrides FROM patient_rule_overrides WHERE patient_id = ? "
                     "AND ended_at IS NULL ORDER BY set_at DESC LIMIT 1",
                     [patient_id]).fetchone()
    if row is None:
        return None
    return cipher.open_json("patient_rule_overrides", str(row[0]), "overrides", row[1])


def note_checkins(db, stored_entries):
    """Missed check-ins count from the last temperature reading, kept in clear as a time
    so the scheduler can find silent families without unsealing anything. One statement per
    push: the row keeps the latest of each time, so the latest of the push's is enough."""
    latest = {}  # patient_id -> [last entry, last temperature]
    for stored in stored_entries:
        at = utc(stored.corrected_at)
        times = latest.setdefault(stored.patient_id, [at, None])
        times[0] = max(times[0], at)
        if "temperature_c" in stored.valid_answers:
            times[1] = max(times[1] or at, at)
    for patient_id, (last_entry_at, last_temperature_at) in latest.items():
        db.execute(
            "INSERT INTO patient_checkins (patient_id, last_temperature_at, last_entry_at) "
            "VALUES (?, ?, ?) ON CONFLICT(patient_id) DO UPDATE SET "
            "last_entry_at = MAX(COALESCE(last_entry_at, ''), excluded.last_entry_at), "
            "last_temperature_at = CASE WHEN excluded.last_temperature_at IS NULL "
            "THEN last_temperature_at ELSE MAX(COALESCE(last_temperature_at, ''), "
            "excluded.last_temperature_at) END",
            [patient_id, last_temperature_at, last_entry_at])


def silent_patients(db, now, window_days):
    """Patients in the monitoring window, with when their silence began: the last reading,
    or before any, the first enrolment of a device (nobody could report before that)."""
    return db.execute(
        "SELECT p.id, p.timezone, p.infusion_date, c.last_temperature_at, "
        "(SELECT MIN(enrolled_at) FROM devices d WHERE d.patient_id = p.id) AS watch_started "
        "FROM patients p LEFT JOIN patient_checkins c ON c.patient_id = p.id "
        "WHERE p.status = 'active' AND p.infusion_date BETWEEN ? AND ?",
        [(now.astimezone(timezone.utc).date() - timedelta(days=window_days[1] + 1)).isoformat(),
         (now.astimezone(timezone.utc).date() + timedelta(days=1)).isoformat()]).fetchall()
