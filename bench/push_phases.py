"""Where a push's time goes: batches of 500 symptom diaries pushed through the Flask test
client (no HTTP, no gunicorn), with each phase of the push pipeline timed by wall clock.
cProfile's own overhead (3x on this code) hides the proportions; this does not.

    .venv/bin/python bench/push_phases.py [--size small|full]

It prints, per entry: the time the write lock is held (BEGIN IMMEDIATE to COMMIT, which
issue 15 wants at <= 40 us), the rules' evaluation (<= 25 us), then every phase. Since
issue 15 a push has two parts: `prepare_push` and `foresee` run before the lock, in a read
snapshot (opening, parsing, validating, scoring, sealing, judging the diaries: they run
side by side in two workers); `write_lock` is the rest (the duplicate check, inserts,
episodes and outbox rows). Phases nest: `prepare_push` includes `open_as_any`,
`parse_entry`, `content_of`, `build_entry` (which includes `find_definition`,
`validate_answers`); `foresee` includes `judge` and the evaluation before the lock;
`write_lock` includes `write_entries`, which includes `record_judgement` and any
`assess_entry` (an entry judged again under the lock: none, unless the child's history
changed since the snapshot). Percentages are of the wall time.
"""
import functools
import random
import sys
import time
from collections import Counter
from contextlib import contextmanager

from common import arguments, data_folder, print_machine
from families import diary_envelopes, dumps, enrol_family, push_body, staff_token

SIZES = {"small": 4, "full": 16}
# module -> (attribute, or Class.method, or (attribute, label))
PHASES = {"sync.opening": ("open_as_any", "parse_entry"),
          "sync.prepare": ("content_of", "build_entry",
                           "find_definition", "validate_answers", "unknown_task"),
          "server.api.sync": ("prepare_push", "foresee", "write_entries", "assess_entry",
                              "record_judgement", "note_checkins", "add_triggered_tasks"),
          "alerts.foresight": ("Foresight.judge", "Foresight.holds",
                               ("evaluate", "evaluate before the lock")),
          "alerts.intake": ("build_context", "record_findings",
                            ("evaluate", "evaluate under the lock"))}
LOCK = "write_lock"


class TestClientHttp:
    """The two calls families.py makes of common.Http, over Flask's test client."""

    def __init__(self, client):
        self.client = client

    def json(self, method, path, payload=None, token=None, expect=(200, 201)):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.open(path, method=method, json=payload, headers=headers)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path} answered {response.status_code}")
        return response.get_json()


@contextmanager
def timed_phases(spent: Counter):
    """Wrap each phase where its callers look it up, and the write transaction; put
    everything back afterwards."""
    import importlib

    import server.storage.db as storage

    originals = []

    def wrap(owner, name, label):
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args, _original=original, **kwargs):
            began = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - began
        setattr(owner, name, functools.wraps(original)(timed))

    for module_name, names in PHASES.items():
        module = importlib.import_module(module_name)
        for name in names:
            name, label = name if isinstance(name, tuple) else (name, name.split(".")[-1])
            owner = module
            if "." in name:
                class_name, name = name.split(".")
                owner = getattr(module, class_name)
            wrap(owner, name, label)

    original_transaction = storage.write_transaction
    originals.append((storage, "write_transaction", original_transaction))

    @contextmanager
    def timed_transaction(db):
        # The lock is held from BEGIN IMMEDIATE to COMMIT; one client, so never waited for.
        began = time.perf_counter()
        try:
            with original_transaction(db) as inside:
                yield inside
        finally:
            spent[LOCK] += time.perf_counter() - began
    storage.write_transaction = timed_transaction
    try:
        yield spent
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def run(size="small", batch=500, report=print) -> dict:
    from server.app import create_app
    from server.storage.installation import initialise
    from server.config import Config

    batches, rng = SIZES.get(size, size), random.Random(7)
    with data_folder() as data_dir:
        config = Config.from_env({}, data_dir=data_dir)
        initialise(config)
        client = create_app(config).test_client()
        http, staff = TestClientHttp(client), staff_token(data_dir)
        families = [enrol_family(http, staff, index) for index in range(batches + 1)]
        bodies = [(family, dumps(diary_envelopes(family, batch if index else 20, rng,
                                                 fever_every=50)))
                  for index, family in enumerate(families)]

        def push(family, body):
            response = client.post("/api/v1/sync/push", data=push_body(body),
                                   headers=family.headers)
            if response.status_code != 200:
                raise RuntimeError(f"push answered {response.status_code}")

        push(*bodies[0])  # warm the catalog, the rules and the caches
        spent = Counter()
        with timed_phases(spent):
            began, cpu_began = time.perf_counter(), time.process_time()
            for family, body in bodies[1:]:
                push(family, body)
            wall = time.perf_counter() - began
            cpu = time.process_time() - cpu_began
    entries = batches * batch
    per_entry = {name: seconds / entries * 1e6 for name, seconds in spent.items()}
    rules = per_entry.get("evaluate before the lock", 0) + per_entry.get(
        "evaluate under the lock", 0)
    report(f"{entries} entries in {wall:.2f} s: {entries / wall:,.0f} entries/s in-process, "
           f"{wall / entries * 1e6:.0f} us per entry of wall time, "
           f"{cpu / entries * 1e6:.0f} us of CPU (steadier when others share the cores)")
    report(f"write lock held (BEGIN IMMEDIATE..COMMIT): {per_entry.get(LOCK, 0):.1f} us/entry"
           f" (target <= 40)")
    report(f"rules evaluation: {rules:.1f} us/entry (target <= 25): "
           f"{per_entry.get('evaluate before the lock', 0):.1f} before the lock, "
           f"{per_entry.get('evaluate under the lock', 0):.1f} under it")
    report("phases (nested, see the docstring), us per entry and % of wall time:")
    for name, seconds in spent.most_common():
        report(f"  {name:26s} {seconds / entries * 1e6:7.1f} us/entry  "
               f"{seconds / wall * 100:5.1f} %")
    return {"entries": entries, "wall": wall, "cpu": cpu, "per_entry_us": per_entry}


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0])
    print_machine()
    sys.setswitchinterval(0.005)
    run(args.size)
