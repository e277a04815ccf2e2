"""Bad input from a phone or a script never costs a good entry, and never answers 5xx.

The first tests are the defects found from outside, one by one; the hypothesis tests after
them throw hostile documents (depth, size, numbers, unicode, dates, types) at the push
pipeline, sealed as a real phone seals them, and hostile bodies at every JSON route.
"""
import json
import logging
import uuid
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaires import load_catalog
from support.family import enrolled_family
from support.pages import sign_in
from sync.sealing import SUITE, b64url, entry_info

FEVER = {"temperature_c": 38.9, "temperature_method": "axillary"}
CALM = {"temperature_c": 36.8, "temperature_method": "oral"}
FAR_TIMES = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00",
             "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


def seal_bytes(family, entry_id, plaintext: bytes) -> dict:
    """An envelope around any bytes, as a buggy app could seal them."""
    public_key = X25519PublicKey.from_public_bytes(family.public_key())
    sealed = SUITE.encrypt(plaintext, public_key, entry_info(entry_id, family.device_id))
    return {"entry_id": entry_id, "kid": family.keys["current"], "sealed": b64url(sealed)}


def push_beside_a_fever(family, db, envelope):
    """Pushes `envelope` then a genuine fever in one batch; returns the hostile entry's result
    after checking that the fever was stored and raised its alert."""
    fever = family.document(FEVER, recorded_at=family.now().isoformat())
    response = family.push([envelope, family.envelope(fever)])
    assert response.status_code == 200, response.get_json()
    hostile, genuine = response.get_json()["results"]
    assert genuine["entry_id"] == fever["entry_id"] and genuine["status"] == "accepted"
    assert genuine["alert"] is not None and genuine["alert"]["level"] == "urgent"
    assert db["entries"].get(fever["entry_id"])["status"] == "accepted"
    return hostile


@pytest.mark.parametrize("recorded_at", FAR_TIMES)
def test_it_quarantines_a_time_no_calendar_holds_and_still_stores_the_fever_beside_it(
        family, db, recorded_at):
    document = family.document(CALM, recorded_at=recorded_at)
    result = push_beside_a_fever(family, db, family.envelope(document))
    assert result["status"] == "quarantined"
    assert (result["error"]["code"], result["error"]["field"]) == ("implausible_time",
                                                                   "recorded_at")
    assert recorded_at in result["error"]["message"]
    stored = db["entries"].get(document["entry_id"])
    assert stored["status"] == "quarantined" and stored["recorded_at"] is None
    assert stored["corrected_at"] == stored["received_at"]


@pytest.mark.parametrize("recorded_at", ["1999-12-31T23:59:59+00:00",
                                         "2026-11-21T19:00:01+00:00"])
def test_it_quarantines_a_time_before_2000_or_over_a_day_after_the_push_was_sent(
        family, db, recorded_at):
    document = family.document(CALM, recorded_at=recorded_at)
    result = push_beside_a_fever(family, db, family.envelope(document))
    assert result["status"] == "quarantined" and result["error"]["code"] == "implausible_time"
    assert "before 2000-01-01 or over a day after the push was sent" in result["error"][
        "message"]


@pytest.mark.parametrize("clock_error", [timedelta(days=-20_000), timedelta(days=-400),
                                         timedelta(days=9), timedelta(days=365)])
def test_it_accepts_an_entry_from_a_phone_whose_clock_is_wrong_on_its_corrected_time(
        family, db, clock, clock_error):
    """A phone reset to 1970, or set by hand months behind or days ahead: the offset measured
    from sent_at moves its entries to the server's time, as docs/protocol.md says."""
    phone_now = clock.now() + clock_error
    document = family.document(CALM, recorded_at=(phone_now - timedelta(minutes=30))
                               .isoformat())
    response = family.push([family.envelope(document)], sent_at=phone_now.isoformat())
    assert response.get_json()["results"][0]["status"] == "accepted"
    stored = db["entries"].get(document["entry_id"])
    assert stored["corrected_at"] == (clock.now() - timedelta(minutes=30)).isoformat(
        timespec="microseconds")


@pytest.mark.parametrize("recorded_at", FAR_TIMES)
def test_it_never_looks_for_a_task_at_an_implausible_time(family, db, recorded_at):
    document = family.document(CALM, recorded_at=recorded_at,
                               task_id="tk_symptom-diary_2026-11-20")
    result = push_beside_a_fever(family, db, family.envelope(document))
    assert (result["status"], result["error"]["code"]) == ("quarantined", "implausible_time")


def test_it_still_alerts_on_a_fever_recorded_at_an_implausible_time(family, db):
    document = family.document(FEVER, recorded_at="9999-12-31T23:59:59+00:00")
    [result] = family.push([family.envelope(document)]).get_json()["results"]
    assert result["status"] == "quarantined" and result["alert"]["level"] == "urgent"


def test_it_picks_the_variant_by_the_childs_age_on_the_servers_clock(family, db, clock):
    """The child is 11 (caregiver-8-12); on a phone reset to 1972 the child is not born."""
    definition = load_catalog().get("quality-of-life", "1.0.0", "caregiver-8-12")
    answers = {item.link_id: 2 for item in definition.items
               if item.type == "scale-0-4" and not item.enable_when}
    phone_now = clock.now() - timedelta(days=20_000)
    document = family.document({**answers, "sch_attends": False},
                               questionnaire_id="quality-of-life",
                               recorded_at=phone_now.isoformat())
    response = family.push([family.envelope(document)], sent_at=phone_now.isoformat())
    assert response.get_json()["results"][0]["status"] == "accepted", response.get_json()
    assert db["entries"].get(document["entry_id"])["variant"] == "caregiver-8-12"


def test_it_accepts_a_time_less_than_a_day_after_the_push_as_a_clock_changed_meanwhile(
        family, db, clock):
    document = family.document(CALM, recorded_at=(clock.now() + timedelta(hours=23))
                               .isoformat())
    [result] = family.push([family.envelope(document)]).get_json()["results"]
    assert result["status"] == "accepted"


@pytest.mark.parametrize("sent_at", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00",
                                     "1969-12-31T23:59:59+00:00", "2027-11-22T19:00:00+00:00"])
def test_it_answers_400_to_a_sent_at_no_phone_clock_shows_and_stores_nothing(
        family, db, sent_at):
    response = family.push([family.envelope(family.document(FEVER))], sent_at=sent_at)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_request" and "sent_at" in error["details"]["fields"]
    assert sent_at in error["message"]
    assert db["entries"].count == 0


def nested(depth, inner="1"):
    return "[" * depth + inner + "]" * depth


@pytest.mark.parametrize("depth", [100, 990, 5000, 100_000])
def test_it_quarantines_only_the_entry_whose_document_is_nested_thousands_deep(
        client, nurse, family, db, depth):
    document = family.document(CALM)
    text = json.dumps(document)
    plaintext = (text[:-1] + ', "extra": ' + nested(depth) + "}").encode("utf-8")
    result = push_beside_a_fever(family, db, seal_bytes(family, document["entry_id"],
                                                        plaintext))
    assert result["status"] == "quarantined" and result["error"]["code"] == "invalid_document"
    assert "deep" in result["error"]["message"]
    assert db["entries"].get(document["entry_id"])["status"] == "quarantined"
    sign_in(client, nurse)
    for path in (f"/patients/{family.patient_id}", f"/patients/{family.patient_id}/entries"):
        assert client.get(path).status_code == 200, path
    response = client.get(f"/api/v1/patients/{family.patient_id}/entries",
                          headers=nurse.headers)
    assert response.status_code == 200


@pytest.mark.parametrize("depth, status", [(32, "accepted"), (33, "quarantined")])
def test_it_reads_a_document_nested_as_deep_as_the_protocol_allows(family, depth, status):
    document = family.document(CALM, extra=json.loads(nested(depth - 2, "[]")))
    [result] = family.push([family.envelope(document)]).get_json()["results"]
    assert result["status"] == status


def test_it_quarantines_a_number_too_long_to_read_and_keeps_the_fever(family, db):
    document = family.document(CALM)
    plaintext = json.dumps(document).replace('36.8', "9" * 5000).encode("utf-8")
    result = push_beside_a_fever(family, db, seal_bytes(family, document["entry_id"],
                                                        plaintext))
    assert result["status"] == "quarantined" and result["error"]["code"] == "invalid_document"


UNREADABLE_BODIES = {
    "nested 6,000 deep": '{"a":' * 6000 + "1" + "}" * 6000,
    "nested 500 deep": '{"username":' + nested(500) + ', "password": "x"}',
    "a 5,000-digit integer": '{"username": "nurse1", "password": ' + "9" * 5000 + "}",
}


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/devices"])
@pytest.mark.parametrize("name", sorted(UNREADABLE_BODIES))
def test_it_answers_400_without_a_traceback_to_a_body_it_cannot_read(client, caplog, path,
                                                                      name):
    with caplog.at_level(logging.ERROR):
        response = client.post(path, data=UNREADABLE_BODIES[name],
                               content_type="application/json")
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_request"
    assert [record for record in caplog.records if record.exc_info] == []


@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Kiritimati"])
@pytest.mark.parametrize("recorded_at, corrected_at", [
    ("9999-12-31T23:59:59.000000+00:00", "2026-11-20T19:00:00.000000+00:00"),
    ("0001-01-01T00:00:00.000000+00:00", "0001-01-01T00:00:00.000000+00:00"),
    ("9999-12-31T23:59:59.999999+00:00", "9999-12-31T23:59:59.999999+00:00"),
])
def test_it_shows_every_page_and_export_of_an_entry_stored_with_any_time(
        client, nurse, clock, db, zone, recorded_at, corrected_at):
    """Entries an older server stored before the plausible window existed, for a family
    behind UTC and one 14 hours ahead of it."""
    family = enrolled_family(client, nurse.headers, timezone=zone, clock=clock)
    document = family.document(FEVER)
    [result] = family.push([family.envelope(document)]).get_json()["results"]
    alert_id = result["alert"]["alert_id"]
    db.execute("UPDATE entries SET recorded_at = ?, corrected_at = ? WHERE entry_id = ?",
               [recorded_at, corrected_at, document["entry_id"]])
    db.conn.commit()
    api = f"/api/v1/patients/{family.patient_id}"
    for path in (f"{api}/entries", f"{api}/entries/{document['entry_id']}/fhir",
                 f"{api}/trends?measure=temperature", f"{api}/tasks", "/api/v1/alerts",
                 f"/api/v1/alerts/{alert_id}"):
        response = client.get(path, headers=nurse.headers)
        assert response.status_code == 200, (path, response.get_json())
    sign_in(client, nurse)
    for path in (f"/patients/{family.patient_id}", f"/patients/{family.patient_id}/entries",
                 "/patients", "/", "/alerts", f"/alerts/{alert_id}",
                 f"/alerts/{alert_id}/forms"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "38.9" in client.get(f"/patients/{family.patient_id}/entries").get_data(
        as_text=True)


# What hypothesis throws: every JSON type, at the edges of what Python reads.
HUGE_INTEGERS = st.integers(0, 4200).map(lambda digits: -(10 ** digits) + 1)
SCALARS = (st.none() | st.booleans() | st.integers() | HUGE_INTEGERS | st.floats()
           | st.text(max_size=40) | st.sampled_from(["", "\x00", "\u202e", "\ud800", "🌡️" * 50,
                                                      "NaN", "-0", "1e999"]))


def containers(inner):
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)


VALUES = st.recursive(SCALARS, containers, max_leaves=16)
TIMES = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}{}".format,
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.integers(0, 24),
    st.integers(0, 60), st.integers(0, 60), st.sampled_from(["", ".5", ".999999999"]),
    st.sampled_from(["Z", "+00:00", "+14:00", "-14:00", "+23:59", "-23:59", "+24:00", ""]))
DIARY_ITEMS = ["temperature_c", "temperature_method", "fever_medicine_hours", "spo2_percent",
               "breathing_difficulty", "dizzy_or_fainting", "neuro_signs", "organ_signs"]
INSTRUMENTS = list(load_catalog(()))
DOCUMENT_FIELDS = ["entry_id", "device_id", "patient_id", "questionnaire_id",
                   "questionnaire_version", "questionnaire_variant", "task_id", "respondent",
                   "recorded_at", "supersedes", "answers", "unknown"]


def raw_json(value) -> bytes:
    # surrogatepass: a lone surrogate becomes bytes that are not UTF-8, as a buggy app's would
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def unreadable_texts():
    """JSON texts Python's json cannot or should not be asked to read in full."""
    depth = st.sampled_from([40, 900, 1200, 6000, 50_000])
    return st.one_of(
        depth.map(lambda n: ("[" * n + "]" * n).encode()),
        depth.map(lambda n: ('{"a":' * n + "1" + "}" * n).encode()),
        depth.map(lambda n: ("[" * n).encode()),
        st.integers(4000, 20_000).map(lambda n: ("9" * n).encode()),
        st.binary(max_size=64))


def mutate(draw, document, kind):
    if kind == "field":
        name = draw(st.sampled_from(DOCUMENT_FIELDS))
        if draw(st.booleans()):
            document[name] = draw(VALUES)
        else:
            document.pop(name, None)
    elif kind == "time":
        document["recorded_at"] = draw(TIMES)
    elif kind == "task":  # a task id sends the server looking for the task around the time
        document["task_id"] = draw(st.text(min_size=1, max_size=100))
    elif kind == "answers":
        document["answers"] = draw(st.dictionaries(st.sampled_from(DIARY_ITEMS), VALUES,
                                                   max_size=4))
    elif kind == "instrument":  # every item of a real instrument, so scores are computed too
        definition = draw(st.sampled_from(INSTRUMENTS))
        document.update(questionnaire_id=definition.id, questionnaire_version=definition.version,
                        questionnaire_variant=definition.variant,
                        respondent=definition.respondent)
        document["answers"] = {item.link_id: draw(st.integers(-1, 5) | VALUES)
                               for item in definition.items}


@st.composite
def hostile_documents(draw, family, entry_id):
    """The plaintext a buggy or hostile app seals for `entry_id`: up to three things wrong
    with one document, or bytes that are hardly a document at all."""
    document = family.document(CALM, entry_id=entry_id,
                               recorded_at=family.now().isoformat())
    kinds = draw(st.lists(st.sampled_from(["field", "time", "task", "answers", "instrument",
                                           "nested", "text"]), min_size=1, max_size=3))
    if "text" in kinds:
        return draw(unreadable_texts())
    for kind in kinds:
        mutate(draw, document, kind)
    text = raw_json(document)
    if "nested" in kinds:
        return text[:-1] + b', "deep": ' + draw(unreadable_texts()) + b"}"
    return text


STORED = ("accepted", "quarantined")


def test_it_never_answers_5xx_to_a_hostile_entry_and_stores_every_other_entry_of_the_batch(
        client, nurse, family, db):
    @settings(max_examples=120, deadline=None, database=None)
    @given(data=st.data())
    def push_hostile_batch(data):
        hostile_ids = [str(uuid.uuid4()) for _ in range(data.draw(st.integers(1, 3)))]
        envelopes = [seal_bytes(family, entry_id, data.draw(hostile_documents(family,
                                                                              entry_id)))
                     for entry_id in hostile_ids]
        fever = family.document(FEVER, recorded_at=family.now().isoformat())
        envelopes.insert(data.draw(st.integers(0, len(envelopes))), family.envelope(fever))
        response = family.push(envelopes)
        assert response.status_code == 200, response.get_json()
        results = {result["entry_id"]: result for result in response.get_json()["results"]}
        assert results[fever["entry_id"]]["status"] == "accepted"
        assert results[fever["entry_id"]]["alert"]["level"] == "urgent"
        assert db["entries"].get(fever["entry_id"])["status"] == "accepted"
        for entry_id in hostile_ids:
            if results[entry_id]["status"] in STORED:
                assert db["entries"].get(entry_id)["status"] == results[entry_id]["status"]
            else:
                assert results[entry_id]["status"] == "rejected", results[entry_id]
    push_hostile_batch()
    # Everything stored above, hostile or not, still shows to staff.
    sign_in(client, nurse)
    for path in (f"/patients/{family.patient_id}", f"/patients/{family.patient_id}/entries"):
        assert client.get(path).status_code == 200, path
    api = f"/api/v1/patients/{family.patient_id}"
    for path in (f"{api}/entries?limit=500", f"{api}/trends?measure=temperature"):
        assert client.get(path, headers=nurse.headers).status_code == 200, path


def test_it_never_answers_5xx_to_a_hostile_sent_at(family, db):
    @settings(max_examples=60, deadline=None, database=None)
    @given(sent_at=TIMES | VALUES)
    def push_at(sent_at):
        document = family.document(FEVER)
        response = family.push([family.envelope(document)], sent_at=sent_at)
        assert response.status_code in (200, 400), response.get_json()
        assert (db["entries"].count_where("entry_id = ?", [document["entry_id"]])
                == (response.status_code == 200))
    push_at()


BODY_FIELDS = ["username", "password", "enrollment_code", "device_name", "platform",
               "app_version", "replaces", "sent_at", "outbox_pending", "entries",
               "display_name", "date_of_birth", "infusion_date", "timezone", "language", "mrn",
               "respondent", "message", "reason", "until", "outcome", "note", "overrides"]


def hostile_bodies():
    return st.one_of(
        VALUES.map(raw_json),
        st.dictionaries(st.sampled_from(BODY_FIELDS), VALUES | TIMES, max_size=6)
        .map(raw_json),
        unreadable_texts())


def test_it_never_answers_5xx_to_a_hostile_body_on_any_json_route(app, client, staff, family,
                                                                   nurse, no_login_waits):
    physician = staff("physician")
    spare = enrolled_family(client, nurse.headers, patient_id=family.patient_id)
    [fever] = family.push([family.envelope(family.document(FEVER))]).get_json()["results"]
    ids = {"patient_id": family.patient_id, "alert_id": fever["alert"]["alert_id"],
           "device_id": spare.device_id}
    routes = sorted((method, rule.rule) for rule in app.url_map.iter_rules()
                    if rule.rule.startswith("/api/")
                    for method in rule.methods - {"GET", "HEAD", "OPTIONS"}
                    if (method, rule.rule) != ("DELETE", "/api/v1/auth/token"))
    assert len(routes) >= 10  # the push, sign-in, enrolment, patients, alerts, overrides...

    @settings(max_examples=250, deadline=None, database=None)
    @given(route=st.sampled_from(routes), body=hostile_bodies(),
           content_type=st.sampled_from(["application/json", "application/json; charset=utf-8",
                                         "application/merge-patch+json"]))
    def send(route, body, content_type):
        method, rule = route
        path = rule
        for name, value in ids.items():
            path = path.replace(f"<{name}>", value)
        headers = family.headers if "/sync/" in rule else physician.headers
        response = client.open(path, method=method, data=body, content_type=content_type,
                               headers=headers)
        assert response.status_code < 500, (method, path, body[:200], response.get_json())
        if response.status_code >= 400:
            assert set(response.get_json()["error"]) == {"code", "message", "details"}
    send()
    # Whatever those bodies changed (a snooze until year 9999, say) still shows to staff.
    for path in (f"/api/v1/alerts/{ids['alert_id']}", "/api/v1/alerts",
                 f"/api/v1/patients/{family.patient_id}"):
        assert client.get(path, headers=physician.headers).status_code == 200, path
    sign_in(client, physician)
    for path in ("/", "/alerts", f"/alerts/{ids['alert_id']}", f"/patients/{family.patient_id}",
                 "/patients"):
        assert client.get(path).status_code == 200, path
