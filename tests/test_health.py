"""GET /healthz: 200 while the database takes writes (degraded if the scheduler is not
alive), 503 only when the database fails."""
import sqlite3

from sqlite_utils import Database

from alerts import lease
from alerts.scheduler import LEASE_NAME
from server.api import health


def take_lease(config, clock, holder="vm:42:abcd", seconds=30):
    database = Database(sqlite3.connect(config.database_path, isolation_level=None))
    try:
        assert lease.acquire(database, LEASE_NAME, holder, clock.now(), seconds)
    finally:
        database.close()


def test_it_says_ok_when_the_database_takes_writes_and_the_scheduler_heartbeats(
        client, config, clock):
    take_lease(config, clock)
    clock.advance(seconds=4)
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok" and body["database"]["writable"]
    assert body["database"]["migrations_pending"] == 0
    assert body["database"]["migrations_applied"] >= 1
    assert body["scheduler"] == {"status": "ok", "heartbeat_age_seconds": 4.0,
                                 "lease_held": True, "lease_expires_in_seconds": 26.0,
                                 "stopped_cleanly": False}
    assert answer.headers["Cache-Control"] == "no-store"


def test_it_says_degraded_but_stays_200_when_the_scheduler_never_started(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "degraded"
    assert body["scheduler"]["status"] == "never_started"
    assert body["scheduler"]["heartbeat_age_seconds"] is None


def test_it_says_degraded_with_the_heartbeat_age_once_the_scheduler_stops(
        client, config, clock):
    take_lease(config, clock, seconds=30)
    clock.advance(seconds=45)
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "degraded"
    assert body["scheduler"]["status"] == "stale"
    assert body["scheduler"]["heartbeat_age_seconds"] == 45.0
    assert body["scheduler"]["lease_held"] is False
    assert body["scheduler"]["stopped_cleanly"] is False


def test_it_says_degraded_when_the_database_lacks_a_migration_this_code_expects(
        client, config, clock):
    take_lease(config, clock)
    database = sqlite3.connect(config.database_path)
    last = database.execute("SELECT max(rowid) FROM _sqlite_migrations").fetchone()[0]
    database.execute("DELETE FROM _sqlite_migrations WHERE rowid = ?", [last])
    database.commit()
    database.close()
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded"
    assert body["database"]["migrations_pending"] == 1
    assert body["scheduler"]["status"] == "ok"


def test_it_fails_with_503_when_the_database_file_is_not_a_database(client, config):
    for sidecar in ("-wal", "-shm"):
        config.database_path.with_name(config.database_path.name + sidecar).unlink(
            missing_ok=True)
    config.database_path.write_bytes(b"this is not SQLite " * 512)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "failing"
    assert body["database"]["writable"] is False
    assert "not a database" in body["database"]["error"]
    assert str(config.data_dir) not in answer.get_data(as_text=True)


def test_it_fails_with_503_when_a_stuck_writer_holds_the_lock_past_the_probe(
        client, config, monkeypatch):
    monkeypatch.setattr(health, "PROBE_BUSY_TIMEOUT_MS", 100)
    stuck = sqlite3.connect(config.database_path, isolation_level=None)
    try:
        stuck.execute("BEGIN IMMEDIATE")
        answer = client.get("/healthz")
    finally:
        stuck.execute("ROLLBACK")
        stuck.close()
    assert answer.status_code == 503
    assert "locked" in answer.get_json()["database"]["error"]
    assert client.get("/healthz").status_code == 200


def test_it_answers_without_credentials_and_writes_nothing(client, config):
    def counts():
        database = sqlite3.connect(config.database_path)
        try:
            return [database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                    for table in ("leases", "audit_log")]
        finally:
            database.close()

    before = counts()
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz", headers={"Authorization": "Bearer nonsense"}).status_code == 200
    assert counts() == before == [0, before[1]]
