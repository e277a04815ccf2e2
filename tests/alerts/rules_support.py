"""Entries and contexts for the rules tests, so each test states only what it is about."""
from datetime import datetime, timezone

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def base_context(**changes) -> dict:
    context = {"now": NOW, "age_years": 11, "age_band": "8-12", "day_post_infusion": 4,
               "baseline": {"neuro_check_total": None, "neuro_check_variant": None,
                            "quality_of_life_total": None},
               "previous_diary_answers": None, "recent_temperatures": [], "parameters": {},
               "patient_overrides": None}
    context.update(changes)
    return context


def base_entry(questionnaire_id="symptom-diary", variant="caregiver", answers=None,
               scores=None, recorded_at=NOW) -> dict:
    return {"questionnaire_id": questionnaire_id, "variant": variant, "answers": answers or {},
            "scores": scores or {}, "recorded_at": recorded_at}
