"""End to end: the family app's JavaScript sync client (server/family/static/js/sync/)
against the real server over HTTP on 127.0.0.1, run by node with its own fetch and the
in-memory store, and once in Chromium with each X25519 it may seal with. The same modules run in the phone's browser; this proves they speak the
protocol the server speaks, sealing included, with no browser in between.

Each `phone(...)` call is one node process that loads the phone's state from a file, does
one thing and saves the state again, the way the app is closed and opened again.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from support.family import CHILD
from support.live import CuttingProxy

pytestmark = pytest.mark.e2e

SYNC_MODULES = Path(__file__).resolve().parent.parent / "server/family/static/js/sync"
NODE = shutil.which("node")
if NODE is None and os.environ.get("REQUIRE_NODE_TESTS") == "1":
    raise RuntimeError("REQUIRE_NODE_TESTS=1 but node is missing (apt-get install nodejs)")
needs_node = pytest.mark.skipif(NODE is None, reason="the JavaScript client needs node "
                                                     "(apt-get install nodejs)")

PHONE = """
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createSyncClient } from "%(modules)s/client.js";
import { createMemoryStore } from "%(modules)s/memory-store.js";
import { adviseOnSave, compareWithServer } from "%(modules)s/../advice/advise.js";

const [statePath, command, argument] = process.argv.slice(2);
const { url, ...args } = JSON.parse(argument);
const store = createMemoryStore(existsSync(statePath) ? JSON.parse(readFileSync(statePath)) : undefined);
const client = createSyncClient({ baseUrl: url, store, sleep: async () => {} });
const commands = {
  enrol: () => client.enrol(args.code, args.name),
  record: async () => (await client.record("symptom-diary", "1.0.0", null, args.answers,
    { taskId: args.first_task ? (await store.items.list("task")).find(
      (task) => task.data.questionnaire_id === "symptom-diary")?.id : null })).entry_id,
  sync: () => client.sync(),
  status: () => client.status(),
  entries: () => client.entries(args.language),
  alerts: () => client.alerts(),
  items: async () => (await store.items.list(args.type)).map((item) => item.id),
  // Save as the app does: advice from the pulled rules and profile first, sealed in the entry.
  advise_and_record: async () => {
    const [rules] = (await store.items.list("rules")).map((item) => item.data);
    const [profile] = (await store.items.list("profile")).map((item) => item.data);
    const recorded_at = new Date().toISOString();
    const entry = { questionnaire_id: "symptom-diary", variant: "caregiver",
      answers: args.answers, recorded_at };
    const advice = adviseOnSave({ rules, profile, history: [], entry, now: recorded_at,
      language: "en" });
    const record = await client.record("symptom-diary", "1.0.0", null, args.answers,
      { recordedAt: recorded_at, phoneAdvice: args.claim
        ? { level: args.claim, rules_signature: rules.signature } : advice.phoneAdvice });
    return { entry_id: record.entry_id, level: advice.level, tel: advice.actions[0]?.href ?? null };
  },
  compare: async () => Object.fromEntries((await client.outbox.list()).map((record) =>
    [record.entry_id, compareWithServer(record.phone_advice?.level ?? null, record)])),
};
const result = await commands[command]();
writeFileSync(statePath, JSON.stringify(store.dump()));
console.log(JSON.stringify(result));
"""



@pytest.fixture
def phone(tmp_path):
    """phone(command, url=..., **arguments) -> what the JavaScript client answered."""
    script = tmp_path / "phone.mjs"
    script.write_text(PHONE % {"modules": SYNC_MODULES.as_uri()})
    state = tmp_path / "phone-state.json"

    def run(command, url, **arguments):
        done = subprocess.run([NODE, str(script), str(state), command,
                               json.dumps({"url": url, **arguments})],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    return run


def new_code(url, nurse, patient_id=None):
    """An enrolment code made through the clinic API as the nurse would (and the child)."""
    if patient_id is None:
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


def typed_by_a_parent(code):
    return code.lower().replace("-", " ")


@needs_node
def test_it_enrols_seals_and_syncs_a_fever_that_raises_an_alert_once(live, nurse, db, phone):
    patient_id, code = new_code(live.url, nurse)
    assert phone("enrol", live.url, code=typed_by_a_parent(code),
                 name="Papá's phone")["patient_id"] == patient_id
    first = phone("sync", live.url)
    assert first["error"] is None and first["pulled"] > 0
    # the snapshot: the child's profile, the questionnaires for this age, tasks ahead, rules
    assert phone("items", live.url, type="profile") == [patient_id]
    assert "symptom-diary" in phone("items", live.url, type="questionnaire")
    assert phone("items", live.url, type="task") and phone("items", live.url, type="rules")
    diary = phone("record", live.url, answers={"temperature_c": 36.8,
                                               "temperature_method": "oral"}, first_task=True)
    fever = phone("record", live.url, answers={"temperature_c": 39.2,
                                               "temperature_method": "oral"})
    odd = phone("record", live.url, answers={"no_such_item": 1})

    second = phone("sync", live.url)
    assert second["error"] is None, second["error"]
    assert (second["accepted"], second["quarantined"], second["rejected"]) == (2, 1, 0)
    assert second["outbox_pending"] == 0
    assert phone("sync", live.url)["pushed"] == 0  # nothing is sent twice
    assert stored_entries(db, patient_id) == {diary: "accepted", fever: "accepted",
                                              odd: "quarantined"}

    assert [alert["entry_id"] for alert in second["alerts"]] == [fever]
    alerts = requests.get(f"{live.url}/api/v1/alerts", params={"patient_id": patient_id},
                          headers=nurse.headers, timeout=30).json()["alerts"]
    assert [alert["entry_ids"] for alert in alerts] == [[fever]]
    # ...and the pull after the push brought the alert to the phone, with what to do now
    pulled = [alert for alert in phone("alerts", live.url) if alert["entry_id"] == fever]
    assert pulled and pulled[0]["message"]

    shown = {entry["entry_id"]: entry["shown"]
             for entry in phone("entries", live.url, language="es")}
    assert shown[fever]["text"] == "Enviado."
    assert shown[odd]["state"] == "quarantined"
    assert "ask_team" in shown[odd]["actions"]


@needs_node
def test_a_push_whose_answer_is_lost_is_sent_again_and_stored_once(live, nurse, db, phone):
    patient_id, code = new_code(live.url, nurse)
    phone("enrol", live.url, code=code, name="Papá's phone")
    recorded = [phone("record", live.url, answers={"temperature_c": 36.5 + i / 10})
                for i in range(3)]
    proxy = CuttingProxy(live.port)
    proxy.cut_responses = 1  # the server stores the push; the phone never hears back
    try:
        report = phone("sync", proxy.url)
    finally:
        proxy.close()
    assert proxy.cut_count == 1
    assert report["error"] is None, report["error"]
    # the retry found them all stored: duplicate, not stored twice, settled on the phone
    assert (report["accepted"], report["duplicates"], report["outbox_pending"]) == (0, 3, 0)
    assert sorted(stored_entries(db, patient_id)) == sorted(recorded)


@needs_node
def test_a_revoked_phone_keeps_its_entries_and_delivers_them_after_enrolling_again(
        live, nurse, db, phone):
    patient_id, code = new_code(live.url, nurse)
    device_id = phone("enrol", live.url, code=code, name="Papá's phone")["device_id"]
    fever = phone("record", live.url, answers={"temperature_c": 38.9,
                                               "temperature_method": "oral"})
    revoked = requests.delete(f"{live.url}/api/v1/devices/{device_id}", headers=nurse.headers,
                              timeout=30)
    assert revoked.status_code in (200, 204), revoked.text

    report = phone("sync", live.url)
    assert report["needs_enrolment"] and report["error"]["code"] == "device_revoked"
    assert report["outbox_pending"] == 1 and stored_entries(db, patient_id) == {}
    assert phone("status", live.url)["needs_enrolment"] is True

    _, second_code = new_code(live.url, nurse, patient_id)
    assert phone("enrol", live.url, code=second_code, name="Papá's phone")["device_id"] != device_id
    report = phone("sync", live.url)
    assert (report["error"], report["accepted"]) == (None, 1)
    # sealed under the old device id before the revocation, and still delivered
    assert stored_entries(db, patient_id) == {fever: "accepted"}


@needs_node
def test_the_phones_advice_travels_sealed_and_the_server_counts_only_where_it_differs(
        live, nurse, db, phone):
    patient_id, code = new_code(live.url, nurse)
    phone("enrol", live.url, code=code, name="Papá's phone")
    assert phone("sync", live.url)["error"] is None   # the rules and the profile, pulled
    fever = phone("advise_and_record", live.url,
                  answers={"temperature_c": 38.6, "temperature_method": "oral"})
    assert fever["level"] == "urgent"
    # a phone that says "urgent" where the server finds nothing (old rules, say)
    calm = phone("advise_and_record", live.url, claim="urgent",
                 answers={"temperature_c": 36.8, "temperature_method": "oral"})
    assert calm["level"] is None
    report = phone("sync", live.url)
    assert (report["error"], report["accepted"]) == (None, 2)

    drift = list(db.query("SELECT entry_id, phone_level, server_level, server_higher, "
                          "phone_rules_signature, server_rules_signature FROM advice_drift"))
    assert [(row["entry_id"], row["phone_level"], row["server_level"], row["server_higher"])
            for row in drift] == [(calm["entry_id"], "urgent", None, 0)]
    assert drift[0]["phone_rules_signature"] == drift[0]["server_rules_signature"]
    health = requests.get(f"{live.url}/healthz", timeout=30).json()
    assert health["advice_drift"]["total"] == 1
    # on the phone: the server agreed with the fever advice, and found less for the other
    compared = phone("compare", live.url)
    assert compared[fever["entry_id"]] == {"serverLevel": "urgent", "serverHigher": False,
                                           "mustSwitch": False}
    assert compared[calm["entry_id"]]["mustSwitch"] is False


# The same client in Chromium, on the server's own origin: the page's files are served
# from server/family/static by Playwright's routing, the API by the live server. Run in a
# process of its own, so its Playwright does not meet the browser tests' one.
CHROMIUM = "/usr/bin/chromium"
BROWSER_PHONE = """
import json, mimetypes, pathlib, sys
from playwright.sync_api import sync_playwright

url, static, codes = sys.argv[1], pathlib.Path(sys.argv[2]), json.loads(sys.argv[3])
PREFIX = url + "/js-sync-check/"

def serve(route):
    path = static / route.request.url[len(PREFIX):].split("?")[0]
    if route.request.url == PREFIX:
        return route.fulfill(body="<!doctype html><title>sync check</title>",
                             content_type="text/html")
    route.fulfill(body=path.read_bytes(), content_type=mimetypes.guess_type(path.name)[0]
                  or "text/javascript")

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=%(chromium)r, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(PREFIX + "**", serve)
    page.goto(PREFIX)
    results = page.evaluate('''async (codes) => {
      const { createSyncClient } = await import("/js-sync-check/js/sync/client.js");
      const { createMemoryStore } = await import("/js-sync-check/js/sync/memory-store.js");
      const native = await crypto.subtle.importKey("raw", new Uint8Array(32).fill(9),
        { name: "X25519" }, true, []).then(() => true, () => false);
      const results = { native };
      for (const [x25519, code] of Object.entries(codes)) {
        const client = createSyncClient({ store: createMemoryStore(), x25519 });
        await client.enrol(code, "Chromium " + x25519);
        const fever = await client.record("symptom-diary", "1.0.0", null,
          { temperature_c: 39.0, temperature_method: "oral" });
        results[x25519] = { fever: fever.entry_id, report: await client.sync() };
      }
      return results;
    }''', codes)
    browser.close()
print(json.dumps({"results": results, "errors": errors}))
"""


def test_chromium_seals_with_webcrypto_and_with_pure_js_and_the_server_opens_both(
        live, nurse, db, tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    families = {x25519: new_code(live.url, nurse) for x25519 in ("webcrypto", "pure-js")}
    script = tmp_path / "browser_phone.py"
    script.write_text(BROWSER_PHONE % {"chromium": CHROMIUM})
    done = subprocess.run([sys.executable, str(script), live.url, str(SYNC_MODULES.parent.parent),
                           json.dumps({x25519: code for x25519, (_, code) in families.items()})],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["errors"] == []
    results = answer["results"]
    assert results["native"] is True  # so "webcrypto" really used WebCrypto's X25519
    for x25519, (patient_id, _code) in families.items():
        report = results[x25519]["report"]
        assert (report["error"], report["accepted"]) == (None, 1), (x25519, report)
        fever = results[x25519]["fever"]
        assert stored_entries(db, patient_id) == {fever: "accepted"}
        assert [alert["entry_id"] for alert in report["alerts"]] == [fever]
