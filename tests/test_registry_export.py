"""The registry export: only consenting children, under a stable pseudonym, with nothing
that names them; CSV with a data dictionary and a FHIR Bundle that validates; the same
files for the same data; admins only; every export audited."""
import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from server.storage.db import connect
from server.records.registry.files import build
from server.records.registry.pseudonyms import load_pseudonym_key, pseudonym
from server.storage.vault import Vault
from support.registry_cohort import seed_cohort

ROOT = Path(__file__).resolve().parent.parent
SITE = "HW-TEST01"
ISO_DATE = re.compile(r"(?<![0-9A-Za-z])(?:19|20)[0-9]{2}-?[01][0-9]-?[0-3][0-9](?![0-9])")


@pytest.fixture
def config(config):
    return config.with_overrides(site_code=SITE)


@pytest.fixture
def physician(staff):
    return staff("physician")


@pytest.fixture
def admin(staff):
    return staff("admin")


@pytest.fixture
def cohort(client, nurse, physician, clock):
    return seed_cohort(client, nurse, physician, clock)


def export(client, admin, registry="ebmt", **query):
    response = client.get(f"/api/v1/registry-exports/{registry}", query_string=query,
                          headers=admin.headers)
    assert response.status_code == 200, response.get_json()
    return response.data


def unzip(data) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {Path(name).name: archive.read(name) for name in archive.namelist()}


def table(files, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"))))


def pseudonyms_of(db, config, clock, registry, cohort) -> dict[str, str]:
    key = load_pseudonym_key(db, Vault.open(config, db, clock))
    return {pseudonym(key, registry, patient_id): name
            for name, patient_id in cohort.ids.items()}


def test_it_exports_only_the_children_whose_consent_names_the_registry(
        client, admin, cohort, db, config, clock):
    names = pseudonyms_of(db, config, clock, "ebmt", cohort)
    ebmt = table(unzip(export(client, admin, "ebmt")), "patients.csv")
    assert sorted(names[row["pseudonym"]] for row in ebmt) == ["mateo", "ximena"]
    cibmtr = table(unzip(export(client, admin, "cibmtr")), "patients.csv")
    assert sorted(pseudonyms_of(db, config, clock, "cibmtr", cohort)[row["pseudonym"]]
                  for row in cibmtr) == ["mateo", "wolfgang"]
    # A registry sees its own pseudonym for a child, never another registry's.
    assert not {row["pseudonym"] for row in ebmt} & {row["pseudonym"] for row in cibmtr}


def test_it_drops_a_child_whose_consent_is_withdrawn(client, admin, physician, cohort):
    from support.registry_cohort import profile, set_profile

    set_profile(client, physician, cohort.ids["ximena"], profile([], diagnosis="jdm"))
    assert len(table(unzip(export(client, admin, "ebmt")), "patients.csv")) == 1


def test_it_turns_dates_into_days_and_birth_into_whole_years(client, admin, cohort, db,
                                                             config, clock):
    names = pseudonyms_of(db, config, clock, "ebmt", cohort)
    files = unzip(export(client, admin))
    rows = {names[row["pseudonym"]]: row for row in table(files, "patients.csv")}
    assert rows["mateo"]["age_at_infusion_years"] == "14"
    assert rows["ximena"]["age_at_infusion_years"] == "10"  # her birthday is day 0
    assert rows["mateo"]["consent_day"] == "-16"
    assert rows["mateo"]["site_code"] == SITE
    assert rows["mateo"]["diagnosis"] == "other"
    assert rows["mateo"]["last_follow_up_day"] == "3"
    [follow_up] = table(files, "follow_up.csv")
    assert (follow_up["day_post_infusion"], follow_up["new_lump"],
            follow_up["disease_signs"]) == ("3", "true", "joint_pain;rash")
    [score] = table(files, "scores.csv")
    assert (score["questionnaire"], score["day_post_infusion"], score["value"]) == (
        "neuro-check", "2", "8")


def every_exported_file(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def homeward(*args, data_dir, **settings):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOMEWARD_")},
           "HOMEWARD_DATA_DIR": str(data_dir),
           **{f"HOMEWARD_{name.upper()}": value for name, value in settings.items()}}
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_no_exported_file_holds_a_name_mrn_birth_date_or_free_text(
        client, admin, cohort, config, tmp_path):
    out = tmp_path / "out"
    result = homeward("export", "registry", "--out", str(out), data_dir=config.data_dir,
                      site_code=SITE)
    assert result.returncode == 0, result.stderr
    files = every_exported_file(out)
    for registry in ("ebmt", "cibmtr"):
        files |= {f"{registry}.zip/{name}": body
                  for name, body in unzip(export(client, admin, registry)).items()}
    assert len(files) == 2 * 2 * 8
    leaks = [(name, marker) for name, body in files.items()
             for marker in cohort.identifiers()
             if marker.encode() in body or marker.lower().encode() in body.lower()]
    assert leaks == []
    # Not one calendar date either (births, infusions, onsets, consents): days only.
    dates = [(name, match) for name, body in files.items()
             for match in ISO_DATE.findall(body.decode("utf-8"))]
    assert dates == []


def test_it_writes_the_files_0600_in_a_0700_folder_through_the_command_line(
        cohort, config, tmp_path, db):
    out = tmp_path / "exports"
    result = homeward("export", "registry", "--out", str(out), "--registry", "ebmt",
                      data_dir=config.data_dir, site_code=SITE)
    assert result.returncode == 0, result.stderr
    assert "ebmt: 2 patient(s) exported" in result.stdout
    assert sorted(path.name for path in out.iterdir()) == ["ebmt"]
    for folder in (out, out / "ebmt"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    names = sorted(path.name for path in (out / "ebmt").iterdir())
    assert names == ["bundle.json", "data_dictionary.csv", "follow_up.csv", "manifest.json",
                     "patients.csv", "scores.csv", "toxicity_events.csv",
                     "toxicity_summary.csv"]
    for path in (out / "ebmt").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [row] = db.execute("SELECT actor_role, target, details FROM audit_log "
                       "WHERE action = 'registry.export'").fetchall()
    assert row[:2] == ("operator", "ebmt")
    assert json.loads(row[2])["patients"] == 2


def test_the_command_stops_with_a_sentence_without_a_site_code(cohort, config, tmp_path):
    result = homeward("export", "registry", "--out", str(tmp_path / "out"), "--registry",
                      "ebmt", data_dir=config.data_dir)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "HOMEWARD_SITE_CODE" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "ebmt").exists()


def test_the_same_data_give_the_same_bytes(client, admin, cohort, config, tmp_path, clock):
    first = export(client, admin)
    clock.advance(minutes=90)
    assert export(client, admin) == first
    result = homeward("export", "registry", "--out", str(tmp_path / "cli"), "--registry",
                      "ebmt", data_dir=config.data_dir, site_code=SITE)
    assert result.returncode == 0, result.stderr
    on_disk = {path.name: path.read_bytes() for path in (tmp_path / "cli/ebmt").iterdir()}
    assert on_disk == unzip(first)
    manifest = json.loads(on_disk["manifest.json"])
    assert manifest["patients"] == 2 and "bundle.json" in manifest["files"]


def test_the_fhir_bundle_validates_and_carries_the_astct_grades(client, admin, cohort):
    bundle_json = json.loads(unzip(export(client, admin))["bundle.json"])
    bundle = Bundle.model_validate(bundle_json)
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "Patient": 2, "Condition": 2, "AdverseEvent": 5, "Observation": 1,
        "QuestionnaireResponse": 1}
    patients = [e["resource"] for e in bundle_json["entry"]
                if e["resource"]["resourceType"] == "Patient"]
    for patient in patients:
        assert set(patient) == {"resourceType", "id", "extension", "identifier", "gender"}
        assert "name" not in patient and "birthDate" not in patient
    crs = next(e["resource"] for e in bundle_json["entry"]
               if e["resource"]["resourceType"] == "AdverseEvent"
               and e["resource"]["event"]["coding"][0]["code"] == "crs"
               and e["resource"]["outcome"]["coding"][0]["code"] == "resolved"
               and e["resource"]["severity"]["coding"][0]["code"] == "moderate")
    grade = next(x for x in crs["extension"] if x["url"].endswith(":grade"))
    assert grade["valueCodeableConcept"]["coding"][0]["display"] == "ASTCT 2019 grade 2"


def summary_from_csv(rows) -> dict:
    """What a registry recomputes from toxicity_events.csv alone, by docs/registry.md."""
    out = {}
    for kind in ("crs", "icans"):
        events = [r for r in rows if r["kind"] == kind]
        worst = max(events, key=lambda r: (int(r["grade"]), -int(r["onset_day"])),
                    default=None)
        out[kind] = {"max_grade": worst and int(worst["grade"]),
                     "onset_day": min((int(r["onset_day"]) for r in events), default=None),
                     "duration_days": worst and (int(worst["duration_days"])
                                                 if worst["duration_days"] else None),
                     "count": len(events)}
    for kind in ("icaht", "licats", "infection", "hlh", "other"):
        out[kind] = sorted((int(r["grade"]), int(r["onset_day"]), r["duration_days"] or None)
                           for r in rows if r["kind"] == kind)
    out["treatments"] = sorted({t for r in rows for t in r["treatments"].split(";") if t})
    out["icu_days"] = sum(int(r["icu_days"] or 0) for r in rows)
    return out


def summary_from_api(summary) -> dict:
    out = {kind: {k: summary[kind][k] for k in ("max_grade", "onset_day", "duration_days",
                                                 "count")} for kind in ("crs", "icans")}
    for kind in ("icaht", "licats", "infection", "hlh", "other"):
        out[kind] = sorted((e["grade"], e["onset_day"], None if e["duration_days"] is None
                            else str(e["duration_days"])) for e in summary[kind])
    out["treatments"] = summary["treatments"]
    out["icu_days"] = summary["icu_days"]
    return out


def test_the_csv_gives_back_the_toxicity_summary(client, admin, physician, cohort, db,
                                                 config, clock):
    names = pseudonyms_of(db, config, clock, "ebmt", cohort)
    files = unzip(export(client, admin))
    events = table(files, "toxicity_events.csv")
    summaries = {row["pseudonym"]: row for row in table(files, "toxicity_summary.csv")}
    for key, name in ((k, v) for k, v in names.items() if k in summaries):
        response = client.get(f"/api/v1/patients/{cohort.ids[name]}/toxicity",
                              headers=physician.headers)
        expected = summary_from_api(response.get_json())
        rows = [row for row in events if row["pseudonym"] == key]
        assert summary_from_csv(rows) == expected
        flat = summaries[key]
        assert flat["crs_max_grade"] == str(expected["crs"]["max_grade"] or "")
        assert flat["treatments"] == ";".join(expected["treatments"])
    mateo = next(k for k, v in names.items() if v == "mateo")
    assert summaries[mateo]["crs_max_grade"] == "2"
    assert summaries[mateo]["crs_onset_day"] == "0"
    assert summaries[mateo]["crs_duration_days"] == "2"
    assert summaries[mateo]["icans_duration_days"] == ""


def test_the_data_dictionary_describes_every_column_of_every_file(client, admin, cohort):
    files = unzip(export(client, admin))
    described = {(row["file"], row["column"]): row for row in table(files,
                                                                     "data_dictionary.csv")}
    for name, body in files.items():
        if name.endswith(".csv") and name != "data_dictionary.csv":
            header = body.decode().splitlines()[0].split(",")
            for column in header:
                row = described[(name, column)]
                assert row["meaning"] and row["type"]
    assert "tocilizumab=Tocilizumab" in described[("toxicity_events.csv", "treatments")]["codes"]


def test_only_admins_may_export_and_each_export_is_audited(client, admin, nurse, physician,
                                                           cohort, db):
    for who in (nurse, physician):
        response = client.get("/api/v1/registry-exports/ebmt", headers=who.headers)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/registry-exports/ebmt").status_code == 401
    export(client, admin, "ebmt", since="2026-11-15")
    [row] = db.execute("SELECT actor_username, actor_role, target, details FROM audit_log "
                       "WHERE action = 'registry.export'").fetchall()
    assert row[:3] == (admin.username, "admin", "ebmt")
    assert json.loads(row[3])["patients"] == 1  # --since 2026-11-15 leaves ximena out
    assert json.loads(row[3])["since"] == "2026-11-15"


@pytest.mark.parametrize("registry, query, status", [
    ("EBMT!", {}, 400), ("ebmt", {"since": "yesterday"}, 400), ("ebmt", {"until": "x"}, 400)])
def test_it_refuses_a_bad_request_with_a_reason(client, admin, cohort, registry, query,
                                                status):
    response = client.get(f"/api/v1/registry-exports/{registry}", query_string=query,
                          headers=admin.headers)
    assert response.status_code == status
    assert response.get_json()["error"]["message"]


def test_a_pseudonym_survives_backup_and_restore_elsewhere(cohort, db, config, clock,
                                                           tmp_path):
    from server.storage.backup import backup, restore

    vault = Vault.open(config, db, clock)
    count, before = build(db, vault, registry="ebmt", site_code=SITE)
    backup(config, tmp_path / "copy.db")
    elsewhere = config.with_overrides(data_dir=tmp_path / "elsewhere",
                                      master_key_file=config.master_key_path)
    restore(elsewhere, tmp_path / "copy.db", clock)
    restored = connect(elsewhere.database_path)
    try:
        _, after = build(restored, Vault.open(elsewhere, restored, clock), registry="ebmt",
                         site_code=SITE)
    finally:
        restored.conn.close()
    assert count == 2 and after == before


def test_a_master_key_rotation_keeps_every_pseudonym(cohort, db, config, clock):
    from server.cli import main

    count, before = build(db, Vault.open(config, db, clock), registry="ebmt", site_code=SITE)
    env = {"HOMEWARD_DATA_DIR": str(config.data_dir)}
    assert main(["keys", "rotate-master"], environ=env) == 0
    [kek_id] = db.execute("SELECT kek_id FROM pseudonym_keys").fetchone()
    assert kek_id == db.execute("SELECT kek_id FROM master_keys WHERE retired_at IS NULL"
                                ).fetchone()[0]
    _, after = build(db, Vault.open(config, db, clock), registry="ebmt", site_code=SITE)
    assert count == 2 and after == before


def test_a_data_folder_from_before_exports_gets_its_key_from_init(client, admin, cohort, db,
                                                                  config, clock, tmp_path):
    from server.storage.installation import initialise

    db.execute("DELETE FROM pseudonym_keys")  # as a database made before m012's release
    response = client.get("/api/v1/registry-exports/ebmt", headers=admin.headers)
    assert response.status_code == 409
    assert "homeward init" in response.get_json()["error"]["message"]
    result = homeward("export", "registry", "--out", str(tmp_path / "out"),
                      data_dir=config.data_dir, site_code=SITE)
    assert result.returncode == 2 and "homeward init" in result.stderr
    initialise(config, clock)
    assert len(table(unzip(export(client, admin)), "patients.csv")) == 2


def test_an_erased_child_leaves_every_export(client, admin, cohort, db, config, clock):
    from server.records.patients import erase_patient

    vault = Vault.open(config, db, clock)
    erase_patient(db, vault, config, cohort.ids["mateo"], clock.now())
    names = pseudonyms_of(db, config, clock, "ebmt", cohort)
    rows = table(unzip(export(client, admin, "ebmt")), "patients.csv")
    assert [names[row["pseudonym"]] for row in rows] == ["ximena"]
