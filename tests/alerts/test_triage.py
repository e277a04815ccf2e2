"""The triage colour of phone findings: the worst finding wins, each with its reason, and
nothing reported that worries is green."""
import pytest

from alerts.triage import triage


def test_it_is_green_when_what_was_reported_is_all_usual():
    assert triage({"temperature_c": 37.0, "breathing": "normal", "spo2_percent": 98,
                   "drinking": "normal", "passing_urine": "normal", "dizziness": "none"},
                  {"variant": "ice-style", "total": 10}) == {"colour": "green", "reasons": []}


@pytest.mark.parametrize("findings, neuro, colour, reason", [
    ({"temperature_c": 38.0}, None, "red", "temperature 38.0 °C: fever after CAR T"),
    ({"temperature_c": 35.8}, None, "red", "temperature 35.8 °C: low"),
    ({"temperature_c": 37.6}, None, "amber", "temperature 37.6 °C: raised"),
    ({"spo2_percent": 91}, None, "red", "oxygen saturation 91 %"),
    ({"spo2_percent": 94}, None, "amber", "oxygen saturation 94 %"),
    ({"breathing": "struggling"}, None, "red", "struggling to breathe"),
    ({"passing_urine": "none_12h"}, None, "red", "no urine for 12 hours or more"),
    ({"dizziness": "dizzy"}, None, "amber", "dizzy (possible low blood pressure)"),
    ({}, {"variant": "ice-style", "total": 6}, "red", "ICE-style 6/10"),
    ({}, {"variant": "ice-style", "total": 8}, "amber", "ICE-style 8/10"),
    ({}, {"variant": "capd-style", "total": 9}, "red", "CAPD-style 9 (positive: 9 or more)"),
    ({}, {"variant": "capd-style", "total": 3}, "amber", "CAPD-style 3"),
])
def test_it_colours_each_finding_as_the_triage_tool_would(findings, neuro, colour, reason):
    assert triage(findings, neuro) == {"colour": colour, "reasons": [reason]}


def test_it_takes_the_worst_colour_and_lists_the_worst_reasons_first():
    found = triage({"drinking": "less", "temperature_c": 38.4, "dizziness": "dizzy"})
    assert found["colour"] == "red"
    assert found["reasons"][0].startswith("temperature 38.4")
    assert sorted(found["reasons"][1:]) == ["dizzy (possible low blood pressure)",
                                            "drinking less than usual"]
