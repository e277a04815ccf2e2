"""The database file must be safe to lose to a thief."""
from datetime import date

import pytest

from server import create_app
from server.cli import main
from server.storage.keyfiles import KeyFileError, b64encode
from server.records.patients import create_patient, get_patient
from server.storage.vault import PatientErased, TamperedValue, Vault
from support.raw_database import raw_database_bytes


def make_patient(db, vault, clock, name="Ana Maria Quintero", mrn="MRN-4471902"):
    return create_patient(db, vault, display_name=name, date_of_birth=date(2014, 5, 2),
                          infusion_date=date(2026, 11, 18), timezone="America/New_York",
                          language="es", mrn=mrn, created_by="usr_test", now=clock.now())


@pytest.fixture
def vault(app):
    return app.extensions["homeward"].vault


def test_it_reads_back_what_it_sealed(db, vault, clock):
    patient_id = make_patient(db, vault, clock)
    patient = get_patient(db, vault, patient_id, clock.now())
    assert patient["display_name"] == "Ana Maria Quintero"
    assert patient["mrn"] == "MRN-4471902"
    assert patient["date_of_birth"] == "2014-05-02"


def test_it_detects_a_tampered_value(db, vault, clock):
    patient_id = make_patient(db, vault, clock)
    blob = bytearray(db["patients"].get(patient_id)["mrn"])
    blob[-1] ^= 1
    db["patients"].update(patient_id, {"mrn": bytes(blob)})
    with pytest.raises(TamperedValue):
        get_patient(db, vault, patient_id, clock.now())


def test_it_refuses_a_value_moved_to_another_column(db, vault, clock):
    patient_id = make_patient(db, vault, clock)
    row = db["patients"].get(patient_id)
    db["patients"].update(patient_id, {"display_name": row["mrn"]})
    with pytest.raises(TamperedValue):
        get_patient(db, vault, patient_id, clock.now())


def test_it_refuses_a_value_swapped_in_from_another_patient(db, vault, clock):
    first = make_patient(db, vault, clock)
    second = make_patient(db, vault, clock, name="Other Child", mrn="MRN-2")
    stolen = db["patients"].get(first)["display_name"]
    db["patients"].update(second, {"display_name": stolen})
    with pytest.raises(TamperedValue):
        get_patient(db, vault, second, clock.now())


def test_it_refuses_a_wrapped_key_swapped_in_from_another_patient(db, vault, clock):
    first = make_patient(db, vault, clock)
    second = make_patient(db, vault, clock, name="Other Child", mrn="MRN-2")
    wrapped = db["patient_keys"].get(first)["wrapped_key"]
    db["patient_keys"].update(second, {"wrapped_key": wrapped})
    with pytest.raises(TamperedValue):
        get_patient(db, vault, second, clock.now())


def test_it_keeps_names_mrns_and_birth_dates_out_of_the_raw_file(db, vault, clock, config):
    make_patient(db, vault, clock, name="Zebulon Fairweather-Okonkwo", mrn="MRN-99887766")
    raw = raw_database_bytes(db, config.database_path)
    for secret in (b"Zebulon", b"Fairweather", b"Okonkwo", b"99887766", b"2014-05-02"):
        assert secret not in raw
    assert b"America/New_York" in raw  # what is in clear is really stored in clear


def test_it_creates_the_master_key_file_readable_by_its_owner_only(app, config):
    assert config.master_key_path.stat().st_mode & 0o777 == 0o600


def test_it_refuses_to_start_with_a_different_master_key(app, config, clock):
    config.master_key_path.unlink()
    other = config.with_overrides(master_key=b64encode(b"k" * 32))
    with pytest.raises(KeyFileError, match="does not match this database"):
        create_app(other, clock=clock)


def test_it_will_not_make_a_new_key_where_patient_keys_exist(db, vault, clock, config):
    make_patient(db, vault, clock)
    config.master_key_path.unlink()
    with pytest.raises(KeyFileError, match="does not exist"):
        create_app(config, clock=clock)


def test_it_takes_the_master_key_from_the_environment(tmp_path, clock):
    env = {"HOMEWARD_DATA_DIR": str(tmp_path), "HOMEWARD_MASTER_KEY": b64encode(b"m" * 32)}
    assert main(["init"], environ=env) == 0
    assert not (tmp_path / "master.key").exists()


def test_it_rotates_the_master_key_without_touching_sealed_values(db, vault, clock, config):
    patient_id = make_patient(db, vault, clock)
    before = db["patients"].get(patient_id)
    old_key = config.master_key_path.read_bytes()
    env = {"HOMEWARD_DATA_DIR": str(config.data_dir), "HOMEWARD_ARGON2_MEMORY_KIB": "64"}
    assert main(["keys", "rotate-master"], environ=env) == 0

    assert config.master_key_path.read_bytes() != old_key
    assert db["patients"].get(patient_id) == before  # not one sealed value rewritten
    fresh = create_app(config, clock=clock).extensions["homeward"].vault
    assert get_patient(db, fresh, patient_id, clock.now())["mrn"] == "MRN-4471902"
    config.master_key_path.write_bytes(old_key)
    with pytest.raises(KeyFileError, match="does not match"):
        create_app(config, clock=clock)


def test_it_finishes_a_rotation_interrupted_before_the_new_key_was_renamed(
        db, vault, clock, config):
    patient_id = make_patient(db, vault, clock)
    env = {"HOMEWARD_DATA_DIR": str(config.data_dir)}
    import server.commands.keys as keys

    real_replace = keys.os.replace

    def crash(*args):
        raise KeyboardInterrupt  # the power went out between the commit and the rename

    keys.os.replace = crash
    try:
        assert main(["keys", "rotate-master"], environ=env) == 130
    finally:
        keys.os.replace = real_replace
    # Both keys are on disk; the server starts and reads everything.
    interrupted = create_app(config, clock=clock).extensions["homeward"].vault
    assert get_patient(db, interrupted, patient_id, clock.now())["display_name"]
    assert main(["keys", "rotate-master"], environ=env) == 0
    assert not (config.data_dir / "master.key.next").exists()
    finished = create_app(config, clock=clock).extensions["homeward"].vault
    assert get_patient(db, finished, patient_id, clock.now())["display_name"]


def test_it_erases_a_patient_by_destroying_their_key(db, vault, clock, config, capsys):
    patient_id = make_patient(db, vault, clock)
    keep = make_patient(db, vault, clock, name="Stays Readable", mrn="MRN-1")
    env = {"HOMEWARD_DATA_DIR": str(config.data_dir)}
    assert main(["patients", "erase", patient_id, "--yes"], environ=env) == 0

    said = capsys.readouterr().out
    assert "data key destroyed" in said and "patients: 3 sealed value(s)" in said
    with pytest.raises(PatientErased):
        vault.for_patient(db, patient_id)
    erased = get_patient(db, vault, patient_id, clock.now())
    assert erased["status"] == "erased" and erased["display_name"] is None
    assert get_patient(db, vault, keep, clock.now())["display_name"] == "Stays Readable"
    assert patient_id in (config.data_dir / "erasures.log").read_text()


def test_it_asks_before_erasing(db, vault, clock, config, monkeypatch):
    patient_id = make_patient(db, vault, clock)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert main(["patients", "erase", patient_id],
                environ={"HOMEWARD_DATA_DIR": str(config.data_dir)}) == 1
    assert vault.for_patient(db, patient_id)


def test_vault_open_is_idempotent_on_a_new_database(db, config, clock):
    first = Vault.open(config, db, clock)
    second = Vault.open(config, db, clock)
    assert first.current_kek_id == second.current_kek_id
    assert db["master_keys"].count == 1
