"""Builders for entries and contexts, so each rules test states only what it is about."""
from datetime import datetime, timedelta, timezone

import pytest

from alerts.evaluate import evaluate, evaluate_silence
from alerts.ruleset import load_default_ruleset

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def rules():
    return load_default_ruleset()


@pytest.fixture
def now():
    return NOW


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


@pytest.fixture
def findings(rules):
    """findings(answers, questionnaire_id=..., scores=..., **context) → the Finding list."""
    def run(answers=None, *, questionnaire_id="symptom-diary", variant="caregiver", scores=None,
            ruleset=None, **context):
        entry = base_entry(questionnaire_id, variant, answers, scores)
        return evaluate(ruleset or rules, entry, base_context(**context))
    return run


@pytest.fixture
def reasons(findings):
    """reasons(...) → [(reason, level, escalate_now), ...] in the evaluator's order."""
    def run(*args, **kwargs):
        return [(f.reason, f.level, f.escalate_now) for f in findings(*args, **kwargs)]
    return run


@pytest.fixture
def silence(rules):
    def run(hours_silent=None, ruleset=None, **context):
        values = {"now": NOW, "day_post_infusion": 3, "age_years": 11, "age_band": "8-12",
                  "last_temperature_at": None if hours_silent is None
                  else NOW - timedelta(hours=hours_silent)}
        values.update(context)
        return [(f.reason, f.level) for f in evaluate_silence(ruleset or rules, values)]
    return run
