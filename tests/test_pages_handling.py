"""Handling one alert without JavaScript: the inbox card links to the alert's own page, whose
forms (posted as a browser would post them, hidden fields and all) acknowledge, message,
snooze and resolve it and lead back to the inbox; the same forms as a fragment for the
inbox's script; and clear words when the alert changed or was handled meanwhile."""
import json
import re
from html.parser import HTMLParser

import pytest

from support.alerting import Finding, raise_findings
from support.pages import CSRF, sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")


class Forms(HTMLParser):
    """The forms of a page as a browser sees them: action, fields with their values, the
    submit button's words, and which fields have a <label for=...>."""

    def __init__(self, html):
        super().__init__()
        self.forms, self.labelled, self._form, self._in = [], set(), None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs["action"], "method": attrs.get("method"),
                          "fields": {}, "ids": {}, "button": ""}
            self.forms.append(self._form)
        elif tag == "label" and "for" in attrs:
            self.labelled.add(attrs["for"])
        elif self._form is not None and tag in ("input", "textarea", "select"):
            self._form["fields"][attrs["name"]] = attrs.get("value", "")
            self._form["ids"][attrs["name"]] = attrs.get("id")
        elif self._form is not None and tag == "button":
            self._in = "button"

    def handle_data(self, data):
        if self._in == "button":
            self._form["button"] += data.strip()

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "button":
            self._in = None

    def by_button(self, words):
        [form] = [form for form in self.forms if form["button"] == words]
        return form


@pytest.fixture
def fever(db, app, family, clock):
    vault = app.extensions["homeward"].vault
    return raise_findings(db, vault, family.patient_id, [Finding(
        "fever", "urgent", evidence={"answers": {"temperature_c": 38.4}})], clock.now()
    )["alert_id"]


def submit(client, form, **typed):
    assert form["method"] == "post"
    return client.post(form["action"], data={**form["fields"], **typed})


def test_the_inbox_card_links_to_the_alerts_page_instead_of_carrying_its_forms(
        client, nurse, fever):
    sign_in(client, nurse)
    html = client.get("/alerts").get_data(as_text=True)
    card = html.split(f'id="alert-{fever}"', 1)[1].split("</li>", 1)[0]
    assert "<form" not in card
    assert f'<summary><a href="/alerts/{fever}?next=%2Falerts" tabindex="-1">Handle this alert' \
        in card
    assert f'<a href="/alerts/{fever}?next=%2Falerts">Open the forms for this alert</a>' in card
    assert f'data-forms-url="/alerts/{fever}/forms?next=%2Falerts&amp;shown=open"' in card
    assert [form["action"] for form in Forms(html).forms] == ["/logout"]


def test_a_nurse_without_javascript_handles_an_alert_on_its_own_page(client, nurse, fever, db,
                                                                     family, clock):
    sign_in(client, nurse)
    page = client.get(f"/alerts/{fever}?next=/alerts")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<title>Handle this alert – Mateo Ruiz – Homeward</title>" in html
    assert "38.4 °C" in html and "Escalates at 14:15 EST unless acknowledged" in html
    forms = Forms(html)
    assert [form["button"] for form in forms.forms] == [
        "Sign out", "I'm calling", "Record the call", "Acknowledge", "Resolve", "Snooze"]
    for form in forms.forms[3:]:  # the call's own forms lead back to this page
        assert form["fields"]["next"] == "/alerts" and form["fields"]["csrf_token"]
        named = [id_ for name, id_ in form["ids"].items() if name not in ("csrf_token", "next")]
        assert named and all(id_ in forms.labelled for id_ in named)  # every field labelled
    audit = db.execute("SELECT action, target, details FROM audit_log WHERE action = "
                       "'alert.read'").fetchone()
    assert tuple(audit) == ("alert.read", fever, '{"via": "page"}')

    done = submit(client, forms.by_button("Acknowledge"), message="We are calling you now.")
    assert done.status_code == 303
    assert done.headers["Location"] == f"/alerts?notice=acknowledged#alert-{fever}"
    clock.advance(minutes=3)
    forms = Forms(client.get(f"/alerts/{fever}?next=/alerts").get_data(as_text=True))
    assert [form["button"] for form in forms.forms[1:]] == [
        "I'm calling", "Record the call", "Send message", "Resolve", "Snooze"]
    assert submit(client, forms.by_button("Send message"),
                  message="Please recheck at 15:00.").status_code == 303
    assert submit(client, forms.by_button("Snooze"), minutes="60",
                  reason="Family driving in").headers["Location"] == \
        f"/alerts?notice=snoozed#alert-{fever}"
    resolved = submit(client, forms.by_button("Resolve"), outcome="seen_in_clinic")
    assert resolved.headers["Location"] == "/alerts?notice=resolved"
    api = client.get(f"/api/v1/alerts/{fever}", headers=nurse.headers).get_json()
    assert (api["status"], api["outcome"], api["acknowledged_by"]) == (
        "resolved", "seen_in_clinic", nurse.username)
    assert api["family_message"] == "Please recheck at 15:00."
    assert api["snooze_reason"] == "Family driving in"
    actions = [json.loads(details)["via"] for (details,) in db.execute(
        "SELECT details FROM audit_log WHERE target = ? AND action != 'alert.read'", [fever])]
    assert len(actions) == 4 and set(actions) == {"page"}

    # An old link to it (a bookmark, another nurse's tab) says it is done and by whom.
    after = client.get(f"/alerts/{fever}?next=/alerts")
    text = after.get_data(as_text=True)
    assert after.status_code == 200
    assert (f"{nurse.username} resolved this alert at Fri 20 Nov 14:03 EST (now): Seen in "
            "clinic. There is nothing left to do on it.") in text
    assert [form["button"] for form in Forms(text).forms] == ["Sign out"]
    # It looks finished: no call to handle it, no alarm-red box, no clock still counting.
    assert "<h1>Resolved alert</h1>" in text and "Handle this alert" not in text
    assert 'class="waiting"' not in text and "Waiting</dt>" not in text
    assert re.search(r'class="notice notice-done forms-notice"', text)
    assert not re.search(r'class="notice (?!notice-done)', text)


def test_the_pages_forms_refuse_a_post_without_the_csrf_token(client, nurse, fever, db):
    sign_in(client, nurse)
    form = Forms(client.get(f"/alerts/{fever}").get_data(as_text=True)).by_button("Resolve")
    refused = client.post(form["action"], data={"outcome": "false_alarm", "next": "/alerts"})
    assert refused.status_code == 403
    assert db.execute("SELECT status FROM alerts WHERE id = ?", [fever]).fetchone()[0] == "open"


def test_the_forms_fragment_is_for_the_inbox_script_and_says_what_changed(
        app, client, nurse, staff, fever):
    sign_in(client, nurse)
    fragment = client.get(f"/alerts/{fever}/forms?next=/alerts&shown=open")
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert [form["button"] for form in Forms(html).forms] == [
        "I'm calling", "Acknowledge", "Resolve", "Snooze"]
    assert 'name="next" value="/alerts"' in html and "acknowledged this alert" not in html

    colleague = app.test_client()
    sign_in(colleague, staff("physician", username="dr-lee"))
    token = CSRF.search(colleague.get("/alerts").get_data(as_text=True)).group(1)
    colleague.post(f"/alerts/{fever}/acknowledge", data={"csrf_token": token})
    html = client.get(f"/alerts/{fever}/forms?next=/alerts&shown=open").get_data(as_text=True)
    assert ("dr-lee acknowledged this alert at Fri 20 Nov 14:00 EST (now), after this page "
            "showed it.") in html
    assert [form["button"] for form in Forms(html).forms] == [
        "I'm calling", "Send message", "Resolve", "Snooze"]
    same = client.get(f"/alerts/{fever}/forms?shown=acknowledged").get_data(as_text=True)
    assert "after this page showed it" not in same

    colleague.post(f"/alerts/{fever}/resolve", data={"csrf_token": token,
                                                     "outcome": "false_alarm"})
    html = client.get(f"/alerts/{fever}/forms?next=/alerts&shown=open").get_data(as_text=True)
    assert "dr-lee resolved this alert at Fri 20 Nov 14:00 EST (now): False alarm." in html
    assert Forms(html).forms == []


def test_a_stale_form_posted_late_says_who_got_there_first(app, client, nurse, staff, fever):
    sign_in(client, nurse)
    acknowledge = Forms(client.get(f"/alerts/{fever}/forms?next=/alerts").get_data(
        as_text=True)).by_button("Acknowledge")
    colleague = app.test_client()
    sign_in(colleague, staff("physician", username="dr-lee"))
    token = CSRF.search(colleague.get("/alerts").get_data(as_text=True)).group(1)
    colleague.post(f"/alerts/{fever}/acknowledge", data={"csrf_token": token})
    late = submit(client, acknowledge)
    text = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "already acknowledged (by dr-lee at Fri 20 Nov 14:00 EST)." in text  # site clock
    assert '<a href="/alerts">Go back</a>' in text


def test_the_forms_fragment_answers_a_script_plainly(app, client, nurse, staff, family, db,
                                                     clock, fever):
    # A script cannot follow a redirect to the sign-in form: it gets 401 and says so.
    assert client.get(f"/alerts/{fever}/forms").status_code == 401
    sign_in(client, nurse)
    missing = client.get("/alerts/al_0000/forms")
    said = missing.get_data(as_text=True)
    assert missing.status_code == 404 and "names does not exist" in said
    assert "al_0000" not in said.split("<main")[1]  # no internal id as text
    psychosocial = app.test_client()
    sign_in(psychosocial, staff("psychosocial"))
    assert psychosocial.get(f"/alerts/{fever}/forms").status_code == 403
    assert psychosocial.get(f"/alerts/{fever}").status_code == 403


def test_the_alert_page_never_sends_a_form_on_to_another_site(client, nurse, fever):
    sign_in(client, nurse)
    html = client.get(f"/alerts/{fever}?next=//evil.example/alerts").get_data(as_text=True)
    assert all(form["fields"]["next"] == "/alerts" for form in Forms(html).forms[3:])
    assert all("next" not in form["fields"] for form in Forms(html).forms[1:3])  # back here


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0A/evil.example",
                                    "/%0d%0a/evil.example", "%2F%2Fevil.example"])
def test_the_back_link_never_leaves_the_site(client, nurse, fever, target):
    sign_in(client, nurse)
    page = client.get(f"/alerts/{fever}?next={target}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "evil.example" not in html
    assert all(form["fields"]["next"] == "/alerts" for form in Forms(html).forms[3:])
    assert all("next" not in form["fields"] for form in Forms(html).forms[1:3])  # back here
