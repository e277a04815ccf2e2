"""A refused call form comes back with everything the nurse typed, each problem in words
beside its field and the first one focused, so she never types a call twice while a parent
waits on the phone; and nothing is recorded until the form is right."""
import re
from html import unescape

import pytest

from support.family import enrolled_family
from support.pages import sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")

# An under-12 gets the CAPD-style assessment (scales 0-4); a 14-year-old the ICE-style one.
CAPD = {"eye_contact": "1", "purposeful": "2", "aware": "2", "tells_needs": "2",
        "restless": "2", "inconsolable": "1", "underactive": "2", "slow_response": "1"}


def alert_for(client, staff, clock, **child):
    nurse = staff("nurse", "nina")
    family = enrolled_family(client, nurse.headers, clock=clock, **child)
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": 38.6, "temperature_method": "oral"}))]).get_json()["results"]
    return nurse, result["alert"]["alert_id"]


def field(html, name):
    """The opening tag of the form control called `name`."""
    return re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html).group(0)


def selected(html, name):
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)" selected>', select)


def error_beside(html, name):
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    return match and unescape(match.group(1))


def test_it_redraws_every_value_when_the_temperature_is_out_of_range(client, staff, clock, db):
    nurse, alert_id = alert_for(client, staff, clock)
    token = sign_in(client, nurse)
    form = {"csrf_token": token, "answered": "yes", "reached": "Ana Ruiz (mother)",
            "temperature_c": "389", "temperature_method": "axillary", "breathing": "normal",
            "drinking": "less", "passing_urine": "normal", "dizziness": "none",
            "spo2_percent": "97", "disposition": "recheck", "recheck_minutes": "60",
            "note": "Paracetamol at 13:00 & <b>fluids</b>",
            **{f"neuro_{key}": value for key, value in CAPD.items()}}
    refused = client.post(f"/alerts/{alert_id}/calls", data=form)
    html = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert "The call is not recorded yet." in html
    assert error_beside(html, "temperature_c") == (
        "Enter a temperature between 30 and 45 °C (389 is outside).")
    assert 'value="389"' in field(html, "temperature_c")
    assert 'aria-invalid="true"' in field(html, "temperature_c")
    assert "autofocus" in field(html, "temperature_c")
    assert 'value="Ana Ruiz (mother)"' in field(html, "reached")
    assert 'value="97"' in field(html, "spo2_percent")
    for name in ("temperature_method", "breathing", "drinking", "passing_urine",
                 "dizziness", "disposition", "recheck_minutes"):
        assert selected(html, name) == [form[name]], name
    for key, value in CAPD.items():
        assert selected(html, f"neuro_{key}") == [value], key
    assert "Paracetamol at 13:00 &amp; &lt;b&gt;fluids&lt;/b&gt;</textarea>" in html
    assert db["alert_calls"].count == 0
    assert db["alerts"].get(alert_id)["status"] == "open"


def test_it_marks_every_problem_at_once_and_focuses_the_first(client, staff, clock, db):
    nurse, alert_id = alert_for(client, staff, clock)
    token = sign_in(client, nurse)
    partly = dict(list(CAPD.items())[:3])  # the nurse stopped the assessment half way
    refused = client.post(f"/alerts/{alert_id}/calls", data={
        "csrf_token": token, "answered": "yes", "reached": "", "spo2_percent": "lots",
        "disposition": "recheck", **{f"neuro_{key}": value for key, value in partly.items()}})
    html = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert error_beside(html, "reached") == 'Say who you spoke to, or choose "No answer".'
    assert error_beside(html, "spo2_percent") == (
        "Enter the oxygen saturation as a whole number from 50 to 100.")
    assert error_beside(html, "neuro_restless") == (
        "Answer this too, or leave the whole assessment empty.")
    assert error_beside(html, "recheck_minutes") == "Choose when to call back."
    assert "fields need a change" in html
    assert html.count("autofocus") == 1 and "autofocus" in field(html, "reached")
    assert "needs an answer" not in html and "restless needs" not in html  # no link ids
    assert db["alert_calls"].count == 0


def test_it_words_an_out_of_range_neuro_score_beside_the_question(client, staff, clock, db):
    # 14 years old: the ICE-style assessment, where "named objects" is a number from 0 to 3.
    nurse, alert_id = alert_for(client, staff, clock, date_of_birth="2012-05-01")
    token = sign_in(client, nurse)
    ice = {"knows_year": "yes", "knows_month": "yes", "knows_city": "yes",
           "knows_hospital": "no", "names_objects": "7", "follows_command": "yes",
           "writes_sentence": "yes", "counts_back": "no"}
    refused = client.post(f"/alerts/{alert_id}/calls", data={
        "csrf_token": token, "answered": "yes", "reached": "Leo", "disposition": "day_unit",
        **{f"neuro_{key}": value for key, value in ice.items()}})
    html = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert error_beside(html, "neuro_names_objects") == "Enter a number from 0 to 3."
    assert "autofocus" in field(html, "neuro_names_objects")
    assert 'value="7"' in field(html, "neuro_names_objects")
    assert selected(html, "neuro_knows_hospital") == ["no"]
    assert selected(html, "disposition") == ["day_unit"]
    assert db["alert_calls"].count == 0

    ice["names_objects"] = "3"
    recorded = client.post(f"/alerts/{alert_id}/calls", data={
        "csrf_token": token, "answered": "yes", "reached": "Leo", "disposition": "day_unit",
        **{f"neuro_{key}": value for key, value in ice.items()}})
    assert recorded.status_code == 303 and db["alert_calls"].count == 1


def test_it_keeps_a_no_answer_choice_and_says_findings_need_someone(client, staff, clock, db):
    nurse, alert_id = alert_for(client, staff, clock)
    token = sign_in(client, nurse)
    refused = client.post(f"/alerts/{alert_id}/calls", data={
        "csrf_token": token, "answered": "no", "temperature_c": "38,2",
        "disposition": "home_advice"})
    html = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert re.search(r'value="no" checked autofocus', html)
    assert 'You chose "No answer" but filled in what they report' in unescape(html)
    assert error_beside(html, "disposition").startswith("Nobody answered")
    assert 'value="38,2"' in field(html, "temperature_c")
    assert db["alert_calls"].count == 0


def test_a_form_without_problems_is_still_recorded_at_once(client, staff, clock, db):
    nurse, alert_id = alert_for(client, staff, clock)
    token = sign_in(client, nurse)
    done = client.post(f"/alerts/{alert_id}/calls", data={
        "csrf_token": token, "answered": "yes", "reached": "Ana", "temperature_c": "38,2",
        "disposition": "recheck", "recheck_minutes": "30"})
    assert done.status_code == 303 and "notice=call_recorded" in done.headers["Location"]
    [call] = db["alert_calls"].rows
    assert call["disposition"] == "recheck" and call["recheck_minutes"] == 30
