"""Fixtures for the rules tests: the default rule set and evaluators that take only what a
test is about (the rest of the entry and context comes from rules_support)."""
from datetime import timedelta

import pytest

from alerts.evaluate import evaluate, evaluate_silence
from alerts.ruleset import load_default_ruleset
from rules_support import NOW, base_context, base_entry


@pytest.fixture(scope="session")
def rules():
    return load_default_ruleset()


@pytest.fixture
def now():
    return NOW


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
