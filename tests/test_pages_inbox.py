"""The alert inbox and its forms through the test client: order, polling, role checks,
CSRF, sealing and audit the same as the clinic API, and conflicts between two nurses."""
import re

import pytest

from support.alerting import Finding, raise_findings
from support.pages import sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")


@pytest.fixture
def vault(app):
    return app.extensions["homeward"].vault


def raise_alert(db, vault, family, clock, reason, level, **evidence):
    return raise_findings(db, vault, family.patient_id,
                          [Finding(reason, level, evidence={"answers": evidence})],
                          clock.now())["alert_id"]


def card_ids(html, list_id):
    section = html.split(f'id="{list_id}"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<li class="alert-card[^"]*" id="alert-(al_[0-9a-f]+)"', section)


def test_it_orders_the_inbox_most_urgent_then_oldest_and_splits_off_acknowledged(
        client, nurse, family, db, vault, clock):
    attention = raise_alert(db, vault, family, clock, "organ_flare", "attention",
                            organ_signs=["rash"])
    clock.advance(minutes=5)
    old_urgent = raise_alert(db, vault, family, clock, "fever", "urgent", temperature_c=38.4)
    clock.advance(minutes=5)
    new_urgent = raise_alert(db, vault, family, clock, "breathing", "urgent", spo2_percent=92)
    clock.advance(minutes=5)
    emergency = raise_alert(db, vault, family, clock, "seizure", "emergency",
                            neuro_signs=["seizure"])
    token = sign_in(client, nurse)
    client.post(f"/alerts/{new_urgent}/acknowledge", data={"csrf_token": token})
    html = client.get("/alerts").get_data(as_text=True)
    assert card_ids(html, "list-waiting") == [emergency, old_urgent, attention]
    assert card_ids(html, "list-handled") == [new_urgent]
    assert "<title>(1 EMERGENCY) (3 waiting) Alert inbox – Homeward</title>" in html
    assert 'class="banner banner-emergency" role="alert"' in html
    assert "Waiting</dt><dd><span class=\"waiting\"" in html and ">15 min<" in html


def test_it_answers_an_unchanged_poll_with_204_and_writes_no_audit_row(client, nurse, family,
                                                                        db, vault, clock):
    token = sign_in(client, nurse)
    first = client.get("/alerts/live?v=none")
    version = first.headers["X-Inbox-Version"]
    assert first.status_code == 200 and 'id="inbox-live"' in first.get_data(as_text=True)
    assert "<html" not in first.get_data(as_text=True)  # a fragment, not a page
    audited = db["audit_log"].count_where("action = 'alerts.list'")
    clock.advance(minutes=7)  # time passing alone changes nothing the page cannot count
    unchanged = client.get(f"/alerts/live?v={version}")
    assert unchanged.status_code == 204 and unchanged.data == b""
    assert unchanged.headers["X-Server-Time"] == "2026-11-20T19:07:00Z"
    assert db["audit_log"].count_where("action = 'alerts.list'") == audited
    alert_id = raise_alert(db, vault, family, clock, "fever", "urgent", temperature_c=38.4)
    changed = client.get(f"/alerts/live?v={version}")
    assert changed.status_code == 200 and f'id="alert-{alert_id}"' in changed.get_data(
        as_text=True)
    assert changed.headers["X-Inbox-Version"] != version
    assert db["audit_log"].count_where("action = 'alerts.list'") == audited + 1
    client.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token})
    assert client.get(f"/alerts/live?v={changed.headers['X-Inbox-Version']}").status_code == 200


def test_it_keeps_wellbeing_alerts_out_of_the_nurse_inbox_but_says_where_they_are(
        client, nurse, family, db, vault, clock):
    raise_alert(db, vault, family, clock, "caregiver_distress", "info", distress=5)
    sign_in(client, nurse)
    html = client.get("/alerts").get_data(as_text=True)
    assert card_ids(html, "list-waiting") == []
    assert "1 wellbeing alert is with the psychosocial team" in html


def test_it_acknowledges_with_a_sealed_message_and_audits_like_the_api(client, nurse, family,
                                                                       db, vault, clock):
    alert_id = raise_alert(db, vault, family, clock, "fever", "urgent", temperature_c=38.4)
    token = sign_in(client, nurse)
    response = client.post(f"/alerts/{alert_id}/acknowledge",
                           data={"csrf_token": token, "message": "We will call you now.",
                                 "next": "/alerts"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/alerts?notice=acknowledged#alert-{alert_id}"
    row = db.execute("SELECT status, acknowledged_by, family_message FROM alerts WHERE id = ?",
                     [alert_id]).fetchone()
    assert row[0] == "acknowledged" and row[1] == nurse.username
    assert b"We will call you now." not in row[2]  # sealed with the patient's key
    api = client.get(f"/api/v1/alerts/{alert_id}", headers=nurse.headers).get_json()
    assert api["family_message"] == "We will call you now."
    audit = db.execute("SELECT actor_username, patient_id, details FROM audit_log WHERE "
                       "action = 'alert.acknowledge'").fetchone()
    assert tuple(audit) == (nurse.username, family.patient_id, '{"via": "page"}')
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<p class="notice notice-ok" role="status">Alert acknowledged.</p>' in page


def test_it_messages_snoozes_and_resolves_checking_each_form(client, nurse, family, db, vault,
                                                             clock):
    alert_id = raise_alert(db, vault, family, clock, "fever", "urgent", temperature_c=38.4)
    token = sign_in(client, nurse)
    post = lambda action, **data: client.post(f"/alerts/{alert_id}/{action}",  # noqa: E731
                                              data={"csrf_token": token, **data})
    assert post("message", message="  ").status_code == 400
    assert post("message", message="Please take a temperature now.").status_code == 303
    assert post("snooze", minutes="60").status_code == 400  # a reason is required
    assert post("snooze", minutes="999", reason="x").status_code == 400
    assert post("snooze", minutes="60", reason="Family driving in").status_code == 303
    api = client.get(f"/api/v1/alerts/{alert_id}", headers=nurse.headers).get_json()
    assert api["family_message"] == "Please take a temperature now."
    assert api["snooze_reason"] == "Family driving in"
    assert api["snoozed_until"] == "2026-11-20T20:00:00Z"
    assert "Snoozed until 15:00 EST" in client.get("/alerts").get_data(as_text=True)
    assert post("resolve", outcome="made_up").status_code == 400
    assert post("resolve", outcome="admitted", note="Admitted to ward 4").status_code == 303
    api = client.get(f"/api/v1/alerts/{alert_id}", headers=nurse.headers).get_json()
    assert (api["status"], api["outcome"], api["note"]) == ("resolved", "admitted",
                                                            "Admitted to ward 4")


def test_it_tells_the_second_nurse_who_resolved_it_first(app, client, nurse, staff, family, db,
                                                         vault, clock):
    alert_id = raise_alert(db, vault, family, clock, "fever", "urgent", temperature_c=38.4)
    other = app.test_client()
    first_token, second_token = sign_in(client, nurse), sign_in(other, staff("physician"))
    client.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": first_token,
                                                     "outcome": "false_alarm"})
    late = other.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": second_token,
                                                           "outcome": "admitted"})
    assert late.status_code == 409
    assert f"already resolved (by {nurse.username}" in late.get_data(as_text=True)
    assert db.execute("SELECT outcome FROM alerts WHERE id = ?", [alert_id]).fetchone()[0] \
        == "false_alarm"


@pytest.mark.parametrize("action, data", [
    ("acknowledge", {}), ("message", {"message": "hi"}),
    ("snooze", {"minutes": "60", "reason": "r"}), ("resolve", {"outcome": "false_alarm"})])
def test_it_refuses_every_alert_form_without_the_csrf_token(client, nurse, family, db, vault,
                                                            clock, action, data):
    alert_id = raise_alert(db, vault, family, clock, "fever", "urgent", temperature_c=38.4)
    sign_in(client, nurse)
    response = client.post(f"/alerts/{alert_id}/{action}", data=data)
    assert response.status_code == 403
    assert "did not come from Homeward" in response.get_data(as_text=True)
    row = db.execute("SELECT status, family_message, snoozed_until FROM alerts WHERE id = ?",
                     [alert_id]).fetchone()
    assert tuple(row) == ("open", None, None)


def test_it_keeps_the_inbox_to_the_care_team(app, client, staff):
    assert client.get("/alerts").headers["Location"] == "/login?next=/alerts"
    assert client.get("/alerts/live").status_code == 401  # a script cannot follow a redirect
    for role in ("psychosocial", "admin"):
        client = app.test_client()
        sign_in(client, staff(role))
        assert client.get("/alerts").status_code == 403
        assert client.get("/alerts/live").status_code == 403


def test_it_lets_the_psychosocial_team_handle_only_wellbeing_alerts(client, staff, family, db,
                                                                     vault, clock):
    fever = raise_alert(db, vault, family, clock, "fever", "urgent", temperature_c=38.4)
    distress = raise_alert(db, vault, family, clock, "caregiver_distress", "info", distress=5)
    token = sign_in(client, staff("psychosocial"))
    assert client.post(f"/alerts/{fever}/acknowledge",
                       data={"csrf_token": token}).status_code == 403
    done = client.post(f"/alerts/{distress}/acknowledge", data={"csrf_token": token})
    assert done.headers["Location"].startswith(f"/patients/{family.patient_id}/wellbeing?")


def test_it_never_sends_a_form_on_to_another_site(client, nurse, family, db, vault, clock):
    alert_id = raise_alert(db, vault, family, clock, "fever", "urgent", temperature_c=38.4)
    token = sign_in(client, nurse)
    response = client.post(f"/alerts/{alert_id}/acknowledge",
                           data={"csrf_token": token, "next": "//evil.example/alerts"})
    assert response.headers["Location"].startswith("/alerts?notice=acknowledged")
