"""The duplicate check's canonical form: RFC 8785 (sync/canonical.py) against the Python
spelling it replaced (json.dumps, keys sorted), per diary entry, in isolation.

Best of five runs over 2,000 generated diaries (half of them with Kotlin's 37.0 style
whole numbers), so a busy machine shows less in the figure. Prints µs per entry.
"""
import random
import time
from datetime import datetime, timedelta, timezone

from common import print_machine
from families import Family, diary_answers, document
from sync.canonical import canonicalise
from sync.documents import canonical as python_spelling

ENTRIES, RUNS = 2000, 5


def documents(rng):
    family = Family("pt_0123456789abcdef", "dev_0123456789abcdef", "hwd_x", "caregiver",
                    "k1", b"\0" * 32)
    start = datetime(2026, 11, 20, 8, tzinfo=timezone(timedelta(hours=-5)))
    made = []
    for index in range(ENTRIES):
        answers = diary_answers(rng, fever=index % 50 == 0)
        if index % 2:
            answers["spo2_percent"] = float(answers["spo2_percent"])  # 97.0
        made.append(document(family, start + timedelta(hours=4 * index), answers))
    return made


def best_of(function, values) -> float:
    best = float("inf")
    for _ in range(RUNS):
        began = time.perf_counter()
        for value in values:
            function(value)
        best = min(best, time.perf_counter() - began)
    return best / len(values) * 1e6


def run(report=print) -> dict:
    values = documents(random.Random(8785))
    figures = {"rfc8785": best_of(canonicalise, values),
               "python_spelling": best_of(python_spelling, values)}
    report(f"RFC 8785 canonical form: {figures['rfc8785']:.1f} us per entry; "
           f"json.dumps with sorted keys: {figures['python_spelling']:.1f} us per entry")
    return figures


if __name__ == "__main__":
    print_machine()
    run()
