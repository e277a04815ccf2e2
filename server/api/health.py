"""`GET /healthz`: can this web process do its work, and is the scheduler alive?

The status code answers a load balancer's one question, "send requests here?": 200 whenever
the database takes writes, 503 only when it does not. A dead scheduler gives 200 with
"degraded": every web process shares the one scheduler, so pulling them all out of the pool
would stop families' entries from arriving without bringing the scheduler back. Monitoring
should page on "degraded" instead; the body says why.

No authentication (probes have no credentials), so the body holds no paths, host names,
patient data or error details beyond SQLite's own sentence.
"""
import json
import os
import sqlite3

from flask import Blueprint, current_app

from alerts import lease
from alerts.drift import drift_counts
from alerts.scheduler import LEASE_NAME

from ..web.context import get_config, get_db, now
from ..storage.migrations import migrations

blueprint = Blueprint("health", __name__)

# A probe typically gives up after 5-10 s; answer within that even if a writer holds the
# lock, and call a lock held longer than this a failure to write.
PROBE_BUSY_TIMEOUT_MS = 3000


def database_report():
    config = get_config()
    try:
        db = get_db()
        db.conn.execute(f"PRAGMA busy_timeout={PROBE_BUSY_TIMEOUT_MS}")
        # BEGIN IMMEDIATE takes the write lock, which a read-only file, a full or read-only
        # mount, a stuck writer or a corrupt header all refuse; nothing is written.
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute("ROLLBACK")
        applied = [m.name for m in migrations.applied(db)]
        pending = [m.name for m in migrations.pending(db)]
    except (sqlite3.Error, OSError) as error:
        return {"status": "failing", "writable": False,
                "error": f"{type(error).__name__}: {error}"}, None
    # The WAL and shared-memory files are created beside the database: a folder that
    # turned read-only fails the next connection even though this one still works.
    folder_writable = os.access(config.database_path.parent, os.W_OK)
    file_writable = os.access(config.database_path, os.W_OK)
    report = {
        "status": "ok" if folder_writable and file_writable else "failing",
        "writable": folder_writable and file_writable,
        "migrations_applied": len(applied),
        "migrations_pending": len(pending),
        "latest_migration": applied[-1] if applied else None,
    }
    return report, db


def scheduler_report(db, moment):
    try:
        current = lease.read(db, LEASE_NAME)
    except sqlite3.Error as error:
        return {"status": "unknown", "error": f"{type(error).__name__}: {error}"}
    if current is None:
        return {"status": "never_started", "heartbeat_age_seconds": None, "lease_held": False}
    held = current.is_live(moment)
    return {
        "status": "ok" if held else "stale",
        "heartbeat_age_seconds": round((moment - current.heartbeat_at).total_seconds(), 1),
        "lease_held": held,
        "lease_expires_in_seconds": round((current.expires_at - moment).total_seconds(), 1)
        if held else 0,
        "stopped_cleanly": (not held) and current.was_released(),
    }


def drift_report(db):
    """Counts only (alerts/drift.py): phones whose offline advice differed from the server's.
    Not a reason to leave the pool; a number for IT to watch after a rules change."""
    try:
        return drift_counts(db, now())
    except sqlite3.Error:  # the migration that makes the table is still pending
        return None


@blueprint.get("/healthz")
def healthz():
    database, db = database_report()
    if database["status"] == "failing":
        body, status = {"status": "failing", "database": database,
                        "scheduler": {"status": "unknown"}}, 503
    else:
        scheduler = scheduler_report(db, now())
        fine = scheduler["status"] == "ok" and database["migrations_pending"] == 0
        body, status = {"status": "ok" if fine else "degraded", "database": database,
                        "scheduler": scheduler, "advice_drift": drift_report(db)}, 200
    # Not jsonify: it sorts keys, and "status" belongs first for whoever reads this by eye.
    response = current_app.response_class(json.dumps(body, indent=2) + "\n", status=status,
                                          mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
