"""The pages' pure parts: times in the family's zone, waits, evidence lines, escalation,
device health, alert cards, the inbox version and chart series."""
from datetime import datetime, timedelta, timezone

from server.pages import cards, charts, present

NOW = datetime(2026, 11, 20, 19, 0, tzinfo=timezone.utc)  # 14:00 in New York
SITE = "America/New_York"


def test_it_shows_times_in_the_familys_zone_with_its_abbreviation():
    assert present.local(NOW, "America/New_York") == "14:00 EST"
    assert present.local(NOW, "Europe/Madrid", with_date=True) == "Fri 20 Nov 20:00 CET"
    summer = datetime(2026, 7, 1, 18, 0, tzinfo=timezone.utc)
    assert present.local(summer, "America/Chicago") == "13:00 CDT"
    assert present.local(None, "UTC") == ""


def test_it_says_waits_the_way_people_do():
    assert [present.duration(s) for s in (-5, 45, 60, 3599, 3600, 3 * 3600 + 300,
                                          26 * 3600, 48 * 3600)] == [
        "0 s", "45 s", "1 min", "59 min", "1 h", "3 h 5 min", "1 d 2 h", "2 d"]


def test_it_writes_the_evidence_a_nurse_reads_at_a_glance():
    fever = [{"answers": {"temperature_c": 38.6, "temperature_method": "axillary"},
              "parameters": {"fever_threshold_c": 38.0}}]
    at = NOW - timedelta(hours=3, minutes=2)
    assert present.evidence_text(fever, at, "America/New_York", 182, NOW) == \
        "38.6 °C axillary at 10:58 EST, reported 3 h 2 min late"
    assert present.evidence_text(fever, at, "America/New_York", 5, NOW) == \
        "38.6 °C axillary at 10:58 EST"  # an ordinary sync delay is not news
    yesterday = NOW - timedelta(hours=20)
    assert present.evidence_text(fever, yesterday, "America/New_York", 0, NOW) == \
        "38.6 °C axillary at Thu 19 Nov 18:00 EST"


def test_it_describes_each_kind_of_finding():
    phrases = present.evidence_phrases([
        {"answers": {"neuro_signs": ["seizure", "unresponsive"], "spo2_percent": 88,
                     "breathing_difficulty": True, "fever_medicine_hours": 2.5}},
        {"scores": {"total": 6}, "context": {"baseline.neuro_check_total": 10,
                                             "baseline.neuro_check_variant": "ice-style"}},
        {"scores": {"total": 55}, "context": {"baseline.quality_of_life_total": 80}},
        {"context": {"hours_since_last_temperature": 13}},
        {"temperature_c": 38.1},  # an older, flat finding
    ])
    assert phrases == ["fever medicine 2.5 h before", "SpO2 88 %", "breathing difficulty",
                       "seizure, cannot be woken", "ice-style check 6 (baseline 10)",
                       "quality of life 55 (baseline 80)", "no temperature for 13 h",
                       "38.1 °C"]


def test_it_says_what_a_long_term_check_in_reported():
    phrases = present.evidence_phrases([
        {"answers": {"new_lump": True}, "context": {"day_post_infusion": 400}},
        {"answers": {"infection_hospital": "yes", "hospital_nights": 3}},
        {"answers": {"flare_muscle_weakness": True, "flare_raynaud": False,
                     "disease_signs": ["muscle_weakness", "rash"]}},
    ])
    assert phrases == ["new lump or swelling", "infection that needed hospital",
                       "3 nights in hospital", "muscle weakness",
                       "muscle weakness, rash"]
    lump = [{"answers": {"new_lump": True}}]
    assert not present.evidence_text(lump, None, SITE, 0, NOW).startswith("no details")


def alert(**changes):
    base = {"alert_id": "al_1", "patient_id": "pt_1", "level": "urgent", "status": "open",
            "reasons": ["fever"], "concern": "temperature", "evidence": [],
            "raised_at": "2026-11-20T18:40:00Z", "reported_late_minutes": 0,
            "escalate_at": "2026-11-20T18:55:00Z", "escalated_at": None,
            "acknowledged_at": None, "acknowledged_by": None, "resolved_at": None,
            "resolved_by": None, "outcome": None, "note": None, "family_message": None,
            "snoozed_until": None, "snooze_reason": None}
    return {**base, **changes}


def test_it_tells_where_an_alert_is_on_its_way_up():
    zone = "America/New_York"
    assert present.escalation_text(alert(escalate_at="2026-11-20T19:10:00Z"), NOW, zone) \
        == "Escalates at 14:10 EST unless acknowledged"
    assert present.escalation_text(alert(), NOW, zone) == "Escalation due now"
    assert present.escalation_text(alert(escalated_at="2026-11-20T18:55:00Z"), NOW, zone) \
        == "Escalated at 13:55 EST"
    assert present.escalation_text(alert(snoozed_until="2026-11-20T20:00:00Z",
                                         snooze_reason="driving in"), NOW, zone) \
        == "Snoozed until 15:00 EST: driving in"
    assert present.escalation_text(alert(status="resolved"), NOW, zone) == ""


def test_it_flags_phones_that_went_quiet_or_hold_a_backlog():
    synced = (NOW - timedelta(hours=2)).isoformat()
    assert present.device_flags({"last_sync_at": synced, "outbox_pending": 0}, NOW) == []
    assert present.device_flags({"last_sync_at": None}, NOW) == ["never synced"]
    assert present.device_flags({"last_sync_at": (NOW - timedelta(hours=12, minutes=1))
                                 .isoformat(), "outbox_pending": 1}, NOW) == [
        "not synced for 12 h 1 min", "1 entry waiting on the phone"]
    assert present.device_flags({"revoked_at": synced, "last_sync_at": None}, NOW) == \
        ["revoked"]


def test_it_keeps_the_inbox_version_still_while_only_the_wait_grows():
    patient = {"display_name": "Mateo", "timezone": "America/New_York", "age_years": 11,
               "day_post_infusion": 3}
    early = cards.inbox([cards.alert_card(alert(escalate_at="2026-11-20T19:30:00Z"), patient,
                                          None, NOW, SITE)])
    later = cards.inbox([cards.alert_card(alert(escalate_at="2026-11-20T19:30:00Z"), patient,
                                          None, NOW + timedelta(minutes=3), SITE)])
    assert early["waiting"][0]["waiting"] == "20 min" and later["waiting"][0]["waiting"] == \
        "23 min"
    assert early["waiting"][0]["escalation_relative"] == "in 30 min"
    assert later["waiting"][0]["escalation_relative"] == "in 27 min"
    assert early["version"] == later["version"]
    acknowledged = cards.inbox([cards.alert_card(
        alert(status="acknowledged", acknowledged_by="ana",
              acknowledged_at="2026-11-20T18:50:00Z"), patient, None, NOW, SITE)])
    assert acknowledged["version"] != early["version"]
    assert acknowledged["handled"][0]["acknowledged"] == "Acknowledged by ana at Fri 20 Nov 13:50 EST"


def test_it_marks_age_band_and_respondent_changes_on_a_continuous_line():
    def raw(at, band, variant, respondent="caregiver"):
        return {"at": at, "value": 70, "age_band": band, "variant": variant,
                "respondent": respondent, "entry_id": at}
    changes = charts.band_changes([
        raw("2026-01-01T00:00:00Z", "8-12", "caregiver-8-12"),
        raw("2026-06-01T00:00:00Z", "8-12", "caregiver-8-12"),
        raw("2027-01-01T00:00:00Z", "13-17", "caregiver-13-17"),
        raw("2027-02-01T00:00:00Z", "13-17", "self-13-17", "patient")])
    assert [change["label"] for change in changes] == [
        "age band 8-12 → 13-17", "caregiver → patient report"]
    assert changes[0]["x"] == int(datetime(2027, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)


def test_it_shows_every_time_in_the_sites_zone_with_the_familys_own_time_beside_it():
    madrid = {"display_name": "Lucía", "timezone": "Europe/Madrid", "age_years": 9,
              "day_post_infusion": 4}
    fever = [{"answers": {"temperature_c": 38.9, "temperature_method": "oral"}}]
    card = cards.alert_card(alert(evidence=fever, escalate_at="2026-11-20T19:12:00Z"), madrid,
                            {"at": NOW - timedelta(minutes=30), "late_minutes": 0}, NOW, SITE)
    assert card["raised_local"] == "Fri 20 Nov 13:40 EST"
    assert card["raised_family"] == "family's time Fri 20 Nov 19:40 CET"
    assert card["evidence"] == "38.9 °C oral at 13:30 EST"
    assert card["evidence_family"] == "family's time 19:30 CET"
    assert card["escalation"] == "Escalates at 14:12 EST unless acknowledged"
    assert card["escalation_relative"] == "in 12 min"
    at_home = cards.alert_card(alert(), {**madrid, "timezone": "America/Toronto"}, None, NOW,
                               SITE)
    assert at_home["raised_family"] == ""  # same clock as the ward: no second line


def test_it_says_how_far_a_deadline_is_and_writes_dates_as_people_do():
    assert present.relative(NOW + timedelta(minutes=12, seconds=30), NOW) == "in 12 min"
    assert present.relative(NOW - timedelta(minutes=5), NOW) == "5 min ago"
    assert present.relative(NOW + timedelta(seconds=20), NOW) == "now"
    assert present.relative(NOW - timedelta(hours=26), NOW) == "1 d 2 h ago"
    assert present.calendar_day("2013-06-01") == "Sat 1 Jun 2013"
    # Quality of life is followed for years: its dates carry the year.
    assert present.local(NOW, SITE, with_year=True) == "Fri 20 Nov 2026 14:00 EST"
    assert present.calendar_day("2026-11-20T19:00:00Z") == "Fri 20 Nov 2026"


def test_it_says_how_far_a_time_is_in_the_same_words_on_every_page():
    from server.pages.site_time import say
    for seconds, words in ((-30, "now"), (40, "now"), (-300, "5 min ago"),
                           (7200, "in 2 h")):
        moment = NOW + timedelta(seconds=seconds)
        assert present.relative(moment, NOW) == words
        assert say(moment, "America/New_York", NOW).endswith(f"({words})")
