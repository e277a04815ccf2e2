"""The admin pages with a year's audit log (full: 1,000,000 events, 300 staff accounts and
100,000 web sessions; small: 100,000, 60 and 10,000): the audit log page unfiltered, by
person, by action, by patient, by a week of days, and a page deep in the log, and the staff
accounts page, over HTTP to `homeward serve --workers 2` with an admin's session cookie.

    .venv/bin/python bench/audit_page.py [--size small|full] [--keep]
"""
import random
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from common import Http, Server, arguments, data_folder, latency_line, print_machine
from staff_pages import measure

SIZES = {"small": {"events": 100_000, "staff": 60, "sessions": 10_000, "repeats": 40},
         "full": {"events": 1_000_000, "staff": 300, "sessions": 100_000, "repeats": 60}}
TARGET = "< 100 ms"
ACTIONS = ("patient.read", "entries.read", "alerts.list", "alert.read", "alert.acknowledge",
           "alert.resolve", "trends.read", "patient.list", "auth.web_login", "auth.web_logout",
           "auth.token_issued", "enrollment.create", "devices.read", "patient.create")
START = datetime(2025, 11, 20, tzinfo=timezone.utc)


def seed_log(data_dir, plan, rng) -> tuple[str, str]:
    """-> (an admin's session cookie value, a patient id that appears in the log)."""
    from server.auth.sessions import start_session
    from server.auth.users import create_user
    from server.config import Config
    from server.storage.db import connect

    config = Config.from_env({}, data_dir=Path(data_dir), argon2_memory_kib=64,
                             argon2_time_cost=1)
    db = connect(config.database_path)
    now = datetime.now(timezone.utc)
    admin = create_user(db, "ada.admin", "admin", "bench admin password", config, now)
    users = [create_user(db, f"nurse{n:03d}", "nurse", "bench nurse password", config, now)
             for n in range(plan["staff"])]
    db.conn.close()
    conn = sqlite3.connect(config.database_path)
    step = timedelta(days=365) / plan["events"]
    patients = [f"pt_{n:08x}" for n in range(10_000)]
    rows = []
    for n in range(plan["events"]):
        user = rng.choice(users)
        rows.append(((START + step * n).isoformat(timespec="microseconds"), user.id,
                     user.username, "nurse", rng.choice(ACTIONS), rng.choice(patients),
                     None, "10.0.0.1", None, '{"via": "page"}'))
    conn.executemany("INSERT INTO audit_log (at, actor_id, actor_username, actor_role, "
                     "action, patient_id, target, client_address, request_id, details) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    sessions = [(f"bench{n}", rng.choice(users).id, "x", (START + timedelta(
        minutes=n)).isoformat(), now.isoformat(), now.isoformat(), now.isoformat())
        for n in range(plan["sessions"])]
    conn.executemany("INSERT INTO web_sessions (session_hash, user_id, csrf_token, created_at, "
                     "last_seen_at, expires_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     sessions)
    conn.commit()
    conn.close()
    db = connect(config.database_path)
    session_id, _csrf = start_session(db, admin.id, config, now)
    db.conn.close()
    return session_id, patients[0]


def run(size="small", keep=False, report=print) -> dict:
    plan, rng, results = SIZES[size], random.Random(13), {}
    with data_folder(keep) as data_dir:
        from server.auth.sessions import COOKIE_NAME

        session_id, patient_id = seed_log(data_dir, plan, rng)
        report(f"seeded {plan['events']:,} audit events, {plan['staff']} nurses, "
               f"{plan['sessions']:,} web sessions")
        cookie = {"Cookie": f"{COOKIE_NAME}={session_id}"}
        with Server(data_dir, workers=2) as server:
            http = Http(server.port)
            middle = plan["events"] // 2
            cases = [
                ("page GET /audit (newest 50)", "/audit"),
                ("page GET /audit?actor=nurse007", "/audit?actor=nurse007"),
                ("page GET /audit?action=alert.resolve", "/audit?action=alert.resolve"),
                ("page GET /audit?patient_id=...", f"/audit?patient_id={patient_id}"),
                ("page GET /audit, one week", "/audit?from_day=2026-03-01&to_day=2026-03-07"),
                ("page GET /audit, a page mid-log", f"/audit?before={middle}"),
                ("page GET /staff", "/staff"),
            ]
            for name, path in cases:
                times, status, length = measure(http, path, cookie, plan["repeats"])
                results[name] = {"times": times, "status": status}
                note = "" if status == 200 else f"   ANSWERED {status}"
                report(latency_line(name, times, TARGET) + f"   {length:,} B{note}")
            report(server.memory_line())
    return results


if __name__ == "__main__":
    args = arguments(__doc__.splitlines()[0])
    print_machine()
    print("server: homeward serve --workers 2 (gunicorn gthread, 4 threads each)")
    run(args.size, args.keep)
