"""What every staff page needs: rendering with the signed-in person, navigation by role,
notices after a form, safe redirects, and alert cards' links and patients."""
import functools
import re
import unicodedata
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import quote, urlencode, urlsplit

from flask import current_app, g, redirect, render_template, request, url_for

from ..web.context import get_config, now
from . import present
from ..records.patients import age_today, day_post_infusion

ROLE_NAMES = {"nurse": "Nurse", "physician": "Physician",
              "psychosocial": "Psychosocial team", "admin": "Administrator"}
CARE_TEAM = ("nurse", "physician")
WELLBEING_TEAM = ("nurse", "physician", "psychosocial")
NAVIGATION = (  # (endpoint, label, roles)
    ("pages.inbox", "Alert inbox", CARE_TEAM),
    ("pages.patient_list", "Patients", WELLBEING_TEAM),
    ("pages.wellbeing_cohort", "Wellbeing", WELLBEING_TEAM),
    ("pages.followup_worklist", "Follow-up", CARE_TEAM),
    ("pages.staff_accounts", "Staff accounts", ("admin",)),
    ("pages.audit_log", "Audit log", ("admin",)),
)
# Notices are chosen by code, never taken as text from the address, so a link cannot make
# Homeward say something it did not.
NOTICES = {
    "acknowledged": "Alert acknowledged.", "messaged": "Message sent to the family's app.",
    "snoozed": "Escalation snoozed.", "resolved": "Alert resolved.",
    "patient_created": "Patient created. Enrol the family's phone below.",
    "claimed": "You are calling: colleagues see it on the alert.",
    "released": "You are no longer marked as calling.",
    "call_recorded": "Call recorded.", "contacts_saved": "Contacts saved.",
}


def safe_next(target):
    r"""`target` if it is a path on this site, else None. "//evil.example" and
    "/\evil.example" are other sites; so is "/\t/evil.example", because browsers drop tabs
    and line breaks from an address, and a line break in a Location header is refused."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) >= 2000:
        return None
    if "\\" in target or any(unicodedata.category(c).startswith("C") for c in target):
        return None  # control, format (e.g. right-to-left override) and unassigned
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def navigation(role):
    return [(endpoint, label) for endpoint, label, roles in NAVIGATION if role in roles]


def url_maker(endpoint, name):
    """url_for once, then plain formatting: a list of cards needs the same few routes hundreds
    of times a page, and each url_for costs about 20 µs. Query strings repeat too (the same
    `next` on every card), so they are encoded once each."""
    marker = "homeward-url-marker"
    head, _, tail = url_for(endpoint, **{name: marker}).partition(marker)
    encoded = functools.lru_cache(maxsize=16)(lambda items: "?" + urlencode(items))

    def make(value, **query):
        address = f"{head}{quote(str(value), safe='')}{tail}"
        return address + encoded(tuple(query.items())) if query else address

    return make


def card_links() -> SimpleNamespace:
    return SimpleNamespace(timeline=url_maker("pages.patient_timeline", "patient_id"),
                           wellbeing=url_maker("pages.patient_wellbeing", "patient_id"),
                           alert=url_maker("pages.alert_page", "alert_id"),
                           forms=url_maker("pages.alert_forms", "alert_id"))


def render(template, status=200, **context):
    session = g.get("web_session")
    staff = g.staff
    html = render_template(
        template, staff=staff, role_name=ROLE_NAMES[staff.role],
        csrf_token=session.csrf_token if session else None, nav=navigation(staff.role),
        notice=NOTICES.get(request.args.get("notice", "")), links=card_links(),
        idle_seconds=get_config().session_idle_minutes * 60,
        site_timezone=get_config().site_timezone, **context)
    return current_app.make_response((html, status))


def done(default, notice, anchor=None):
    """After a form: back to where it was posted from (POST, redirect, GET)."""
    target = safe_next(request.form.get("next")) or default
    path, _, _fragment = target.partition("#")
    path, _, query = path.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("notice=")]
    query = "&".join(kept + [urlencode({"notice": notice})])
    return redirect(f"{path}?{query}" + (f"#{anchor}" if anchor else ""), code=303)


def card_patients(db, ciphers, patient_ids, moment) -> dict[str, dict]:
    """What alert cards show of their patients: name, age, day post infusion, timezone.
    Only the name and the date of birth are unsealed, not the MRN or the contact: the inbox
    builds hundreds of cards on every poll. `ciphers` from vault.for_patients, which has none
    for an erased patient, whose card then shows no name. Age and day post infusion are
    reckoned as server.records.patients.describe reckons them for the patient's own pages."""
    ids = sorted(set(patient_ids))
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in db.query(f"SELECT id, timezone, infusion_date, display_name, date_of_birth "
                            f"FROM patients WHERE id IN ({', '.join('?' * len(chunk))})", chunk):
            zone, cipher = row["timezone"], ciphers.get(row["id"])
            patient = {"timezone": zone, "display_name": None, "age_years": None,
                       "day_post_infusion": day_post_infusion(
                           date.fromisoformat(row["infusion_date"]), zone, moment)}
            if cipher is not None:
                birth = date.fromisoformat(cipher.open_text("patients", row["id"],
                                                            "date_of_birth", row["date_of_birth"]))
                patient["display_name"] = cipher.open_text("patients", row["id"], "display_name",
                                                           row["display_name"])
                patient["age_years"] = age_today(birth, zone, moment)
            found[row["id"]] = patient
    return found


# The domain's refusals are written for the API too: ids, and times on the wire.
MACHINE_ID = re.compile(r"\b(?:pt|al|tox|dev|usr|call)_[A-Za-z0-9_-]+")
WIRE_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                       r"(?:Z|[+-]\d{2}:\d{2})?")
UTC_CLOCK = re.compile(r"\b(\d{2}):(\d{2}) UTC\b")
BY_ID = {404: "Nothing is here: the patient, alert or record this address names does not "
              "exist.",
         410: "This patient was erased: their data cannot be read."}


def readable(status, message, moment=None) -> str:
    """A refusal as a page says it: times on the site's clock, no internal ids (a sentence
    that names one is said without it)."""
    if MACHINE_ID.search(message or ""):
        return BY_ID.get(status, MACHINE_ID.sub("this record", message))
    zone, moment = get_config().site_timezone, moment or now()

    def wire(match):
        return present.local(present.parse(match.group(0)), zone, with_date=True)

    def utc_clock(match):
        at = moment.replace(hour=int(match.group(1)), minute=int(match.group(2)),
                            second=0, microsecond=0)
        return present.local(at if at <= moment else at - timedelta(days=1), zone)

    return UTC_CLOCK.sub(utc_clock, WIRE_TIME.sub(wire, message or ""))
