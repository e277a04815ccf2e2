"""The benchmarks in bench/ at a toy size, so they do not rot: they run and produce positive
numbers. No speed is asserted; timings on a shared machine are not a test."""
import random
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench():
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))
    import common
    import push_throughput
    import seed

    return common, push_throughput, seed


def test_percentiles_interpolate_between_ranks(bench):
    common, _push, _seed = bench
    assert common.percentiles([1, 2, 3, 4, 5]) == {50: 3, 95: 4.8, 99: 4.96}
    assert common.machine()["cores"] >= 1


@pytest.mark.e2e
def test_the_push_benchmark_and_its_floor_produce_positive_rates(bench):
    _common, push_throughput, _seed = bench
    lines = []
    figures = push_throughput.run(
        "toy", sizes={"toy": {"sequential": 1, "threads": 1, "per_thread": 1}}, batch=100,
        report=lines.append)
    assert figures["floor"]["entries"] == 200 and figures["floor"]["rate"] > 0
    for name in ("sequential", "concurrent"):
        assert figures[name]["rate"] > 0
        assert figures[name]["statuses"] == {"accepted": 100} and not figures[name]["failed"]
    assert any("x floor" in line for line in lines) and "VmHWM" in figures["memory"]


def test_the_seed_loader_writes_entries_the_server_can_read(bench, tmp_path):
    _common, _push, seed = bench
    from server.config import Config
    from server.commands.init import initialise
    from server.storage.db import connect
    from server.records.entries import read_entries
    from server.clock import SystemClock
    from server.storage.vault import Vault

    config = Config.from_env({}, data_dir=tmp_path / "data")
    initialise(config)
    counts = seed.seed(config.data_dir, 5, 120, random.Random(1), report=None)
    assert counts["patients"] == 5 and counts["entries"] == 120
    db = connect(config.database_path)
    try:
        patient_id = db.execute("SELECT id FROM patients LIMIT 1").fetchone()[0]
        cipher = Vault.open(config, db, SystemClock()).for_patient(db, patient_id)
        entries = read_entries(db, cipher, patient_id)
        assert len(entries) == 24 and all(entry.answers for entry in entries)
    finally:
        db.conn.close()


@pytest.mark.e2e
def test_the_phase_breakdown_accounts_for_the_push_and_puts_every_phase_back(bench):
    import push_phases
    import server.storage.db
    import sync.prepare

    originals = sync.prepare.build_entry, server.storage.db.write_transaction
    lines = []
    figures = push_phases.run(1, batch=20, report=lines.append)
    assert figures["entries"] == 20 and figures["wall"] > 0
    phases = figures["per_entry_us"]
    assert phases["open_as_any"] > 0 and phases["evaluate before the lock"] > 0
    assert phases["prepare_push"] >= phases["build_entry"] + phases["open_as_any"]
    assert phases["write_lock"] >= phases["write_entries"] > 0
    assert any(line.startswith("write lock held") for line in lines)
    assert (sync.prepare.build_entry, server.storage.db.write_transaction) == originals
    assert "us/entry" in lines[-1]


@pytest.mark.browser
@pytest.mark.e2e
def test_the_family_app_benchmark_measures_bytes_saves_advice_and_a_push():
    import json
    import os
    import subprocess

    if not os.access("/usr/bin/chromium", os.X_OK):
        pytest.skip("no Chromium at /usr/bin/chromium")
    # Its own process: Playwright's sync API runs one session per thread, and the browser
    # tests' session may be open in this one.
    script = ("import json, sys; sys.path.insert(0, sys.argv[1]); import phone_app; "
              "lines = []; figures = phone_app.run('toy', report=lines.append); "
              "print(json.dumps({'figures': figures, 'lines': lines}))")
    done = subprocess.run([sys.executable, "-c", script, str(BENCH)], capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    figures = result["figures"]
    assert figures["first_load"]["gzip"] > 0 and figures["shell"]["files"] > 10
    assert figures["save"]["count"] == 2 and figures["save"]["50"] > 0
    assert figures["advice"]["50"] > 0
    assert figures["push"]["accepted"] == figures["push"]["pushed"] == 5
    assert any("VmHWM" in line for line in result["lines"])


def test_the_canonical_form_benchmark_produces_positive_figures(bench):
    import canonical_json

    lines = []
    figures = canonical_json.run(report=lines.append)
    assert figures["rfc8785"] > 0 and figures["python_spelling"] > 0
    assert "us per entry" in lines[0]


@pytest.mark.e2e
def test_the_records_benchmark_answers_every_request(bench):
    import records

    figures = records.run(plan={"patients": 5, "entries": 100, "repeats": 2},
                          report=lambda line: None)
    measured = {name: f for name, f in figures.items() if name != "memory"}
    assert len(measured) == 4
    assert all(f["status"] == 200 and min(f["times"]) > 0 for f in measured.values())


@pytest.mark.e2e
def test_the_registry_export_benchmark_exports_the_same_bytes_each_time(bench):
    import registry_export

    figures = registry_export.run(plan={"patients": 5, "entries": 100, "repeats": 2},
                                  consenting=3, repeats=2, report=lambda line: None)
    assert figures["api"]["status"] == 200 and figures["api"]["identical"]
    assert figures["command"]["identical"] and figures["command"]["bytes"] > 0
