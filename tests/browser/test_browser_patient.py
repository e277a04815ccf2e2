"""The patient list and timeline in a real browser: creating and finding a patient, the
temperature chart drawn from pushed readings (fever line, method of each reading), neuro
checks against the baseline, the grading statement, and enrolling a phone by QR code."""
import pytest
from playwright.sync_api import expect

from browsing import screenshot, sign_in
from support.family import enrol, enrolled_family

pytestmark = pytest.mark.browser

CAPD_CALM = {"eye_contact": 4, "purposeful": 4, "aware": 4, "tells_needs": 4,
             "restless": 0, "inconsolable": 0, "underactive": 0, "slow_response": 0}


def at(hour, minute=0):
    return f"2026-11-20T{hour:02d}:{minute:02d}:00-05:00"


def test_it_charts_pushed_temperatures_with_fever_line_methods_and_grading(
        page, live, phone, staff, clock):
    nurse = staff("nurse")
    family = enrolled_family(phone, nurse.headers, clock=clock)
    neuro = {"questionnaire_id": "neuro-check"}
    family.push([family.envelope(document) for document in (
        family.document({"temperature_c": 37.1, "temperature_method": "oral"},
                        recorded_at=at(8)),
        family.document({"temperature_c": 37.8, "temperature_method": "ear",
                         "fever_medicine_hours": 2}, recorded_at=at(11)),
        family.document({"temperature_c": 38.6, "temperature_method": "axillary",
                         "organ_signs": ["rash"]}, recorded_at=at(13, 30)),
        family.document(CAPD_CALM, recorded_at=at(9), **neuro),
        family.document({**CAPD_CALM, "restless": 3}, recorded_at=at(13), **neuro),
    )], outbox_pending=4)
    sign_in(page, nurse, f"/patients/{family.patient_id}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Mateo Ruiz")
    expect(page.locator(".patient-header .day")).to_have_text("Day 3")
    # The charts are drawn by deferred scripts, after the heading is already on screen.
    page.wait_for_function("() => window.Chart && Chart.getChart('temperature-chart')")
    chart = page.evaluate("""() => {
        const chart = Chart.getChart('temperature-chart');
        return chart.data.datasets.map(d => ({label: d.label,
            ys: d.data.map(p => p.y), styles: d.pointStyle}));
    }""")
    readings, fever_line = chart
    assert readings["ys"] == [37.1, 37.8, 38.6]
    assert readings["styles"] == ["circle", "rect", "triangle"]  # oral, ear, axillary
    assert fever_line["label"] == "Fever line 38.0 °C" and set(fever_line["ys"]) == {38.0}
    table = page.locator("#temperature-table tbody tr")
    expect(table).to_have_count(3)
    expect(table.first).to_contain_text("38.6 fever")
    expect(table.first).to_contain_text("axillary")

    neuro_chart = page.evaluate("""() => Chart.getChart('neuro-chart').data.datasets.map(
        d => ({label: d.label, ys: d.data.map(p => p.y)}))""")
    assert neuro_chart == [
        {"label": "CAPD-style observation (0-32, higher is worse)", "ys": [0, 3]},
        {"label": "Baseline 0 (capd-style)", "ys": [0, 0]}]

    grading = page.locator("#grading")
    expect(grading).to_contain_text("Reported data compatible with up to CRS grade 1 — not a "
                                     "clinical grade; the grade is assigned by clinicians")
    expect(grading).to_contain_text("Reported data compatible with up to ICANS grade 2")
    expect(page.locator("#symptoms-table")).to_contain_text("rash")
    device = page.locator("#devices tbody tr")
    expect(device).to_contain_text("Mamá's phone")
    expect(device.locator(".flag")).to_contain_text("4 entries waiting on the phone")
    alerts = page.locator("#now .alert-card")
    expect(alerts).to_have_count(2)  # the temperature episode; the organ flare, both open
    # The episode's evidence is its newest reading's, with that reading's own time and delay.
    expect(alerts.filter(has_text="fever").locator(".evidence")).to_have_text(
        "38.6 °C axillary at 13:30 EST, reported 30 min late")
    screenshot(page, "patient-timeline")

    page.get_by_role("link", name="Entries in full").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entries in full: Mateo Ruiz")
    expect(page.locator("article.entry")).to_have_count(5)
    screenshot(page, "patient-entries")


def test_it_creates_finds_and_enrols_a_patient_showing_the_qr_code(page, live, phone, staff):
    page.goto("/login")
    screenshot(page, "login")
    sign_in(page, staff("physician"), "/patients")
    form = page.locator("form", has=page.get_by_role("button", name="Create patient"))
    form.get_by_label("Child's name").fill("Lucía Fernández")
    form.get_by_label("MRN", exact=True).fill("MRN-0042")
    form.get_by_label("Date of birth").fill("2012-05-02")
    form.get_by_label("Infusion date (day 0)").fill("2026-11-18")
    form.get_by_label("Family's time zone").select_option("America/Chicago")
    form.get_by_label("Family's language").select_option("es")
    form.get_by_role("button", name="Create patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lucía Fernández")
    expect(page.get_by_role("status").first).to_contain_text("Patient created")

    page.get_by_label("Enrol a new phone for").select_option("caregiver")
    page.get_by_role("button", name="Show enrolment code").click()
    code = page.locator("#enrol-code").inner_text()
    expect(page.locator("figure.qr svg title")).to_have_text("Enrolment QR code")
    screenshot(page, "enrolment-qr")
    enrolled = enrol(phone, code, name="Papá's phone")
    assert enrolled.status_code == 201, enrolled.get_json()

    page.goto("/patients")
    page.get_by_label("Find by name or MRN").fill("lucia")  # accents need not be typed
    page.get_by_label("Find by name or MRN").press("Enter")
    rows = page.locator("table.patients tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("MRN-0042")
    expect(rows).to_contain_text("Day 2")
    screenshot(page, "patient-list")
