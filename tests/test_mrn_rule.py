"""The site's MRN rule (HOMEWARD_REQUIRE_MRN, on by default) is one rule for both doors: the
New patient page and the clinic API refuse a patient without an MRN alike, the API with the
error envelope naming the field; a site that turns it off gets neither. A call record never
needs one: the call is about an alert, and refusing it would lose what the family said."""
import pytest
from flask.testing import FlaskClient

from server.app import create_app
from support.family import CHILD, enrolled_family
from support.pages import sign_in
from test_errors import assert_envelope

pytestmark = pytest.mark.usefixtures("no_login_waits")
WITHOUT_MRN = {key: value for key, value in CHILD.items() if key != "mrn"}


@pytest.mark.parametrize("mrn", ["left out", None, "   "])
def test_the_api_refuses_a_patient_without_an_mrn_and_creates_nothing(client, nurse, db, mrn):
    body = WITHOUT_MRN if mrn == "left out" else {**WITHOUT_MRN, "mrn": mrn}
    error = assert_envelope(client.post("/api/v1/patients", json=body, headers=nurse.headers),
                            400, "invalid_request")
    assert error["message"] == "Check these fields: mrn."
    [said] = error["details"]["fields"]["mrn"]
    assert "requires the child's MRN" in said and "HOMEWARD_REQUIRE_MRN=false" in said
    assert db["patients"].count == 0


def test_an_empty_mrn_is_refused_too(client, nurse, db):
    error = assert_envelope(client.post("/api/v1/patients", json={**WITHOUT_MRN, "mrn": ""},
                                        headers=nurse.headers), 400, "invalid_request")
    assert list(error["details"]["fields"]) == ["mrn"]
    assert db["patients"].count == 0


def test_the_page_and_the_api_agree_when_the_site_turns_the_rule_off(config, clock, staff,
                                                                      db):
    nurse = staff("nurse", "nina")
    relaxed = create_app(config.with_overrides(require_mrn=False), clock=clock)
    api: FlaskClient = relaxed.test_client()
    made = api.post("/api/v1/patients", json=WITHOUT_MRN, headers=nurse.headers)
    assert made.status_code == 201 and made.get_json()["mrn"] is None

    page = relaxed.test_client()
    token = sign_in(page, nurse)
    created = page.post("/patients", data={
        "csrf_token": token, "display_name": "Lía Gómez", "date_of_birth": "2016-02-02",
        "infusion_date": "2026-11-18", "timezone": "America/New_York", "language": "es"})
    assert created.status_code == 303
    assert db["patients"].count == 2


def test_a_call_is_recorded_for_a_patient_without_an_mrn(config, clock, staff, db):
    nurse = staff("nurse", "nina")
    relaxed = create_app(config.with_overrides(require_mrn=False), clock=clock).test_client()
    family = enrolled_family(relaxed, nurse.headers, clock=clock, mrn=None)
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": 38.6, "temperature_method": "oral"}))]).get_json()["results"]
    alert_id = result["alert"]["alert_id"]
    # The site later requires MRNs: calls about the children already followed still count.
    strict = create_app(config, clock=clock).test_client()
    recorded = strict.post(f"/api/v1/alerts/{alert_id}/calls", headers=nurse.headers,
                           json={"reached": "Ana", "disposition": "day_unit"})
    assert recorded.status_code == 201
    assert db["alert_calls"].count == 1
