"""End to end: the family app's JavaScript sync client (server/family/static/js/sync/)
against the real server over HTTP on 127.0.0.1, run by node with its own fetch and the
in-memory store. The same modules run in the phone's browser; this proves they speak the
protocol the server speaks, sealing included, with no browser in between.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from support.family import CHILD
from support.live import CuttingProxy, LiveServer

pytestmark = pytest.mark.e2e

SYNC_MODULES = Path(__file__).resolve().parent.parent / "server/family/static/js/sync"
NODE = shutil.which("node")
if NODE is None and os.environ.get("REQUIRE_NODE_TESTS") == "1":
    raise RuntimeError("REQUIRE_NODE_TESTS=1 but node is missing (apt-get install nodejs)")
needs_node = pytest.mark.skipif(NODE is None, reason="the JavaScript client needs node "
                                                     "(apt-get install nodejs)")

# The phone: enrol with the code as a parent types it, take the first snapshot, record a
# normal diary and a fever offline, then sync through `PUSH_URL` (which may lose answers).
PHONE = """
import { createSyncClient } from "%(modules)s/client.js";
import { createMemoryStore } from "%(modules)s/memory-store.js";

const { SERVER_URL, PUSH_URL, CODE } = process.env;
const store = createMemoryStore();
const phone = (baseUrl) => createSyncClient({ baseUrl, store, sleep: async () => {} });
const typed = CODE.toLowerCase().replace(/-/g, " ");
const enrolled = await phone(SERVER_URL).enrol(typed, "Papá's phone");
const first = await phone(SERVER_URL).sync();
const tasks = await store.items.list("task");
const diary = await phone(SERVER_URL).record("symptom-diary", "1.0.0", null,
  { temperature_c: 36.8, temperature_method: "oral" },
  { taskId: tasks.length ? tasks[0].id : null });
const fever = await phone(SERVER_URL).record("symptom-diary", "1.0.0", null,
  { temperature_c: 39.2, temperature_method: "oral" });
const odd = await phone(SERVER_URL).record("symptom-diary", "1.0.0", null,
  { no_such_item: 1 });
const second = await phone(PUSH_URL).sync();
const third = await phone(SERVER_URL).sync();
const client = phone(SERVER_URL);
console.log(JSON.stringify({ enrolled, first, second, third, status: await client.status(),
  entries: await client.entries("es"), alerts: await client.alerts(),
  recorded: { diary: diary.entry_id, fever: fever.entry_id, odd: odd.entry_id } }));
"""


def run_phone(tmp_path, **env):
    script = tmp_path / "phone.mjs"
    script.write_text(PHONE % {"modules": SYNC_MODULES.as_uri()})
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def live(config, clock, app):
    server = LiveServer(config, clock).start()
    yield server
    server.stop()


def new_code(url, nurse):
    """A child and an enrolment code, made through the clinic API as the nurse would."""
    patient = requests.post(f"{url}/api/v1/patients", json=CHILD, headers=nurse.headers,
                            timeout=30)
    assert patient.status_code == 201, patient.text
    patient_id = patient.json()["patient_id"]
    code = requests.post(f"{url}/api/v1/patients/{patient_id}/enrollments",
                         json={"respondent": "caregiver"}, headers=nurse.headers, timeout=30)
    assert code.status_code == 201, code.text
    return patient_id, code.json()["code"]


def stored_entries(db, patient_id):
    return {row["entry_id"]: row["status"] for row in db.query(
        "SELECT entry_id, status FROM entries WHERE patient_id = ?", [patient_id])}


@needs_node
def test_it_enrols_seals_and_syncs_a_fever_that_raises_an_alert_once(live, nurse, db, tmp_path):
    patient_id, code = new_code(live.url, nurse)
    phone = run_phone(tmp_path, SERVER_URL=live.url, PUSH_URL=live.url, CODE=code)
    recorded = phone["recorded"]

    assert phone["enrolled"]["patient_id"] == patient_id
    assert phone["first"]["error"] is None and phone["first"]["pulled"] > 0
    second = phone["second"]
    assert second["error"] is None, second["error"]
    assert (second["accepted"], second["quarantined"], second["rejected"]) == (2, 1, 0)
    assert second["outbox_pending"] == 0
    assert phone["third"]["pushed"] == 0  # nothing is sent twice
    assert stored_entries(db, patient_id) == {recorded["diary"]: "accepted",
                                              recorded["fever"]: "accepted",
                                              recorded["odd"]: "quarantined"}

    raised = {alert["entry_id"] for alert in second["alerts"]}
    assert raised == {recorded["fever"]}
    alerts = requests.get(f"{live.url}/api/v1/alerts", params={"patient_id": patient_id},
                          headers=nurse.headers, timeout=30).json()["alerts"]
    assert [alert["entry_ids"] for alert in alerts] == [[recorded["fever"]]]
    # ...and the pull after the push brought the alert to the phone, with what to do now
    pulled = [alert for alert in phone["alerts"] if alert["entry_id"] == recorded["fever"]]
    assert pulled and pulled[0]["message"]

    shown = {entry["entry_id"]: entry["shown"] for entry in phone["entries"]}
    assert shown[recorded["fever"]]["text"] == "Enviado."
    assert shown[recorded["odd"]]["state"] == "quarantined"
    assert "ask_team" in shown[recorded["odd"]]["actions"]


@needs_node
def test_a_push_whose_answer_is_lost_is_sent_again_and_stored_once(live, nurse, db, tmp_path):
    patient_id, code = new_code(live.url, nurse)
    proxy = CuttingProxy(live.port)
    proxy.cut_responses = 1  # the server stores the push; the phone never hears back
    try:
        phone = run_phone(tmp_path, SERVER_URL=live.url, PUSH_URL=proxy.url, CODE=code)
    finally:
        proxy.close()
    assert proxy.cut_count == 1
    second = phone["second"]
    assert second["error"] is None, second["error"]
    # the retry found them all stored: duplicate, not stored twice, settled on the phone
    assert (second["accepted"], second["duplicates"]) == (0, 3)
    assert second["outbox_pending"] == 0
    assert sorted(stored_entries(db, patient_id)) == sorted(phone["recorded"].values())
