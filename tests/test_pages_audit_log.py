"""The audit log page, through the test client: newest first, filtered by who, action,
patient and days in the centre's time zone, a page at a time, with times in words; only
admins may read it, and reading it is recorded."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from server import create_app
from server.records.audit import record_as
from support.pages import sign_in

pytestmark = pytest.mark.usefixtures("no_login_waits")

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ROW = re.compile(r"<tr>\s*<td data-label=\"When\">([^<]+)</td>.*?data-action=\"([a-z_.]+)\"", re.S)


def text(response):
    return response.get_data(as_text=True)


def events(response):
    """[(when, action)] in the order the page lists them."""
    return ROW.findall(text(response))


def seed(db, at, action, actor="bea.nurse", patient_id=None):
    record_as(db, action, actor_username=actor, actor_role="nurse", now=at,
              patient_id=patient_id, target="x", details={"count": 3})


@pytest.fixture
def madrid(config, clock):
    """The app at a centre in Madrid (UTC+1 in November)."""
    app = create_app(config.with_overrides(site_timezone="Europe/Madrid"), clock=clock)
    app.testing = True
    return app


@pytest.fixture
def browser(madrid, staff):
    client = madrid.test_client()
    sign_in(client, staff("admin", "ada.admin"))
    return client


def test_it_lists_events_newest_first_with_times_in_words_in_the_sites_zone(browser, db,
                                                                            clock):
    seed(db, clock.now() - timedelta(hours=2), "patient.read", patient_id="pt_1")
    seed(db, clock.now() - timedelta(minutes=5), "entries.read", patient_id="pt_1")
    page = browser.get("/audit")
    listed = events(page)
    # In the order written (the sign-in came first); this reading is recorded after it.
    assert [action for _when, action in listed] == ["entries.read", "patient.read",
                                                    "auth.web_login"]
    assert listed[0][0] == "Friday 20 November 2026 at 19:55 CET (5 min ago)"
    assert listed[1][0] == "Friday 20 November 2026 at 18:00 CET (2 h ago)"
    assert events(browser.get("/audit"))[0][1] == "audit.read"
    assert not ISO_TIME.search(text(page))
    assert "count: 3" in text(page) and "Times in Europe/Madrid" in text(page)


def test_it_filters_by_who_action_and_patient(browser, db, clock):
    seed(db, clock.now(), "patient.read", actor="bea.nurse", patient_id="pt_1")
    seed(db, clock.now(), "patient.read", actor="cal.nurse", patient_id="pt_2")
    seed(db, clock.now(), "entries.read", actor="bea.nurse", patient_id="pt_2")
    offered = text(browser.get("/audit"))
    assert re.findall(r'<option value="([a-z_.]+)">([^<]+)<', offered.split('id="action"')[1]) == [
        ("patient.read", "Opened a patient&#39;s record"), ("entries.read", "Read a patient&#39;s entries"),
        ("auth.web_login", "Signed in on a page")]  # the actions recorded so far, in words
    by_person = events(browser.get("/audit", query_string={"actor": "bea.nurse"}))
    assert [action for _, action in by_person] == ["entries.read", "patient.read"]
    by_action = events(browser.get("/audit", query_string={"action": "patient.read"}))
    assert [action for _, action in by_action] == ["patient.read", "patient.read"]
    by_patient = events(browser.get("/audit", query_string={"patient_id": "pt_2",
                                                             "action": "patient.read"}))
    assert len(by_patient) == 1
    assert 'value="patient.read"' in text(browser.get("/audit", query_string={
        "action": "patient.read"}))  # the form keeps what was asked


def test_it_filters_by_days_in_the_sites_zone_including_the_last_day(browser, db):
    madrid_midnight = datetime(2026, 11, 18, 23, 0, tzinfo=timezone.utc)  # 19 Nov 00:00 CET
    seed(db, madrid_midnight - timedelta(minutes=1), "before.range")
    seed(db, madrid_midnight, "first.moment")
    seed(db, madrid_midnight + timedelta(days=1, hours=23, minutes=59), "last.day")
    seed(db, madrid_midnight + timedelta(days=2), "after.range")
    listed = events(browser.get("/audit", query_string={
        "actor": "bea.nurse", "from_day": "2026-11-19", "to_day": "2026-11-20"}))
    assert [action for _, action in listed] == ["last.day", "first.moment"]


def test_it_pages_through_the_log_keeping_the_filters(browser, db, clock):
    for minute in range(120):
        seed(db, clock.now() - timedelta(minutes=120 - minute), "patient.read")
    first_page = browser.get("/audit", query_string={"action": "patient.read"})
    first = text(first_page)
    assert len(events(first_page)) == 50 and "Newest events" not in first
    older = re.search(r'<a href="([^"]+)" rel="next">Older events</a>', first).group(1)
    assert "action=patient.read" in older
    second = browser.get(older.replace("&amp;", "&"))
    assert "(51 min ago)" in events(second)[0][0] and "Newest events" in text(second)
    third = browser.get(re.search(r'<a href="([^"]+)" rel="next">', text(second))
                        .group(1).replace("&amp;", "&"))
    assert len(events(third)) == 20 and "Older events" not in text(third)


@pytest.mark.parametrize("query, message", [
    ({"from_day": "29/11/2026"}, "Choose a day from the calendar"),
    ({"from_day": "2026-11-20", "to_day": "2026-11-19"}, "The last day is before the first"),
    ({"before": "-3"}, "That page of the log does not exist"),
    ({"actor": "x" * 101}, "At most 100 characters"),
    ({"to_day": "9999-12-31"}, "Choose a day from the calendar"),
    ({"from_day": "0001-01-01"}, "Choose a day from the calendar"),
])
def test_it_says_what_is_wrong_with_a_filter_and_reads_nothing(browser, db, query, message):
    # Days at the ends of the calendar once overflowed the date arithmetic: a 500.
    response = browser.get("/audit", query_string=query)
    assert response.status_code == 400 and message in text(response)
    assert events(response) == []
    assert db["audit_log"].count_where("action = 'audit.read'") == 0


def test_it_records_each_reading_with_its_filters(browser, db):
    browser.get("/audit", query_string={"actor": "bea.nurse", "from_day": "2026-11-19"})
    row = db.execute("SELECT actor_username, details FROM audit_log WHERE action = "
                     "'audit.read'").fetchone()
    assert row[0] == "ada.admin"
    assert '"actor": "bea.nurse"' in row[1] and '"since": "2026-11-19T00:00:00+01:00"' in row[1]
    assert '"via": "page"' in row[1]
    # The recorded filter reads in words when the log is read again, like every time.
    page = text(browser.get("/audit", query_string={"action": "audit.read"}))
    assert "since: Thursday 19 November 2026 at 00:00 CET" in page
    assert not ISO_TIME.search(page)


def test_it_lets_only_admins_read_the_log(client, staff, db):
    for role in ("nurse", "physician", "psychosocial"):
        browser = client.application.test_client()
        sign_in(browser, staff(role))
        assert browser.get("/audit").status_code == 403
    assert db["audit_log"].count_where("action = 'audit.read'") == 0


def test_it_shows_the_admin_pages_in_the_admins_navigation_only(client, staff):
    sign_in(client, staff("admin"))
    home = text(client.get("/"))
    assert 'href="/staff"' in home and 'href="/audit"' in home
    nurse_browser = client.application.test_client()
    sign_in(nurse_browser, staff("nurse"))
    assert 'href="/audit"' not in text(nurse_browser.get("/"))
