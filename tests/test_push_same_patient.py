"""One child, two phones (a parent's and the other parent's), pushing fevers at the same
moment into `homeward serve` with two workers: the entries are all stored once, and the
two fevers make one episode (one alert), not two alerts racing past each other."""
import threading
from datetime import date, timedelta

import pytest
import requests

from fault_support import CALM, FEVER, Workspace, short_sleep
from sync.client import Client

pytestmark = pytest.mark.e2e

ENTRIES_PER_PHONE = 30  # 29 calm readings and a fever each, in one push


def enrol_child_twice(workspace, server):
    """The child, and an enrolment code for each parent's phone."""
    headers = {"Authorization": f"Bearer {workspace.staff_token('nurse')}"}
    child = {"display_name": "Twin Push", "date_of_birth": "2015-03-14",
             "infusion_date": (date.today() - timedelta(days=2)).isoformat(),
             "timezone": "Europe/Madrid", "language": "es", "mrn": "MRN-TWIN1"}
    made = requests.post(f"{server.url}/api/v1/patients", json=child, headers=headers,
                         timeout=30)
    assert made.status_code == 201, made.text
    patient_id, codes = made.json()["patient_id"], []
    for _ in range(2):
        code = requests.post(f"{server.url}/api/v1/patients/{patient_id}/enrollments",
                             json={"respondent": "caregiver"}, headers=headers, timeout=30)
        assert code.status_code == 201, code.text
        codes.append(code.json()["code"])
    return patient_id, codes


def parent_phone(index, state_path, url, code, start, outcome):
    """Enrol, record a day's readings and a fever offline, then push them all at `start`."""
    phone = Client(state_path, sleep=short_sleep)
    try:
        phone.enrol(url, code, f"Parent {index}")
        outcome["recorded"] = [
            phone.record("symptom-diary", "1.0.0",
                         FEVER if n == ENTRIES_PER_PHONE - 1 else CALM)
            for n in range(ENTRIES_PER_PHONE)]
        start.wait(60)
        outcome["report"] = phone.sync()
        outcome["outbox"] = phone.status()["outbox"]
    except BaseException as error:  # reported by the main thread
        outcome["error"] = error
        start.abort()
    finally:
        phone.close()


def test_it_opens_one_alert_for_one_childs_fevers_pushed_from_two_phones_at_once(tmp_path):
    with Workspace(tmp_path) as workspace:
        server = workspace.serve(workers=2)
        patient_id, codes = enrol_child_twice(workspace, server)
        start, outcomes = threading.Barrier(2), [{}, {}]
        threads = [threading.Thread(target=parent_phone, args=(
            index, tmp_path / f"phone-{index}.db", server.url, codes[index], start,
            outcomes[index])) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        for outcome in outcomes:
            if "error" in outcome:
                raise outcome["error"]
            assert outcome["report"].ok and outcome["outbox"] == 0, outcome
        recorded = outcomes[0]["recorded"] + outcomes[1]["recorded"]
        stored = workspace.stored_entries()
        assert sorted(stored) == sorted(recorded) and set(stored.values()) == {1}
        alerts = workspace.query("SELECT id, status FROM alerts WHERE patient_id = ?",
                                 [patient_id])
        assert len(alerts) == 1, alerts
        linked = workspace.query("SELECT entry_id FROM alert_entries WHERE alert_id = ?",
                                 [alerts[0]["id"]])
        assert len(linked) == 2, "both fevers belong to the one episode"
        assert server.stop() == 0, server.log()
        assert "Traceback" not in workspace.logs()
