"""Odd requests for a registry export, from the command line and the API: each is refused
with one sentence (exit 2, or the JSON error envelope), nothing is written and nothing is
audited. An export nobody consented to is written empty, so a registry hears of a
withdrawal; re-running into the export's own folder replaces it whole."""
import json
import stat

import pytest
from fhir.resources.R4B.bundle import Bundle

from test_registry_export import (SITE, admin, cohort, config, homeward,  # noqa: F401
                                  physician, table, unzip)

EXPORT_FILES = ["bundle.json", "data_dictionary.csv", "follow_up.csv", "manifest.json",
                "patients.csv", "scores.csv", "toxicity_events.csv", "toxicity_summary.csv"]


def cli(config, *args):
    return homeward("export", "registry", *args, data_dir=config.data_dir, site_code=SITE)


def refused(result, *words):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


def exports_audited(db):
    return db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'registry.export'"
                      ).fetchone()[0]


@pytest.mark.parametrize("since", ["20261101", "2026-W45", "2026-13-01", "yesterday", "",
                                   "2026-11-01T00:00:00"])
def test_the_command_refuses_a_since_that_is_not_yyyy_mm_dd(cohort, config, tmp_path, db,
                                                            since):
    out = tmp_path / "out"
    refused(cli(config, "--out", str(out), "--since", since), "--since")
    assert not out.exists() and exports_audited(db) == 0


def test_the_command_refuses_a_since_in_the_future(cohort, config, tmp_path, db):
    out = tmp_path / "out"
    refused(cli(config, "--out", str(out), "--since", "2099-01-01"), "future")
    assert not out.exists() and exports_audited(db) == 0


@pytest.mark.parametrize("since", ["20261101", "2026-W45", "2099-01-01", "2026-02-30"])
def test_the_api_refuses_a_since_that_is_not_a_past_calendar_day(client, admin, cohort, db,
                                                                 since):
    response = client.get("/api/v1/registry-exports/ebmt", query_string={"since": since},
                          headers=admin.headers)
    assert response.status_code == 400
    assert "since" in response.get_json()["error"]["details"]["fields"]
    assert exports_audited(db) == 0


@pytest.mark.parametrize("registry, words", [
    ("../x", ["not a registry code"]), ("EBMT", ["not a registry code"]),
    ("embt", ["embt", "cibmtr, ebmt"]), ("ebmt/../../etc", ["not a registry code"])])
def test_the_command_refuses_a_registry_it_does_not_know_before_touching_the_folder(
        cohort, config, tmp_path, db, registry, words):
    out = tmp_path / "out"
    message = refused(cli(config, "--out", str(out), "--registry", registry), *words)
    assert len(message.strip().splitlines()) == 1
    assert not out.exists() and not (tmp_path / "x").exists() and exports_audited(db) == 0


def test_the_api_answers_404_for_a_registry_the_site_does_not_know(client, admin, cohort, db):
    response = client.get("/api/v1/registry-exports/embt", headers=admin.headers)
    assert response.status_code == 404
    assert "ebmt" in response.get_json()["error"]["message"]
    assert exports_audited(db) == 0


def test_the_command_refuses_a_folder_holding_files_that_are_not_the_exports(
        cohort, config, tmp_path, db):
    mine = tmp_path / "out" / "ebmt" / "notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("the data manager's own notes")
    refused(cli(config, "--out", str(tmp_path / "out")), "notes.txt")
    assert sorted(p.name for p in mine.parent.iterdir()) == ["notes.txt"]
    assert not (tmp_path / "out" / "cibmtr").exists()  # not even the other registry
    assert mine.read_text() == "the data manager's own notes" and exports_audited(db) == 0


def test_the_command_refuses_an_empty_out(cohort, config, tmp_path, db):
    refused(cli(config, "--out", ""), "--out")
    assert exports_audited(db) == 0


@pytest.mark.parametrize("make", ["a file", "under a file"])
def test_the_command_refuses_an_out_that_is_not_a_folder(cohort, config, tmp_path, db, make):
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" if make == "a file" else tmp_path / "file" / "sub"
    refused(cli(config, "--out", str(out)), str(tmp_path / "file"))
    assert (tmp_path / "file").read_text() == "x" and exports_audited(db) == 0


def test_a_second_run_replaces_the_exports_own_folder_whole(cohort, config, tmp_path, db):
    out = tmp_path / "out"
    assert cli(config, "--out", str(out), "--registry", "ebmt").returncode == 0
    first = {p.name: p.read_bytes() for p in (out / "ebmt").iterdir()}
    again = cli(config, "--out", str(out), "--registry", "ebmt")
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ebmt"]  # no temporary folders left
    assert {p.name: p.read_bytes() for p in (out / "ebmt").iterdir()} == first
    assert stat.S_IMODE((out / "ebmt").stat().st_mode) == 0o700


def test_an_export_nobody_consented_to_is_written_empty_and_validates(config, tmp_path, db):
    out = tmp_path / "out"
    nothing = cli(config, "--out", str(out))
    assert nothing.returncode == 0 and "nothing to export" in nothing.stdout
    assert not out.exists()
    result = cli(config, "--out", str(out), "--registry", "ebmt")
    assert result.returncode == 0, result.stderr
    assert "ebmt: 0 patient(s)" in result.stdout
    assert sorted(p.name for p in (out / "ebmt").iterdir()) == EXPORT_FILES
    assert (out / "ebmt/patients.csv").read_text().count("\n") == 1  # the header only
    Bundle.model_validate(json.loads((out / "ebmt/bundle.json").read_text()))
    assert json.loads((out / "ebmt/manifest.json").read_text())["patients"] == 0


def test_a_withdrawn_consent_leaves_the_next_export_even_when_it_was_the_last(
        client, admin, physician, cohort):
    from support.registry_cohort import profile, set_profile

    for name in ("mateo", "ximena"):
        set_profile(client, physician, cohort.ids[name], profile([], diagnosis="jdm"))
    files = unzip(client.get("/api/v1/registry-exports/ebmt", headers=admin.headers).data)
    assert table(files, "patients.csv") == [] and table(files, "toxicity_events.csv") == []
    assert '"entry"' not in files["bundle.json"].decode()


@pytest.mark.parametrize("address", ["..%2Fx", "..%2F..%2Fetc", "ebmt%00", "%2e%2e", "ebmt%2F"])
def test_the_api_answers_a_registry_with_path_characters_with_the_envelope(
        client, admin, cohort, db, address):
    response = client.get(f"/api/v1/registry-exports/{address}", headers=admin.headers)
    assert response.status_code in (400, 404)
    assert set(response.get_json()["error"]) == {"code", "message", "details"}
    assert exports_audited(db) == 0
