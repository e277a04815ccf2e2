"""The audit log in words for the admin who reads it: "Opened a patient's timeline", not
`patient.read`. The codes stay what the API and the filters speak; this is only how the
page says them. Ids stay ids (an admin sees no patient's name: the role holds no patient
data), marked as such so the page rules (tests/support/crawl.py) know they are meant."""
import re
from datetime import datetime

from .site_time import say

ACTION_WORDS = {
    "alert.acknowledge": "Acknowledged an alert", "alert.call": "Recorded a call",
    "alert.calls.read": "Read an alert's calls", "alert.claim": "Said they were calling",
    "alert.message": "Sent a message to a family", "alert.messages.read":
    "Read an alert's messages", "alert.read": "Opened an alert",
    "alert.release": "Gave up a call", "alert.resolve": "Resolved an alert",
    "alert.snooze": "Snoozed an alert's escalation", "alerts.list": "Listed alerts",
    "audit.read": "Read the audit log", "auth.token_issued": "Was issued a token",
    "auth.token_revoked": "Revoked a token", "auth.web_login": "Signed in on a page",
    "auth.web_logout": "Signed out", "device.revoke": "Revoked a family's phone",
    "devices.read": "Listed a family's phones", "enrollment.create": "Made an enrolment code",
    "entries.read": "Read a patient's entries", "entry.read_fhir":
    "Read an entry as FHIR", "followup.contact": "Recorded a follow-up contact",
    "followup.read": "Read follow-up contacts", "patient.contacts": "Changed contacts",
    "patient.create": "Created a patient", "patient.erase": "Erased a patient",
    "patient.list": "Listed patients", "patient.read": "Opened a patient's record",
    "profile.read": "Read a clinical profile", "profile.set": "Saved a clinical profile",
    "registry.export": "Exported for a registry", "rule_overrides.end":
    "Ended a patient's rule changes", "rule_overrides.read": "Read a patient's rule changes",
    "rule_overrides.set": "Changed a patient's alert rules", "tasks.read":
    "Read a patient's tasks", "toxicity.read": "Read a toxicity record",
    "toxicity.record": "Recorded a toxicity event", "toxicity.retract":
    "Retracted a toxicity event", "toxicity.revise": "Corrected a toxicity event",
    "trends.read": "Read a patient's trends", "user.create": "Created an account",
    "user.disable": "Disabled an account", "user.enable": "Enabled an account",
    "user.password_reset": "Chose a password from a link",
    "user.reset_link": "Made a password link", "user.set_password": "Set a password",
    "user.set_role": "Changed a role", "worklist.read": "Read the follow-up worklist",
}
ROLE_WORDS = {"operator": "at the server"}
MACHINE_ID = re.compile(r"(?:pt|tox|usr|al|call|dev|ovr|rov)_[A-Za-z0-9_-]{6,}|"
                        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def action_words(action) -> str:
    """Words for an action; one Homeward does not know yet reads as its code's words."""
    return ACTION_WORDS.get(action) or re.sub(r"[._]+", " ", str(action)).capitalize()


def moment_in(value) -> datetime | None:
    """A time the details recorded (an audit.read's `since`), if `value` is one."""
    if not isinstance(value, str) or not ISO_MOMENT.match(value):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def piece(value, zone) -> dict:
    """{"text", "id"}: a detail's value in words, or an id to show as one."""
    if isinstance(value, str) and MACHINE_ID.fullmatch(value):
        return {"text": value, "id": True}
    moment = moment_in(value)
    if moment is not None:
        return {"text": say(moment, zone), "id": False}
    if isinstance(value, str):
        return {"text": ACTION_WORDS.get(value) or value.replace("_", " "), "id": False}
    return {"text": str(value), "id": False}


def details(found: dict, zone) -> list[dict]:
    """[{"name", "parts": [piece]}]: {"previous_role": "nurse", "fields": ["car_target"]}
    -> "previous role: nurse; fields: car target". Details hold ids, counts and kinds of
    change, never clinical facts."""
    shown = []
    for key, value in sorted((found or {}).items()):
        values = value if isinstance(value, list) else [value]
        shown.append({"name": key.replace("_", " "),
                      "parts": [piece(one, zone) for one in values]})
    return shown
