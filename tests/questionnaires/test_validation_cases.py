"""The validation cases the family app's validator shares (tests/data/form_validation_cases.json).

The app checks answers on the phone with server/family/static/js/forms/validate.js, and
tests/js/forms-validate.test.mjs runs it over the same cases. This test proves each case's
expected verdict against the real validator, and that each definition in the file is exactly
what the pull feed serves, so neither the data nor the JavaScript can drift from Python.
"""
import json
from pathlib import Path

import pytest

from questionnaires import load_catalog, parse_definition, validate_answers
from questionnaires.schemas import dump_definition

CASES_FILE = Path(__file__).parents[1] / "data" / "form_validation_cases.json"
DATA = json.loads(CASES_FILE.read_text(encoding="utf-8"))


def definition_named(name):
    return parse_definition(DATA["definitions"][name]["document"], source=f"{CASES_FILE.name}: {name}")


@pytest.mark.parametrize("name", sorted(DATA["definitions"]))
def test_it_holds_each_definition_exactly_as_the_pull_feed_serves_it(name):
    entry = DATA["definitions"][name]
    shipped = entry.get("shipped")
    if shipped:
        definition = load_catalog().get(shipped["id"], shipped["version"], shipped["variant"])
        served = dump_definition(definition, shipped["language"])
    else:
        # A definition made for the cases: legal by the loader's rules, and in served shape.
        served = dump_definition(definition_named(name), entry["document"]["languages"][0])
    assert entry["document"] == served


@pytest.mark.parametrize("case", DATA["cases"], ids=[case["name"] for case in DATA["cases"]])
def test_it_gives_the_verdict_the_shared_case_expects(case):
    result = validate_answers(definition_named(case["definition"]), case["answers"])
    assert [[error.code, error.field] for error in result.errors] == case["problems"]
    assert result.valid_answers == case["valid"]
    assert result.ok is case["ok"]


def test_it_covers_every_item_type_and_operator():
    definitions = [definition_named(name) for name in DATA["definitions"]]
    types = {item.type for d in definitions for item in d.items}
    operators = {c.operator for d in definitions for item in d.items for c in item.enable_when}
    codes = {problem[0] for case in DATA["cases"] for problem in case["problems"]}
    from questionnaires.model import ITEM_TYPES, OPERATORS
    assert types == set(ITEM_TYPES)
    assert operators == set(OPERATORS)
    assert codes == {"invalid_answers", "unknown_item", "invalid_answer", "not_enabled", "required", "no_answers"}
