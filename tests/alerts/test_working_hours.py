"""The site's working hours as an outside tester would try them: settings nobody thought of,
clock changes in New York and Madrid, the minutes around opening and closing, holidays."""
from datetime import datetime, timedelta, timezone

import pytest

from alerts.working_hours import parse_working_hours

FIFTEEN = timedelta(minutes=15)


def at(text):
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def utc(text):
    return datetime.fromisoformat(text + "+00:00")


@pytest.mark.parametrize("hours, reason", [
    ("25:00-26:00", "no hour 25"),
    ("08:00-08:00", "opens and closes at the same time"),
    ("18:00-08:00", "runs past midnight"),
    ("8-18", "hours and minutes"),
    ("08:00\u201318:00", "plain hyphen"),
    ("", "empty"),
    ("   ", "empty"),
    ("08:60-18:00", "no minute 60"),
    ("08:00-24:30", "24:00 is the latest"),
    ("0800-1800", "hours and minutes"),
    ("08:00+01:00-18:00", "hours and minutes"),
    ("08:00-18:00-20:00", "hours and minutes"),
    ("\uff10\uff18:\uff10\uff10-18:00", "hours and minutes"),  # full-width digits
])
def test_it_refuses_working_hours_it_cannot_read_saying_why(hours, reason):
    with pytest.raises(ValueError, match=reason):
        parse_working_hours("mon-fri", hours, "UTC")


@pytest.mark.parametrize("hours, opens, closes", [
    (" 08:00 - 18:00 ", "08:00", "18:00"), ("8:30-17:00", "08:30", "17:00"),
    ("00:00-24:00", "00:00", "24:00")])
def test_it_reads_working_hours_with_spaces_one_digit_hours_and_a_day_to_midnight(
        hours, opens, closes):
    assert parse_working_hours("mon-fri", hours, "UTC").hours_text == f"{opens}-{closes}"


@pytest.mark.parametrize("days, reason", [
    ("", "names no day"), ("mon-mon", "from a day to itself"), ("monday", "'monday'"),
    ("lun-vie", "'lun-vie'"), ("mon,mon", "mon twice"), ("mon-fri,wed", "wed twice"),
    ("mon\u2013fri", "plain hyphen"), ("mon,,fri", "names no day between commas")])
def test_it_refuses_working_days_it_cannot_read_saying_why(days, reason):
    with pytest.raises(ValueError, match=reason):
        parse_working_hours(days, "08:00-18:00", "UTC")


@pytest.mark.parametrize("days, expected", [
    ("sat-mon", {"sat", "sun", "mon"}), ("fri,mon", {"fri", "mon"}),
    ("Mon-Fri", {"mon", "tue", "wed", "thu", "fri"}), (" tue ", {"tue"}),
    ("mon-sun", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"})])
def test_it_reads_working_days_that_wrap_list_or_shout(days, expected):
    assert parse_working_hours(days, "08:00-18:00", "UTC").days == expected


@pytest.mark.parametrize("holidays, reason", [
    ("25/12/2026", "'25/12/2026'"), ("2026-02-30", "'2026-02-30'"),
    ("20261225", "'20261225'"), ("2026-12-25,", "between commas"),
    ("2026-12-25 2027-01-01", "'2026-12-25 2027-01-01'")])
def test_it_refuses_holidays_it_cannot_read(holidays, reason):
    with pytest.raises(ValueError, match=reason):
        parse_working_hours("mon-fri", "08:00-18:00", "UTC", holidays)


NEW_YORK = parse_working_hours("mon-fri", "08:00-18:00", "America/New_York")
MADRID = parse_working_hours("mon-fri", "08:00-18:00", "Europe/Madrid")


@pytest.mark.parametrize("hours, raised, escalates", [
    # A lump at 23:00 on the Friday before the clocks change escalates on Monday at 08:00
    # by the wall clock, whatever the offset became over the weekend.
    (NEW_YORK, "2026-03-06T23:00:00-05:00", "2026-03-09T08:00:00-04:00"),
    (NEW_YORK, "2026-10-30T23:00:00-04:00", "2026-11-02T08:00:00-05:00"),
    (MADRID, "2026-03-27T23:00:00+01:00", "2026-03-30T08:00:00+02:00"),
    (MADRID, "2026-10-23T23:00:00+02:00", "2026-10-26T08:00:00+01:00"),
    # 17:50 on the Friday before: the fifteen minutes run past closing, so Monday morning.
    (MADRID, "2026-03-27T17:50:00+01:00", "2026-03-30T08:00:00+02:00"),
    # A working day: 07:59 + 15 min is inside hours; 17:44 + 15 is 17:59, still inside;
    # 17:50 and 18:00 fall after closing: the next morning.
    (NEW_YORK, "2026-11-23T07:59:00-05:00", "2026-11-23T08:14:00-05:00"),
    (NEW_YORK, "2026-11-23T07:40:00-05:00", "2026-11-23T08:00:00-05:00"),
    (NEW_YORK, "2026-11-23T17:44:00-05:00", "2026-11-23T17:59:00-05:00"),
    (NEW_YORK, "2026-11-23T17:45:00-05:00", "2026-11-24T08:00:00-05:00"),
    (NEW_YORK, "2026-11-23T17:50:00-05:00", "2026-11-24T08:00:00-05:00"),
    (NEW_YORK, "2026-11-23T18:00:00-05:00", "2026-11-24T08:00:00-05:00"),
])
def test_it_escalates_a_lump_at_the_right_moment_around_closing_and_clock_changes(
        hours, raised, escalates):
    assert hours.next_start(at(raised) + FIFTEEN) == at(escalates)


def test_it_opens_when_the_clocks_jump_over_the_opening_time():
    # 8 March 2026 in New York: 02:00 EST becomes 03:00 EDT (07:00 UTC), so a 02:30 opening
    # never shows on the clock; the day opens at the jump, and contains() agrees.
    hours = parse_working_hours("mon-sun", "02:30-18:00", "America/New_York")
    assert hours.next_start(utc("2026-03-08T06:00:00")) == utc("2026-03-08T07:00:00")
    assert not hours.contains(utc("2026-03-08T06:59:59"))
    assert hours.contains(utc("2026-03-08T07:00:00"))


def test_it_opens_at_the_first_of_two_opening_times_when_the_clocks_go_back():
    # 1 November 2026 in New York: 01:00-02:00 happens twice (EDT, then EST). The day opens
    # at the first 01:30 and stays open through the second 01:00-01:30.
    hours = parse_working_hours("mon-sun", "01:30-18:00", "America/New_York")
    assert hours.next_start(utc("2026-11-01T05:00:00")) == utc("2026-11-01T05:30:00")
    assert hours.contains(utc("2026-11-01T05:30:00"))
    assert hours.contains(utc("2026-11-01T06:10:00"))  # 01:10 EST, the second time round
    assert not hours.contains(utc("2026-11-01T05:29:00"))


def test_it_keeps_a_day_open_to_midnight_with_24_00():
    hours = parse_working_hours("mon-fri", "08:00-24:00", "Europe/Madrid")
    assert hours.contains(at("2026-11-23T23:59:59+01:00"))
    assert not hours.contains(at("2026-11-24T00:00:00+01:00"))
    assert hours.contains(at("2026-11-24T08:00:00+01:00"))


def test_it_waits_past_a_holiday_for_the_next_working_morning():
    hours = parse_working_hours("mon-fri", "08:00-18:00", "Europe/Madrid",
                                "2026-12-25, 2027-01-01,2026-12-25")
    assert not hours.contains(at("2026-12-25T10:00:00+01:00"))
    assert hours.contains(at("2026-12-24T10:00:00+01:00"))
    # Thursday evening before Christmas: Friday is a holiday, then the weekend.
    assert hours.next_start(at("2026-12-24T18:05:00+01:00")) == at("2026-12-28T08:00:00+01:00")
    assert hours.holidays_text == "2026-12-25,2027-01-01"


def test_it_never_loops_for_ever_when_holidays_cover_every_working_day():
    holidays = ",".join(f"2026-11-{day:02d}" for day in (23, 30))
    hours = parse_working_hours("mon", "08:00-18:00", "UTC", holidays)
    assert hours.next_start(utc("2026-11-22T12:00:00")) == utc("2026-12-07T08:00:00")


@pytest.mark.parametrize("zone", ["America/Havana", "America/Santiago", "Asia/Beirut",
                                  "Europe/Madrid", "Australia/Lord_Howe"])
def test_it_never_closes_a_site_open_around_the_clock_even_where_midnight_is_skipped(zone):
    # Cuba, Chile and Lebanon move their clocks at midnight, Lord Howe by half an hour.
    hours = parse_working_hours("mon-sun", "00:00-24:00", zone)
    moment = utc("2026-01-01T00:00:00")
    while moment < utc("2027-01-01T00:00:00"):
        assert hours.contains(moment), moment
        moment += timedelta(minutes=20)
