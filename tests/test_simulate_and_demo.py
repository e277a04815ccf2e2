"""The cohort simulator and `homeward demo` (what `make run` starts)."""
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from sync.simulator import plan_cohort, simulate

pytestmark = pytest.mark.e2e



def test_it_stores_every_simulated_entry_exactly_once_despite_lost_answers(live, staff, db,
                                                                           tmp_path, clock):
    nurse = staff("nurse")
    plans = plan_cohort(4, clock.now(), seed=3, fever_rate=1.0, offline_rate=0.5, days=2)
    summary = simulate(live.url, nurse.token, plans, days=2, state_dir=tmp_path,
                       loss_rate=0.3, seed=3, clock=clock.now)
    stored = db.execute("SELECT COUNT(*), COUNT(DISTINCT entry_id) FROM entries").fetchone()
    assert summary.families == 4 and summary.entries_sent > 0
    assert stored == (summary.entries_sent, summary.entries_sent)
    # An answer lost after the server committed comes back as `duplicate` on the retry.
    assert summary.statuses.get("duplicate", 0) > 0
    assert summary.statuses["accepted"] + summary.statuses["duplicate"] == summary.entries_sent
    assert summary.open_alerts >= 1  # every family had a fever


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_it_starts_a_demo_with_accounts_a_cohort_and_where_to_click(tmp_path):
    folder, port = tmp_path / "demo", free_port()
    env = {**os.environ, "HOMEWARD_DATA_DIR": str(folder),
           "HOMEWARD_ARGON2_MEMORY_KIB": "1024", "HOMEWARD_ARGON2_TIME_COST": "1"}
    done = subprocess.run([sys.executable, "-m", "server.cli", "demo", "--port", str(port),
                           "--families", "5", "--live-every", "1", "--stop-after", "2"],
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"demo-nurse\s+\S{12,}\s+\(nurse\)", done.stdout)
    assert f"http://127.0.0.1:{port}/alerts" in done.stdout
    assert "Families: 5." in done.stdout and "accepted" in done.stdout
    # A newcomer can be the family too: a link to the family app with a fresh code.
    assert re.search(rf"Be the family: open http://127\.0\.0\.1:{port}/app/#enrol="
                     r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4} ", done.stdout), done.stdout[-800:]
    import sqlite3

    counts = sqlite3.connect(folder / "homeward.db").execute(
        "SELECT (SELECT COUNT(*) FROM patients), (SELECT COUNT(*) FROM entries), "
        "(SELECT COUNT(*) FROM toxicity_events), (SELECT COUNT(*) FROM patient_profiles), "
        "(SELECT COUNT(*) FROM alerts WHERE level = 'emergency' AND status = 'open'), "
        "(SELECT COUNT(*) FROM entries WHERE questionnaire_id = 'caregiver-wellbeing' "
        "AND status = 'accepted')").fetchone()
    assert counts[0] >= 5 and counts[1] > 20
    assert counts[2] >= 1 and counts[3] >= 5  # the record pages show something
    assert counts[4] >= 1  # the inbox's red banner has something to show
    assert counts[5] >= 1  # and the wellbeing list's caregiver distress column too
    # ... and so does the registry export: every child whose family consented.
    [consenting] = sqlite3.connect(folder / "homeward.db").execute(
        "SELECT COUNT(*) FROM patient_profiles WHERE superseded_at IS NULL "
        "AND registry_consents LIKE '%\"ebmt\"%'").fetchone()
    assert consenting >= 1
    assert f"Registry export (ebmt, de-identified): {consenting} children" in done.stdout
    exported = (folder / "registry-exports" / "ebmt" / "patients.csv").read_text()
    assert len(exported.splitlines()) == 1 + consenting
    # A second demo starts afresh; a folder that is not a demo is never wiped.
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "homeward.db").write_text("precious")
    refused = subprocess.run([sys.executable, "-m", "server.cli", "demo", "--port", str(port)],
                             capture_output=True,
                             text=True, timeout=60,
                             env={**env, "HOMEWARD_DATA_DIR": str(tmp_path / "real")})
    assert refused.returncode != 0 and "not a demo" in refused.stderr
    assert (tmp_path / "real" / "homeward.db").read_text() == "precious"


def test_a_demo_stopped_by_sigterm_stops_its_server_and_scheduler_too(tmp_path):
    folder, port = tmp_path / "demo", free_port()
    env = {**os.environ, "HOMEWARD_DATA_DIR": str(folder), "HOMEWARD_PORT": str(port),
           "HOMEWARD_ARGON2_MEMORY_KIB": "1024", "HOMEWARD_ARGON2_TIME_COST": "1"}
    demo = subprocess.Popen([sys.executable, "-m", "server.cli", "demo", "--families", "2",
                             "--live-every", "1"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        for line in demo.stdout:
            if "Where to click" in line:
                break
        children = [int(pid) for pid in os.listdir("/proc")
                    if pid.isdigit() and pid_parent(pid) == demo.pid]
        assert len(children) == 2  # the server and the scheduler
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=60) == 0
    finally:
        if demo.poll() is None:
            demo.terminate()  # lets the demo stop its children, as the test expects
            try:
                demo.wait(timeout=30)
            except subprocess.TimeoutExpired:
                demo.kill()
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in children)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def pid_parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_it_records_the_demo_cohorts_profiles_for_a_child_whose_infusion_is_tomorrow(
        live, client, staff, clock, db):
    """`make run` on the day a demo child's infusion is tomorrow: consent is dated today,
    never in the future (the API refuses that), so the demo still starts."""
    from datetime import timedelta

    from server.commands.demo_records import seed_records
    from support.family import create_patient

    nurse, physician = staff("nurse"), staff("physician")
    tomorrow = clock.now().date() + timedelta(days=1)
    for index in range(3):
        create_patient(client, nurse.headers, infusion_date=str(tomorrow),
                       mrn=f"MRN-DEMO-{index}")
    assert seed_records(live.url, physician.token, clock.now().date()) == 0
    assert db["patient_profiles"].count == 3  # every child's profile, none refused
