"""Every file Homeward writes is readable by its owner only (0600), whatever the umask it was
started with: the database and its WAL hold ids, times and sealed values, the key files
open them, backups are the database again."""
import os
import stat

import pytest

from server import create_app
from server.storage.backup import backup, restore
from server.records.patients import erase_patient
from support.family import enrolled_family
from test_vault import make_patient


@pytest.fixture(autouse=True)
def usual_umask():
    """A server started from a login shell: files would be 0644 unless Homeward says not."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(folder) -> dict[str, str]:
    return {str(path.relative_to(folder)): oct(stat.S_IMODE(path.stat().st_mode))
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_it_writes_the_database_its_wal_and_its_keys_for_its_owner_only(
        app, client, nurse, clock, config):
    family = enrolled_family(client, nurse.headers, clock=clock)  # the WAL has commits
    found = modes(config.data_dir)
    assert {"homeward.db", "homeward.db-wal", "homeward.db-shm", "master.key"} <= set(found)
    assert set(found.values()) == {"0o600"}, found
    assert family.patient_id


def test_it_keeps_the_erasure_ledger_backups_and_restored_databases_private(
        app, db, config, clock, tmp_path):
    vault = app.extensions["homeward"].vault
    patient_id = make_patient(db, vault, clock)
    erase_patient(db, vault, config, patient_id, clock.now())
    kept = tmp_path / "backups"
    backup(config, kept / "monday.db")
    restore(config, kept / "monday.db", clock)
    assert set(modes(config.data_dir).values()) == {"0o600"}, modes(config.data_dir)
    assert set(modes(kept).values()) == {"0o600"}, modes(kept)


def test_it_tightens_a_database_an_older_version_left_readable_by_everyone(app, db, config,
                                                                          clock):
    for name in ("homeward.db", "homeward.db-wal", "homeward.db-shm"):
        os.chmod(config.data_dir / name, 0o644)
    create_app(config, clock=clock)
    assert set(modes(config.data_dir).values()) == {"0o600"}, modes(config.data_dir)


def test_the_demo_writes_its_marker_and_its_logs_for_its_owner_only(tmp_path):
    from server.commands.demo import fresh_folder, start

    folder = tmp_path / "demo"
    fresh_folder(folder)
    process = start(["--help"], dict(os.environ), folder / "server.log")
    assert process.wait(timeout=60) == 0
    assert (folder / "server.log").read_text()  # the log really was written
    assert set(modes(folder).values()) == {"0o600"}, modes(folder)
