"""Words a nurse reads at a glance: times, waits, alert evidence, escalation and device
health. Pure: no Flask, no database, so every rule here is unit-tested.

One clock for the ward: every time is shown in the site's zone (HOMEWARD_SITE_TIMEZONE), so a
list of alerts from families in three zones still reads in order. Where the family's own
clock differs, their time is a second line ("family's time 20:02 CET"), because "she took it
at 10 pm" is how a parent will tell it on the phone. Times carry their zone abbreviation:
"14:02 EST" cannot be misread, "14:02" can.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LEVEL_LABELS = {"emergency": "Emergency", "urgent": "Urgent", "attention": "Same-day review",
                "info": "Psychosocial review"}
OUTCOME_LABELS = {
    "advised_to_come_in": "Advised to come in", "admitted": "Admitted",
    "seen_in_clinic": "Seen in clinic", "advice_given_at_home": "Advice given, stays at home",
    "false_alarm": "False alarm", "no_action_needed": "No action needed",
}
SIGN_WORDS = {
    "confusion": "confusion", "speech": "trouble speaking or understanding",
    "handwriting": "handwriting change", "tremor": "tremor", "sleepiness": "unusual sleepiness",
    "headache": "severe headache", "weakness": "weakness", "balance": "loss of balance",
    "personality": "personality change", "seizure": "seizure", "unresponsive": "cannot be woken",
    "rash": "rash", "mouth_sores": "mouth sores", "joint_swelling": "joint swelling",
    "less_urine": "less urine", "leg_swelling": "leg swelling", "diarrhoea": "diarrhoea",
}
# A few minutes between recording and syncing is ordinary; past this, a nurse should know the
# reading is old news before acting on it.
LATE_MINUTES = 15
# PROTOCOL.md: staff must notice a phone that stopped syncing or holds a backlog.
STALE_SYNC = timedelta(hours=12)


def local(moment: datetime | None, timezone_name: str, with_date=False, with_year=False) -> str:
    """e.g. "14:02 EST", "Fri 20 Nov 14:02 EST"; with the year for histories that span
    years (quality of life is followed for years after infusion)."""
    if moment is None:
        return ""
    try:
        there = moment.astimezone(ZoneInfo(timezone_name))
    except OverflowError:
        # A time at the calendar's edge (year 1 or 9999) that an older server stored before
        # implausible times were quarantined (sync.plausible): shown as stored, in words.
        return f"{moment.day} {moment:%b} {moment.year} {moment:%H:%M} (as stored)"
    shown = there.strftime("%a %d %b %Y %H:%M" if with_year else
                           "%a %d %b %H:%M" if with_date else "%H:%M")
    return f"{shown} {there.tzname()}"


def family_time(moment: datetime | None, site_zone: str, family_zone: str | None,
                with_date=False) -> str:
    """The family's own clock reading of `moment` where it differs from the site's, else ""."""
    if moment is None or not family_zone or family_zone == site_zone:
        return ""
    try:
        there = moment.astimezone(ZoneInfo(family_zone))
        here = moment.astimezone(ZoneInfo(site_zone))
    except OverflowError:  # a time at the calendar's edge (see local): one line is enough
        return ""
    if there.utcoffset() == here.utcoffset():
        return ""
    return f"family's time {local(moment, family_zone, with_date)}"


def relative(moment: datetime | None, now: datetime) -> str:
    """"in 12 min", "5 min ago" or "now": how far a deadline is, without reading a clock."""
    if moment is None:
        return ""
    seconds = (moment - now).total_seconds()
    if abs(seconds) < 60:
        return "now"
    spoken = duration(abs(seconds) // 60 * 60)
    return f"in {spoken}" if seconds > 0 else f"{spoken} ago"


def calendar_day(day: date | str | None) -> str:
    """A date as people write it, "Sat 1 Jun 2013", never "2013-06-01"."""
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    return f"{day:%a} {day.day} {day:%b %Y}"


def duration(seconds: float) -> str:
    """A wait as people say it: "45 s"... "12 min", "3 h 5 min", "2 d 4 h"."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def signs(values) -> str:
    return ", ".join(SIGN_WORDS.get(value, str(value).replace("_", " "))
                     for value in values or ())


def flatten(item) -> tuple[dict, dict]:
    """(answers and scores, context) of one finding's evidence; older findings kept a flat
    dict of answers."""
    if not isinstance(item, dict):
        return {}, {}
    if not any(key in item for key in ("answers", "scores", "context")):
        return item, {}
    values = {**(item.get("answers") or {}), **(item.get("scores") or {})}
    return values, item.get("context") or {}


def evidence_phrases(evidence) -> list[str]:
    phrases = []
    for item in evidence or ():
        values, context = flatten(item)
        phrases += finding_phrases(values, context)
    return list(dict.fromkeys(phrases))


def finding_phrases(values, context) -> list[str]:
    found = []
    if "temperature_c" in values:
        method = values.get("temperature_method")
        found.append(f"{values['temperature_c']} °C{' ' + method if method else ''}")
    if values.get("fever_medicine_hours") is not None:
        found.append(f"fever medicine {values['fever_medicine_hours']:g} h before")
    if "spo2_percent" in values:
        found.append(f"SpO2 {values['spo2_percent']} %")
    if values.get("breathing_difficulty") is True:
        found.append("breathing difficulty")
    if values.get("dizzy_or_fainting") is True:
        found.append("dizzy or fainting")
    for key in ("neuro_signs", "organ_signs"):
        if values.get(key):
            found.append(signs(values[key]))
    found += follow_up_phrases(values)
    if "distress" in values:
        found.append(f"caregiver distress {values['distress']}/10")
    if "total" in values:
        if "baseline.quality_of_life_total" in context:
            found.append(f"quality of life {values['total']:g} (baseline "
                         f"{context['baseline.quality_of_life_total']:g})")
        elif "baseline.neuro_check_total" in context:
            variant = context.get("baseline.neuro_check_variant") or "neuro check"
            found.append(f"{variant} check {values['total']:g} (baseline "
                         f"{context['baseline.neuro_check_total']:g})")
        else:
            found.append(f"score {values['total']:g}")
    if "hours_since_last_temperature" in context:
        found.append(f"no temperature for {context['hours_since_last_temperature']:g} h")
    return found


FOLLOW_UP_WORDS = {
    "new_lump": "new lump or swelling", "flare_muscle_weakness": "muscle weakness",
    "flare_skin_tightening": "skin tightening", "flare_raynaud": "fingers turning white or blue",
    "flare_foamy_urine": "foamy urine",
}


def follow_up_phrases(values) -> list[str]:
    """The long-term follow-up's yes/no answers, so a new-lump card says what was reported."""
    found = [words for key, words in FOLLOW_UP_WORDS.items() if values.get(key) is True]
    if values.get("disease_signs"):
        found.append(signs(values["disease_signs"]))
    if values.get("infection_hospital") in ("yes", True):
        found.append("infection that needed hospital")
    elif values.get("infection_hospital") == "not_sure":
        found.append("infection, not sure it needed hospital")
    if values.get("hospital_nights"):
        found.append(f"{values['hospital_nights']} nights in hospital")
    return found


def evidence_text(evidence, recorded_at, timezone_name, late_minutes, now) -> str:
    """e.g. "38.6 °C axillary at 14:02 EST, reported 3 h late"; with the date as well once
    the reading is over 12 hours old, so yesterday's 14:02 is not read as today's."""
    text = "; ".join(evidence_phrases(evidence)) or "no details recorded"
    if recorded_at is not None:
        old = now - recorded_at > timedelta(hours=12)
        text += f" at {local(recorded_at, timezone_name, with_date=old)}"
    if late_minutes and late_minutes >= LATE_MINUTES:
        text += f", reported {duration(late_minutes * 60)} late"
    return text


def escalation_moment(alert: dict, now: datetime) -> datetime | None:
    """The moment escalation_text names, for the "in 12 min" beside it."""
    if alert["status"] == "resolved":
        return None
    if alert.get("snoozed_until") and parse(alert["snoozed_until"]) > now:
        return parse(alert["snoozed_until"])
    if alert.get("escalated_at"):
        return parse(alert["escalated_at"])
    if alert.get("escalate_at") and alert["status"] == "open":
        return parse(alert["escalate_at"])
    return None


def escalation_text(alert: dict, now: datetime, timezone_name: str) -> str:
    """Where the alert stands on its way up the escalation route (`timezone_name`: the
    site's)."""
    if alert["status"] == "resolved":
        return ""
    if alert.get("snoozed_until") and parse(alert["snoozed_until"]) > now:
        return (f"Snoozed until {local(parse(alert['snoozed_until']), timezone_name)}: "
                f"{alert.get('snooze_reason') or 'no reason given'}")
    if alert.get("escalated_at"):
        return f"Escalated at {local(parse(alert['escalated_at']), timezone_name)}"
    if alert.get("escalate_at") and alert["status"] == "open":
        due = parse(alert["escalate_at"])
        if due <= now:
            return "Escalation due now"
        if alert.get("escalation_waits"):
            # Its rule lets it wait for the working day (alerts/teams.py); `escalate_at` is
            # already the start of working hours it will page at (inbox.card_alert).
            return (f"Waits for working hours: escalates {local(due, timezone_name, True)} "
                    "unless acknowledged")
        return f"Escalates at {local(due, timezone_name)} unless acknowledged"
    return "Not escalating"


def parse(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def device_flags(device: dict, now: datetime) -> list[str]:
    """Why staff should look at this phone, or []."""
    if device.get("revoked_at"):
        return ["revoked"]
    flags = []
    last = parse(device.get("last_sync_at"))
    if last is None:
        flags.append("never synced")
    elif now - last > STALE_SYNC:
        flags.append(f"not synced for {duration((now - last).total_seconds())}")
    if device.get("outbox_pending"):
        count = device["outbox_pending"]
        flags.append(f"{count} entr{'y' if count == 1 else 'ies'} waiting on the phone")
    return flags
