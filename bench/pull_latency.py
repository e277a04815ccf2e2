"""Pull latency over HTTP: a full snapshot for a new device (target < 50 ms) and an
incremental pull with no changes and with a few (target < 10 ms at p50), many repetitions,
p50/p95/p99, against `homeward serve --workers 2` with other families and their entries and
alerts in the database. One client, one keep-alive connection, as a phone would pull.

    .venv/bin/python bench/pull_latency.py [--size small|full]
"""
import json
import random
import time
from datetime import datetime, timedelta, timezone

from common import Http, Server, arguments, data_folder, latency_line, print_machine
from families import (diary_answers, diary_envelopes, document, dumps, enrol_family, envelope,
                      push_body, staff_token)

SIZES = {"small": {"background": 20, "new_devices": 30, "repeats": 300, "changed": 100},
         "full": {"background": 100, "new_devices": 100, "repeats": 2000, "changed": 300}}
PATH = "/api/v1/sync/pull"


def pull_all(http, family, cursor=None, limit=None) -> tuple[float, str, int]:
    """Pull pages until has_more is false: (seconds, the last cursor, changes received)."""
    began, changes = time.perf_counter(), 0
    for _page in range(100):
        query = [f"cursor={cursor}"] if cursor else []
        if limit:
            query.append(f"limit={limit}")
        status, raw = http.request("GET", PATH + ("?" + "&".join(query) if query else ""),
                                   headers=family.headers)
        if status != 200:
            raise RuntimeError(f"pull answered {status}: {raw[:300]!r}")
        page = json.loads(raw)
        cursor, changes = page["cursor"], changes + len(page["changes"])
        if not page["has_more"]:
            break
    return time.perf_counter() - began, cursor, changes


def push(http, family, envelopes):
    status, raw = http.request("POST", "/api/v1/sync/push", push_body(dumps(envelopes)),
                               family.headers)
    if status != 200:
        raise RuntimeError(f"push answered {status}: {raw[:300]!r}")


def few_changes(family, count, rng) -> list[list[dict]]:
    """Per pull, the entries pushed before it: a fever and a diary with a neuro sign, which
    raise or extend two alerts and ask for a neuro check (a task)."""
    start = datetime.now(timezone.utc) - timedelta(minutes=10 * count + 10)
    pushes = []
    for n in range(count):
        at = start + timedelta(minutes=10 * n)
        neuro = {**diary_answers(rng), "neuro_signs": ["confusion"]}
        pushes.append([envelope(family, document(family, at, diary_answers(rng, fever=True))),
                       envelope(family, document(family, at + timedelta(minutes=1), neuro))])
    return pushes


def run(size="small", keep=False, plan=None, report=print) -> dict:
    plan = plan or SIZES[size]
    rng = random.Random(5)
    figures = {}
    with data_folder(keep) as data_dir, Server(data_dir, workers=2) as server:
        http = Http(server.port)
        nurse = staff_token(data_dir)
        for index in range(plan["background"]):  # other families, with history and alerts
            family = enrol_family(http, nurse, index)
            push(http, family, diary_envelopes(family, 60, rng, fever_every=20))
            pull_all(http, family)
        new = [enrol_family(http, nurse, 1000 + i) for i in range(plan["new_devices"])]
        pushes = few_changes(new[0], plan["changed"], rng)
        first, sizes = [], []
        for family in new:  # each device's first pull: the patient's tasks are made now
            took, cursor, changes = pull_all(http, family)
            first.append(took)
            sizes.append(changes)
        family = new[0]
        again = [pull_all(http, family)[0] for _ in range(plan["repeats"] // 3)]
        _took, cursor, _n = pull_all(http, family)
        quiet = []
        for _ in range(plan["repeats"]):
            took, cursor, _n = pull_all(http, family, cursor)
            quiet.append(took)
        changed, received = [], 0
        for envelopes in pushes:  # a fever and a neuro sign: alert and task changes
            push(http, family, envelopes)
            took, cursor, count = pull_all(http, family, cursor)
            changed.append(took)
            received += count
        figures = {"first": first, "again": again, "quiet": quiet, "changed": changed,
                   "snapshot_items": sum(sizes) / len(sizes),
                   "changes_per_pull": received / len(changed), "memory": server.memory_line()}
    report(f"snapshot size: {figures['snapshot_items']:.0f} items (keys, profile, schedule, "
           f"questionnaires, 15 days of tasks, rules, alerts)")
    report(latency_line("full snapshot, a new device's first pull", figures["first"],
                        "< 50 ms"))
    report(latency_line("full snapshot, repeated (no cursor)", figures["again"], "< 50 ms"))
    report(latency_line("incremental, no changes", figures["quiet"], "p50 < 10 ms"))
    report(latency_line(f"incremental, {figures['changes_per_pull']:.1f} change(s)",
                        figures["changed"], "p50 < 10 ms"))
    report(figures["memory"])
    return figures


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0])
    print_machine()
    print("server: homeward serve --workers 2 (gunicorn gthread, 4 threads each)")
    run(args.size, args.keep)
