"""Kill -9 at any moment: the outbox resumes, nothing is lost, nothing arrives twice."""
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from client_double import clock, fake, make_client, sleeps  # noqa: F401 (fixtures)

from sync.client import Client

ROOT = Path(__file__).resolve().parent.parent

SYNC_ONCE = """
import sys
from sync.client import Client
Client(sys.argv[1]).sync()
"""

RECORD_AND_SYNC_FOREVER = """
import sys
from sync.client import Client
client = Client(sys.argv[1])
print("ready", flush=True)
while True:
    for _ in range(5):
        print(client.record("symptom-diary", "1.0.0", {"pain": 2}), flush=True)
    client.sync(pull_limit=7)
"""


def start(script, state_path):
    return subprocess.Popen([sys.executable, "-c", script, str(state_path)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)


def test_it_resumes_the_outbox_after_being_killed_in_the_middle_of_a_push(make_client, fake,
                                                                          tmp_path):
    client = make_client()
    recorded = [client.record("symptom-diary", "1.0.0", {"notes": "x" * 400_000, "n": n})
                for n in range(8)]  # three pushes under 2 MiB: 3, 3 and 2 entries
    client.close()
    fake.hold_pushes_after = 1
    process = start(SYNC_ONCE, tmp_path / "phone.db")
    try:
        assert fake.push_held.wait(15), "the second push never arrived"
    finally:
        process.kill()  # SIGKILL: no cleanup, no finally blocks, mid-request
        process.wait()
    assert fake.arrivals == recorded[:3]
    with Client(tmp_path / "phone.db") as restarted:
        assert restarted.status()["outbox"] == 5
        fake.hold_pushes_after = None
        fake.release.set()  # the held push is now handled, its answer lost with the process
        report = restarted.sync()
        assert report.ok and restarted.status()["outbox"] == 0
    assert fake.arrivals == recorded


def test_it_loses_nothing_when_killed_at_random_moments(make_client, fake, tmp_path):
    client = make_client()
    client.close()
    fake.changes = [{"type": "task", "op": "upsert", "id": f"tsk_{n:03}",
                     "data": {"task_id": f"tsk_{n:03}", "due_at": "2026-11-20T08:00:00Z"}}
                    for n in range(60)]
    shuffle = random.Random(4)
    recorded = []
    for _ in range(3):
        process = start(RECORD_AND_SYNC_FOREVER, tmp_path / "phone.db")
        assert process.stdout.readline().strip() == "ready"
        time.sleep(shuffle.uniform(0.05, 0.4))
        process.kill()
        out, _ = process.communicate()
        recorded += [line for line in out.split() if len(line) == 36]
    assert recorded, "the subprocess recorded nothing before being killed"

    database = sqlite3.connect(tmp_path / "phone.db")
    assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    database.close()
    with Client(tmp_path / "phone.db") as restarted:
        assert restarted.sync().ok
        journal = {line["entry_id"]: line["status"] for line in restarted.entries()}
        assert restarted.status()["outbox"] == 0
        assert restarted.status()["items"] == {"task": 60}
    assert set(recorded) <= set(fake.arrivals) == set(journal)
    assert len(fake.arrivals) == len(set(fake.arrivals))
    assert set(journal.values()) <= {"accepted", "duplicate"}
