"""kill -9 of the worker serving a push at the two moments the split push has (issue 15):
after it judged its entries before the write lock and before it took it, and during the
write (entries inserted, episodes and outbox rows written, not yet committed). The worker
is killed by its pid; gunicorn starts another; the phone sends the same push again.
Everything is then stored once and alerts once, and a third send is all duplicates.

A kill over plain HTTP cannot be aimed at a phase (tests/test_fault_server_kill.py kills
at random): a `sitecustomize` on the server's PYTHONPATH (tests only, nothing in the
server) holds the first push at the chosen moment and writes the worker's pid to a file."""
import os
import signal
import textwrap
import threading
from datetime import datetime, timedelta, timezone

import pytest
import requests

from fault_support import Workspace, wait_for
from test_push_races_live import FEVERS_AT, Http, batch, child_with_two_phones

pytestmark = pytest.mark.e2e

HOOK = textwrap.dedent('''
    import os, time
    if os.environ.get("PUSH_TEST_PAUSE"):
        import server.api.sync as api

        where, marker = os.environ["PUSH_TEST_PAUSE"], os.environ["PUSH_TEST_MARKER"]

        def hold():
            if os.path.exists(marker):  # once: the worker started after the kill goes on
                return
            with open(marker + ".tmp", "w") as out:
                out.write(str(os.getpid()))
            os.replace(marker + ".tmp", marker)
            time.sleep(120)

        def held(real):
            def call(*args, **kwargs):
                result = real(*args, **kwargs)
                hold()
                return result
            return call
        name = {"before_lock": "foresee", "in_write": "write_entries"}[where]
        setattr(api, name, held(getattr(api, name)))
''')


@pytest.mark.parametrize("where", ["before_lock", "in_write"])
def test_it_stores_and_alerts_once_when_the_worker_is_killed_mid_push(tmp_path, where):
    hooks, marker = tmp_path / "hooks", tmp_path / "held"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(HOOK)
    with Workspace(tmp_path / "ws", env={"PYTHONPATH": str(hooks),
                                         "PUSH_TEST_PAUSE": where,
                                         "PUSH_TEST_MARKER": str(marker)}) as workspace:
        server = workspace.serve(workers=2)
        http = Http(server.url)
        nurse = {"Authorization": f"Bearer {workspace.staff_token('nurse')}"}
        phone, _other = child_with_two_phones(http, nurse)
        documents = batch(phone, datetime.now(timezone.utc), 0)
        envelopes = [phone.envelope(document) for document in documents]
        cut = []

        def send():
            try:
                cut.append(phone.push(envelopes).status_code)
            except requests.RequestException as error:
                cut.append(type(error).__name__)
        sender = threading.Thread(target=send)
        sender.start()
        wait_for(marker.exists, 60, f"the push to reach {where}")
        os.kill(int(marker.read_text()), signal.SIGKILL)
        sender.join(60)
        assert cut and cut[0] != 200, f"the killed push was not answered 200: {cut}"
        assert workspace.query("SELECT COUNT(*) AS n FROM entries")[0]["n"] == 0
        assert workspace.query("SELECT COUNT(*) AS n FROM alerts")[0]["n"] == 0
        assert workspace.query("SELECT COUNT(*) AS n FROM notifications")[0]["n"] == 0

        def retried():
            try:
                return phone.push(envelopes)
            except requests.RequestException:
                return None
        answers = []
        wait_for(lambda: answers.append(retried()) or answers[-1] is not None, 60,
                 "the phone's retry to be answered", interval=0.2)
        again = answers[-1]
        assert again.status_code == 200, again.text
        results = again.json()["results"]
        assert {item["status"] for item in results} == {"accepted"}
        alert = results[FEVERS_AT[-1]]["alert"]
        assert alert is not None and alert["level"] == "urgent", results[FEVERS_AT[-1]]
        third = phone.push(envelopes).json()["results"]
        assert {item["status"] for item in third} == {"duplicate"}
        assert third[FEVERS_AT[-1]]["alert"] == alert
        stored = workspace.stored_entries()
        assert sorted(stored) == sorted(d["entry_id"] for d in documents)
        assert set(stored.values()) == {1}
        alerts = workspace.query("SELECT id, concern FROM alerts")
        assert [row["id"] for row in alerts] == [alert["alert_id"]], alerts
        raised = workspace.query("SELECT kind FROM notifications WHERE alert_id = ? AND "
                                 "kind = 'alert_raised'", [alert["alert_id"]])
        assert len(raised) >= 1 and len({r["kind"] for r in raised}) == 1
        assert len(workspace.query("SELECT DISTINCT idempotency_key FROM notifications")) == \
            len(workspace.query("SELECT id FROM notifications"))
        assert [a for a in http.answers if a[2] >= 500] == []
        assert server.stop() == 0, server.log()


def test_the_hook_holds_nothing_without_its_setting(tmp_path):
    """The sitecustomize above changes nothing unless asked: the same folder and hook
    without PUSH_TEST_PAUSE serve a push at once."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(HOOK)
    with Workspace(tmp_path / "ws", env={"PYTHONPATH": str(hooks)}) as workspace:
        server = workspace.serve(workers=1)
        http = Http(server.url)
        nurse = {"Authorization": f"Bearer {workspace.staff_token('nurse')}"}
        phone, _other = child_with_two_phones(http, nurse)
        documents = batch(phone, datetime.now(timezone.utc) - timedelta(hours=1), 0)[:3]
        response = phone.push([phone.envelope(document) for document in documents])
        assert response.status_code == 200, response.text
        assert server.stop() == 0, server.log()
