"""The phone's evaluator (server/family/static/js/rules/evaluate.js) against the server's
(alerts/evaluate.py) on random entries and contexts: temperatures on either side of every
threshold, every diary item, neuro-check and quality-of-life scores against baselines, ages,
days post infusion, readings around the sustained-fever and 24 h edges, site parameters and a
child's overrides, both as the vectors pass them (in the context) and as the pull serves them
(inside the document). Any difference, findings or evidence or advice, fails.

One long-lived node process answers every case over a pipe (tests/js/support/
rules-driver.mjs). HOMEWARD_DIFFERENTIAL_EXAMPLES raises the number of cases (default 400).
Without node this skips with a reason, unless REQUIRE_NODE_TESTS=1 makes that a failure.
"""
import json
import math
import os
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from alerts.evaluate import evaluate, evaluate_silence, ruleset_document
from alerts.ruleset import RulesError, load_default_ruleset, parse_ruleset
from questionnaires import load_catalog
from support.phone_rules import start_phone_evaluator

ROOT = Path(__file__).resolve().parents[2]
RULES = load_default_ruleset()
DEFAULT_DOCUMENT = json.loads((ROOT / "alerts" / "rules" / "default.json").read_text("utf-8"))
EXAMPLES = int(os.environ.get("HOMEWARD_DIFFERENTIAL_EXAMPLES", "400"))
SAFE_INTEGER = 2 ** 53 - 1   # beyond it a JSON number means different things in JS and Python
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
OFFSETS = [timezone.utc, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30)),
           timezone(timedelta(hours=-9, minutes=-30))]


@pytest.fixture(scope="module")
def phone():
    evaluator = start_phone_evaluator()
    yield evaluator
    evaluator.close()


# ---- the server side -------------------------------------------------------------------

@lru_cache(maxsize=64)
def ruleset_from(document_text):
    return parse_ruleset(json.loads(document_text), "served")


def on_server(document, how, entry, context):
    """What the server finds, in the shape JSON gives the phone, or "error"."""
    try:
        ruleset = ruleset_from(json.dumps(document, sort_keys=True))
        found = (evaluate_silence(ruleset, context) if how == "silence"
                 else evaluate(ruleset, entry, context))
    except (RulesError, ValueError, TypeError):
        return "error"
    return json.loads(json.dumps([finding.to_dict() for finding in found]))


def on_phone(phone, document, how, entry, context):
    answer = phone.ask(document, how, entry=entry, context=context)
    return "error" if "error" in answer else answer["findings"]


# ---- what is generated -----------------------------------------------------------------

def diary_items():
    items = {}
    for definition in load_catalog():
        if definition.id == "symptom-diary":
            for item in definition.items:
                known = items.setdefault(item.link_id, (item.type, set()))
                known[1].update(item.option_values())
    return {link_id: (kind, sorted(options)) for link_id, (kind, options) in items.items()}


DIARY = diary_items()
THRESHOLDS = [36.5, 37.0, 37.4, 37.5, 37.7, 37.8, 38.0, 38.3, 38.5, 39.0, 40.0]
safe_integers = st.integers(-SAFE_INTEGER, SAFE_INTEGER)
json_values = st.recursive(
    st.none() | st.booleans() | safe_integers | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda children: (st.lists(children, max_size=3)
                      | st.dictionaries(st.text(max_size=5), children, max_size=3)),
    max_leaves=6)
temperatures = (st.sampled_from(THRESHOLDS).flatmap(
                    lambda t: st.sampled_from([t - 0.1, t, t + 0.1, round(t - 0.1, 1)]))
                | st.floats(35, 42).map(lambda t: round(t, 1)) | st.integers(35, 42))


def answer_for(link_id):
    kind, options = DIARY[link_id]
    if link_id == "temperature_c":
        plausible = temperatures
    elif link_id == "temperature_method":
        plausible = st.sampled_from(options + ["any", "toe"])
    elif link_id == "fever_medicine_hours":
        plausible = st.sampled_from([0, 5.9, 6, 6.0, 6.1, 12]) | st.floats(0, 24)
    elif link_id == "spo2_percent":
        plausible = st.integers(80, 100) | st.sampled_from([89, 89.9, 90, 93, 94])
    elif kind == "boolean":
        plausible = st.booleans()
    elif kind == "multi-choice":
        plausible = st.lists(st.sampled_from(options), max_size=4, unique=True)
    else:
        plausible = st.text(max_size=12)
    return st.one_of(plausible, plausible, plausible, json_values)


diary_answers = st.fixed_dictionaries(
    {}, optional={link_id: answer_for(link_id) for link_id in DIARY})


def moment(minutes_before_now):
    """RFC 3339 text in one of several offsets, sometimes with a fraction or a Z."""
    return st.tuples(st.sampled_from(OFFSETS), st.sampled_from([0, 0, 0, 250_000]),
                     st.booleans()).map(lambda parts: _written(
                         NOW - timedelta(minutes=minutes_before_now, microseconds=-parts[1]),
                         parts[0], parts[2]))


def _written(at, offset, zulu):
    text = at.astimezone(offset).isoformat()
    return text.replace("+00:00", "Z") if zulu else text


EDGES = [0, 1, 14, 15, 59, 60, 61, 119, 120, 240, 1439, 1440, 1441, 1500, -1, -60]
reading = st.fixed_dictionaries({
    "at": st.one_of(st.sampled_from(EDGES) | st.integers(-120, 1800)).flatmap(moment),
    "temperature_c": st.one_of(temperatures, temperatures, json_values),
    "method": st.sampled_from(["oral", "axillary", "ear", "rectal", None, "any", 3])})
a_bad_time = st.sampled_from(["2026-11-20T03:00:00", "yesterday", "", 12])
# Hypothesis leans towards 0 and the ends of a range: a middle number keeps wrong input rare,
# so that most cases reach the rules rather than the refusal.
rarely = st.integers(0, 19).map(lambda n: n == 7)


def parameter_value(declared):
    low, high = declared.get("min", 0), declared.get("max", 100)
    kind = declared["type"]
    whole = st.integers(math.ceil(low), math.floor(high))
    if kind == "integer":
        return whole
    number = st.floats(low, high).map(lambda v: min(max(round(v, 2), low), high)) | whole
    if kind == "number":
        return number
    if kind == "range":
        return st.tuples(st.integers(int(low), min(int(high), 200)),
                         st.integers(int(low), min(int(high), 200))).map(sorted)
    methods = st.dictionaries(st.sampled_from(["oral", "axillary", "ear", "forehead", "rectal"]),
                              number, max_size=3)
    return number | st.tuples(number, methods).map(lambda pair: {"any": pair[0], **pair[1]})


SITE_TEMPERATURES = {"fever_threshold_c": {"any": 38.0, "oral": 38.3, "axillary": 37.7},
                     "sustained_fever_c": {"any": 38.0, "oral": 38.0, "axillary": 37.4}}
random_site = st.fixed_dictionaries({}, optional={name: parameter_value(declared)
                                                  for name, declared in RULES.parameters.items()})
good_site = st.one_of(
    st.none(), st.just({}), st.just(SITE_TEMPERATURES), random_site,
    random_site.map(lambda site: {**SITE_TEMPERATURES, **site}))
# now and then a value a site should never have set: both sides must refuse it
bad_site = st.sampled_from([{"fever_threshold_c": 100.4}, {"spo2_urgent_below": True},
                            {"fever_treshold_c": 38.0}, {"fever_threshold_c": {"oral": 38.3}}])
site_parameters = st.tuples(rarely, good_site, bad_site).map(lambda t: t[2] if t[0] else t[1])
watched = {link_id: sorted(values) for link_id, values in RULES.watched_signs.items()}


@st.composite
def patient_overrides(draw):
    if draw(st.integers(0, 3).map(lambda n: n == 2)):
        return None
    overrides = {}
    for key in ("baseline_signs", "always_report_signs"):
        if draw(st.booleans()):
            overrides[key] = {link_id: draw(st.lists(st.sampled_from(values), max_size=2,
                                                     unique=True))
                              for link_id, values in watched.items() if draw(st.booleans())}
    if draw(st.booleans()):
        overrides["parameters"] = draw(st.fixed_dictionaries({}, optional={
            name: parameter_value(RULES.parameters[name])
            for name in ("fever_threshold_c", "spo2_urgent_below", "neuro_drop_points",
                         "organ_flare_window_days")}))
    if draw(rarely):
        overrides[draw(st.sampled_from(["baseline_sign", "parameters"]))] = {"seizure": ["x"]}
    return overrides


def age_context():
    return st.sampled_from([(None, None), (1, "0-1"), (3, "2-4"), (6, "5-7"), (11, "8-12"),
                            (12, "13-17"), (17, "13-17"), (19, "18+")])


QUESTIONNAIRES = {
    "symptom-diary": (st.sampled_from(["caregiver", "self-report", "pictures"]), st.just({})),
    "neuro-check": (st.sampled_from(["ice-style", "capd-style"]),
                    st.fixed_dictionaries({"total": st.integers(0, 32) | json_values})),
    "quality-of-life": (st.sampled_from(["caregiver-8-12", "self-13-17"]),
                        st.fixed_dictionaries({"total": st.floats(0, 100)
                                               | st.sampled_from([64.1, 54.1, 72.5])},
                                              optional={"physical": st.floats(0, 100)})),
    "caregiver-wellbeing": (st.just("caregiver"),
                            st.fixed_dictionaries({"distress": st.integers(0, 10)
                                                   | st.floats(0, 10)})),
}


@st.composite
def entries(draw):
    questionnaire_id = draw(st.sampled_from(sorted(QUESTIONNAIRES) + ["other"]))
    variants, scores = QUESTIONNAIRES.get(questionnaire_id, (st.just(None), st.just({})))
    entry = {"questionnaire_id": questionnaire_id, "variant": draw(variants),
             "answers": draw(diary_answers) if questionnaire_id == "symptom-diary" else {},
             "scores": draw(scores)}
    recorded = "bad" if draw(rarely) else draw(st.sampled_from(["now", "now", "later", "absent"]))
    if recorded != "absent":
        entry["recorded_at"] = (draw(moment(0)) if recorded == "now" else draw(moment(-30))
                                if recorded == "later" else draw(a_bad_time))
    return entry


@st.composite
def contexts(draw):
    age_years, band = draw(age_context())
    return {
        "now": draw(a_bad_time) if draw(rarely) else draw(moment(0)),
        "age_years": age_years, "age_band": band,
        "day_post_infusion": draw(st.none() | st.integers(-3, 70) | st.sampled_from([0, 60, 61])),
        "baseline": draw(st.none() | st.fixed_dictionaries({
            "neuro_check_total": st.none() | st.integers(0, 32) | json_values,
            "neuro_check_variant": st.sampled_from(["ice-style", "capd-style", None]),
            "quality_of_life_total": st.none() | st.floats(0, 100)
            | st.sampled_from([64.1, 82.5])})),
        "previous_diary_answers": draw(st.none() | diary_answers),
        "recent_temperatures": draw(st.lists(reading, max_size=5)) + (
            [{"at": draw(a_bad_time), "temperature_c": 38.0}] if draw(rarely) else []),
        "parameters": draw(site_parameters),
        "patient_overrides": draw(patient_overrides()),
    }


@st.composite
def fever_runs(draw, entry, context):
    """A run of readings around a sustained-fever threshold in the hour or day before: the
    only way `sustained` decides anything is a reading under the fever threshold."""
    method = draw(st.sampled_from(["oral", "axillary", None]))
    level = {"oral": 38.0, "axillary": 37.4, None: 38.0}[method]
    near = st.sampled_from([round(level - 0.1, 1), level, round(level + 0.1, 1),
                            round(level + 0.2, 1)])
    answers = {"temperature_c": draw(near), **({"temperature_method": method} if method else {})}
    readings = [{"at": draw(moment(minutes)), "temperature_c": draw(near),
                 "method": draw(st.sampled_from([method, method, method, "oral", None]))}
                for minutes in draw(st.lists(st.sampled_from([20, 40, 59, 60, 61, 90, 1439, 1441]),
                                             min_size=1, max_size=4, unique=True))]
    return ({**entry, "questionnaire_id": "symptom-diary", "answers": answers,
             "recorded_at": draw(moment(0))},
            {**context, "recent_temperatures": readings,
             "parameters": draw(st.sampled_from([{}, SITE_TEMPERATURES, SITE_TEMPERATURES]))})


@st.composite
def silences(draw):
    age_years, band = draw(age_context())
    hours = (st.sampled_from([11.99, 12, 12.01, 23.99, 24, 30, 0.5]).map(lambda h: round(h * 60))
             | st.integers(0, 3000))
    return {"now": draw(moment(0)), "age_years": age_years, "age_band": band,
            "day_post_infusion": draw(st.none() | st.integers(-2, 20)),
            "last_temperature_at": draw(st.none() | hours.flatmap(moment)),
            "watch_started_at": draw(st.none() | hours.flatmap(moment)),
            "parameters": draw(site_parameters), "patient_overrides": draw(patient_overrides())}


def as_served(context):
    """The document the pull serves for this site and child, and the phone's context for it:
    the document's own values apply, so no parameters or overrides beside it."""
    try:
        document = ruleset_document(RULES, context.get("parameters"),
                                    context.get("patient_overrides"))
    except RulesError:
        return DEFAULT_DOCUMENT, context
    return document, {**context, "parameters": None, "patient_overrides": None}


CASES = settings(max_examples=EXAMPLES, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])


def assert_same(phone, document, how, entry, context):
    expected = on_server(document, how, entry, context)
    found = on_phone(phone, document, how, entry, context)
    assert found == expected, json.dumps({"entry": entry, "context": context}, indent=1)


@st.composite
def cases(draw):
    entry, context = draw(entries()), draw(contexts())
    if draw(st.integers(0, 3).map(lambda n: n == 2)):
        entry, context = draw(fever_runs(entry, context))
    return entry, context


@CASES
@given(case=cases(), served=st.booleans())
def test_it_finds_on_the_phone_what_the_server_finds_for_any_entry(phone, case, served):
    entry, context = case
    document, context = as_served(context) if served else (DEFAULT_DOCUMENT, context)
    assert_same(phone, document, "entry", entry, context)


@settings(CASES, max_examples=max(EXAMPLES // 4, 50))
@given(context=silences(), served=st.booleans())
def test_it_finds_on_the_phone_what_the_server_finds_for_any_silence(phone, context, served):
    document, context = as_served(context) if served else (DEFAULT_DOCUMENT, context)
    assert_same(phone, document, "silence", {}, context)


def test_it_sees_a_difference_when_the_phone_answers_otherwise(phone):
    # The comparison itself can fail: a document whose fever starts lower on the phone only.
    lower = json.loads(json.dumps(DEFAULT_DOCUMENT))
    lower["parameters"]["fever_threshold_c"]["default"] = {"any": 37.9}
    entry = {"questionnaire_id": "symptom-diary", "variant": "caregiver",
             "answers": {"temperature_c": 37.9}, "scores": {}, "recorded_at": NOW.isoformat()}
    context = {"now": NOW.isoformat(), "parameters": {}, "patient_overrides": None}
    on_this_phone = on_phone(phone, lower, "entry", entry, context)
    assert on_this_phone != on_server(DEFAULT_DOCUMENT, "entry", entry, context)
