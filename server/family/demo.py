"""A demo family for `homeward demo`: one child just after infusion and a fresh enrolment
code, so a newcomer can be the family on a phone (or a second browser window) while being
the nurse in another."""
from datetime import date, timedelta

import requests

DEMO_CHILD = {"display_name": "Lucía Demo", "timezone": "Europe/London", "language": "en",
              "mrn": "DEMO-APP-1"}


def create_family_link(base_url: str, staff_token: str, today: date) -> str:
    """Creates the demo child and returns the family app link with a new enrolment code."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {staff_token}"
    api = base_url.rstrip("/") + "/api/v1"
    child = {**DEMO_CHILD, "date_of_birth": (today - timedelta(days=9 * 365)).isoformat(),
             "infusion_date": (today - timedelta(days=2)).isoformat()}
    patient = session.post(f"{api}/patients", json=child, timeout=30)
    patient.raise_for_status()
    enrolment = session.post(f"{api}/patients/{patient.json()['patient_id']}/enrollments",
                             json={"respondent": "caregiver"}, timeout=30)
    enrolment.raise_for_status()
    return enrolment.json()["app_link"]
