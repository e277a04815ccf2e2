"""A physician's overrides say what is normal for one child ("a tremor since childhood"):
they are sealed with the patient's key, the audit log keeps only the kind of change, and a
database from before (migration m005) is sealed on the next start."""
import json

import pytest

from server import create_app
from server.storage.db import migrate
from server.records.patients import erase_patient
from support.family import enrolled_family
from support.raw_database import raw_database_bytes
from test_rule_overrides import TREMOR, push_tremor, set_override

# The sign and the item it answers; "baseline_signs", the kind of change, is audited.
CLEAR = (b"tremor", b"neuro_signs")


@pytest.fixture
def physician(staff):
    return staff("physician")


def test_it_keeps_a_childs_overrides_out_of_the_raw_file_and_the_audit_log(
        client, family, physician, db, config):
    response = set_override(client, family, physician)
    assert response.status_code == 200, response.get_json()
    current = response.get_json()["current"]["overrides"]
    assert current["baseline_signs"] == TREMOR["baseline_signs"]  # staff still read it
    assert push_tremor(family)["alert"] is None  # and the rules still apply it
    raw = raw_database_bytes(db, config.database_path)
    for clear in CLEAR:
        assert clear not in raw
    [audited] = db.query("SELECT target, details FROM audit_log "
                         "WHERE action = 'rule_overrides.set'")
    override_id = response.get_json()["current"]["override_id"]
    assert audited["target"] == str(override_id)
    assert json.loads(audited["details"]) == {"sections": ["baseline_signs"]}


def make_it_old(db, override_rows):
    """What a database written before m005 holds: overrides and audit details in clear."""
    for row_id, patient_id, overrides in override_rows:
        db.execute("UPDATE patient_rule_overrides SET overrides = ? WHERE id = ?",
                   [json.dumps(overrides, sort_keys=True), row_id])
        db.execute("UPDATE audit_log SET details = ? WHERE action = 'rule_overrides.set' "
                   "AND patient_id = ?", [json.dumps({"overrides": overrides}), patient_id])
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm005_seal_clinical_details'")
    assert CLEAR[0] in raw_database_bytes(db, db.config_for_test.database_path)


def test_it_seals_the_overrides_an_older_version_left_in_clear_on_the_next_start(
        app, client, family, physician, nurse, db, config, clock):
    db.config_for_test = config
    erased = enrolled_family(client, nurse.headers, clock=clock)
    set_override(client, family, physician)
    set_override(client, erased, physician)
    rows = [(row["id"], row["patient_id"], TREMOR)
            for row in db.query("SELECT id, patient_id FROM patient_rule_overrides")]
    erase_patient(db, app.extensions["homeward"].vault, config, erased.patient_id,
                  clock.now())
    make_it_old(db, rows)
    # A command that never opens the vault (`homeward users create`) leaves the step for
    # the next that does, instead of failing.
    assert migrate(db) == []
    assert CLEAR[0] in raw_database_bytes(db, config.database_path)

    restarted = create_app(config, clock=clock)
    raw = raw_database_bytes(db, config.database_path)
    for clear in CLEAR:
        assert clear not in raw
    assert {row["t"] for row in db.query(
        "SELECT typeof(overrides) AS t FROM patient_rule_overrides")} == {"blob"}
    details = [json.loads(row["details"]) for row in db.query(
        "SELECT details FROM audit_log WHERE action = 'rule_overrides.set'")]
    assert details == [{"sections": ["baseline_signs"]}] * 2
    family.client = restarted.test_client()
    history = family.client.get(f"/api/v1/patients/{family.patient_id}/rule-overrides",
                                headers=physician.headers).get_json()
    assert history["current"]["overrides"]["baseline_signs"] == TREMOR["baseline_signs"]
    assert push_tremor(family)["alert"] is None  # the sealed override is in force
