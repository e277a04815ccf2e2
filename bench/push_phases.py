"""Where a push's time goes: batches of 500 symptom diaries pushed through the Flask test
client (no HTTP, no gunicorn), with each phase of the push pipeline timed by wall clock.
cProfile's own overhead (3x on this code) hides the proportions; this does not.

    .venv/bin/python bench/push_phases.py [--size small|full]

The phases nest: `store_entry` includes `validate_answers` and `find_definition`,
`assess_entry` includes `build_context` and `evaluate`. `push_entries` is the part of the
push inside the write transaction, and the 100 %: since issue 15, `open_as_any` and
`parse_entry` run before it (shares over 100 % add up to more than the lock's time); what
the request adds around them is the difference to the wall time per entry.
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
PHASES = {"sync.push": ("open_as_any", "parse_entry", "content_of", "store_entry",
                        "find_definition", "validate_answers"),
          "server.api.sync": ("push_entries", "assess_entry", "add_triggered_tasks"),
          "alerts.intake": ("build_context", "evaluate", "note_checkin", "record_findings")}


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
    """Wrap each phase where its callers look it up; put everything back afterwards."""
    import importlib

    originals = []
    for module_name, names in PHASES.items():
        module = importlib.import_module(module_name)
        for name in names:
            original = getattr(module, name)
            originals.append((module, name, original))

            def timed(*args, _original=original, _name=name, **kwargs):
                began = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    spent[_name] += time.perf_counter() - began
            setattr(module, name, functools.wraps(original)(timed))
    try:
        yield spent
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


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
            began = time.perf_counter()
            for family, body in bodies[1:]:
                push(family, body)
            wall = time.perf_counter() - began
    entries = batches * batch
    report(f"{entries} entries in {wall:.2f} s: {entries / wall:,.0f} entries/s in-process, "
           f"{wall / entries * 1e6:.0f} us per entry of wall time")
    whole = spent["push_entries"] or 1
    for name, seconds in spent.most_common():
        report(f"  {name:20s} {seconds / entries * 1e6:7.1f} us/entry  "
               f"{seconds / whole * 100:5.1f} %")
    return {"entries": entries, "wall": wall,
            "per_entry_us": {name: seconds / entries * 1e6 for name, seconds in spent.items()}}


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0])
    print_machine()
    sys.setswitchinterval(0.005)
    run(args.size)
