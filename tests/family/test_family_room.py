"""The family app's room on the server: served under /app/ with a strict CSP, a service
worker whose version follows the shell's bytes, and QR codes that open the app."""
import re

from support.family import create_patient


def test_it_serves_the_app_at_slash_app_under_a_csp_with_no_inline_script(client):
    response = client.get("/app/")
    assert response.status_code == 200
    assert b'<script type="module" src="js/app.js"></script>' in response.data
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert client.get("/app").status_code == 308


def test_it_serves_the_modules_and_the_manifest_with_their_types(client):
    assert client.get("/app/js/app.js").mimetype == "text/javascript"
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["scope"] == "/app/"


def test_it_refuses_paths_outside_the_shell(client):
    assert client.get("/app/../server/config.py").status_code == 404
    assert client.get("/app/vendor/hpke/core/LICENSE").status_code == 404
    assert client.get("/app/nothing-here.js").status_code == 404


def test_its_service_worker_lists_every_shell_file_with_a_version_of_their_bytes(client):
    from server.family import read_shell

    response = client.get("/app/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    shell = read_shell()
    assert f'"version": "{shell["version"]}"' in response.get_data(as_text=True)
    assert {"index.html", "app.css", "js/app.js", "js/store.js", "icons/icon-192.png"} <= set(
        shell["files"])
    for file in shell["files"]:
        assert client.get(f"/app/{file}").status_code == 200, file


def test_a_new_version_of_any_shell_file_changes_the_service_worker(client, monkeypatch,
                                                                    tmp_path):
    import shutil

    import server.family as room

    copy = tmp_path / "static"
    shutil.copytree(room.STATIC, copy)
    monkeypatch.setattr(room, "STATIC", copy)
    room.read_shell.cache_clear()
    before = room.read_shell()["version"]
    (copy / "app.css").write_text((copy / "app.css").read_text() + "\n/* 1.0.1 */\n")
    room.read_shell.cache_clear()
    try:
        assert room.read_shell()["version"] != before
    finally:
        monkeypatch.undo()
        room.read_shell.cache_clear()


def test_the_enrolment_qr_code_opens_the_family_app_with_the_code(client, nurse):
    patient_id = create_patient(client, nurse.headers)
    body = client.post(f"/api/v1/patients/{patient_id}/enrollments",
                       json={"respondent": "caregiver"}, headers=nurse.headers).get_json()
    assert body["app_link"] == f"http://127.0.0.1:8000/app/#enrol={body['code']}"
    assert body["enrol_uri"].startswith("homeward:enrol?")  # kept for native apps
    # The QR code holds the link: segno draws it at a size that depends on the text, so
    # check that the drawn text is the link by drawing it again.
    import segno

    assert body["qr_svg"] == segno.make(body["app_link"], error="m").svg_inline(scale=4)
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/app/#enrol=[0-9A-Z-]{14}", body["app_link"])
