"""End to end: the reference client against the real server over HTTP on 127.0.0.1.

The promises of issue 4: a phone offline for days loses nothing and stores nothing twice,
whatever happens to the network, the phone or the server in between.
"""
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from server.clock import FrozenClock
from server.records.patients import create_patient
from support.live import CuttingProxy
from sync.client import Client
from sync.client.engine import SyncReport
from sync.client.push import push_outbox
from sync.enrolment import create_code

pytestmark = pytest.mark.e2e


class DeviceClock:
    """The phone's clock: the server's time plus a skew, or frozen while offline."""

    def __init__(self, server_clock, skew=timedelta(0)):
        self.server_clock, self.skew = server_clock, skew

    def __call__(self):
        return self.server_clock.now() + self.skew


def new_family(app, db, clock):
    vault = app.extensions["homeward"].vault
    from datetime import date

    patient_id = create_patient(db, vault, display_name="Sofía Herrera",
                                date_of_birth=date(2013, 6, 1), infusion_date=date(2026, 11, 17),
                                timezone="America/Chicago", language="es", created_by="usr_test",
                                now=clock.now())
    with db.atomic():
        code, _expires = create_code(db, patient_id, "caregiver", "usr_test", clock.now())
    return patient_id, code


def no_sleep(_seconds):
    pass



def stored(db, patient_id):
    return list(db.query("SELECT entry_id, status, clock_offset_seconds, recorded_at, "
                         "corrected_at FROM entries WHERE patient_id = ? ORDER BY corrected_at",
                         [patient_id]))


def test_it_stores_three_offline_days_once_in_order_with_clock_offsets(app, db, clock, live,
                                                                      tmp_path):
    patient_id, code = new_family(app, db, clock)
    start = clock.now()
    phone = DeviceClock(clock, skew=timedelta(minutes=7))  # the phone runs 7 minutes fast
    with Client(tmp_path / "phone.db", now=phone, sleep=no_sleep) as client:
        client.enrol(live.url, code, "Papá's phone", platform="ios")
        assert client.sync().ok  # the first snapshot, then the family goes offline
        recorded = []
        for i in range(100):
            clock.advance(minutes=43)  # 100 entries over three days
            recorded.append(client.record("symptom-diary", "1.0.0",
                                          {"temperature_c": 36.5 + (i % 9) / 10,
                                           "temperature_method": "oral"}))
        clock.advance(hours=2)  # back online
        report = client.sync()
    assert report.ok and report.pushed["accepted"] == 100 and report.outbox_left == 0
    rows = stored(db, patient_id)
    assert [row["entry_id"] for row in rows] == recorded
    assert {row["status"] for row in rows} == {"accepted"}
    assert {row["clock_offset_seconds"] for row in rows} == {-420}
    # Corrected times are the server's time at recording: 43 minutes apart from the start.
    first = start + timedelta(minutes=43)
    assert rows[0]["corrected_at"] == first.isoformat(timespec="microseconds")


def test_it_turns_a_lost_answer_into_duplicates_not_double_entries(app, db, clock, live,
                                                                  tmp_path):
    patient_id, code = new_family(app, db, clock)
    proxy = CuttingProxy(live.port)
    try:
        with Client(tmp_path / "phone.db", now=DeviceClock(clock), sleep=no_sleep) as client:
            client.enrol(proxy.url, code, "Phone")
            entry_ids = [client.record("symptom-diary", "1.0.0", {"temperature_c": 37.0})
                         for _ in range(5)]
            proxy.cut_responses = 1  # the server commits, the phone never hears
            report = client.sync()
    finally:
        proxy.close()
    assert proxy.cut_count == 1
    assert report.ok and report.pushed["duplicate"] == 5 and report.outbox_left == 0
    assert sorted(row["entry_id"] for row in stored(db, patient_id)) == sorted(entry_ids)


def test_a_phone_that_lost_the_answer_still_shows_its_fever_alert_before_any_pull(
        app, db, clock, live, tmp_path):
    _patient_id, code = new_family(app, db, clock)
    proxy = CuttingProxy(live.port)
    try:
        with Client(tmp_path / "phone.db", now=DeviceClock(clock), sleep=no_sleep) as client:
            client.enrol(proxy.url, code, "Phone")
            fever = client.record("symptom-diary", "1.0.0", {"temperature_c": 39.1,
                                                             "temperature_method": "oral"})
            proxy.cut_responses = 1  # the alert was raised; the phone never heard
            report = SyncReport()
            # Push only: no pull may bring the alert; the retry's `duplicate` must.
            push_outbox(client.store, client._transport(), client.retry, client.now, report)
            alerts = client.alerts()
    finally:
        proxy.close()
    assert proxy.cut_count == 1 and report.pushed["duplicate"] == 1
    assert [(alert["entry_id"], alert["level"]) for alert in alerts] == [(fever, "urgent")]


def test_it_tells_a_revoked_phone_to_enrol_again_and_keeps_its_outbox(app, db, clock, live,
                                                                     tmp_path, staff, client):
    patient_id, code = new_family(app, db, clock)
    nurse = staff("nurse")
    with Client(tmp_path / "phone.db", now=DeviceClock(clock), sleep=no_sleep) as phone:
        device_id = phone.enrol(live.url, code, "Phone")["device_id"]
        phone.record("symptom-diary", "1.0.0", {"temperature_c": 37.2})
        assert client.delete(f"/api/v1/devices/{device_id}",
                             headers=nurse.headers).status_code == 204
        report = phone.sync()
        assert report.needs_enrolment and report.outbox_left == 1
    assert stored(db, patient_id) == []


class OfflinePhone(RuleBasedStateMachine):
    """Any interleaving of recording, syncing, lost answers, a phone restarting (its app
    killed and reopened) and the server restarting ends with the server holding exactly the
    entries the phone recorded, each once."""

    def __init__(self):
        super().__init__()
        self.context = CONTEXT
        app, db, clock, tmp = (self.context[k] for k in ("app", "db", "clock", "tmp"))
        self.patient_id, code = new_family(app, db, clock)
        self.state_path = tmp / f"{self.patient_id}.db"
        self.client = self.open_client()
        self.client.enrol(self.context["proxy"].url, code, "Phone")
        self.recorded = []

    def open_client(self):
        return Client(self.state_path, now=DeviceClock(self.context["clock"]), sleep=no_sleep)

    @rule(temperature=st.floats(35.0, 37.4).map(lambda t: round(t, 1)))
    def record(self, temperature):
        self.context["clock"].advance(minutes=20)
        self.recorded.append(self.client.record("symptom-diary", "1.0.0",
                                                {"temperature_c": temperature}))

    @rule()
    def sync(self):
        self.client.sync()

    @rule(lost=st.integers(1, 3))
    def sync_losing_answers(self, lost):
        self.context["proxy"].cut_responses = lost
        self.client.sync()
        self.context["proxy"].cut_responses = 0

    @rule()
    def restart_phone(self):
        self.client.close()
        self.client = self.open_client()

    @precondition(lambda self: len(self.recorded) > 0)
    @rule()
    def restart_server(self):
        self.context["live"].restart()

    @invariant()
    def nothing_is_stored_twice_or_unknown(self):
        ids = [row["entry_id"] for row in stored(self.context["db"], self.patient_id)]
        assert len(ids) == len(set(ids))
        assert set(ids) <= set(self.recorded)

    def teardown(self):
        try:
            report = self.client.sync()
            assert report.ok, report.error
            ids = [row["entry_id"] for row in stored(self.context["db"], self.patient_id)]
            assert sorted(ids) == sorted(self.recorded)
        finally:
            self.client.close()


CONTEXT = {}


def test_it_ends_every_interleaving_with_each_entry_stored_exactly_once(app, db, clock, live,
                                                                       tmp_path):
    proxy = CuttingProxy(live.port)
    CONTEXT.update(app=app, db=db, clock=clock, live=live, proxy=proxy, tmp=tmp_path)
    try:
        OfflinePhone.TestCase.settings = settings(
            max_examples=12, stateful_step_count=12, deadline=None,
            suppress_health_check=list(HealthCheck))
        OfflinePhone.TestCase().runTest()
    finally:
        proxy.close()
        CONTEXT.clear()


def test_it_delivers_entries_recorded_before_a_revocation_after_re_enrolment(
        app, db, clock, live, tmp_path, staff, client):
    patient_id, code = new_family(app, db, clock)
    nurse = staff("nurse")
    with Client(tmp_path / "phone.db", now=DeviceClock(clock), sleep=no_sleep) as phone:
        old_device = phone.enrol(live.url, code, "Phone")["device_id"]
        waiting = phone.record("symptom-diary", "1.0.0", {"temperature_c": 38.3})
        client.delete(f"/api/v1/devices/{old_device}", headers=nurse.headers)
        assert phone.sync().needs_enrolment
        with db.atomic():
            new_code, _expires = create_code(db, patient_id, "caregiver", "usr_test",
                                             clock.now())
        new_device = phone.enrol(live.url, new_code, "Phone")["device_id"]
        report = phone.sync()
    assert report.ok and report.pushed["accepted"] == 1 and report.outbox_left == 0
    [row] = db.query("SELECT entry_id, device_id FROM entries")
    assert row == {"entry_id": waiting, "device_id": old_device}
    assert db["devices"].get(new_device)["replaces_device_id"] == old_device


def test_it_refuses_a_replacement_without_the_old_devices_token(app, db, clock, live,
                                                                client):
    patient_id, code = new_family(app, db, clock)
    from support.family import enrol

    first = enrol(client, code).get_json()
    with db.atomic():
        second_code, _ = create_code(db, patient_id, "caregiver", "usr_test", clock.now())
    response = client.post("/api/v1/devices", json={
        "enrollment_code": second_code, "device_name": "Thief", "platform": "other",
        "app_version": "1", "replaces": {"device_id": first["device_id"],
                                         "device_token": "hwd_guess"}})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert db["devices"].get(first["device_id"])["revoked_at"] is None


def test_it_tells_an_offline_family_to_call_about_a_fever_at_once(app, db, clock, live,
                                                                 tmp_path):
    _patient_id, code = new_family(app, db, clock)
    with Client(tmp_path / "phone.db", now=DeviceClock(clock), sleep=no_sleep) as phone:
        phone.enrol(live.url, code, "Phone")
        assert phone.sync().ok  # pulls the rules
        live.stop()  # no signal from here on
        answers = {"temperature_c": 38.6, "temperature_method": "axillary"}
        phone.record("symptom-diary", "1.0.0", answers)
        [advice] = phone.advise("symptom-diary", answers)
        calm = phone.advise("symptom-diary", {"temperature_c": 36.9})
    assert advice["level"] == "urgent" and advice["reason"] == "fever"
    assert "equipo" in advice["advice"]  # in the family's language, Spanish
    assert calm == []
