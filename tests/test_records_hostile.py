"""Odd and hostile input at every records endpoint: each is answered with the JSON error
envelope naming the field, and nothing is recorded. Broken characters, control characters,
dates only Python reads, duplicate codes, consents to registries the site does not know or
dated before the child was born, and two physicians correcting the same event at once."""
import json

import pytest

from support.family import CHILD
from test_records_api import CRS, PROFILE, url

LONE_SURROGATE = '"abc\\ud800def"'  # valid JSON, not valid UTF-8 once decoded


@pytest.fixture
def physician(staff):
    return staff("physician")


def raw_post(client, who, path, body: dict, raw_field=None, method="POST"):
    """`body` as JSON, with `raw_field` set to the lone surrogate (json.dumps cannot)."""
    text = json.dumps({**body, **({raw_field: "PLACEHOLDER"} if raw_field else {})})
    text = text.replace('"PLACEHOLDER"', LONE_SURROGATE)
    return client.open(path, method=method, data=text, content_type="application/json",
                       headers=who.headers)


def refused(response, field):
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == "invalid_request"
    assert field in error["details"]["fields"], error
    return error


def nothing_recorded(db):
    return {table: db[table].count for table in ("toxicity_events", "patient_profiles",
                                                 "followup_contacts", "followup_closures")}


EMPTY = {"toxicity_events": 0, "patient_profiles": 0, "followup_contacts": 0,
         "followup_closures": 0}


@pytest.mark.parametrize("path, body, field", [
    ("toxicity-events", CRS, "note"),
    ("toxicity-events", {**CRS, "treatments": ["other"], "icu_days": None}, "treatments_text"),
    ("profile", {**PROFILE, "diagnosis": "other"}, "diagnosis_text"),
    ("profile", PROFILE, "product_name"),
    ("follow-up-contacts", {"outcome": "reached"}, "note"),
    ("follow-up-closure", {"reason": "died"}, "note"),
])
def test_it_refuses_a_broken_character_in_any_text_and_records_nothing(
        client, physician, family, db, path, body, field):
    method = "PUT" if path == "profile" else "POST"
    refused(raw_post(client, physician, url(family.patient_id, path), body, field, method),
            field)
    assert nothing_recorded(db) == EMPTY


@pytest.mark.parametrize("note", ["before\x00after", "bell\x07", "escape \x1b[31mred"])
def test_it_refuses_control_characters_in_a_note(client, physician, family, db, note):
    refused(client.post(url(family.patient_id, "toxicity-events"), json={**CRS, "note": note},
                        headers=physician.headers), "note")
    assert nothing_recorded(db) == EMPTY


def test_it_keeps_unicode_notes_whole_and_a_blank_note_as_none(client, physician, family):
    note = "Fièvre 39,2 °C → tocilizumab 💉, 发烧, حمى\nsecond line"
    kept = client.post(url(family.patient_id, "toxicity-events"), json={**CRS, "note": note},
                       headers=physician.headers).get_json()
    assert kept["note"] == note
    blank = client.post(url(family.patient_id, "toxicity-events"),
                        json={**CRS, "note": "   \n "}, headers=physician.headers)
    assert blank.status_code == 201 and blank.get_json()["note"] is None


def test_it_refuses_a_note_longer_than_its_limit_saying_how_long(client, physician, family,
                                                               db):
    error = refused(client.post(url(family.patient_id, "toxicity-events"),
                                json={**CRS, "note": "é" * 4001}, headers=physician.headers),
                    "note")
    assert "4,000" in json.dumps(error["details"])
    assert nothing_recorded(db) == EMPTY


@pytest.mark.parametrize("change, field", [
    ({"onset_date": "20261119"}, "onset_date"),             # basic ISO: Python reads it
    ({"onset_date": "2026-W47-4"}, "onset_date"),           # a week date: so does this
    ({"onset_date": "2026-02-30"}, "onset_date"),
    ({"resolution_date": "2026-11-20T10:00:00Z"}, "resolution_date"),
    ({"onset_date": "2021-11-19", "resolution_date": None}, "onset_date"),  # years before
    ({"treatments": ["tocilizumab", "tocilizumab", "icu"]}, "treatments"),
    ({"kind": "icans", "grade": 5, "treatments": [], "icu_days": None}, "grade"),
    ({"kind": "hlh", "grading_system": "astct_2019"}, "grading_system"),
    ({"kind": "cytokine_storm"}, "kind"),
    ({"grade": True}, "grade"),
    ({"icu_days": -1}, "icu_days"),
])
def test_it_refuses_an_event_nobody_could_have_meant(client, physician, family, db, change,
                                                     field):
    refused(client.post(url(family.patient_id, "toxicity-events"), json={**CRS, **change},
                        headers=physician.headers), field)
    assert nothing_recorded(db) == EMPTY


@pytest.mark.parametrize("change, field", [
    ({"registry_consents": [{"registry": "embt", "consented_on": "2026-11-01"}]},
     "registry_consents"),                                   # a registry the site does not know
    ({"registry_consents": [{"registry": "../x", "consented_on": "2026-11-01"}]},
     "registry_consents"),
    ({"registry_consents": [{"registry": "ebmt", "consented_on": "1900-01-01"}]},
     "registry_consents"),                                   # before the child was born
    ({"registry_consents": [{"registry": "ebmt", "consented_on": "20261101"}]},
     "registry_consents"),
    ({"organs_involved": ["kidney", "kidney"]}, "organs_involved"),
    ({"diagnosis": "other", "diagnosis_text": "  "}, "diagnosis_text"),
    ({"lymphodepletion": "other"}, "lymphodepletion_text"),
    ({"sex_at_birth": "F"}, "sex_at_birth"),
])
def test_it_refuses_a_profile_nobody_could_have_meant(client, physician, family, db, change,
                                                      field):
    refused(client.put(url(family.patient_id, "profile"), json={**PROFILE, **change},
                       headers=physician.headers), field)
    assert nothing_recorded(db) == EMPTY


def test_it_takes_a_consent_to_a_registry_the_site_adds(app, client, physician, family):
    app.extensions["homeward"].config = app.extensions["homeward"].config.with_overrides(
        registries=("cibmtr", "dkms-de", "ebmt"))
    response = client.put(url(family.patient_id, "profile"), json={
        **PROFILE, "registry_consents": [{"registry": "dkms-de",
                                          "consented_on": CHILD["infusion_date"]}]},
        headers=physician.headers)
    assert response.status_code == 200, response.get_json()


def event(client, physician, patient_id):
    response = client.post(url(patient_id, "toxicity-events"), json=CRS,
                           headers=physician.headers)
    assert response.status_code == 201
    return response


def test_a_correction_made_from_an_old_revision_is_refused_not_lost(client, physician,
                                                                     family, staff):
    colleague = staff("physician")
    created = event(client, physician, family.patient_id)
    event_id = created.get_json()["event_id"]
    assert created.headers["ETag"] == '"1"'
    path = url(family.patient_id, f"toxicity-events/{event_id}")
    # Both physicians opened revision 1; the first to save wins, the second is told.
    first = client.put(path, json={**CRS, "grade": 3, "reason": "vasopressor started",
                                   "revision": 1}, headers=physician.headers)
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    second = client.put(path, json={**CRS, "grade": 1, "reason": "looked milder to me",
                                    "revision": 1}, headers=colleague.headers)
    assert second.status_code == 409, second.get_json()
    assert second.get_json()["error"]["details"] == {"current_revision": 2}
    by_header = client.put(path, json={**CRS, "grade": 1, "reason": "looked milder"},
                           headers={**colleague.headers, "If-Match": '"1"'})
    assert by_header.status_code == 409
    stale_retraction = client.post(path + "/retraction", json={"reason": "wrong child",
                                                               "revision": 1},
                                   headers=colleague.headers)
    assert stale_retraction.status_code == 409
    current = client.get(path, headers=physician.headers)
    assert (current.get_json()["grade"], current.get_json()["revision"]) == (3, 2)
    assert current.headers["ETag"] == '"2"'


def test_a_correction_without_a_revision_is_last_writer_wins_with_both_kept(
        client, physician, family):
    event_id = event(client, physician, family.patient_id).get_json()["event_id"]
    path = url(family.patient_id, f"toxicity-events/{event_id}")
    for grade in (3, 1):
        assert client.put(path, json={**CRS, "grade": grade, "reason": f"grade {grade}"},
                          headers=physician.headers).status_code == 200
    body = client.get(path, headers=physician.headers).get_json()
    assert [body["grade"], *[h["grade"] for h in body["history"]]] == [1, 3, 2]


def test_it_refuses_a_bad_revision_or_if_match(client, physician, family, db):
    event_id = event(client, physician, family.patient_id).get_json()["event_id"]
    path = url(family.patient_id, f"toxicity-events/{event_id}")
    refused(client.put(path, json={**CRS, "reason": "typo", "revision": "one"},
                       headers=physician.headers), "revision")
    bad = client.put(path, json={**CRS, "reason": "typo"},
                     headers={**physician.headers, "If-Match": "W/\"x\""})
    assert bad.status_code == 400 and "If-Match" in bad.get_json()["error"]["message"]
    assert db["toxicity_events"].count == 1


def test_of_eight_physicians_saving_from_the_same_revision_at_once_one_wins(
        live, client, physician, family, db):
    import threading
    import urllib.error
    import urllib.request

    event_id = event(client, physician, family.patient_id).get_json()["event_id"]
    address = live.url + url(family.patient_id, f"toxicity-events/{event_id}")
    statuses, start = [], threading.Barrier(8)

    def save(grade):
        body = json.dumps({**CRS, "grade": grade, "reason": f"grade {grade} on review",
                           "revision": 1}).encode()
        request = urllib.request.Request(address, data=body, method="PUT", headers={
            **physician.headers, "Content-Type": "application/json"})
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=save, args=(1 + n % 4,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] + [409] * 7
    assert db.execute("SELECT MAX(revision), COUNT(*) FROM toxicity_events").fetchone() == (2, 2)
