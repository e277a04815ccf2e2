"""The rule language, operator by operator, on one-rule rule sets: what holds, what does
not, and the strictness that lets a phone give the same answer as the server."""
from datetime import timedelta

import pytest

from alerts.evaluate import evaluate
from alerts.ruleset import parse_ruleset

from rules_support import NOW, base_context, base_entry


def one_rule(when, parameters=None, questionnaires=("symptom-diary",)):
    return parse_ruleset({
        "format": "homeward-rules/1", "id": "test", "version": "1.0.0", "title": "one rule",
        "parameters": parameters or {"limit": {"type": "number", "default": 5, "description": "x"}},
        "rules": [{"id": "r", "questionnaires": list(questionnaires), "reason": "probe",
                   "level": "attention", "escalate_now": False, "description": "probe",
                   "when": when, "advice": {"en": "Call.", "es": "Llame."}}]})


def fires(when, answers=None, parameters=None, entry=None, **context) -> bool:
    entry = {**base_entry(answers=answers), **(entry or {})}
    return bool(evaluate(one_rule(when, parameters), entry, base_context(**context)))


def cond(op, left, right=None, **more):
    found = {"op": op, "left": left, **more}
    if right is not None:
        found["right"] = right
    return found


X = {"answer": "x"}


@pytest.mark.parametrize("op, value, expected", [
    (">=", 5, True), (">=", 4.9, False), (">", 5, False), (">", 5.1, True),
    ("<=", 5, True), ("<=", 5.1, False), ("<", 5, False), ("<", 4, True)])
def test_it_compares_numbers_with_each_comparison(op, value, expected):
    assert fires(cond(op, X, 5), {"x": value}) is expected
    assert fires(cond(op, X, {"param": "limit"}), {"x": value}) is expected


@pytest.mark.parametrize("value", ["5", True, None, [5], {"v": 5}])
def test_it_never_compares_a_number_with_something_else(value):
    assert not fires(cond(">=", X, 0), {"x": value})
    assert not fires(cond("<", X, 10), {"x": value})


def test_it_keeps_equality_strict_across_types():
    assert fires(cond("=", X, True), {"x": True})
    assert not fires(cond("=", X, True), {"x": 1})
    assert not fires(cond("=", X, 1), {"x": True})
    assert fires(cond("=", X, 1), {"x": 1.0})
    assert not fires(cond("=", X, "1"), {"x": 1})
    assert not fires(cond("=", X, "a"), {})


def test_it_tests_membership_with_in():
    assert fires(cond("in", X, ["oral", "ear"]), {"x": "ear"})
    assert not fires(cond("in", X, ["oral", "ear"]), {"x": "axillary"})
    assert not fires(cond("in", X, ["oral"]), {"x": ["oral"]})


def test_it_tests_multiple_choice_answers_with_contains_any():
    assert fires(cond("contains_any", X, ["rash", "seizure"]), {"x": ["headache", "seizure"]})
    assert not fires(cond("contains_any", X, ["seizure"]), {"x": ["headache"]})
    assert not fires(cond("contains_any", X, ["seizure"]), {"x": "seizure"})


@pytest.mark.parametrize("value, expected", [(0, True), (False, True), ("", False), ([], False),
                                             (None, False), (["a"], True)])
def test_it_counts_an_answer_as_existing_unless_it_is_empty(value, expected):
    assert fires({"op": "exists", "left": X}, {"x": value}) is expected
    assert not fires({"op": "exists", "left": X}, {})


def test_it_takes_between_as_inclusive_at_both_ends():
    when = cond("between", X, [2, 4])
    assert [fires(when, {"x": v}) for v in (1.9, 2, 3, 4, 4.1)] == [False, True, True, True, False]
    ranged = {"window": {"type": "range", "default": [0, 60], "description": "days"}}
    days = cond("between", {"context": "day_post_infusion"}, {"param": "window"})
    assert fires(days, {"x": 1}, ranged, day_post_infusion=60)
    assert not fires(days, {"x": 1}, ranged, day_post_infusion=61)
    assert not fires(days, {"x": 1}, ranged, day_post_infusion=None)


def test_it_combines_conditions_with_all_any_and_not():
    high, low = cond(">=", X, 5), cond("<", X, 2)
    assert fires({"all": [high, cond("=", {"answer": "y"}, True)]}, {"x": 6, "y": True})
    assert not fires({"all": [high, cond("=", {"answer": "y"}, True)]}, {"x": 6})
    assert fires({"any": [high, low]}, {"x": 1})
    assert not fires({"any": [high, low]}, {"x": 3})
    assert fires({"not": high}, {"x": 3})


def test_it_reads_age_age_band_and_entry_fields():
    teen = cond(">=", {"context": "age_years"}, 12)
    assert fires(teen, {"x": 1}, age_years=12)
    assert not fires(teen, {"x": 1}, age_years=11)
    young = cond("in", {"context": "age_band"}, ["2-4", "5-7"])
    assert fires(young, {"x": 1}, age_band="5-7")
    assert not fires(young, {"x": 1}, age_band="8-12")
    assert fires(cond("=", {"entry": "variant"}, "caregiver"), {"x": 1})
    assert not fires(cond("=", {"entry": "variant"}, "pictures"), {"x": 1})


def test_it_finds_values_new_since_the_previous_entry():
    when = cond("new_since_last", {"answer": "signs"}, ["a", "b"])
    assert fires(when, {"signs": ["a"]})
    assert fires(when, {"signs": ["a", "b"]}, previous_diary_answers={"signs": ["a"]})
    assert not fires(when, {"signs": ["a"]}, previous_diary_answers={"signs": ["a", "b"]})
    assert not fires(when, {"signs": ["c"]})
    assert fires(when, {"signs": ["a"]}, previous_diary_answers={"signs": "a"})


def test_it_measures_drops_and_rises_from_a_reference():
    drop = {"op": "drop_from", "left": {"score": "total"}, "from": {"context": "baseline.neuro_check_total"},
            "right": 2}
    rise = {**drop, "op": "rise_from"}
    baseline = {"neuro_check_total": 10}
    assert fires(drop, {"x": 1}, entry={"scores": {"total": 8}}, baseline=baseline)
    assert not fires(drop, {"x": 1}, entry={"scores": {"total": 9}}, baseline=baseline)
    assert not fires(drop, {"x": 1}, entry={"scores": {"total": 8}}, baseline={})
    assert fires(rise, {"x": 1}, entry={"scores": {"total": 12}}, baseline=baseline)
    assert not fires(rise, {"x": 1}, entry={"scores": {"total": 8}}, baseline=baseline)


def test_it_rounds_differences_so_decimal_scores_meet_their_threshold():
    drop = {"op": "drop_from", "left": {"score": "total"}, "from": 64.1, "right": 10}
    assert 64.1 - 54.1 < 10  # the binary arithmetic the rounding is there for
    assert fires(drop, {"x": 1}, entry={"scores": {"total": 54.1}})


def readings(*pairs):
    return [{"at": NOW - timedelta(minutes=minutes), "temperature_c": value, "method": "oral"}
            for minutes, value in pairs]


def test_it_finds_a_sustained_temperature_across_readings():
    when = {"op": "sustained", "right": 38.0, "minutes": 60}
    assert fires(when, {"temperature_c": 38.0}, recent_temperatures=readings((60, 38.5)))
    assert not fires(when, {"temperature_c": 38.0}, recent_temperatures=readings((59, 38.5)))
    assert not fires(when, {"temperature_c": 37.9}, recent_temperatures=readings((60, 38.5)))
    assert not fires(when, {"temperature_c": 38.0},
                     recent_temperatures=readings((90, 38.5), (30, 37.0)))
    assert not fires(when, {"temperature_c": 38.0})


def test_it_accepts_times_as_rfc_3339_strings_and_refuses_naive_ones():
    when = {"op": "sustained", "right": 38.0, "minutes": 60}
    as_text = [{"at": "2026-11-20T01:55:00-05:00", "temperature_c": 38.2, "method": "ear"}]
    assert fires(when, {"temperature_c": 38.0}, recent_temperatures=as_text)
    with pytest.raises(ValueError, match="timezone"):
        fires(when, {"temperature_c": 38.0},
              recent_temperatures=[{"at": "2026-11-20T07:00:00", "temperature_c": 38.2}])


def test_it_resolves_per_method_parameters_by_the_entrys_method():
    parameters = {"t": {"type": "per_method", "default": {"any": 38.0, "oral": 38.3},
                        "description": "x"}}
    when = cond(">=", {"answer": "temperature_c"}, {"param": "t"})
    assert not fires(when, {"temperature_c": 38.2, "temperature_method": "oral"}, parameters)
    assert fires(when, {"temperature_c": 38.2, "temperature_method": "ear"}, parameters)
    assert fires(when, {"temperature_c": 38.2}, parameters)


def test_it_only_applies_a_rule_to_the_questionnaires_it_names():
    ruleset = one_rule(cond(">=", X, 1), questionnaires=("neuro-check",))
    assert evaluate(ruleset, base_entry(answers={"x": 2}), base_context()) == []
    assert evaluate(ruleset, base_entry("neuro-check", "ice-style", {"x": 2}), base_context())
