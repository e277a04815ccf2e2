"""The audit log in the browser, for admins: who read or changed what, newest first, with
filters for the person, the action, the patient and a range of days in the centre's time
zone, a page at a time. It reads through the same query as GET /api/v1/audit, and the
reading is itself recorded (`audit.read`, with {"via": "page"} and the filters).
"""
from datetime import date

from flask import request, url_for

from ..records import audit
from ..auth import require_staff
from ..web.context import get_config, get_db, now
from . import blueprint
from .common import ROLE_NAMES, render
from . import audit_words
from .site_time import end_of, say, start_of

PAGE_SIZE = 50
TEXT_FILTERS = {"actor": "person", "action": "action", "patient_id": "patient"}
DAY_FILTERS = ("from_day", "to_day")
MAX_FILTER_LENGTH = 100
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def _read_filters(args):
    """-> (what audit.query takes, the form as typed, problems by field)."""
    form = {name: args.get(name, "").strip() for name in (*TEXT_FILTERS, *DAY_FILTERS)}
    query, problems = {}, {}
    for name in TEXT_FILTERS:
        if len(form[name]) > MAX_FILTER_LENGTH:
            problems[name] = f"At most {MAX_FILTER_LENGTH} characters."
        elif form[name]:
            query[name] = form[name]
    zone = get_config().site_timezone
    days = {}
    for name in DAY_FILTERS:
        if form[name]:
            try:
                day = date.fromisoformat(form[name])
            except ValueError:
                day = None
            # The ends of the calendar overflow a day's start in another zone; no audit
            # event is older than Homeward nor centuries ahead.
            if day is None or not FIRST_DAY <= day <= LAST_DAY:
                problems[name] = "Choose a day from the calendar."
            else:
                days[name] = day
    if "from_day" in days:
        query["since"] = start_of(days["from_day"], zone)
    if "to_day" in days:
        query["until"] = end_of(days["to_day"], zone)
        if "from_day" in days and days["to_day"] < days["from_day"]:
            problems["to_day"] = "The last day is before the first day."
    before = args.get("before", "")
    if before:
        if before.isdigit() and 0 < int(before) < 2**63:
            query["before"] = int(before)
        else:
            problems["before"] = "That page of the log does not exist; start from the newest."
    return query, form, problems


def _shown(event, zone, moment, usernames):
    """The event as the page says it: words for the action, the role and the details; an
    account target by its username."""
    target = event["target"]
    return {**event, "when": say(audit_words.moment_in(event["at"]), zone, moment),
            "action_words": audit_words.action_words(event["action"]),
            "role_name": ROLE_NAMES.get(event["actor_role"]) or audit_words.ROLE_WORDS.get(
                event["actor_role"], event["actor_role"] or ""),
            "target_name": usernames.get(target) if target else None,
            "details_shown": audit_words.details(event["details"], zone)}


# Each step jumps to the next action name in the action index: a few dozen lookups, where
# SELECT DISTINCT reads the whole index (about 190 ms at a million events).
ACTIONS_RECORDED = """
    WITH RECURSIVE seen(action) AS (
        SELECT min(action) FROM audit_log
        UNION ALL
        SELECT (SELECT min(action) FROM audit_log WHERE action > seen.action)
        FROM seen WHERE seen.action IS NOT NULL)
    SELECT action FROM seen WHERE action IS NOT NULL"""


def _actions(db):
    """[(code, words)] of the actions recorded, in the order of their words."""
    return sorted(((row["action"], audit_words.action_words(row["action"]))
                   for row in db.query(ACTIONS_RECORDED)), key=lambda pair: pair[1])


@blueprint.get("/audit")
@require_staff("admin")
def audit_log():
    db, moment, zone = get_db(), now(), get_config().site_timezone
    query, form, problems = _read_filters(request.args)
    accounts = {row["id"]: row["username"] for row in db.query(
        "SELECT id, username FROM staff_users ORDER BY username")}
    usernames = list(accounts.values())
    context = {"form": form, "errors": problems, "actions": _actions(db),
               "usernames": usernames, "zone": zone.replace("_", " ")}
    if problems:
        return render("audit_log.html", 400, events=[], older=None, newest=None, **context)
    events, next_before = audit.query(db, limit=PAGE_SIZE, **query)
    audit.record(db, "audit.read", details={
        "via": "page", **{name: (value.isoformat() if hasattr(value, "isoformat") else value)
                          for name, value in query.items()}})
    kept = {name: value for name, value in form.items() if value}
    older = (url_for("pages.audit_log", **kept, before=next_before)
             if next_before is not None else None)
    newest = url_for("pages.audit_log", **kept) if "before" in query else None
    return render("audit_log.html", events=[_shown(event, zone, moment, accounts)
                                          for event in events],
                  older=older, newest=newest, **context)
