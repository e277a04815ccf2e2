"""The validation cases the family app's validator shares (tests/data/form_validation_cases.json).

The app checks answers on the phone with server/family/static/js/forms/validate.js, and
tests/js/forms-validate.test.mjs runs it over the same cases. This test proves each case's
expected verdict against the real validator, and that each definition in the file is exactly
what the pull feed serves, so neither the data nor the JavaScript can drift from Python.
"""
import json
import os
import random
import shutil
import subprocess
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


# Beyond the hand-written cases: many seeded random entries for every shipped definition in
# both languages, checked by both validators in one node process. The values are what a
# broken or hostile app could send: edges of every range, wrong types, options of other
# items, duplicates, blanks, unknown names. Two things JSON cannot carry to JavaScript are
# left out, as validate.js says: integral floats on option items (2.0 is 2 there) and ISO
# forms no app writes (week dates, the basic format).
NODE = shutil.which("node")
VALIDATE_JS = Path(__file__).parents[2] / "server" / "family" / "static" / "js" / "forms" / "validate.js"
RUN_IN_NODE = """
import { validateAnswers } from %s;
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { definitions, entries } = JSON.parse(input);
const out = entries.map(([name, answers]) => {
  const result = validateAnswers(definitions[name], answers);
  return [result.ok, result.validAnswers, result.problems.map((p) => [p.code, p.field])];
});
process.stdout.write(JSON.stringify(out));
"""


def random_value(rng, item, others):
    numbers = [0, 1, -1, 2, 3, 4, 5, 10, 11, 49, 50, 100, 101, 366, 367, 34, 43, 33.9, 43.1, 38.6, 72, 72.5,
               0.5, 97.5, 1e300, -1e300]
    if item.min is not None:
        numbers += [item.min, item.min - 1, item.min + 0.5]
    if item.max is not None:
        numbers += [item.max, item.max + 1, item.max - 0.5]
    wrong = [True, False, None, "", "  ", "\u00a0", "\ufeff", "yes", "38,6", "38.6", [], [1], {}, {"a": 1}]
    own = list(item.option_values())
    borrowed = [value for other in others for value in other.option_values()]
    dates = ["2026-11-20T14:02:00-05:00", "2026-11-20T14:02Z", "2026-11-20 14:02:00+0100", "2026-11-20",
             "2026-11-20T14:02:00", "2026-02-30T10:00Z", "2026-11-20T24:00Z", "2026-11-20T14+01",
             "2026-11-20T14:02:00.123456789+01:00", "20 Nov 2026", "2026-11-20T14:02:60Z"]
    kind = item.type
    if kind in ("decimal", "integer"):
        pool = numbers * 3 + [float(n) for n in numbers if isinstance(n, int)] + wrong
    elif kind == "boolean":
        pool = [True, False] * 6 + [0, 1, "true"] + wrong
    elif kind == "multi-choice":
        lists = [rng.sample(own, rng.randint(0, len(own))) for _ in range(6)]
        pool = lists + [own[:1] * 2, own[:1] + borrowed[:1], own[:1] + [True], own[:1] + [1.5], "x"] + wrong
    elif kind in ("choice", "scale-0-4", "faces"):
        pool = own * 3 + borrowed + [1.5, "1", "2", 5, -1] + wrong
    elif kind == "text":
        pool = ["ok", "dolor de cabeza", "\U0001F436" * 3, "x" * ((item.max_length or 5000) + 1),
                "x" * (item.max_length or 5000), 42] + wrong
    else:
        pool = dates * 2 + [1763665320] + wrong
    return rng.choice(pool)


def random_entries(definitions, count_each, seed=11):
    rng = random.Random(seed)
    entries = []
    for name, document in definitions.items():
        definition = parse_definition(document, name)
        for _ in range(count_each):
            answers = {}
            for item in rng.sample(definition.items, rng.randint(0, len(definition.items))):
                others = [other for other in definition.items if other is not item]
                answers[item.link_id] = random_value(rng, item, others)
            if rng.random() < 0.15:
                answers[rng.choice(["temp", "Notes", "constructor", "x" * 90, "sch_attends"])] = 1
            entries.append((name, answers))
    return entries


def test_it_gives_the_same_verdict_as_the_app_on_many_random_entries():
    if NODE is None:
        # CI sets REQUIRE_NODE_TESTS=1, as for `make test-js`: a skip there would prove nothing.
        if os.environ.get("REQUIRE_NODE_TESTS") == "1":
            pytest.fail("REQUIRE_NODE_TESTS=1 but node is missing (apt-get install nodejs)")
        pytest.skip("node is not installed (apt-get install nodejs)")
    catalog = load_catalog()
    definitions = {f"{d.key}/{language}": dump_definition(d, language)
                   for qid in catalog.ids() for d in catalog.variants(qid) for language in d.languages}
    definitions.update({name: entry["document"] for name, entry in DATA["definitions"].items()})
    entries = random_entries(definitions, count_each=60)
    # What the phone would send: through JSON, as on the wire.
    entries = json.loads(json.dumps(entries))
    script = RUN_IN_NODE % json.dumps(VALIDATE_JS.as_uri())
    run = subprocess.run([NODE, "--input-type=module", "-e", script], input=json.dumps(
        {"definitions": definitions, "entries": entries}), capture_output=True, text=True, timeout=120, check=True)
    in_node = json.loads(run.stdout)
    assert len(in_node) == len(entries) > 2000
    parsed = {name: parse_definition(document, name) for name, document in definitions.items()}
    mismatches = []
    for (name, answers), (ok, valid, problems) in zip(entries, in_node):
        result = validate_answers(parsed[name], answers)
        expected = (result.ok, result.valid_answers, [[e.code, e.field] for e in result.errors])
        if expected != (ok, valid, problems):
            mismatches.append((name, answers, expected, (ok, valid, problems)))
    assert not mismatches, mismatches[:3]
    outcomes = {problem[0] for _, _, problems in in_node for problem in problems}
    assert outcomes >= {"unknown_item", "invalid_answer", "not_enabled", "required", "no_answers"}
