"""The audit log: who read or changed what, when, from where; read only by admins."""
from datetime import timedelta

import pytest
from flask import g

from server.records import audit
from server.auth.users import StaffUser

AUDIT = "/api/v1/audit"


def events(client, admin, **query):
    response = client.get(AUDIT, headers=admin.headers, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_it_records_who_read_the_log_from_where_and_when(client, staff, clock):
    admin = staff("admin")
    client.get(AUDIT, headers={**admin.headers, "X-Request-Id": "req-audit-1"},
               query_string={"patient_id": "pt_one"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    clock.advance(minutes=1)
    latest = events(client, admin)["events"][0]
    assert latest == {
        "at": "2026-11-20T19:00:00Z", "actor_username": admin.username, "actor_role": "admin",
        "action": "audit.read", "patient_id": None, "target": None,
        "client_address": "10.1.2.3", "request_id": "req-audit-1",
        "details": {"patient_id": "pt_one"}}


def test_it_records_inside_a_request_for_the_signed_in_member(app, db, clock):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.9.9.9"}):
        g.request_id = "req-7"
        g.staff = StaffUser(id="usr_x", username="nurse.ann", role="nurse")
        audit.record(db, "entries.read", patient_id="pt_7", target="pt_7",
                     details={"entries": 3})
    found, _ = audit.query(db, patient_id="pt_7")
    assert found == [{"at": "2026-11-20T19:00:00Z", "actor_username": "nurse.ann",
                      "actor_role": "nurse", "action": "entries.read", "patient_id": "pt_7",
                      "target": "pt_7", "client_address": "10.9.9.9",
                      "request_id": "req-7", "details": {"entries": 3}}]


def test_it_refuses_to_record_an_event_nobody_is_signed_in_for(app, db):
    with app.test_request_context("/"):
        with pytest.raises(RuntimeError):
            audit.record(db, "entries.read", patient_id="pt_7")
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


@pytest.fixture
def history(db, clock):
    """Six events a minute apart: two actors, three patients."""
    start = clock.now()
    for minute, (actor, patient) in enumerate([
            ("nurse1", "pt_a"), ("nurse1", "pt_b"), ("doc2", "pt_a"),
            ("doc2", "pt_c"), ("nurse1", "pt_a"), ("doc2", "pt_b")]):
        audit.record_as(db, "entries.read", actor_username=actor, actor_role="nurse",
                        now=start + timedelta(minutes=minute), patient_id=patient,
                        details={"n": minute})
    return start


def test_it_filters_by_patient_actor_and_time(client, staff, history):
    admin = staff("admin")
    by_patient = events(client, admin, patient_id="pt_a")["events"]
    assert [event["details"]["n"] for event in by_patient] == [4, 2, 0]
    by_actor = events(client, admin, actor="doc2")["events"]
    assert [event["details"]["n"] for event in by_actor] == [5, 3, 2]
    window = events(client, admin, action="entries.read",
                    since=(history + timedelta(minutes=1)).isoformat(),
                    until=(history + timedelta(minutes=3)).isoformat())["events"]
    assert [event["details"]["n"] for event in window] == [2, 1]


def test_it_pages_through_the_log_newest_first(client, staff, history):
    admin = staff("admin")
    seen, before = [], None
    while True:
        query = {"action": "entries.read", "limit": 4}
        if before is not None:
            query["before"] = before
        page = events(client, admin, **query)
        seen += [event["details"]["n"] for event in page["events"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == [5, 4, 3, 2, 1, 0]


def test_it_keeps_records_written_at_the_command_line(db, clock):
    audit.record_as(db, "user.create", actor_username="cli:root", actor_role="operator",
                    now=clock.now(), target="usr_1", details={"username": "ann"})
    found, _ = audit.query(db, action="user.create")
    assert found[0]["client_address"] == "command line"
    assert found[0]["actor_username"] == "cli:root" and found[0]["request_id"] is None


@pytest.mark.parametrize("query, field", [
    ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"), ({"limit": "many"}, "limit"),
    ({"since": "yesterday"}, "since"), ({"until": "2026-11-20T10:00:00"}, "until"),
    ({"before": "-3"}, "before"), ({"colour": "red"}, "colour"),
])
def test_it_refuses_bad_filters_and_records_nothing(client, staff, db, query, field):
    admin = staff("admin")
    response = client.get(AUDIT, headers=admin.headers, query_string=query)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_request" and field in error["details"]["fields"]
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 0


def test_it_records_sign_ins_and_sign_outs(client, staff):
    admin, nurse = staff("admin"), staff("nurse")
    client.post("/api/v1/auth/token", json={"username": nurse.username,
                                            "password": nurse.password})
    client.delete("/api/v1/auth/token", headers=nurse.headers)
    actions = [(event["actor_username"], event["action"])
               for event in events(client, admin)["events"]]
    assert actions[:2] == [(nurse.username, "auth.token_revoked"),
                           (nurse.username, "auth.token_issued")]
