"""The clinic's records reach the safety rules: the LICATS watch looks at the organs the
physician recorded as involved, the day -1 neuro check is the child's baseline, and the
long-term follow-up form is read by rules (a new lump is urgent)."""
import pytest

from support.family import enrolled_family
from test_records_api import PROFILE


@pytest.fixture
def physician(staff):
    return staff("physician")


def set_organs(client, family, physician, organs):
    response = client.put(f"/api/v1/patients/{family.patient_id}/profile",
                          json={**PROFILE, "organs_involved": organs},
                          headers=physician.headers)
    assert response.status_code == 200, response.get_json()


def push(family, document):
    response = family.push([family.envelope(document)])
    assert response.status_code == 200, response.get_json()
    result = response.get_json()["results"][0]
    assert result["status"] in ("accepted", "duplicate"), result
    return result["alert"]


def rash(family):
    # CHILD's infusion is 2026-11-17; the entry is on day 3, inside the LICATS window.
    return push(family, family.document({"organ_signs": ["diarrhoea"]}))


def test_it_reports_a_new_sign_in_an_involved_organ(client, family, physician):
    set_organs(client, family, physician, ["gut", "kidney"])
    assert rash(family)["level"] == "attention"


def test_it_leaves_a_sign_in_an_organ_the_disease_never_hit_to_the_team(client, family,
                                                                       physician):
    set_organs(client, family, physician, ["kidney", "skin"])
    assert rash(family) is None


def test_it_watches_every_organ_until_a_profile_is_recorded(family):
    assert rash(family)["level"] == "attention"


def ice(family, total, recorded_at):
    answers = {"knows_year": total > 0, "knows_month": total > 1, "knows_city": total > 2,
               "knows_hospital": total > 3, "names_objects": max(0, min(3, total - 4)),
               "follows_command": total > 7, "writes_sentence": total > 8,
               "counts_back": total > 9}
    return family.document(answers, questionnaire_id="neuro-check", recorded_at=recorded_at)


@pytest.fixture
def teenager(client, nurse, clock):
    # 14 at infusion: the ICE-style check.
    return enrolled_family(client, nurse.headers, clock=clock, date_of_birth="2012-05-01")


def test_it_takes_the_day_minus_one_check_as_the_neuro_baseline(teenager):
    # Day -1 (2026-11-16 in New York): 8 of 10, the child's own normal; no alert for it.
    assert push(teenager, ice(teenager, 8, "2026-11-16T09:00:00-05:00")) is None
    # Day 3 at the same 8 is no drop; 7 is one point below the baseline.
    assert push(teenager, ice(teenager, 8, "2026-11-20T09:00:00-05:00")) is None
    assert push(teenager, ice(teenager, 7, "2026-11-20T10:00:00-05:00"))["level"] == "urgent"


def test_it_compares_with_the_first_check_after_infusion_without_a_day_minus_one_check(
        teenager):
    assert push(teenager, ice(teenager, 10, "2026-11-18T09:00:00-05:00")) is None
    assert push(teenager, ice(teenager, 9, "2026-11-19T09:00:00-05:00"))["level"] == "urgent"


def follow_up(family, answers):
    return family.document(answers, questionnaire_id="long-term-follow-up",
                           questionnaire_version="1.1.0")


def test_it_raises_a_new_lump_in_long_term_follow_up_as_urgent(family, db):
    alert = push(family, follow_up(family, {"infection": False, "hospital_stay": False,
                                            "new_lump": True}))
    assert alert["level"] == "urgent"
    assert db.execute("SELECT reasons FROM alerts").fetchone()[0] == '["new_lump"]'


def test_it_raises_flare_signs_and_hospital_infections_for_review(family, db):
    alert = push(family, follow_up(family, {"infection": True, "infection_hospital": "yes",
                                            "hospital_stay": True, "new_lump": False,
                                            "flare_foamy_urine": "yes"}))
    assert alert["level"] == "attention"
    concerns = {row[0] for row in db.execute("SELECT concern FROM alerts")}
    assert concerns == {"serious_infection", "disease_flare"}


def test_it_sends_the_organs_involved_to_the_familys_app_when_a_physician_records_them(
        client, family, physician):
    from test_sync_pull import by_type, pull_all

    _changes, cursor, _pages = pull_all(family)
    set_organs(client, family, physician, ["kidney", "skin"])
    changes, _cursor, _pages = pull_all(family, cursor)
    profile = by_type(changes, "profile")[family.patient_id]["data"]
    assert (profile["diagnosis"], profile["organs_involved"]) == ("sle", ["kidney", "skin"])
