"""What a notification says, and what it must never say."""
import json

import pytest

from alerts.notifications import build_payload
from alerts.notifications.payload import subject, text_body

ALERT = {"id": "al_7Hq2", "patient_id": "pt_1a2b3c4d5e6f7a8b", "level": "urgent",
         "reasons": '["fever", "neuro_sign"]', "raised_at": "2026-11-20T19:00:00.000000+00:00",
         "reported_late_minutes": 95, "display_name": "Lucía Fernández",
         "date_of_birth": "2014-03-02", "mrn": "MRN-448812", "contact": "+34 600 000 000",
         "evidence": {"temperature": "38.6 °C axillary", "neuro_signs": "tremor"},
         "note": "Mum says she is very tired"}
IDENTIFYING = ("Lucía", "Fernández", "2014-03-02", "MRN-448812", "+34 600", "very tired")


def test_it_keeps_a_minimal_payload_to_ids_codes_times_and_a_link():
    payload = build_payload(ALERT, "alert_raised", "https://homeward.hospital.example/")
    assert payload == {
        "kind": "alert_raised", "alert_id": "al_7Hq2", "patient": "pt_1a2b3c4d5e6f7a8b",
        "level": "urgent", "team": "car_t", "for_team": "For the CAR T team",
        "reasons": ["fever", "neuro_sign"], "raised_at": "2026-11-20T19:00:00Z", "reported_late_minutes": 95,
        "link": "https://homeward.hospital.example/alerts/al_7Hq2"}


def test_it_says_in_the_subject_and_the_body_whom_a_team_alert_is_for():
    flare = build_payload(dict(ALERT, level="attention", reasons='["disease_flare"]',
                               team="rheumatology"), "alert_raised", "https://h.example")
    assert flare["team"] == "rheumatology"
    assert subject(flare) == ("[Homeward ATTENTION] disease flare — patient pt_1a2b… — "
                              "for rheumatology — open the alert")
    assert "For:      rheumatology" in text_body(flare)
    assert "For:      the CAR T team" in text_body(build_payload(ALERT, "alert_raised",
                                                                 "https://h.example"))


def test_it_adds_the_evidence_but_still_no_name_when_the_site_trusts_a_channel():
    payload = build_payload(ALERT, "alert_escalated", "https://h.example", detail="clinical")
    assert payload["evidence"] == "temperature 38.6 °C axillary; neuro signs tremor"
    rendered = json.dumps(payload, ensure_ascii=False) + subject(payload) + text_body(payload)
    assert not [word for word in IDENTIFYING if word in rendered]


def test_it_writes_a_subject_a_nurse_can_triage_from_the_lock_screen():
    payload = build_payload(ALERT, "alert_raised", "https://h.example")
    assert subject(payload) == ("[Homeward URGENT] fever, neuro sign — patient pt_1a2b… — "
                                "open the alert")
    escalated = build_payload(dict(ALERT, reasons="high_fever"), "alert_escalated",
                              "https://h.example")
    assert subject(escalated).startswith("[Homeward URGENT ESCALATED] high fever — ")


def test_it_says_how_late_the_family_reported_and_where_to_open_the_alert():
    body = text_body(build_payload(ALERT, "alert_raised", "https://h.example"))
    assert "reported 95 minutes after it was recorded" in body
    assert "Open the alert: https://h.example/alerts/al_7Hq2" in body


@pytest.mark.parametrize("base_url", ["homeward.hospital.example", "javascript:alert(1)"])
def test_it_refuses_a_base_url_that_would_not_make_a_working_link(base_url):
    with pytest.raises(ValueError, match="base_url must be an http"):
        build_payload(ALERT, "alert_raised", base_url)
