"""One child's pushes racing staff over HTTP, into `homeward serve --workers 2`: two parents'
phones push batches while a physician flips the child's fever threshold and clinical
profile, a retry races its original, and a phone is revoked in mid-flight. Whatever the
interleaving: no 5xx, every entry a phone was told was stored is stored once, nothing else
is, every alert has its outbox row, and each push was judged by one state of the
physician's overrides (the one in force before it, or after a change it overlapped), never
half by one and half by the other.

tests/test_push_races.py forces each interleaving at the exact moment with a hook; here
nothing is forced, so each run hits a different mix (the figures are printed)."""
import json
import random
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import requests

from fault_support import Workspace, wait_for
from support.family import enrolled_family

pytestmark = pytest.mark.e2e

CALM = {"temperature_c": 36.8, "temperature_method": "oral"}
FEVER = {"temperature_c": 38.6, "temperature_method": "axillary"}   # a fever below 39.0
RAISED = {"parameters": {"fever_threshold_c": {"any": 39.0}}}
PROFILE = {"diagnosis": "sle", "organs_involved": ["kidney"], "car_target": "cd19"}
BATCH, FEVERS_AT = 120, (40, 80, 119)


class Http:
    """What support.family.Family calls on a Flask test client, over real HTTP; every
    answer is kept."""

    def __init__(self, url):
        self.url, self.answers, self.lock = url, [], threading.Lock()
        self.local = threading.local()

    def request(self, method, path, json=None, headers=None, query_string=None):
        session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        response = session.request(method, self.url + path, json=json, headers=headers,
                                   params=query_string, timeout=120)
        response.get_json = response.json
        with self.lock:
            self.answers.append((method, path, response.status_code, response.text[:300]))
        return response

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)


def child_with_two_phones(http, nurse):
    today = datetime.now(timezone.utc).date()
    first = enrolled_family(http, nurse, infusion_date=(today - timedelta(days=2)).isoformat(),
                            timezone="Europe/Madrid", mrn=f"MRN-RACE{time.time_ns() % 10**6}")
    return first, enrolled_family(http, nurse, patient_id=first.patient_id)


def batch(phone, start, index):
    """BATCH readings a second apart, fevers at FEVERS_AT; recorded before `start`."""
    base = start - timedelta(hours=2 * (index + 1))
    return [phone.document(FEVER if n in FEVERS_AT else CALM,
                           recorded_at=(base + timedelta(seconds=n)).isoformat())
            for n in range(BATCH)]


def run_phone(phone, rounds, start, outcome, stop_on_revoked=False):
    try:
        for index in range(rounds):
            documents = batch(phone, start, index)
            envelopes = [phone.envelope(document) for document in documents]
            sent = time.monotonic()
            response = phone.push(envelopes)
            if response.status_code == 401 and stop_on_revoked:
                outcome["refused"].extend(documents)
                break
            assert response.status_code == 200, response.text
            outcome["pushes"].append((documents, response.json()["results"]))
            outcome.setdefault("windows", []).append((sent, time.monotonic()))
    except BaseException as error:  # reported by the main thread
        outcome["error"] = error


def flip(http, physician, patient_id, until, flips):
    """The physician raises and restores the fever threshold and edits the profile's
    organs, quickly, until `until` is set. `flips` gets (sent,
    answered, whether a 38.6 is a fever from then on) for each change of the threshold."""
    headers = {"Authorization": f"Bearer {physician}"}
    rules = f"/api/v1/patients/{patient_id}/rule-overrides"
    profile = f"/api/v1/patients/{patient_id}/profile"
    steps = [(lambda: http.put(rules, json={"overrides": RAISED, "reason": "Runs hot"},
                               headers=headers), False),
             (lambda: http.put(profile, json={**PROFILE, "organs_involved": ["kidney", "skin"]},
                               headers=headers), None),
             (lambda: http.delete(rules, headers=headers), True),
             (lambda: http.put(profile, json=PROFILE, headers=headers), None)]
    while not until.is_set():
        for step, fever_after in steps:
            sent = time.monotonic()
            answer = step()
            assert answer.status_code == 200, answer.text
            if fever_after is not None:
                flips.append((sent, time.monotonic(), fever_after))
            # Now and then a pause: pushes made wholly in one state must be judged by it.
            time.sleep(random.choice((0, 0, 0.05, 0.2)))


def possible_judgements(flips, sent, answered):
    """Whether a 38.6 was a fever, in each order of the push among the threshold's changes
    it overlapped: the state before the push was sent (or before a change still in flight
    then), and the state after each change that began before the push was answered."""
    before = [flip for flip in flips if flip[1] < sent]
    possible = {before[-1][2] if before else True}
    possible.update(flip[2] for flip in flips if flip[0] < answered and flip[1] >= sent)
    return possible


def fever_judgements(workspace, documents):
    """Per push: whether each of its fevers was found a fever (the threshold in force was
    38.0) or not (39.0)."""
    ids = [documents[n]["entry_id"] for n in FEVERS_AT]
    found = {row["entry_id"]: "fever" in json.loads(row["reasons"]) for row in workspace.query(
        f"SELECT entry_id, reasons FROM alert_entries WHERE entry_id IN "
        f"({', '.join('?' * len(ids))})", ids)}
    return [found.get(entry_id, False) for entry_id in ids]


def check_alerts_have_outbox_rows(workspace, patient_id):
    alerts = workspace.query(
        "SELECT a.id, (SELECT COUNT(*) FROM notifications n WHERE n.alert_id = a.id) AS rows "
        "FROM alerts a WHERE a.patient_id = ?", [patient_id])
    assert alerts and all(alert["rows"] >= 1 for alert in alerts), alerts


def test_it_judges_each_push_by_one_state_of_the_overrides_while_a_physician_flips_them(
        tmp_path):
    with Workspace(tmp_path) as workspace:
        server = workspace.serve(workers=2)
        http = Http(server.url)
        nurse = {"Authorization": f"Bearer {workspace.staff_token('nurse')}"}
        first, second = child_with_two_phones(http, nurse)
        start, until, flips = datetime.now(timezone.utc), threading.Event(), []
        # One phone, then both: alone, nothing but the physician changes the child's history
        # between a push's judging and its write, so the judging before the lock stands
        # unless the physician's change is seen; with both, the other phone's entries make
        # most pushes judged again under the lock.
        outcomes = [{"pushes": [], "refused": []}, {"pushes": [], "refused": []}]
        physician = threading.Thread(target=flip, args=(
            http, workspace.staff_token("physician"), first.patient_id, until, flips))
        physician.start()
        run_phone(first, 12, start - timedelta(hours=24), outcomes[0])
        phones = [threading.Thread(target=run_phone, args=(phone, 6, start, outcome))
                  for phone, outcome in zip((first, second), outcomes)]
        for thread in phones:
            thread.start()
        for thread in phones:
            thread.join(300)
        until.set()
        physician.join(60)
        for outcome in outcomes:
            if "error" in outcome:
                raise outcome["error"]
        assert [a for a in http.answers if a[2] >= 500] == []
        pushed = [documents for outcome in outcomes for documents, _ in outcome["pushes"]]
        stored = workspace.stored_entries()
        assert stored == Counter(d["entry_id"] for documents in pushed for d in documents)
        windows = [window for outcome in outcomes for window in outcome["windows"]]
        judged = [fever_judgements(workspace, documents) for documents in pushed]
        mixed = [row for row in judged if len(set(row)) > 1]
        assert mixed == [], "a push judged partly by one threshold and partly by another"
        impossible = [(row[0], possible_judgements(flips, *window))
                      for row, window in zip(judged, windows)
                      if row[0] not in possible_judgements(flips, *window)]
        assert impossible == [], "judged by a threshold not in force during the push"
        check_alerts_have_outbox_rows(workspace, first.patient_id)
        print(f"{len(flips)} changes of the threshold during {len(pushed)} pushes; fevers "
              f"judged at 38.0 in {sum(row[0] for row in judged)} pushes, at 39.0 in "
              f"{sum(not row[0] for row in judged)}")
        assert server.stop() == 0, server.log()
        assert "Traceback" not in workspace.logs()


def test_it_stores_once_a_retry_racing_its_original_and_refuses_a_revoked_phone_cleanly(
        tmp_path):
    with Workspace(tmp_path) as workspace:
        server = workspace.serve(workers=2)
        http = Http(server.url)
        nurse = {"Authorization": f"Bearer {workspace.staff_token('nurse')}"}
        first, second = child_with_two_phones(http, nurse)
        start = datetime.now(timezone.utc)
        # The same push, sent twice at once (a retry after a timeout racing the original),
        # five times over.
        duplicated = []
        for index in range(5):
            documents = batch(first, start, index)
            envelopes = [first.envelope(document) for document in documents]
            gate, answers = threading.Barrier(2), []

            def send():
                gate.wait(30)
                answers.append(first.push(envelopes))
            racers = [threading.Thread(target=send) for _ in range(2)]
            for racer in racers:
                racer.start()
            for racer in racers:
                racer.join(120)
            assert [answer.status_code for answer in answers] == [200, 200], answers
            statuses = sorted(Counter(item["status"] for item in answer.json()["results"])
                              .most_common(1)[0][0] for answer in answers)
            duplicated.append(statuses)
            alerts = {json.dumps(answer.json()["results"][FEVERS_AT[-1]]["alert"],
                                 sort_keys=True) for answer in answers}
            assert len(alerts) == 1, f"both answers name the same alert: {alerts}"
        # The second phone pushes while it is revoked: each push is stored whole (it came
        # before the revocation) or refused whole (after), and nothing it was refused is
        # stored.
        outcome = {"pushes": [], "refused": []}
        phone = threading.Thread(target=run_phone, args=(second, 20, start - timedelta(
            hours=20), outcome, True))
        phone.start()
        time.sleep(0.3)
        revoked = http.delete(f"/api/v1/devices/{second.device_id}", headers=nurse)
        assert revoked.status_code == 204, revoked.text
        phone.join(300)
        if "error" in outcome:
            raise outcome["error"]
        assert [a for a in http.answers if a[2] >= 500] == []
        stored = workspace.stored_entries()
        assert set(stored.values()) == {1}, "every entry stored once"
        for documents, results in outcome["pushes"]:
            assert {item["status"] for item in results} == {"accepted"}
            assert all(d["entry_id"] in stored for d in documents)
        assert not any(d["entry_id"] in stored for d in outcome["refused"])
        alerts = workspace.query("SELECT concern FROM alerts WHERE patient_id = ?",
                                 [first.patient_id])
        assert len(alerts) == len({a["concern"] for a in alerts}), "one episode a concern"
        check_alerts_have_outbox_rows(workspace, first.patient_id)
        print(f"retry races (first, second answer): {duplicated}; the revoked phone had "
              f"{len(outcome['pushes'])} pushes stored, {len(outcome['refused'])} entries "
              "refused")
        assert server.stop() == 0, server.log()
        assert "Traceback" not in workspace.logs()


def test_it_answers_each_push_stored_whole_or_gone_when_the_child_is_erased_mid_push(tmp_path):
    """`homeward patients erase` (a command, not a route) runs while one phone pushes batch
    after batch: each push is answered 200 with everything stored (before the erasure) or
    410 patient_erased with nothing stored (after), never a 5xx, and once 410 always 410."""
    with Workspace(tmp_path) as workspace:
        server = workspace.serve(workers=2)
        http = Http(server.url)
        nurse = {"Authorization": f"Bearer {workspace.staff_token('nurse')}"}
        phone, _other = child_with_two_phones(http, nurse)
        start, answers = datetime.now(timezone.utc), []

        def push_until_refused():
            try:
                for index in range(40):
                    documents = batch(phone, start, index)[:60]
                    response = phone.push([phone.envelope(document) for document in documents])
                    answers.append((response.status_code, documents, response.text[:200]))
                    if len(answers) >= 3 and all(a[0] == 410 for a in answers[-3:]):
                        return
            except BaseException as error:  # reported by the main thread
                answers.append((error, [], ""))
        pusher = threading.Thread(target=push_until_refused)
        pusher.start()
        wait_for(lambda: len(answers) >= 2, 60, "two pushes answered")
        erase = workspace.start("erase", "patients", "erase", phone.patient_id, "--yes")
        assert erase.popen.wait(60) == 0, erase.log()
        pusher.join(300)
        statuses = [answer[0] for answer in answers]
        assert all(status in (200, 410) for status in statuses), answers[-1]
        assert 410 in statuses and statuses == sorted(statuses), statuses
        stored = workspace.stored_entries()
        for status, documents, text in answers:
            kept = [d["entry_id"] in stored for d in documents]
            assert kept == [status == 200] * len(documents), (status, text)
            if status == 410:
                assert '"patient_erased"' in text
        assert set(stored.values()) == {1}
        print(f"pushes answered: {statuses.count(200)} stored, then "
              f"{statuses.count(410)} refused as erased")
        assert server.stop() == 0, server.log()
        assert "Traceback" not in workspace.logs()
