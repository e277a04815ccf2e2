"""Wellbeing pages through the test client: the cohort sorted by recent decline, a child's
quality of life and caregiver distress, and nothing of the symptom diary for the
psychosocial team."""
import re

import pytest

from questionnaires import load_catalog
from server.pages.wellbeing import cohort_order, decline
from support.family import enrolled_family
from support.pages import sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")


def qol(family, answer, recorded_at):
    definition = load_catalog().get("quality-of-life", "1.0.0", "caregiver-8-12")
    answers = {item.link_id: answer for item in definition.items
               if item.type == "scale-0-4" and not item.enable_when}
    return family.envelope(family.document({**answers, "sch_attends": False},
                                           questionnaire_id="quality-of-life",
                                           recorded_at=recorded_at))


def points(*values):
    return [{"value": value, "at": f"2026-11-{10 + i:02d}T12:00:00Z"}
            for i, value in enumerate(values)]


def test_it_measures_decline_against_the_score_before_and_the_baseline():
    assert decline(points(90, 80, 55)) == {
        "latest": 55, "previous": 80, "baseline": 90, "change": -25, "since_baseline": -35,
        "drop": -35, "latest_at": "2026-11-12T12:00:00Z"}
    assert decline(points(70))["change"] is None
    assert decline([])["latest"] is None


def test_it_puts_the_steepest_recent_decline_first_and_the_unscored_last():
    def row(name, *values):
        return {"patient": {"display_name": name}, "qol": decline(points(*values))}
    rows = [row("none"), row("up", 50, 70), row("one", 60), row("down a bit", 80, 75),
            row("down a lot", 90, 60)]
    assert [r["patient"]["display_name"] for r in sorted(rows, key=cohort_order)] == [
        "down a lot", "down a bit", "up", "one", "none"]


def test_it_puts_a_slow_decline_over_months_before_a_rise_or_a_wobble():
    def row(name, *dated):
        return {"patient": {"display_name": name},
                "qol": decline([{"value": value, "at": at} for at, value in dated])}
    rows = [row("rose then wobbled", ("2026-09-01T12:00:00Z", 40), ("2026-10-01T12:00:00Z", 90),
                ("2026-11-01T12:00:00Z", 88)),
            row("slowly worse", ("2026-09-01T12:00:00Z", 90), ("2026-10-01T12:00:00Z", 80),
                ("2026-11-01T12:00:00Z", 72), ("2026-11-15T12:00:00Z", 66)),
            row("one bad week", ("2026-10-20T12:00:00Z", 80), ("2026-11-10T12:00:00Z", 70)),
            row("long ago", ("2025-01-01T12:00:00Z", 100), ("2026-11-10T12:00:00Z", 60),
                ("2026-11-12T12:00:00Z", 61))]
    ordered = sorted(rows, key=cohort_order)
    assert [r["patient"]["display_name"] for r in ordered] == [
        "slowly worse", "one bad week", "rose then wobbled", "long ago"]
    assert [r["qol"]["drop"] for r in ordered] == [-24, -10, -2, 0]


def test_it_shows_wellbeing_to_psychosocial_staff_without_any_symptom_data(client, staff,
                                                                           clock, db):
    nurse, psychosocial = staff("nurse"), staff("psychosocial")
    family = enrolled_family(client, nurse.headers, clock=clock)
    family.push([family.envelope(family.document(
        {"temperature_c": 39.4, "temperature_method": "oral", "notes": "vomited twice"})),
        qol(family, 0, "2026-11-18T09:00:00-05:00"), qol(family, 2, "2026-11-20T09:00:00-05:00"),
        family.envelope(family.document({"distress": 7}, questionnaire_id="caregiver-wellbeing"))])
    sign_in(client, psychosocial)
    page = client.get(f"/patients/{family.patient_id}/wellbeing").get_data(as_text=True)
    assert "Latest total 50, -50.0 since the one before, -50.0 since baseline" in page
    assert re.search(r'id="distress-table">.*<td>7</td>', page, re.S)
    assert "39.4" not in page and "vomited" not in page and "high fever" not in page
    assert "Symptom timeline" not in page  # no link to a page they may not open
    cohort = client.get("/wellbeing").get_data(as_text=True)
    assert re.search(r"-50\.0 <span class=\"visually-hidden\">\(decline\)</span>▼", cohort)
    assert "caregiver distress" in cohort and "high fever" not in cohort
    reads = db.execute("SELECT count(*) FROM audit_log WHERE action = 'trends.read' AND "
                       "actor_username = ? AND patient_id = ?",
                       [psychosocial.username, family.patient_id]).fetchone()[0]
    assert reads == 2  # the patient's page and the cohort


def test_it_keeps_wellbeing_pages_from_admins(client, staff, clock):
    family = enrolled_family(client, staff("nurse").headers, clock=clock)
    sign_in(client, staff("admin"))
    assert client.get("/wellbeing").status_code == 403
    assert client.get(f"/patients/{family.patient_id}/wellbeing").status_code == 403
