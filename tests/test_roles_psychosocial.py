"""The psychosocial team follows wellbeing: the patient list and a patient's tasks show them
nothing of fever or neuro alerts, filtered by role as the alerts themselves are."""
import re

import pytest

from support.alerting import Finding, raise_findings
from support.pages import sign_in
from test_clinic_entries import push, tasks

pytestmark = pytest.mark.usefixtures("no_login_waits")

NEURO_SIGN = {"temperature_c": 37.0, "temperature_method": "axillary",
              "neuro_signs": ["tremor"]}


@pytest.fixture
def vault(app):
    return app.extensions["homeward"].vault


def chip(app, who, patient_id):
    client = app.test_client()
    sign_in(client, who)
    page = client.get("/patients").get_data(as_text=True)
    row = page.split(f"/patients/{patient_id}", 1)[1].split("</tr>", 1)[0]
    found = re.search(r'class="level-chip level-(\w+)"', row)
    return found.group(1) if found else None


@pytest.mark.parametrize("reason,level", [("fever", "urgent"), ("neuro_sign", "urgent"),
                                          ("seizure", "emergency")])
def test_it_shows_the_psychosocial_team_no_chip_for_a_symptom_alert(
        app, staff, family, db, vault, clock, reason, level):
    raise_findings(db, vault, family.patient_id, [Finding(reason, level)], clock.now())
    assert chip(app, staff("nurse"), family.patient_id) == level
    assert chip(app, staff("psychosocial"), family.patient_id) is None


def test_it_shows_the_psychosocial_team_the_chip_of_a_wellbeing_alert_only(
        app, staff, family, db, vault, clock):
    raise_findings(db, vault, family.patient_id, [Finding("fever", "urgent"),
                                                  Finding("caregiver_distress", "info")],
                   clock.now())
    assert chip(app, staff("psychosocial"), family.patient_id) == "info"
    assert chip(app, staff("physician"), family.patient_id) == "urgent"


def test_it_keeps_a_neuro_check_a_neuro_sign_called_for_from_the_psychosocial_team(
        client, nurse, staff, family):
    assert push(family, family.document(NEURO_SIGN)) == ["accepted"]
    seen_by_nurse = tasks(client, nurse, family.patient_id)
    assert any(t["questionnaire_id"] == "neuro-check" and t["due_at"] == "2026-11-20T18:55:00Z"
               for t in seen_by_nurse)
    seen = tasks(client, staff("psychosocial"), family.patient_id)
    assert seen and {t["questionnaire_id"] for t in seen} <= {"quality-of-life",
                                                             "caregiver-wellbeing"}
