"""The phone's scoring (server/family/static/js/scoring/score.js) against the server's
(questionnaires/scoring.py) on random answers to every shipped definition, as the pull serves
it: answers in and out of range, items switched off by their condition (a child not at
school), too few answers for a domain, wrong types and unknown items. Any difference fails:
the neuro-check, quality-of-life and wellbeing rules read these scores, so a phone that
scored otherwise would advise otherwise.

One long-lived node process answers every case over a pipe (tests/js/support/
scoring-driver.mjs). HOMEWARD_DIFFERENTIAL_EXAMPLES raises the number of cases (default 400).
Without node this skips with a reason, unless REQUIRE_NODE_TESTS=1 makes that a failure.
"""
import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from questionnaires import load_catalog, score
from questionnaires.schemas import dump_definition

DRIVER = Path(__file__).resolve().parents[1] / "js" / "support" / "scoring-driver.mjs"
EXAMPLES = int(os.environ.get("HOMEWARD_DIFFERENTIAL_EXAMPLES", "400"))
DEFINITIONS = [definition for definition in load_catalog() if definition.scores]


class PhoneScoring:
    def __init__(self, node):
        self.process = subprocess.Popen([node, str(DRIVER)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8")
        self.sent = set()

    def score(self, name, document, answers):
        request = {"definition": name, "answers": answers}
        if name not in self.sent:
            request["definitions"] = {name: document}
            self.sent.add(name)
        self.process.stdin.write(json.dumps(request, allow_nan=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the node driver stopped answering"
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def phone():
    node = shutil.which("node")
    if node is None:
        if os.environ.get("REQUIRE_NODE_TESTS") == "1":
            pytest.fail("REQUIRE_NODE_TESTS=1 but node is missing (apt-get install nodejs)",
                        pytrace=False)
        pytest.skip("comparing with the phone's scoring needs node (apt-get install nodejs)")
    scoring = PhoneScoring(node)
    yield scoring
    scoring.close()


# ---- what is generated -----------------------------------------------------------------

# Wrong answers of every kind. No whole floats: JSON cannot tell 2.0 from 2, so a choice
# answered 2.0 is a known difference of the validators (js/forms/validate.js says so).
wrong = st.one_of(
    st.none(), st.booleans(), st.text(max_size=4), st.integers(-10, 40),
    st.floats(-10, 40).filter(lambda number: not number.is_integer()),
    st.lists(st.integers(0, 4), max_size=2), st.just({"value": 1}), st.just(""), st.just("  "))


def plausible(item):
    if item.type == "boolean":
        return st.booleans()
    if item.type in ("choice", "scale-0-4", "faces"):
        return st.sampled_from(item.option_values())
    if item.type == "multi-choice":
        return st.lists(st.sampled_from(item.option_values()), unique=True,
                        max_size=len(item.options))
    if item.type in ("integer", "decimal"):
        low = item.min if item.min is not None else -5
        high = item.max if item.max is not None else 50
        whole = st.integers(int(low), int(high))
        return whole if item.type == "integer" else whole | st.floats(low, high)
    return st.text(max_size=8)


def answer_for(item):
    likely = plausible(item)
    return st.one_of(likely, likely, likely, likely, likely, wrong)


@st.composite
def cases(draw):
    definition = draw(st.sampled_from(DEFINITIONS))
    language = draw(st.sampled_from(definition.languages))
    answers = {}
    # Score by score (in any order: a total holds the domains' items), answer a number of its
    # items around its missing-data rule (just under, at and over half, none, all), where a
    # port most easily goes wrong; exactly half of 16 also makes exact ties at the rounding.
    for rule in draw(st.permutations(definition.scores)):
        open_items = [link_id for link_id in rule.items if link_id not in answers]
        at = math.ceil(rule.min_answered * len(rule.items))
        size = draw(st.sampled_from(sorted({0, max(at - 1, 0), at, at + 1, len(open_items)}))
                    | st.integers(0, len(open_items)))
        for link_id in draw(st.permutations(open_items))[:size]:
            answers[link_id] = draw(answer_for(definition.item(link_id)))
    for item in definition.items:   # the items no score counts (and the school switch)
        if item.link_id not in answers and draw(st.booleans()):
            answers[item.link_id] = draw(answer_for(item))
    if draw(st.integers(0, 9).map(lambda n: n == 3)):
        answers[draw(st.sampled_from(["no_such_item", "constructor", "__proto__"]))] = 1
    return definition, language, answers


def served(definition, language):
    return dump_definition(definition, language)


CASES = settings(max_examples=EXAMPLES, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])


@CASES
@given(case=cases())
def test_it_scores_on_the_phone_what_the_server_scores_for_any_answers(phone, case):
    definition, language, answers = case
    name = f"{definition.key}/{language}"
    expected = score(definition, answers)
    found = phone.score(name, served(definition, language), answers)
    assert found == {"scores": expected}, json.dumps({"definition": definition.key,
                                                      "answers": answers})


def test_it_scores_every_shipped_definition_the_same_at_the_ends_of_each_scale(phone):
    # Every item at its lowest answer, then at its highest: every score of every definition
    # reaches both sides at least once, whatever hypothesis happens to draw.
    for definition in DEFINITIONS:
        for end in (0, -1):
            answers = {}
            for item in definition.items:
                if item.options:
                    answers[item.link_id] = item.option_values()[end]
                elif item.type == "boolean":
                    answers[item.link_id] = end == -1
                elif item.type in ("integer", "decimal") and item.min is not None:
                    answers[item.link_id] = item.max if end == -1 else item.min
            if "sch_attends" in answers:
                answers["sch_attends"] = True
            expected = score(definition, answers)
            assert any(value is not None for value in expected.values()), definition.key
            found = phone.score(f"{definition.key}/ends", served(definition, None), answers)
            assert found == {"scores": expected}, (definition.key, answers)


def test_it_rounds_exact_ties_as_the_server_does(phone):
    # Half of a 16-item total answered makes a mean of k/8, which the 0-100 transform turns
    # into exact ties like 96.875 and 3.125: Python rounds them half to even on the exact
    # value (3.12), where Math.round or toFixed would round up (3.13). Every sum, so every tie.
    for definition in DEFINITIONS:
        total = next((rule for rule in definition.scores if len(rule.items) == 16), None)
        if total is None or definition.item(total.items[0]).type != "scale-0-4":
            continue
        half = total.items[:8]
        for points in range(0, 33):
            answers = {link_id: min(4, max(0, points - 4 * index))
                       for index, link_id in enumerate(half)}
            expected = score(definition, answers)
            found = phone.score(f"{definition.key}/ties", served(definition, None), answers)
            assert found == {"scores": expected}, (definition.key, answers)


def test_it_sees_a_difference_when_the_phone_scores_otherwise(phone):
    # The comparison itself can fail: the phone given a domain that needs every item.
    qol = next(d for d in DEFINITIONS if d.id == "quality-of-life")
    strict = served(qol, None)
    for rule in strict["scoring"]:
        rule["min_answered"] = 1.0
    answers = dict.fromkeys(qol.scores[0].items[:3], 2)   # 3 of 5: enough on the server
    assert score(qol, answers)[qol.scores[0].id] == 50
    assert phone.score("strict", strict, answers) != {"scores": score(qol, answers)}
