"""A family's weeks of neuro checks, quality-of-life questionnaires and caregiver wellbeing
checks, each advised on the phone through the whole Save flow (js/advice/advise.js: the
entry scored from the questionnaire as the pull served it, the context from the phone's own
earlier entries, the served rules) and then pushed with that advice in `phone_advice`. The
server scores the same answers itself and builds its context from the database: it must
find the same level every time, so `advice_drift` stays empty. Without the phone's scoring
the neuro-check, quality-of-life and wellbeing rules could not fire offline at all.

Random weeks from fixed seeds, so a failure names its seed and replays. Without node this
skips with a reason, unless REQUIRE_NODE_TESTS=1 makes that a failure.
"""
import json
import os
import random
import shutil
import subprocess
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from test_sync_pull import by_type, pull_all

DRIVER = Path(__file__).resolve().parent / "js" / "support" / "advice-driver.mjs"
NEW_YORK = timezone(timedelta(hours=-5))


@pytest.fixture(scope="module")
def phone():
    node = shutil.which("node")
    if node is None:
        if os.environ.get("REQUIRE_NODE_TESTS") == "1":
            pytest.fail("REQUIRE_NODE_TESTS=1 but node is missing (apt-get install nodejs)",
                        pytrace=False)
        pytest.skip("the phone's advice needs node (apt-get install nodejs)")
    process = subprocess.Popen([node, str(DRIVER)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, encoding="utf-8")
    sent = {"rules": None}

    def advise(rules, **request):
        text = json.dumps(rules, sort_keys=True)
        if text != sent["rules"]:
            request["rules"], sent["rules"] = rules, text
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        assert line, "the node driver stopped answering"
        return json.loads(line)
    yield advise
    process.stdin.close()
    process.wait(timeout=10)


def answers_for(definition, draw: random.Random) -> dict:
    """Answers a parent might give: mostly complete, sometimes with gaps, now and then the
    extremes, so totals cross every threshold and domains fall under half answered."""
    answers = {}
    leaning = draw.choice(["calm", "calm", "mixed", "worried"])
    for item in definition["items"]:
        if draw.random() < 0.12:
            continue
        values = [option["value"] for option in item.get("options", [])]
        if item["type"] == "boolean":
            answers[item["linkId"]] = draw.random() < (0.3 if leaning == "worried" else 0.9)
        elif values and item["type"] == "multi-choice":
            answers[item["linkId"]] = draw.sample(values, draw.choice([0, 0, 1, 2]))
        elif values:
            answers[item["linkId"]] = (draw.choice(values) if leaning == "mixed"
                                       else values[0] if leaning == "calm" else values[-1])
        elif item["type"] == "integer":
            low, high = item.get("min", 0), item.get("max", 10)
            answers[item["linkId"]] = draw.randint(low, high)
    return answers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_finds_on_the_server_what_the_phone_advised_on_every_scored_entry(
        seed, family, clock, db, phone):
    draw = random.Random(seed)
    changes, _cursor, _pages = pull_all(family)
    rules = by_type(changes, "rules")["rules"]["data"]
    profile = by_type(changes, "profile")[family.patient_id]["data"]
    served = {key: change["data"] for key, change in by_type(changes, "questionnaire").items()
              if change["data"].get("scoring")}
    assert {"neuro-check", "quality-of-life", "caregiver-wellbeing"} <= set(served)
    history, levels = [], set()
    for _ in range(24):
        clock.advance(minutes=draw.choice([240, 600, 720, 1440]))
        recorded_at = clock.now().astimezone(NEW_YORK).isoformat()
        definition = served[draw.choice(sorted(served))]
        answers = answers_for(definition, draw)
        entry = {"entry_id": None, "questionnaire_id": definition["id"],
                 "variant": definition["variant"], "answers": answers, "recorded_at": recorded_at}
        document = family.document(answers, recorded_at=recorded_at,
                                   questionnaire_id=definition["id"],
                                   questionnaire_variant=definition["variant"])
        entry["entry_id"] = document["entry_id"]
        advice = phone(rules, profile=profile, history=history, entry=entry,
                       definition=definition, now=recorded_at, language=profile["language"])
        assert "error" not in advice and advice["checked"], advice
        document["phone_advice"] = advice["phoneAdvice"]
        response = family.push([family.envelope(document)])
        assert response.get_json()["results"][0]["status"] in ("accepted", "quarantined")
        history.append({**entry, "scores": advice["scores"]})
        levels.add(advice["phoneAdvice"]["level"])
        drift = list(db.query("SELECT phone_level, server_level FROM advice_drift"))
        assert drift == [], (seed, definition["id"], answers, advice)
    # the week reached the scored rules, not only the calm entries
    assert levels - {None}, levels
