"""The registry export is reproducible and forgets: the same data give the same bytes from
two fresh processes (different hash seeds), from a server before and after a restart, and
from the command line and the API alike; a child whose consent is withdrawn is gone from
the next export written over the last one."""
import json
import urllib.request

from fhir.resources.R4B.bundle import Bundle

from test_registry_export import (SITE, admin, cohort, config, homeward,  # noqa: F401
                                  physician, pseudonyms_of, unzip)


def files_in(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def run(config, out, monkeypatch, seed, *args):
    monkeypatch.setenv("PYTHONHASHSEED", str(seed))
    result = homeward("export", "registry", "--out", str(out), *args,
                      data_dir=config.data_dir, site_code=SITE)
    assert result.returncode == 0, result.stderr
    return result


def test_two_fresh_processes_write_the_same_bytes(cohort, config, tmp_path, monkeypatch,
                                                  client, admin):
    run(config, tmp_path / "first", monkeypatch, 1)
    run(config, tmp_path / "second", monkeypatch, 2)
    for registry in ("ebmt", "cibmtr"):
        first = files_in(tmp_path / "first" / registry)
        assert first == files_in(tmp_path / "second" / registry)
        assert len(first) == 8
        api = unzip(client.get(f"/api/v1/registry-exports/{registry}",
                               headers=admin.headers).data)
        assert api == first
        Bundle.model_validate(json.loads(first["bundle.json"]))


def fetch(live, admin, registry="ebmt") -> bytes:
    request = urllib.request.Request(f"{live.url}/api/v1/registry-exports/{registry}",
                                     headers=admin.headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"] == "application/zip"
        return response.read()


def test_a_restarted_server_answers_the_same_zip_byte_for_byte(cohort, live, admin, clock):
    before = fetch(live, admin)
    live.restart()
    clock.advance(hours=5)  # and later in the day: no time of the run is inside
    assert fetch(live, admin) == before


def test_a_withdrawn_consent_is_gone_from_the_next_export_over_the_last(
        cohort, config, tmp_path, monkeypatch, client, physician, db, clock):
    from support.registry_cohort import profile, set_profile

    out = tmp_path / "out"
    run(config, out, monkeypatch, 1, "--registry", "ebmt")
    ximena = next(key for key, name in pseudonyms_of(db, config, clock, "ebmt", cohort).items()
                  if name == "ximena")
    assert any(ximena.encode() in body for body in files_in(out / "ebmt").values())
    set_profile(client, physician, cohort.ids["ximena"], profile([], diagnosis="jdm"))
    run(config, out, monkeypatch, 1, "--registry", "ebmt")
    after = files_in(out / "ebmt")
    assert [name for name, body in after.items() if ximena.encode() in body] == []
    assert json.loads(after["manifest.json"])["patients"] == 1
