"""A family's week of diary entries, each given advice on the phone (the app's evaluator with
the context the app builds from its own entries, js/rules/context.js) and then pushed with
that advice in `phone_advice`: the server, building its context from the database, must find
the same level every time, so `advice_drift` stays empty. Random weeks from fixed seeds, so
a failure names its seed and replays."""
import json
import random
from datetime import timedelta, timezone

import pytest

from server import create_app

from support.phone_rules import start_phone_evaluator
from test_sync_pull import by_type, pull_all

NEW_YORK = timezone(timedelta(hours=-5))
NEURO = ["confusion", "speech", "tremor", "headache", "sleepiness", "seizure", "balance"]
ORGAN = ["rash", "mouth_sores", "diarrhoea", "leg_swelling"]
METHODS = ["oral", "axillary", "ear", "forehead", "rectal"]
# A site whose single-reading fever is above its sustained one: only there does the phone's
# memory of earlier readings decide anything.
SITE = {"fever_threshold_c": {"any": 38.0, "oral": 38.3, "axillary": 37.7},
        "sustained_fever_c": {"any": 38.0, "oral": 38.0, "axillary": 37.4}}


@pytest.fixture(scope="module")
def phone():
    evaluator = start_phone_evaluator()
    yield evaluator
    evaluator.close()


def diary_answers(draw: random.Random) -> dict:
    answers = {}
    if draw.random() < 0.85:
        answers["temperature_c"] = round(draw.choice([36.8, 37.4, 37.5, 37.6, 37.9, 38.0, 38.1,
                                                      38.2, 38.3, 38.9, 39.0,
                                                      draw.uniform(36, 40)]), 1)
        if draw.random() < 0.8:
            answers["temperature_method"] = draw.choice(METHODS + ["oral", "axillary"] * 2)
    elif draw.random() < 0.5:
        answers["feels_hot"] = True
    if draw.random() < 0.2:
        answers["fever_medicine_hours"] = draw.choice([2, 6, 7, 12])
    if draw.random() < 0.15:
        answers["spo2_percent"] = draw.choice([88, 92, 95, 99])
    for link_id in ("breathing_difficulty", "dizzy_or_fainting"):
        if draw.random() < 0.1:
            answers[link_id] = True
    if draw.random() < 0.35:
        answers["neuro_signs"] = draw.sample(NEURO, draw.choice([1, 1, 2]))
    if draw.random() < 0.25:
        answers["organ_signs"] = draw.sample(ORGAN, 1)
    return answers or {"feels_hot": False}  # an entry needs an answer


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("site", [None, SITE], ids=["default thresholds", "site thresholds"])
def test_it_finds_on_the_server_what_the_phone_advised_for_every_entry_of_a_week(
        seed, site, family, config, clock, db, phone, tmp_path):
    if site is not None:
        (tmp_path / "site.json").write_text(json.dumps(site))
        app = create_app(config.with_overrides(rules_parameters_file=tmp_path / "site.json"),
                         clock=clock)
        family.client = app.test_client()
    draw = random.Random(seed)
    changes, _cursor, _pages = pull_all(family)
    rules = by_type(changes, "rules")["rules"]["data"]
    profile = by_type(changes, "profile")[family.patient_id]["data"]
    history = []
    for _ in range(30):
        # Twice a day, give or take, with now and then a reading an hour after the last.
        clock.advance(minutes=draw.choice([30, 59, 60, 65, 240, 600, 720, 900]))
        recorded_at = clock.now().astimezone(NEW_YORK).isoformat()
        document = family.document(diary_answers(draw), recorded_at=recorded_at)
        entry = {"entry_id": document["entry_id"], "questionnaire_id": "symptom-diary",
                 "variant": "caregiver", "answers": document["answers"], "scores": {},
                 "recorded_at": recorded_at}
        answer = phone.ask(rules, "phone", entry=entry, profile=profile, history=history,
                           now=recorded_at)
        assert "error" not in answer, answer
        levels = [finding["level"] for finding in answer["findings"]]
        document["phone_advice"] = {"level": levels[0] if levels else None,
                                    "rules_signature": rules["signature"]}
        response = family.push([family.envelope(document)])
        assert response.get_json()["results"][0]["status"] == "accepted", response.get_json()
        history.append(entry)
        drift = list(db.query("SELECT phone_level, server_level FROM advice_drift"))
        assert drift == [], (seed, document["answers"], answer["findings"], history[-3:])
