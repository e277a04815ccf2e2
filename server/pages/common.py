"""What every staff page needs: rendering with the signed-in person, navigation by role,
notices after a form, safe redirects, and patients unsealed in one query."""
from urllib.parse import urlencode

from flask import current_app, g, redirect, render_template, request

from ..context import get_config, now
from ..patients import describe

ROLE_NAMES = {"nurse": "Nurse", "physician": "Physician",
              "psychosocial": "Psychosocial team", "admin": "Administrator"}
CARE_TEAM = ("nurse", "physician")
WELLBEING_TEAM = ("nurse", "physician", "psychosocial")
NAVIGATION = (  # (endpoint, label, roles)
    ("pages.inbox", "Alert inbox", CARE_TEAM),
    ("pages.patient_list", "Patients", WELLBEING_TEAM),
    ("pages.wellbeing_cohort", "Wellbeing", WELLBEING_TEAM),
)
# Notices are chosen by code, never taken as text from the address, so a link cannot make
# Homeward say something it did not.
NOTICES = {
    "acknowledged": "Alert acknowledged.", "messaged": "Message sent to the family's app.",
    "snoozed": "Escalation snoozed.", "resolved": "Alert resolved.",
    "patient_created": "Patient created. Enrol the family's phone below.",
}


def safe_next(target):
    # Only paths on this site: "//evil.example" and "/\evil.example" are other sites.
    if (isinstance(target, str) and target.startswith("/") and not target.startswith("//")
            and not target.startswith("/\\") and len(target) < 2000):
        return target
    return None


def navigation(role):
    return [(endpoint, label) for endpoint, label, roles in NAVIGATION if role in roles]


def render(template, status=200, **context):
    session = g.get("web_session")
    staff = g.staff
    html = render_template(
        template, staff=staff, role_name=ROLE_NAMES[staff.role],
        csrf_token=session.csrf_token if session else None, nav=navigation(staff.role),
        notice=NOTICES.get(request.args.get("notice", "")),
        idle_seconds=get_config().session_idle_minutes * 60, **context)
    return current_app.make_response((html, status))


def done(default, notice, anchor=None):
    """After a form: back to where it was posted from (POST, redirect, GET)."""
    target = safe_next(request.form.get("next")) or default
    path, _, _fragment = target.partition("#")
    path, _, query = path.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("notice=")]
    query = "&".join(kept + [urlencode({"notice": notice})])
    return redirect(f"{path}?{query}" + (f"#{anchor}" if anchor else ""), code=303)


def patients_by_id(db, vault, patient_ids) -> dict[str, dict]:
    """Patients as staff see them (names unsealed in memory), one key query for all."""
    ids = sorted(set(patient_ids))
    if not ids:
        return {}
    rows = list(db.query(f"SELECT * FROM patients WHERE id IN ({', '.join('?' * len(ids))})",
                         ids))
    ciphers = vault.for_patients(db, [row["id"] for row in rows if row["status"] != "erased"])
    moment = now()
    return {row["id"]: describe(row, ciphers.get(row["id"]), moment) for row in rows}
