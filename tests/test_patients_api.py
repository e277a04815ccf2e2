"""Clinic API: patients, as PROTOCOL.md describes them."""
import pytest

from test_errors import assert_envelope

VALID = {"display_name": "Lucía Fernández", "date_of_birth": "2014-11-21",
         "infusion_date": "2026-11-17", "timezone": "America/Los_Angeles", "language": "es",
         "mrn": "MRN-0001"}


def create(client, headers, **changes):
    return client.post("/api/v1/patients", json={**VALID, **changes}, headers=headers)


def test_it_creates_a_patient_with_age_band_and_day_post_infusion(client, staff):
    nurse = staff("nurse")
    response = create(client, nurse.headers)
    assert response.status_code == 201, response.get_json()
    patient = response.get_json()
    assert patient["patient_id"].startswith("pt_")
    # 2026-11-20 19:00 UTC is 11:00 in Los Angeles: day 3 after an infusion on the 17th,
    # and one day before the 12th birthday.
    assert patient["day_post_infusion"] == 3
    assert patient["age_years"] == 11 and patient["age_band"] == "8-12"
    assert patient["display_name"] == "Lucía Fernández"


def test_it_counts_days_and_birthdays_in_the_patients_own_timezone(client, staff, clock):
    nurse = staff("nurse")
    clock.advance(hours=10)  # 05:00 UTC on the 21st: already the 21st in Madrid
    madrid = create(client, nurse.headers, timezone="Europe/Madrid").get_json()
    angeles = create(client, nurse.headers).get_json()
    assert madrid["day_post_infusion"] == 4 and madrid["age_years"] == 12
    assert madrid["age_band"] == "8-12"
    assert angeles["day_post_infusion"] == 3 and angeles["age_years"] == 11


def test_it_reads_one_patient_and_audits_the_read(client, staff, db):
    nurse = staff("nurse")
    patient_id = create(client, nurse.headers).get_json()["patient_id"]
    response = client.get(f"/api/v1/patients/{patient_id}", headers=nurse.headers)
    assert response.status_code == 200
    assert response.get_json()["mrn"] == "MRN-0001"
    reads = list(db.query("SELECT * FROM audit_log WHERE action = 'patient.read'"))
    assert len(reads) == 1
    assert reads[0]["patient_id"] == patient_id and reads[0]["actor_username"] == "nurse1"


def test_it_lists_patients_for_the_psychosocial_team(client, staff):
    nurse, psychosocial = staff("nurse"), staff("psychosocial")
    create(client, nurse.headers)
    create(client, nurse.headers, display_name="Second Child")
    response = client.get("/api/v1/patients", headers=psychosocial.headers)
    assert response.status_code == 200
    names = {p["display_name"] for p in response.get_json()["patients"]}
    assert names == {"Lucía Fernández", "Second Child"}


@pytest.mark.parametrize("role", ["psychosocial", "admin"])
def test_it_lets_only_the_care_team_create_patients(client, staff, role, db):
    assert_envelope(create(client, staff(role).headers), 403, "forbidden")
    assert db["patients"].count == 0


def test_it_keeps_patients_from_admins(client, staff):
    nurse, admin = staff("nurse"), staff("admin")
    patient_id = create(client, nurse.headers).get_json()["patient_id"]
    assert_envelope(client.get(f"/api/v1/patients/{patient_id}", headers=admin.headers),
                    403, "forbidden")


def test_it_asks_for_credentials(client, db):
    assert_envelope(create(client, {}), 401, "unauthorized")
    assert_envelope(client.get("/api/v1/patients"), 401, "unauthorized")
    assert db["patients"].count == 0


def test_it_answers_an_unknown_patient_with_not_found(client, staff):
    assert_envelope(client.get("/api/v1/patients/pt_nope", headers=staff("nurse").headers),
                    404, "not_found")


@pytest.mark.parametrize("changes, field", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "EST5EDT; DROP"}, "timezone"),
    ({"language": "Spanish"}, "language"),
    ({"date_of_birth": "2014-13-01"}, "date_of_birth"),
    ({"date_of_birth": 20141121}, "date_of_birth"),
    ({"infusion_date": "2010-01-01"}, "infusion_date"),
    ({"date_of_birth": "2030-01-01", "infusion_date": "2030-02-01"}, "date_of_birth"),
    ({"display_name": ""}, "display_name"),
    ({"display_name": ["a"]}, "display_name"),
    ({"mrn": "x" * 65}, "mrn"),
    ({"favourite_colour": "blue"}, "favourite_colour"),
])
def test_it_refuses_bad_patient_fields_and_names_them(client, staff, db, changes, field):
    error = assert_envelope(create(client, staff("nurse").headers, **changes), 400,
                            "invalid_request")
    assert field in error["details"]["fields"]
    assert field in error["message"]
    assert db["patients"].count == 0


@pytest.mark.parametrize("zone", ["EST", "MST", "HST", "EST5EDT", "CST6CDT", "GMT", "UTC",
                                  "Etc/UTC", "Etc/GMT+5", "US/Eastern", "Cuba", "Zulu"])
def test_it_refuses_a_fixed_offset_or_legacy_zone_and_says_what_to_use(client, staff, db,
                                                                         zone):
    error = assert_envelope(create(client, staff("nurse").headers, timezone=zone), 400,
                            "invalid_request")
    said = " ".join(error["details"]["fields"]["timezone"])
    assert "where the family lives" in said and "America/New_York" in said
    assert db["patients"].count == 0


@pytest.mark.parametrize("zone", ["America/New_York", "America/Argentina/Buenos_Aires",
                                  "Europe/London", "Asia/Kolkata", "Pacific/Auckland",
                                  "Atlantic/Reykjavik"])
def test_it_accepts_the_zone_of_a_place(client, staff, zone):
    created = create(client, staff("nurse").headers, timezone=zone)
    assert created.status_code == 201 and created.get_json()["timezone"] == zone


def test_it_refuses_a_missing_field_and_malformed_json(client, staff, db):
    nurse = staff("nurse")
    body = {k: v for k, v in VALID.items() if k != "timezone"}
    error = assert_envelope(client.post("/api/v1/patients", json=body, headers=nurse.headers),
                            400, "invalid_request")
    assert "timezone" in error["details"]["fields"]
    broken = client.post("/api/v1/patients", data=b'{"display_name": ',
                         content_type="application/json", headers=nurse.headers)
    assert_envelope(broken, 400, "invalid_request")
    not_an_object = client.post("/api/v1/patients", json=[1, 2], headers=nurse.headers)
    assert_envelope(not_an_object, 400, "invalid_request")
    assert db["patients"].count == 0
