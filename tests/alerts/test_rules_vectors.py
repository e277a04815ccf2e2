"""Runs every shared vector in alerts/rules/vectors, as any app implementation must
(docs/rules.md, "Test vectors"), against the rule file and against the served document."""
import json
from pathlib import Path

import pytest

from alerts.evaluate import evaluate, evaluate_silence, ruleset_document
from alerts.ruleset import load_default_ruleset, parse_ruleset

VECTOR_DIR = Path(__file__).resolve().parents[2] / "alerts" / "rules" / "vectors"
FILES = sorted(VECTOR_DIR.glob("*.json"))


def read_vectors():
    for path in FILES:
        document = json.loads(path.read_text(encoding="utf-8"))
        for vector in document["vectors"]:
            yield pytest.param(document["defaults"], vector, id=f"{path.stem}: {vector['name']}")


def run_vector(ruleset, defaults, vector) -> list:
    # Shallow merges only, so that a runner in any language does the same thing.
    entry = {**defaults.get("entry", {}), **vector.get("entry", {})}
    context = {**defaults.get("context", {}), **vector.get("context", {})}
    if vector.get("evaluate", "entry") == "silence":
        found = evaluate_silence(ruleset, context)
    else:
        found = evaluate(ruleset, entry, context)
    return [found_as_expected(finding, expected)
            for finding, expected in zip(found, vector["expect"] + [{}] * len(found))]


def found_as_expected(finding, expected) -> dict:
    """(reason, level, escalate_now), and measure_again_minutes where the vector names it."""
    shown = {"reason": finding.reason, "level": finding.level, "escalate_now": finding.escalate_now}
    if "measure_again_minutes" in expected:
        shown["measure_again_minutes"] = finding.measure_again_minutes
    return shown


@pytest.fixture(scope="module")
def served():
    # What the pull feed hands the app, loaded back: it must agree with the rule file.
    return parse_ruleset(ruleset_document(load_default_ruleset(), {}), "served")


@pytest.mark.parametrize("defaults, vector", list(read_vectors()))
def test_it_gives_each_vector_its_expected_findings(rules, served, defaults, vector):
    assert run_vector(rules, defaults, vector) == vector["expect"]
    assert run_vector(served, defaults, vector) == vector["expect"]


def test_it_has_vector_files_in_the_declared_format():
    assert len(FILES) >= 8
    for path in FILES:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["format"] == "homeward-rule-vectors/1", path.name
        assert document["ruleset"] == "homeward-default", path.name
        names = [vector["name"] for vector in document["vectors"]]
        assert len(names) == len(set(names)), f"{path.name} repeats a vector name"


def test_it_has_a_vector_where_every_default_rule_fires_and_one_where_nothing_does():
    expected = set()
    empty = 0
    for path in FILES:
        for vector in json.loads(path.read_text(encoding="utf-8"))["vectors"]:
            expected |= {(f["reason"], f["level"]) for f in vector["expect"]}
            empty += not vector["expect"]
    every_rule = {(rule.reason, rule.level) for rule in load_default_ruleset().rules}
    assert every_rule <= expected, every_rule - expected
    assert empty >= 20


def test_it_pins_the_measure_again_minutes_of_every_rule_that_asks_for_them():
    asking = {rule.reason: rule.measure_again_minutes for rule in load_default_ruleset().rules
              if rule.measure_again_minutes is not None}
    pinned = {}
    for path in FILES:
        for vector in json.loads(path.read_text(encoding="utf-8"))["vectors"]:
            pinned.update({f["reason"]: f["measure_again_minutes"] for f in vector["expect"]
                           if f.get("measure_again_minutes") is not None})
    assert asking == {"borderline_temperature": 60}
    assert pinned == asking
