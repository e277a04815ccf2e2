"""Rule evaluation alone: the default rules over symptom diaries with a push's context (the
previous diary, 24 h of temperatures, site parameters, no overrides and a child's overrides),
in-process, no database. µs per entry = wall time / entries, best of `--repeat` rounds.

    .venv/bin/python bench/rules_evaluate.py [--entries 5000] [--repeat 5]
"""
import argparse
import random
import time
from datetime import datetime, timedelta, timezone

from alerts.evaluate import evaluate
from alerts.ruleset import load_default_ruleset
from common import print_machine
from families import diary_answers

# As in a push: one site-parameters object for every entry, one overrides object per child.
SITE_PARAMETERS = {}
OVERRIDES = {"baseline_signs": {}, "always_report_signs": {}, "parameters": {}}


def workload(count, rng):
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    work, previous, readings = [], None, []
    for index in range(count):
        at = start + timedelta(hours=4 * index)
        answers = diary_answers(rng, fever=rng.random() < 0.02)
        entry = {"questionnaire_id": "symptom-diary", "variant": None, "answers": answers,
                 "scores": {}, "recorded_at": at}
        context = {"now": at, "day_post_infusion": 5 + index // 6, "age_years": 7,
                   "age_band": "child", "baseline": {}, "previous_diary_answers": previous,
                   "recent_temperatures": list(readings), "parameters": SITE_PARAMETERS,
                   "patient_overrides": OVERRIDES if index % 2 else None}
        work.append((entry, context))
        previous = answers
        readings = [r for r in readings if r["at"] > at - timedelta(hours=24)][-5:] + [
            {"at": at, "temperature_c": answers["temperature_c"],
             "method": answers["temperature_method"]}]
    return work


def measure(ruleset, work, repeat):
    best, findings = None, 0
    for _ in range(repeat):
        began = time.perf_counter()
        found = [evaluate(ruleset, entry, context) for entry, context in work]
        spent = time.perf_counter() - began
        best = spent if best is None else min(best, spent)
        findings = sum(len(each) for each in found)
    return best / len(work) * 1e6, findings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print_machine()
    ruleset = load_default_ruleset()
    work = workload(args.entries, random.Random(5))
    per_entry, findings = measure(ruleset, work, args.repeat)
    print(f"rules: {len(ruleset.rules)} rules ({ruleset.id} {ruleset.version}); "
          f"{len(work)} diary entries, {findings} findings")
    print(f"evaluate: {per_entry:.1f} µs per entry (best of {args.repeat}; target ≤ 25 µs)")


if __name__ == "__main__":
    main()
