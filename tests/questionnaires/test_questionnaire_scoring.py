import pytest

from questionnaires import score

QOL_EXAMPLE = {
    # physical, reversed 4 3 4 2 3: mean 3.2 → 80
    "phys_moving": 0, "phys_play": 1, "phys_selfcare": 0, "phys_tired": 2, "phys_pain": 1,
    # emotional, reversed 2 3 4 1: mean 2.5 → 62.5
    "emo_worry": 2, "emo_sad": 1, "emo_angry": 0, "emo_scared": 3,
    # social, 3 of 4 answered (enough), reversed 4 4 3: mean 3.667 → 91.67
    "soc_friends": 0, "soc_left_out": 0, "soc_family": 1,
    # school, 1 of 3 answered: under half, so no score
    "sch_attends": True, "sch_attention": 4,
}


def test_it_scores_quality_of_life_domains_to_0_100_with_100_best(catalog):
    qol = catalog.get("quality-of-life", "1.0.0", "caregiver-8-12")
    assert score(qol, QOL_EXAMPLE) == {
        "physical": 80, "emotional": 62.5, "social": 91.67, "school": None,
        # 13 of 16 items answered; reversed sum 16 + 10 + 11 + 0 = 37; 37 / 13 * 25
        "total": 71.15,
    }


def test_it_leaves_school_out_for_a_child_who_does_not_go_to_school(catalog):
    qol = catalog.get("quality-of-life", "1.0.0", "caregiver-8-12")
    answers = {k: v for k, v in QOL_EXAMPLE.items() if not k.startswith("sch_")}
    scores = score(qol, {**answers, "sch_attends": False})
    assert scores["school"] is None
    assert scores["total"] == 77.08  # 37 / 12 * 25: the school items do not count as missing


def test_it_scores_best_and_worst_answers_at_the_ends_of_the_scale(catalog):
    for variant in ("caregiver-2-4", "self-13-17", "self-18-plus"):
        qol = catalog.get("quality-of-life", "1.0.0", variant)
        scale = [i.link_id for i in qol.items if i.type == "scale-0-4"]
        best = score(qol, {**dict.fromkeys(scale, 0), "sch_attends": True})
        worst = score(qol, {**dict.fromkeys(scale, 4), "sch_attends": True})
        assert set(best.values()) == {100} and set(worst.values()) == {0}


def test_it_scores_the_three_faces_form(catalog):
    faces = catalog.get("quality-of-life", "1.0.0", "self-5-7")
    scores = score(faces, {"phys_moving": 0, "phys_play": 2, "phys_tired": 4, "phys_pain": 2,
                           "emo_scared": 4, "emo_sad": 4, "soc_friends": 0})
    assert scores["physical"] == 50  # reversed 4 2 0 2 → mean 2
    assert scores["emotional"] == 0  # 2 of 3 answered, both worst
    assert scores["social"] == 100  # 1 of 2 is exactly half: enough
    assert scores["school"] is None
    assert scores["total"] == 42.86  # reversed 4 2 0 2 0 0 4 = 12; 7 of 11 answered; 12 / 7 * 25


def test_it_scores_the_capd_style_check_with_the_first_four_reversed(catalog):
    capd = catalog.get("neuro-check", "1.0.0", "capd-style")
    answers = {"eye_contact": 4, "purposeful": 3, "aware": 2, "tells_needs": 0,
               "restless": 1, "inconsolable": 0, "underactive": 2, "slow_response": 3}
    assert score(capd, answers) == {"total": 13}  # 0 + 1 + 2 + 4 + 1 + 0 + 2 + 3
    calm = {**dict.fromkeys(["eye_contact", "purposeful", "aware", "tells_needs"], 4),
            **dict.fromkeys(["restless", "inconsolable", "underactive", "slow_response"], 0)}
    assert score(capd, calm) == {"total": 0}
    assert score(capd, {k: 4 - v for k, v in calm.items()}) == {"total": 32}
    assert score(capd, {**answers, "slow_response": None}) == {"total": None}  # every item or no total


@pytest.mark.parametrize("answers, total", [
    ({}, 10),
    ({"knows_year": False, "names_objects": 2}, 8),
    ({"knows_year": False, "knows_month": False, "knows_city": False, "names_objects": 0,
      "writes_sentence": False}, 3),  # hospital, command and counting left
])
def test_it_scores_the_ice_style_check_out_of_ten(catalog, answers, total):
    ice = catalog.get("neuro-check", "1.0.0", "ice-style")
    perfect = {"knows_year": True, "knows_month": True, "knows_city": True, "knows_hospital": True,
               "names_objects": 3, "follows_command": True, "writes_sentence": True, "counts_back": True}
    assert score(ice, {**perfect, **answers}) == {"total": total}


def test_it_scores_caregiver_distress_and_counts_problem_areas(catalog):
    wellbeing = catalog.get("caregiver-wellbeing", "1.0.0", "caregiver")
    assert score(wellbeing, {"distress": 6, "problems_practical": ["money", "travel"], "problems_family": []}) == {
        "distress": 6, "practical": 2, "family": 0, "emotional": None, "physical": None}


def test_it_ignores_invalid_answers_when_scoring(catalog):
    capd = catalog.get("neuro-check", "1.0.0", "capd-style")
    answers = dict.fromkeys([i.link_id for i in capd.items if i.type == "scale-0-4"], 2)
    assert score(capd, answers) == {"total": 16}
    assert score(capd, {**answers, "restless": 9}) == {"total": None}
    assert score(capd, "not answers") == {"total": None}
