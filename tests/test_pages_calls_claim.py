""""I'm calling" from the inbox: the card's pop-out (the forms fragment the inbox fetches)
lets a nurse claim the call and shows everyone else who is calling and since when, in the
site's time, so two nurses do not phone the same family."""
import re

import pytest

from support.alerting import Finding, raise_findings
from support.family import enrolled_family
from support.pages import sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")


@pytest.fixture
def nina(staff):
    return staff("nurse", "nina")


@pytest.fixture
def alert_id(client, nina, clock):
    family = enrolled_family(client, nina.headers, clock=clock)
    [result] = family.push([family.envelope(family.document(
        {"temperature_c": 38.6, "temperature_method": "oral"}))]).get_json()["results"]
    return result["alert"]["alert_id"]


def pop_out(client, alert_id):
    return client.get(f"/alerts/{alert_id}/forms?next=/alerts&shown=open").get_data(
        as_text=True)


def test_it_offers_im_calling_in_the_cards_pop_out(client, nina, alert_id):
    sign_in(client, nina)
    fragment = pop_out(client, alert_id)
    assert f'action="/alerts/{alert_id}/claim"' in fragment
    assert "I'm calling</button>" in fragment
    assert "lapses after 15 minutes without a call record" in fragment
    assert f'href="/alerts/{alert_id}#call-form">Record the call</a>' in fragment


def test_a_claim_from_the_pop_out_returns_to_the_card_and_colleagues_see_it(
        app, client, nina, staff, alert_id, db):
    nina_token = sign_in(client, nina)
    claimed = client.post(f"/alerts/{alert_id}/claim",
                          data={"csrf_token": nina_token, "next": "/alerts"})
    assert claimed.status_code == 303
    assert claimed.headers["Location"] == f"/alerts?notice=claimed#alert-{alert_id}"
    assert db["alerts"].get(alert_id)["claimed_by"] == "nina"
    mine = pop_out(client, alert_id)
    assert "You are calling since 14:00 EST: colleagues see it on this card." in mine
    assert "I'm not calling after all</button>" in mine and "I'm calling</button>" not in mine

    bea = app.test_client()
    bea_token = sign_in(bea, staff("nurse", "bea"))
    theirs = pop_out(bea, alert_id)
    assert '<p class="claim forms-notice" role="status">nina is calling since 14:00 EST.</p>' \
        in theirs
    assert f'action="/alerts/{alert_id}/claim"' not in theirs  # nothing to press by mistake
    assert f'href="/alerts/{alert_id}#call-form">Record a call</a>' in theirs
    card = bea.get("/alerts").get_data(as_text=True).split(f'id="alert-{alert_id}"', 1)[1]
    assert "nina is calling since 14:00 EST" in card.split("</li>", 1)[0]

    # A pop-out opened before nina claimed still has the button: pressing it changes
    # nothing and says who is calling, in the site's time.
    refused = bea.post(f"/alerts/{alert_id}/claim", data={"csrf_token": bea_token,
                                                          "next": "/alerts"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "nina is already calling this family (since 14:00 EST). Nothing was changed." in text
    assert "UTC" not in text
    assert db["alerts"].get(alert_id)["claimed_by"] == "nina"


def test_releasing_from_the_pop_out_gives_the_call_back(client, nina, alert_id, db):
    token = sign_in(client, nina)
    client.post(f"/alerts/{alert_id}/claim", data={"csrf_token": token, "next": "/alerts"})
    released = client.post(f"/alerts/{alert_id}/release",
                           data={"csrf_token": token, "next": "/alerts"})
    assert released.headers["Location"] == f"/alerts?notice=released#alert-{alert_id}"
    assert db["alerts"].get(alert_id)["claimed_by"] is None
    assert "I'm calling</button>" in pop_out(client, alert_id)


def test_the_pop_out_offers_no_claim_to_those_who_do_not_call(app, client, family, staff,
                                                               clock):
    from server.storage.db import connect
    db = connect(app.extensions["homeward"].config.database_path)
    wellbeing = raise_findings(db, app.extensions["homeward"].vault, family.patient_id, [
        Finding("caregiver_distress", "info", evidence={"scores": {"total": 30}})],
        clock.now())["alert_id"]
    db.conn.close()
    sign_in(client, staff("psychosocial", "pat"))
    fragment = pop_out(client, wellbeing)
    assert "Acknowledge</button>" in fragment  # theirs to handle, but not to phone about
    assert "/claim" not in fragment and "calling" not in fragment


def test_the_alert_page_keeps_one_claim_button(client, nina, alert_id):
    sign_in(client, nina)
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert len(re.findall(rf'action="/alerts/{alert_id}/claim"', page)) == 1
