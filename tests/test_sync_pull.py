"""Pull: a full snapshot for a new device, then only what changed, in pages."""
import pytest

from server.cli import main
from support.family import enrolled_family
from test_errors import assert_envelope


def pull_all(family, cursor=None, limit=None):
    """Pull pages while has_more, as an app does; returns (changes, final cursor, pages)."""
    changes, pages = [], 0
    while True:
        response = family.pull(cursor, limit)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        changes += body["changes"]
        cursor, pages = body["cursor"], pages + 1
        if not body["has_more"]:
            return changes, cursor, pages


def by_type(changes, kind):
    return {c["id"]: c for c in changes if c["type"] == kind}


def test_it_gives_a_new_device_a_snapshot_with_keys_first(family):
    changes, _cursor, _pages = pull_all(family)
    assert changes[0]["type"] == "keys"
    assert changes[0]["data"]["current"] == family.keys["current"]
    profile = by_type(changes, "profile")[family.patient_id]["data"]
    assert profile == {"patient_id": family.patient_id, "day0": "2026-11-17",
                       "timezone": "America/New_York", "language": "es",
                       "age_band": "8-12", "respondent": "caregiver",
                       "care_team": {"day": None, "night": None, "emergency": None,
                                     "day_hours": {"from": "08:00", "to": "18:00"}},
                       "diagnosis": None, "organs_involved": None}


def test_it_chooses_the_questionnaires_for_this_child_respondent_and_language(family):
    changes, _cursor, _pages = pull_all(family)
    questionnaires = by_type(changes, "questionnaire")
    assert {"symptom-diary", "neuro-check", "quality-of-life"} <= set(questionnaires)
    neuro = questionnaires["neuro-check"]["data"]
    assert neuro["respondent"] == "caregiver" and neuro["age"]["max"] <= 12  # under 12: CAPD
    # Every language the questionnaire has, the patient's first (a client that took the
    # only language before takes the same one), so a parent can switch the questions.
    assert neuro["languages"] == ["es", "en"]
    assert list(neuro["title"]) == ["es", "en"]
    assert all(list(item["text"])[0] == "es" for item in neuro["items"])


def test_it_sends_a_phone_that_pulled_one_language_the_questionnaires_again_once(family, db):
    _changes, cursor, _pages = pull_all(family)
    # As a server before the language choice left it: each variant signed without SENT_AS.
    [row] = db.query("SELECT variants FROM patient_feed_state WHERE patient_id = ?",
                     [family.patient_id])
    db.execute("UPDATE patient_feed_state SET variants = ? WHERE patient_id = ?",
               [row["variants"].replace("+all-languages", ""), family.patient_id])
    db.conn.commit()
    changes, cursor, _pages = pull_all(family, cursor)
    resent = by_type(changes, "questionnaire")
    assert {"symptom-diary", "neuro-check"} <= set(resent)
    assert resent["symptom-diary"]["data"]["languages"] == ["es", "en"]
    again, _cursor, _pages = pull_all(family, cursor)
    assert by_type(again, "questionnaire") == {}


def test_it_pages_a_snapshot_without_losing_or_repeating_items(family):
    whole, _cursor, one_page = pull_all(family)
    paged, _cursor, pages = pull_all(family, limit=2)
    assert one_page == 1 and pages > 2
    assert [(c["type"], c["id"]) for c in paged] == [(c["type"], c["id"]) for c in whole]


def test_it_answers_an_up_to_date_device_with_no_changes(family):
    _changes, cursor, _pages = pull_all(family)
    body = family.pull(cursor).get_json()
    assert body["changes"] == [] and body["has_more"] is False


def test_it_sends_the_new_key_set_after_a_rotation(family, config, app):
    _changes, cursor, _pages = pull_all(family)
    assert main(["keys", "rotate-sealing"], environ={"HOMEWARD_DATA_DIR":
                                                     str(config.data_dir)}) == 0
    changes, _cursor, _pages = pull_all(family, cursor)
    [keys] = [c for c in changes if c["type"] == "keys"]
    assert keys["data"]["current"] != family.keys["current"]
    assert [k["kid"] for k in keys["data"]["keys"]][1] == family.keys["current"]


def test_it_moves_a_child_to_the_new_variant_on_their_12th_birthday(family, clock):
    _changes, cursor, _pages = pull_all(family)
    clock.set(clock.now().replace(year=2027, month=3, day=14, hour=12))  # 07:00 in New York
    changes, _cursor, _pages = pull_all(family, cursor)
    assert by_type(changes, "profile") == {}  # still in the 8-12 band
    neuro = by_type(changes, "questionnaire")["neuro-check"]["data"]
    assert neuro["age"]["min"] == 12  # ICE-style from the 12th birthday
    assert "symptom-diary" not in by_type(changes, "questionnaire")  # unchanged, not resent


def test_it_sends_a_new_profile_when_the_age_band_changes(family, clock):
    _changes, cursor, _pages = pull_all(family)
    clock.set(clock.now().replace(year=2028, month=3, day=14, hour=12))  # 13th birthday
    changes, _cursor, _pages = pull_all(family, cursor)
    assert by_type(changes, "profile")[family.patient_id]["data"]["age_band"] == "13-17"


def test_it_refuses_a_cursor_from_another_device(client, nurse, family, clock):
    sibling = enrolled_family(client, nurse.headers, patient_id=family.patient_id, clock=clock)
    _changes, cursor, _pages = pull_all(family)
    error = assert_envelope(sibling.pull(cursor), 400, "invalid_request")
    assert "cursor" in error["details"]["fields"]
    assert "another device" in error["message"]


@pytest.mark.parametrize("cursor", ["garbage", "a.b", "eyJkIjoiZGV2In0.AAAA"])
def test_it_refuses_a_forged_cursor(family, cursor):
    error = assert_envelope(family.pull(cursor), 400, "invalid_request")
    assert "cursor" in error["details"]["fields"]


@pytest.mark.parametrize("limit", ["0", "501", "many"])
def test_it_refuses_a_limit_out_of_range(family, limit):
    response = family.client.get("/api/v1/sync/pull", headers=family.headers,
                                 query_string={"limit": limit})
    assert "limit" in assert_envelope(response, 400, "invalid_request")["details"]["fields"]


def test_it_keeps_at_least_14_days_of_tasks_ahead(family, clock):
    changes, cursor, _pages = pull_all(family)
    tasks = by_type(changes, "task")
    last_due = max(t["data"]["due_at"] for t in tasks.values())
    assert last_due >= "2026-12-04T19:00:00Z"  # 14 days after 2026-11-20 19:00Z
    assert {t["data"]["questionnaire_id"] for t in tasks.values()} >= {"symptom-diary",
                                                                       "neuro-check"}
    assert all(t["data"]["respondent"] == "caregiver" for t in tasks.values())
    # Once fewer than 14 days of tasks remain, the horizon moves on; only new tasks are sent.
    clock.advance(days=1, hours=1)
    later, _cursor, _pages = pull_all(family, cursor)
    new_tasks = by_type(later, "task")
    assert new_tasks and not set(new_tasks) & set(tasks)


def test_it_never_makes_a_task_twice(family, db):
    pull_all(family)
    pull_all(family)
    ids = [row["task_id"] for row in db["tasks"].rows]
    assert len(ids) == len(set(ids)) > 0


def test_it_sends_the_schedule_so_an_offline_app_can_make_its_own_tasks(family):
    changes, _cursor, _pages = pull_all(family)
    [schedule] = by_type(changes, "schedule").values()
    assert schedule["data"]["day0"] == "2026-11-17"
    assert schedule["data"]["timezone"] == "America/New_York"
    assert {plan["questionnaire"] for plan in schedule["data"]["questionnaires"]} >= {
        "symptom-diary", "neuro-check"}


def test_it_tells_the_family_when_the_team_acknowledges_with_a_message(family, nurse, app, db,
                                                                      clock):
    from support.alerting import Finding, raise_findings

    _changes, cursor, _pages = pull_all(family)
    vault = app.extensions["homeward"].vault
    alert = raise_findings(db, vault, family.patient_id, [Finding("fever", "urgent")],
                           clock.now(), entry_id="e1")
    changes, cursor, _pages = pull_all(family, cursor)
    seen = by_type(changes, "alert")[alert["alert_id"]]["data"]
    # Before the team writes, the family sees the rule's own advice, in Spanish.
    assert seen["status"] == "open" and seen["message"].startswith("Su hijo o hija tiene fiebre.")
    # ... and in English too, for a parent who switched the app to English.
    assert seen["message_by_language"]["es"] == seen["message"]
    assert seen["message_by_language"]["en"].startswith("Your child has a fever")
    assert seen["acknowledged_at"] is None
    response = family.client.post(f"/api/v1/alerts/{alert['alert_id']}/acknowledge",
                                  json={"message": "Vengan a urgencias, les esperamos."},
                                  headers=nurse.headers)
    assert response.status_code == 200
    changes, _cursor, _pages = pull_all(family, cursor)
    seen = by_type(changes, "alert")[alert["alert_id"]]["data"]
    thread = seen.pop("thread")
    assert seen == {"alert_id": alert["alert_id"], "entry_id": "e1", "level": "urgent",
                    "status": "acknowledged", "reasons": ["fever"],
                    "message": "Vengan a urgencias, les esperamos.",
                    "acknowledged_at": "2026-11-20T19:00:00Z"}  # "The team saw this at …"
    assert [(m["kind"], m["text"]) for m in thread] == [
        ("acknowledgement", "Vengan a urgencias, les esperamos.")]
