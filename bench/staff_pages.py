"""Staff pages with a large clinic in the database (full: 10,000 patients and 1,000,000
entries, loaded by bench/seed.py; small: 1,000 and 50,000): the alert inbox and a patient's
timeline data through the clinic API (staff bearer token) and the HTML pages (a signed-in
session cookie), each against the 100 ms target, over HTTP to `homeward serve --workers 2`;
and what opening one inbox card's "Handle this alert" costs (its forms, fetched on demand).

    .venv/bin/python bench/staff_pages.py [--size small|full] [--keep] [--data DIR]
"""
import random
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from common import Http, Server, arguments, data_folder, latency_line, print_machine
from families import staff_token
from seed import seed

SIZES = {"small": {"patients": 1_000, "entries": 50_000, "repeats": 60},
         "full": {"patients": 10_000, "entries": 1_000_000, "repeats": 100}}
TARGET = "< 100 ms"


def session_cookie(data_dir) -> dict:
    """A signed-in nurse's web session, made as the sign-in form makes it."""
    from server.auth.sessions import COOKIE_NAME, start_session
    from server.config import Config
    from server.storage.db import connect

    config = Config.from_env({}, data_dir=Path(data_dir))
    db = connect(config.database_path)
    try:
        user_id = db.execute("SELECT id FROM staff_users WHERE role = 'nurse' LIMIT 1"
                             ).fetchone()[0]
        session_id, _csrf = start_session(db, user_id, config, datetime.now(timezone.utc))
    finally:
        db.conn.close()
    return {"Cookie": f"{COOKIE_NAME}={session_id}"}


def sample_patients(data_dir, count, rng) -> list[tuple[str, int]]:
    conn = sqlite3.connect(Path(data_dir) / "homeward.db")
    rows = conn.execute("SELECT p.id, (SELECT COUNT(*) FROM entries e WHERE e.patient_id = "
                        "p.id) FROM patients p ORDER BY random() LIMIT ?", [count]).fetchall()
    conn.close()
    return rows


def sample_alerts(data_dir, count, rng) -> list[str]:
    conn = sqlite3.connect(Path(data_dir) / "homeward.db")
    rows = conn.execute("SELECT id FROM alerts WHERE status IN ('open', 'acknowledged') "
                        "ORDER BY id").fetchall()
    conn.close()
    return [alert_id for (alert_id,) in rng.sample(rows, min(count, len(rows)))]


def measure(http, path, headers, repeats) -> tuple[list[float], int, int]:
    """Latencies of `repeats` GETs (after one unmeasured), and the last status and size."""
    paths = path if isinstance(path, list) else [path]
    http.request("GET", paths[0], headers=headers)
    times, status, size = [], None, 0
    for n in range(repeats):
        began = time.perf_counter()
        status, body = http.request("GET", paths[n % len(paths)], headers=headers)
        times.append(time.perf_counter() - began)
        size = len(body)
    return times, status, size


@contextmanager
def seeded_folder(plan, keep, reuse, rng, report):
    """A data folder seeded to the plan, or `reuse`: one seeded earlier (with --keep)."""
    if reuse:
        report(f"reusing the seeded data folder {reuse}")
        yield Path(reuse)
        return
    with data_folder(keep) as data_dir:
        counts = seed(data_dir, plan["patients"], plan["entries"], rng, report=report)
        report(f"seeded {counts['patients']:,} patients, {counts['entries']:,} entries, "
               f"{counts['alerts']:,} alerts in {counts['seconds']:.0f} s")
        yield data_dir


def run(size="small", keep=False, plan=None, report=print, reuse=None) -> dict:
    plan = plan or SIZES[size]
    rng = random.Random(9)
    results = {}
    with seeded_folder(plan, keep, reuse, rng, report) as data_dir:
        token = staff_token(data_dir, "nurse")
        bearer = {"Authorization": f"Bearer {token}"}
        cookie = session_cookie(data_dir)
        patients = sample_patients(data_dir, 20, rng)
        ids = [patient_id for patient_id, _n in patients]
        alerts = sample_alerts(data_dir, 20, rng)
        with Server(data_dir, workers=2) as server:
            http = Http(server.port)
            cases = [
                ("API  GET /api/v1/alerts?status=open", "/api/v1/alerts?status=open", bearer),
                ("API  GET /patients/{id}/trends?measure=temperature",
                 [f"/api/v1/patients/{p}/trends?measure=temperature" for p in ids], bearer),
                ("API  GET /patients/{id}/entries?limit=50",
                 [f"/api/v1/patients/{p}/entries?limit=50" for p in ids], bearer),
                ("page GET /alerts (inbox)", "/alerts", cookie),
                ("page GET /patients/{id} (timeline)", [f"/patients/{p}" for p in ids], cookie),
                ("page GET /alerts/{id}/forms (a card's forms)",
                 [f"/alerts/{a}/forms?next=/alerts" for a in alerts], cookie),
            ]
            for name, path, headers in cases:
                times, status, length = measure(http, path, headers, plan["repeats"])
                results[name] = {"times": times, "status": status, "bytes": length}
                note = "" if status == 200 else f"   ANSWERED {status}: not measured"
                report(latency_line(name, times, TARGET) + f"   {length:,} B{note}")
            results["memory"] = server.memory_line()
        entries = [n for _id, n in patients]
        report(f"timeline patients: {len(entries)} sampled, {min(entries)}-{max(entries)} "
               f"entries each")
        report(results["memory"])
    return results


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0], lambda parser: parser.add_argument(
        "--data", help="measure a data folder seeded before (kept with --keep)"))
    print_machine()
    print("server: homeward serve --workers 2 (gunicorn gthread, 4 threads each)")
    run(args.size, args.keep, reuse=args.data)
