"""Loading rule files, site parameters and patient overrides: a broken one is refused with
a message naming the file, the rule and what is wrong; and the served document is the same
rule set as the file."""
import copy
import json

import pytest

from alerts.evaluate import evaluate, ruleset_document
from alerts.grammar import problems_against_catalog
from alerts.ruleset import (
    DEFAULT_PATH, RulesError, checked_patient_overrides, effective_parameters, load_ruleset,
    load_site_parameters, parse_ruleset,
)
from questionnaires import load_catalog
from rules_support import base_context, base_entry


@pytest.fixture
def document():
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def rule(document, rule_id):
    return next(each for each in document["rules"] if each["id"] == rule_id)


def refused(document) -> str:
    with pytest.raises(RulesError) as caught:
        parse_ruleset(document, "site-rules.json")
    return str(caught.value)


def test_it_names_the_file_when_it_is_missing_or_not_json(tmp_path):
    with pytest.raises(RulesError, match=r"nowhere\.json: cannot be read"):
        load_ruleset(tmp_path / "nowhere.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "homeward-rules/1",\n "rules": [,]}')
    with pytest.raises(RulesError, match=r"broken\.json: not valid JSON \(line 2"):
        load_ruleset(broken)


def test_it_refuses_a_file_of_another_format(document):
    document["format"] = "homeward-questionnaire/1"
    assert refused(document).startswith("site-rules.json: format:")


def test_it_names_the_rule_and_the_path_of_an_unknown_operator(document):
    rule(document, "fever")["when"]["any"][0]["op"] = "=>"
    message = refused(document)
    assert "site-rules.json: rule 'fever': when.any[0]: unknown operator '=>'" in message


def test_it_refuses_a_parameter_that_does_not_exist(document):
    rule(document, "breathing")["when"]["any"][1]["right"] = {"param": "spo2_urgent_belwo"}
    assert "rule 'breathing': when.any[1].right: unknown parameter 'spo2_urgent_belwo'" in refused(document)


def test_it_refuses_a_range_parameter_where_a_number_belongs(document):
    rule(document, "breathing")["when"]["any"][1]["right"] = {"param": "monitoring_window_days"}
    assert "parameter 'monitoring_window_days' is a range" in refused(document)


def test_it_refuses_advice_missing_a_language(document):
    del rule(document, "seizure")["advice"]["es"]
    assert "rule 'seizure': advice needs es" in refused(document)


def test_it_refuses_an_unknown_level_by_rule_name(document):
    rule(document, "fever")["level"] = "critical"
    assert "rule 'fever': level: Must be one of" in refused(document)


def test_it_refuses_escalate_now_written_as_text(document):
    rule(document, "fever")["escalate_now"] = "true"
    assert "rule 'fever': escalate_now" in refused(document)


def test_it_refuses_a_rule_id_used_twice(document):
    document["rules"].append(copy.deepcopy(rule(document, "fever")))
    assert "rule 'fever': the id is used twice" in refused(document)


def test_it_refuses_a_default_in_the_wrong_unit(document):
    document["parameters"]["fever_threshold_c"]["default"] = {"any": 100.4}
    assert "fever_threshold_c: 100.4 is outside the allowed" in refused(document)


def test_it_refuses_answers_in_a_time_rule(document):
    rule(document, "missed-checkin")["when"]["all"][1]["left"] = {"answer": "temperature_c"}
    assert "rule 'missed-checkin': when.all[1].left: a time rule has no entry" in refused(document)


def test_it_refuses_an_entry_rule_that_names_no_questionnaire(document):
    del rule(document, "fever")["questionnaires"]
    assert "rule 'fever': an entry rule names the questionnaires it reads" in refused(document)


def test_it_refuses_suppression_by_a_less_severe_finding(document):
    rule(document, "fever")["suppressed_by"] = ["borderline_temperature"]
    assert "rule 'fever': suppressed_by: 'borderline_temperature' can be less severe" in refused(document)


def test_it_refuses_a_not_that_shares_its_object(document):
    rule(document, "fever")["when"] = {"not": {"op": "exists", "left": {"answer": "x"}}, "any": []}
    assert "rule 'fever': when: all, any and not each stand alone in their object (found any, not)" in refused(
        document)


def test_it_finds_answers_options_and_variants_the_questionnaires_do_not_have(document):
    rule(document, "fever")["when"]["any"][0]["left"] = {"answer": "temprature_c"}
    rule(document, "seizure")["when"]["right"] = ["seizures"]
    rule(document, "delirium-screen")["when"]["all"][0]["right"] = "capd_style"
    problems = problems_against_catalog(parse_ruleset(document).rules, load_catalog())
    assert "rule 'fever': no answer 'temprature_c' in its questionnaires" in problems
    assert "rule 'seizure': 'seizures' is not an option of neuro_signs" in problems
    assert "rule 'delirium-screen': no variant 'capd_style' of its questionnaires" in problems


def test_it_ships_a_default_rule_set_that_matches_the_shipped_questionnaires(rules):
    assert problems_against_catalog(rules.rules, load_catalog()) == []


@pytest.mark.parametrize("site, message", [
    ({"fever_threshold": 38.5}, "unknown parameter 'fever_threshold'"),
    ({"spo2_urgent_below": 93.5}, "spo2_urgent_below: must be a whole number"),
    ({"spo2_urgent_below": True}, "spo2_urgent_below: must be a whole number"),
    ({"high_fever_c": "39"}, "high_fever_c: must be a number or an object"),
    ({"fever_threshold_c": 100.4}, "100.4 is outside the allowed"),
    ({"fever_threshold_c": {"oral": 38.3}}, 'fever_threshold_c: needs "any"'),
    ({"fever_threshold_c": {"any": 38.0, "toe": 37.0}}, "unknown temperature method 'toe'"),
    ({"organ_flare_window_days": [60, 0]}, "the lowest value 60 is above the highest 0"),
    ({"qol_drop_points": None}, "qol_drop_points: must be a number"),
])
def test_it_refuses_site_parameters_with_unknown_names_or_wrong_values(rules, site, message):
    with pytest.raises(RulesError, match="site parameters: .*" + message.replace("(", r"\(")):
        effective_parameters(rules, site)


def test_it_reads_a_site_parameter_file_and_names_it_when_wrong(rules, tmp_path):
    good = tmp_path / "parameters.json"
    good.write_text(json.dumps({"fever_threshold_c": {"any": 38.0, "oral": 38.3}, "spo2_urgent_below": 95}))
    site = load_site_parameters(good, rules)
    assert effective_parameters(rules, site)["fever_threshold_c"] == {"any": 38.0, "oral": 38.3}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"spo2_urgent": 95}))
    with pytest.raises(RulesError, match=r"bad\.json: site parameters: unknown parameter 'spo2_urgent'"):
        load_site_parameters(bad, rules)


def test_it_lays_patient_values_over_site_values_over_defaults(rules):
    values = effective_parameters(rules, {"spo2_urgent_below": 95, "qol_drop_points": 12},
                                  {"parameters": {"spo2_urgent_below": 96}})
    assert (values["spo2_urgent_below"], values["qol_drop_points"], values["capd_positive_at"]) == (96, 12, 9)
    assert values["high_fever_c"] == {"any": 39.0}


@pytest.mark.parametrize("overrides, message", [
    ({"baseline_sign": {}}, "unknown key 'baseline_sign'"),
    ({"baseline_signs": {"neuro_signs": ["tremmor"]}}, "'tremmor' is not a sign the rules watch"),
    ({"baseline_signs": {"neuro_signs": ["seizure"]}}, "'seizure' is not a sign the rules watch"),
    ({"baseline_signs": {"notes": ["x"]}}, "no rule watches 'notes'"),
    ({"baseline_signs": {"neuro_signs": "tremor"}}, "neuro_signs must be a list"),
    ({"baseline_signs": {"neuro_signs": ["tremor"]}, "always_report_signs": {"neuro_signs": ["tremor"]}},
     "cannot be both"),
    ({"parameters": {"neuro_drop_points": 0}}, "neuro_drop_points: 0 is outside"),
])
def test_it_refuses_patient_overrides_that_would_not_do_what_the_physician_meant(rules, overrides, message):
    with pytest.raises(RulesError, match=message):
        checked_patient_overrides(rules, overrides)
    with pytest.raises(RulesError, match=message):
        evaluate(rules, base_entry(answers={"neuro_signs": ["tremor"]}),
                 base_context(patient_overrides=overrides))


def test_it_refuses_bad_site_parameters_at_evaluation_too(rules):
    with pytest.raises(RulesError, match="unknown parameter 'fever'"):
        evaluate(rules, base_entry(answers={"temperature_c": 38.0}), base_context(parameters={"fever": 1}))


def test_it_serves_a_document_with_the_sites_values_that_loads_as_the_same_rules(rules):
    site = {"fever_threshold_c": {"any": 38.0, "axillary": 37.7}, "spo2_urgent_below": 95}
    served = ruleset_document(rules, site)
    assert json.loads(json.dumps(served)) == served
    assert served["site_overridden"] == ["fever_threshold_c", "spo2_urgent_below"]
    assert served["parameters"]["spo2_urgent_below"]["default"] == 95
    reloaded = parse_ruleset(served, "served")
    entry = base_entry(answers={"temperature_c": 37.7, "temperature_method": "axillary", "spo2_percent": 94})
    on_server = evaluate(rules, entry, base_context(parameters=site))
    on_phone = evaluate(reloaded, entry, base_context(parameters=None))
    assert [f.reason for f in on_phone] == [f.reason for f in on_server] == ["fever", "breathing"]
    assert rules.defaults["spo2_urgent_below"] == 94  # the shipped rule set is untouched


def test_it_carries_one_patients_overrides_in_the_served_document(rules):
    served = ruleset_document(rules, {}, {"baseline_signs": {"neuro_signs": ["tremor"]}})
    reloaded = parse_ruleset(served, "served")
    tremor = base_entry(answers={"neuro_signs": ["tremor"]})
    assert evaluate(reloaded, tremor, base_context(patient_overrides=None)) == []
    assert evaluate(rules, tremor, base_context(patient_overrides=None)) != []
