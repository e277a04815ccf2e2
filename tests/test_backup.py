"""`homeward backup` and `homeward restore`: consistent copies taken while writes go on,
restores that bring the data back and erase again whoever was erased since."""
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from alerts import lease
from alerts.scheduler import LEASE_NAME
from server.storage.backup import BackupError, backup, restore
from server.cli import main
from server.clock import to_db
from server.storage.db import connect, write_transaction
from server.storage.erasure import record_erasure
from server.storage.vault import PatientErased, Vault


def add_patient(db, patient_id, clock):
    db["patients"].insert({"id": patient_id, "created_at": to_db(clock.now()),
                           "infusion_date": "2026-11-01", "timezone": "Europe/London",
                           "language": "en", "status": "active"})


def rows(path, sql, params=()):
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def cli(config, *argv):
    return main(list(argv), environ={"HOMEWARD_DATA_DIR": str(config.data_dir)})


def test_it_takes_a_consistent_backup_while_another_connection_keeps_writing(
        db, config, tmp_path):
    # Enough data that a copy takes a while, so commits land while it runs.
    db["audit_log"].insert_all({"at": to_db_text(n), "action": "seed", "target": f"seed-{n}",
                                "details": "x" * 300} for n in range(20_000))
    stop, commits = threading.Event(), [0]

    def write_pairs():
        writer = connect(config.database_path)
        try:
            while not stop.is_set():
                with write_transaction(writer):  # two rows per batch, or none
                    for half in ("a", "b"):
                        writer["audit_log"].insert({"at": to_db_text(commits[0]),
                                                    "action": "pair",
                                                    "target": f"batch-{commits[0]}-{half}"})
                commits[0] += 1
        finally:
            writer.close()

    writer_thread = threading.Thread(target=write_pairs)
    writer_thread.start()
    during = []
    try:
        for number in range(3):
            before = commits[0]
            backup(config, tmp_path / f"copy-{number}.db")
            during.append(commits[0] - before)
    finally:
        stop.set()
        writer_thread.join(timeout=20)
    assert sum(during) > 0, "the writer was blocked for the whole of every backup"
    for number in range(3):
        path = tmp_path / f"copy-{number}.db"
        assert rows(path, "PRAGMA integrity_check") == [("ok",)]
        assert rows(path, "SELECT count(*) FROM audit_log WHERE action = 'seed'") == [(20_000,)]
        pairs = rows(path, "SELECT count(*) FROM audit_log WHERE action = 'pair'")[0][0]
        assert pairs % 2 == 0, "a backup caught a transaction half-way"
        assert not os.path.exists(f"{path}-wal"), "a backup must be one self-contained file"
        assert os.stat(path).st_mode & 0o077 == 0


def to_db_text(n):
    return f"2026-11-20T19:00:00.{n:06d}+00:00"


def test_it_refuses_to_overwrite_a_backup_unless_forced_and_says_the_key_is_not_in_it(
        db, config, tmp_path, capsys):
    target = tmp_path / "nightly.db"
    assert cli(config, "backup", str(target)) == 0
    said = capsys.readouterr().out
    assert f"Backup written to {target}" in said and "integrity check ok" in said
    assert "master key is NOT in the backup" in said and str(config.master_key_path) in said
    assert cli(config, "backup", str(target)) == 1
    assert "already exists" in capsys.readouterr().err
    assert cli(config, "backup", str(target), "--force") == 0
    assert list(tmp_path.glob("nightly.db.partial-*")) == []


def test_it_restores_the_data_and_keeps_the_replaced_database_with_its_latest_commits(
        db, config, clock, tmp_path):
    add_patient(db, "pt_before", clock)
    backup(config, tmp_path / "b.db")
    add_patient(db, "pt_after", clock)  # still in the live WAL when the restore starts
    db.execute("DELETE FROM patients WHERE id = 'pt_before'")

    report = restore(config, tmp_path / "b.db", clock)
    assert rows(config.database_path, "SELECT id FROM patients") == [("pt_before",)]
    (aside,) = [path for path in report.moved_aside if not str(path).endswith("-wal")]
    assert ".before-restore-" in aside.name
    assert rows(aside, "SELECT id FROM patients") == [("pt_after",)]
    assert not list(config.data_dir.glob("homeward.db.restoring-*"))


def test_it_erases_again_on_restore_a_patient_erased_after_the_backup(
        db, config, clock, tmp_path, capsys):
    vault = Vault.open(config, db, clock)
    add_patient(db, "pt_x", clock)
    vault.create_patient_key(db, "pt_x", clock.now()).seal_text("patients", "pt_x", "mrn", "1")
    add_patient(db, "pt_kept", clock)
    vault.create_patient_key(db, "pt_kept", clock.now())
    backup(config, tmp_path / "before-erasure.db")

    clock.advance(days=1)
    assert vault.destroy_patient_key(db, "pt_x", clock.now())
    record_erasure(config, "pt_x", clock.now())
    db.close()

    assert cli(config, "restore", str(tmp_path / "before-erasure.db")) == 0
    assert "Re-applied 1 erasure(s)" in capsys.readouterr().out
    restored = connect(config.database_path)
    try:
        with pytest.raises(PatientErased):
            vault.for_patient(restored, "pt_x")
        vault.for_patient(restored, "pt_kept")
        assert restored["patients"].get("pt_x")["status"] == "erased"
    finally:
        restored.close()


def test_it_refuses_to_restore_under_a_live_scheduler_unless_forced(
        db, config, clock, tmp_path):
    add_patient(db, "pt_1", clock)
    backup(config, tmp_path / "b.db")
    lease.acquire(db, LEASE_NAME, "other-host:7:beef", clock.now(), 30)
    with pytest.raises(BackupError, match="scheduler holds its lease"):
        restore(config, tmp_path / "b.db", clock)
    clock.advance(seconds=31)  # a scheduler that died: its lease has run out
    restore(config, tmp_path / "b.db", clock)
    lease.acquire(db, LEASE_NAME, "other-host:7:beef", clock.now(), 30)
    assert restore(config, tmp_path / "b.db", clock, force=True).erasures_reapplied == []
    assert rows(config.database_path, "SELECT count(*) FROM leases") == [(0,)]


def test_it_restores_over_a_database_that_was_corrupted(db, config, clock, tmp_path):
    add_patient(db, "pt_1", clock)
    backup(config, tmp_path / "b.db")
    db.close()
    for sidecar in ("-wal", "-shm"):
        Path(f"{config.database_path}{sidecar}").unlink(missing_ok=True)
    config.database_path.write_bytes(b"\x00garbage" * 4096)
    restore(config, tmp_path / "b.db", clock)
    assert rows(config.database_path, "SELECT id FROM patients") == [("pt_1",)]


def test_it_leaves_the_database_alone_when_the_backup_is_corrupt_or_from_a_newer_version(
        db, config, clock, tmp_path):
    add_patient(db, "pt_live", clock)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(BackupError, match="not a readable SQLite database"):
        restore(config, garbage, clock)

    newer = tmp_path / "newer.db"
    backup(config, newer)
    connection = sqlite3.connect(newer)
    connection.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                       "VALUES ('homeward', 'm999_from_the_future', '2030-01-01')")
    connection.commit()
    connection.close()
    with pytest.raises(BackupError, match="newer Homeward"):
        restore(config, newer, clock)
    assert rows(config.database_path, "SELECT id FROM patients") == [("pt_live",)]


def test_it_leaves_the_database_alone_when_the_master_key_does_not_open_the_backup(
        db, config, clock, tmp_path):
    from server.commands.init import initialise

    other = config.with_overrides(data_dir=tmp_path / "other-site")
    initialise(other, clock)
    backup(other, tmp_path / "other.db")
    add_patient(db, "pt_live", clock)
    with pytest.raises(Exception, match="master key does not match"):
        restore(config, tmp_path / "other.db", clock)
    assert rows(config.database_path, "SELECT id FROM patients") == [("pt_live",)]
    assert not list(config.data_dir.glob("homeward.db.restoring-*"))
    assert not list(config.data_dir.glob("homeward.db.before-restore-*"))
