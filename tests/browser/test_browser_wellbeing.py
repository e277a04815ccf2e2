"""The psychosocial view in a real browser: quality of life over two years, continuous
across an age-band change that the chart marks, caregiver distress, a cohort sorted by
recent decline, the team's own alerts; and no way into raw symptom data (403)."""
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from browsing import screenshot, sign_in
from questionnaires import load_catalog
from support.family import enrolled_family

pytestmark = pytest.mark.browser


def qol_answers(variant, answer):
    definition = load_catalog().get("quality-of-life", "1.0.0", variant)
    answers = {item.link_id: answer for item in definition.items
               if item.type == "scale-0-4" and not item.enable_when}
    return {**answers, "sch_attends": False}


def push_on(family, clock, day, answers, questionnaire_id="quality-of-life"):
    """Move the server's clock to `day` (noon UTC) and push what the family filled in then."""
    clock.set(datetime.fromisoformat(f"{day}T12:00:00+00:00").astimezone(timezone.utc))
    response = family.push([family.envelope(family.document(
        answers, questionnaire_id=questionnaire_id, recorded_at=clock.now().isoformat()))])
    assert response.status_code == 200
    [result] = response.get_json()["results"]
    assert result["status"] == "accepted", result
    return result


def test_it_follows_quality_of_life_across_years_for_the_psychosocial_team_only(
        page, live, phone, staff, clock):
    nurse, psychosocial = staff("nurse"), staff("psychosocial")
    # Turns 13 on 15 January 2027: the caregiver's questionnaire moves to the 13-17 form.
    declining = enrolled_family(phone, nurse.headers, clock=clock, display_name="Ana Gómez",
                                date_of_birth="2014-01-15", mrn="MRN-1")
    improving = enrolled_family(phone, nurse.headers, clock=clock, display_name="Ben Okafor",
                                date_of_birth="2011-08-01", mrn="MRN-2")
    enrolled_family(phone, nurse.headers, clock=clock, display_name="Cleo Marsh",
                    date_of_birth="2016-02-02", mrn="MRN-3")
    for day, answer in (("2026-11-16", 0), ("2026-12-18", 1), ("2027-02-18", 1),
                        ("2027-11-20", 1)):
        variant = "caregiver-8-12" if day < "2027-01-15" else "caregiver-13-17"
        push_on(declining, clock, day, qol_answers(variant, answer))
    push_on(improving, clock, "2027-11-01", qol_answers("caregiver-13-17", 2))
    push_on(improving, clock, "2027-11-15", qol_answers("caregiver-13-17", 1))
    distress = push_on(declining, clock, "2028-11-20", {"distress": 6, "want_contact": True},
                       questionnaire_id="caregiver-wellbeing")
    push_on(declining, clock, "2028-11-21", qol_answers("caregiver-13-17", 2))

    sign_in(page, psychosocial, "/wellbeing")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Patients", "Wellbeing"])
    names = page.locator("#cohort tbody th").all_text_contents()
    assert [name.strip() for name in names] == ["Ana Gómez", "Ben Okafor", "Cleo Marsh"]
    first = page.locator("#cohort tbody tr").first
    expect(first.locator(".change")).to_contain_text("-25.0")
    alerts = page.locator("#wellbeing-alerts .alert-card")
    expect(alerts).to_have_count(2)  # caregiver distress and the drop in quality of life
    screenshot(page, "wellbeing-cohort")

    card = page.locator(f"#alert-{distress['alert']['alert_id']}")
    card.locator("summary").click()
    card.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status").filter(has_text="Alert acknowledged.")).to_be_visible()
    expect(page.locator(f"#alert-{distress['alert']['alert_id']}")).to_contain_text(
        f"Acknowledged by {psychosocial.username}")

    page.locator("#cohort").get_by_role("link", name="Ana Gómez").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Gómez")
    # The charts are drawn by deferred scripts, after the heading is already on screen.
    page.wait_for_function("() => window.Chart && Chart.getChart('qol-chart')")
    chart = page.evaluate("""() => {
        const chart = Chart.getChart('qol-chart');
        return {labels: chart.data.datasets.map(d => d.label),
                total: chart.data.datasets[0].data.map(p => p.y),
                bands: chart.options.plugins.bandMarks.marks.map(m => m.label)};
    }""")
    assert chart["labels"] == ["total", "physical", "emotional", "social",
                               "school / daily life"]
    assert chart["total"] == [100, 75, 75, 75, 50]  # one line, unbroken by the new form
    assert chart["bands"] == ["age band 8-12 → 13-17"]
    expect(page.locator("#qol-table tbody tr")).to_have_count(5)
    distress_points = page.evaluate(
        "Chart.getChart('distress-chart').data.datasets[0].data.map(p => p.y)")
    assert distress_points == [6]
    screenshot(page, "wellbeing-patient")

    page.allowed_errors.append("status of 403")
    for path in (f"/patients/{declining.patient_id}", f"/patients/{declining.patient_id}/entries",
                 "/alerts"):
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.get_by_role("alert")).to_contain_text("This needs the role nurse or physician")
    screenshot(page, "psychosocial-403")
    api = page.request.get(f"/api/v1/patients/{declining.patient_id}/entries")
    assert api.status == 403
