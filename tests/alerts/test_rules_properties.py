"""Properties of the evaluator over entries nobody thought to write down: it never
crashes on answers of any JSON shape, an empty entry never alerts, the served document
agrees with the rule file, and a worse reading never gives a milder answer."""
from datetime import timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from alerts.evaluate import Finding, evaluate, ruleset_document
from alerts.ruleset import LEVELS, load_default_ruleset, parse_ruleset
from rules_support import NOW, base_context, base_entry

RULES = load_default_ruleset()
SERVED = parse_ruleset(ruleset_document(RULES, {"fever_threshold_c": {"any": 38.0, "oral": 38.3}}), "served")
LINK_IDS = ["temperature_c", "temperature_method", "fever_medicine_hours", "spo2_percent",
            "breathing_difficulty", "dizzy_or_fainting", "neuro_signs", "organ_signs", "notes",
            "distress", "knows_year"]
SIGNS = ["confusion", "speech", "tremor", "seizure", "unresponsive", "rash", "diarrhoea", "headache"]
QUESTIONNAIRES = ["symptom-diary", "neuro-check", "quality-of-life", "caregiver-wellbeing", "other", None]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12)
# Plausible values as well as wild ones, so that rules are reached and not only skipped.
answer_values = json_values | st.floats(34, 43) | st.integers(0, 100) | st.lists(st.sampled_from(SIGNS), max_size=4)
answers_dicts = st.dictionaries(st.sampled_from(LINK_IDS) | st.text(max_size=8), answer_values, max_size=8)
readings = st.lists(st.fixed_dictionaries({
    "at": st.integers(-30 * 60, 30 * 60).map(lambda minutes: NOW - timedelta(minutes=minutes)),
    "temperature_c": st.floats(34, 43) | json_values,
    "method": st.sampled_from(["oral", "axillary", "ear", "forehead", "rectal", None])}), max_size=5)
contexts = st.builds(
    base_context,
    day_post_infusion=st.none() | st.integers(-5, 6000),
    age_years=st.none() | st.integers(0, 30),
    baseline=st.fixed_dictionaries({"neuro_check_total": json_values | st.integers(0, 32),
                                    "neuro_check_variant": st.sampled_from(["ice-style", "capd-style", None]),
                                    "quality_of_life_total": json_values | st.floats(0, 100)}),
    previous_diary_answers=st.none() | answers_dicts,
    recent_temperatures=readings)
entries = st.builds(base_entry, st.sampled_from(QUESTIONNAIRES),
                    st.sampled_from(["caregiver", "ice-style", "capd-style", None]), answers_dicts,
                    st.dictionaries(st.sampled_from(["total", "distress", "physical"]), json_values | st.floats(0, 100)))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(entries, contexts)
def test_it_never_crashes_on_answers_of_any_json_shape(entry, context):
    found = evaluate(RULES, entry, context)
    assert all(isinstance(finding, Finding) for finding in found)
    severities = [LEVELS.index(finding.level) for finding in found]
    assert severities == sorted(severities)
    assert len({finding.reason for finding in found}) == len(found)


@FAST
@given(st.sampled_from(QUESTIONNAIRES), st.sampled_from(["caregiver", "ice-style", "capd-style"]), contexts)
def test_it_never_finds_anything_in_an_empty_entry(questionnaire_id, variant, context):
    # Scores come from answers, so an entry without answers has none either.
    assert evaluate(RULES, base_entry(questionnaire_id, variant, {}, {}), context) == []


@FAST
@given(entries, contexts)
def test_it_gives_the_same_findings_from_the_served_document(entry, context):
    site = {"fever_threshold_c": {"any": 38.0, "oral": 38.3}}
    on_server = evaluate(RULES, entry, {**context, "parameters": site})
    on_phone = evaluate(SERVED, entry, {**context, "parameters": None})
    assert [f.to_dict() for f in on_phone] == [f.to_dict() for f in on_server]


@FAST
@given(st.floats(34, 43), st.floats(0, 3), st.sampled_from(["oral", "axillary", "ear", None]), contexts)
def test_it_never_answers_a_higher_temperature_more_mildly(temperature, rise, method, context):
    def worst(value):
        answers = {"temperature_c": round(value, 1), **({"temperature_method": method} if method else {})}
        found = evaluate(RULES, base_entry(answers=answers), context)
        return min((LEVELS.index(f.level) for f in found), default=len(LEVELS))
    assert worst(min(temperature + rise, 43)) <= worst(temperature)


@FAST
@given(st.integers(50, 100), st.integers(0, 20), contexts)
def test_it_never_answers_a_lower_oxygen_level_more_mildly(spo2, fall, context):
    def worst(value):
        found = evaluate(RULES, base_entry(answers={"spo2_percent": value}), context)
        return min((LEVELS.index(f.level) for f in found), default=len(LEVELS))
    assert worst(max(spo2 - fall, 50)) <= worst(spo2)
