"""The evaluator checks a child's overrides and the site's parameters once per object, and
still answers for the overrides and parameters it is given on every call."""
from datetime import datetime, timezone

import pytest

from alerts.evaluate import evaluate
from alerts.ruleset import RulesError, load_default_ruleset

AT = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def diary(**answers):
    return {"questionnaire_id": "symptom-diary", "variant": None, "recorded_at": AT,
            "scores": {}, "answers": {"temperature_c": 36.8, "temperature_method": "oral",
                                      "spo2_percent": 98, **answers}}


def context(parameters=None, overrides=None):
    return {"now": AT, "day_post_infusion": 5, "age_years": 7, "age_band": "6-12",
            "baseline": {}, "previous_diary_answers": {"neuro_signs": []},
            "recent_temperatures": [], "parameters": parameters or {},
            "patient_overrides": overrides}


def reasons(findings):
    return sorted(finding.reason for finding in findings)


def test_it_follows_each_childs_overrides_through_a_push_of_many_children():
    ruleset = load_default_ruleset()
    tremor = diary(neuro_signs=["tremor"])
    usual = {"baseline_signs": {"neuro_signs": ["tremor"]}}
    site = {}
    # The same site object for everyone, as in a push; children alternate.
    answers = [reasons(evaluate(ruleset, tremor, context(site, usual if n % 2 else None)))
               for n in range(6)]
    assert answers == [["neuro_sign"], [], ["neuro_sign"], [], ["neuro_sign"], []]


def test_it_uses_the_site_threshold_it_is_given_not_the_last_one():
    ruleset = load_default_ruleset()
    warm = diary(temperature_c=37.8)
    default_site, strict_site = {}, {"fever_threshold_c": 37.5}
    assert "fever" not in reasons(evaluate(ruleset, warm, context(default_site)))
    assert "fever" in reasons(evaluate(ruleset, warm, context(strict_site)))
    assert "fever" not in reasons(evaluate(ruleset, warm, context(default_site)))


def test_it_refuses_bad_overrides_every_time_they_are_given():
    ruleset = load_default_ruleset()
    bad = {"baseline_signs": {"neuro_signs": ["hiccups"]}}
    for _ in range(2):
        with pytest.raises(RulesError, match="hiccups"):
            evaluate(ruleset, diary(), context({}, bad))
