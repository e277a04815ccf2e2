"""What the app shows from local state alone, online or not: its status, the tasks due
now, the care team's alerts, the questionnaires to fill in."""
from datetime import datetime

from .keyset import lists_kid

ALERT_ORDER = {"open": 0, "acknowledged": 1, "resolved": 2}


def parse_time(text):
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def tasks_due(store, now: datetime) -> list[dict]:
    """Tasks open at `now` (due_at <= now < closes_at) that no entry recorded on this
    phone has answered yet, earliest first. An entry the server rejected does not count:
    the family is asked to fill the task in again."""
    answered = {line["task_id"] for line in store.journal("task_id IS NOT NULL")
                if line["status"] != "rejected"}
    due = []
    for task in store.items("task").values():
        opens, closes = parse_time(task.get("due_at")), task.get("closes_at")
        if opens is None or opens > now or task.get("task_id") in answered:
            continue
        if closes is not None and (parse_time(closes) is None or parse_time(closes) <= now):
            continue
        due.append(task)
    return sorted(due, key=lambda task: parse_time(task["due_at"]))


def alerts(store) -> list[dict]:
    """The care team's alerts from the pull feed, plus any raised by a push whose news has
    not been pulled yet (shown as open, with no message yet). Open ones first."""
    shown = [{"alert_id": data.get("alert_id", alert_id), "entry_id": data.get("entry_id"),
              "level": data.get("level"), "status": data.get("status"),
              "message": data.get("message")}
             for alert_id, data in store.items("alert").items()]
    known = {alert["alert_id"] for alert in shown}
    for line in store.journal("alert_id IS NOT NULL"):
        if line["alert_id"] not in known:
            known.add(line["alert_id"])
            shown.append({"alert_id": line["alert_id"], "entry_id": line["entry_id"],
                          "level": line["alert_level"], "status": "open", "message": None})
    return sorted(shown, key=lambda alert: ALERT_ORDER.get(alert["status"], 0))


def questionnaire(store, questionnaire_id, version=None) -> dict | None:
    """A pulled definition by id (the change id or the definition's own `id`), the given
    version or else the highest one."""
    found = [data for item_id, data in store.items("questionnaire").items()
             if questionnaire_id in (item_id, data.get("id"))
             and (version is None or data.get("version") == version)]
    return max(found, key=lambda data: version_key(data.get("version")), default=None)


def version_key(version):
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return ()


def rejected_entries(store) -> list[dict]:
    """Entries the server refused, still in the outbox. `undeliverable` means no retry can
    work, and since the plaintext is never kept the entry cannot be sealed again either:
    it was sealed to a key the server no longer lists, or under an earlier enrolment of
    this phone (the device id is bound into the seal)."""
    key_set = store.get("key_set")
    device_id = (store.get("enrolment") or {}).get("device_id")
    return [{"entry_id": line["entry_id"], "questionnaire_id": line["questionnaire_id"],
             "task_id": line["task_id"], "recorded_at": line["recorded_at"],
             "code": line["error_code"], "message": line["error_message"],
             "undeliverable": line["device_id"] != device_id or (
                 line["error_code"] == "unknown_key" and not lists_kid(key_set, line["kid"]))}
            for line in store.journal("status = 'rejected'")]


def status(store) -> dict:
    enrolment = store.get("enrolment") or {}
    key_set = store.get("key_set") or {}
    return {
        "enrolled": bool(enrolment),
        "device_id": enrolment.get("device_id"),
        "patient_id": enrolment.get("patient_id"),
        "respondent": enrolment.get("respondent"),
        "server_url": enrolment.get("server_url"),
        "needs_enrolment": store.get("needs_enrolment") is not None,
        "current_kid": key_set.get("current"),
        "outbox": store.outbox_size(),
        "rejected": rejected_entries(store),
        "last_sync_at": store.get("last_sync_at"),
        "last_sync_attempt_at": store.get("last_sync_attempt_at"),
        "last_sync_error": store.get("last_sync_error"),
        "cursor": store.get("cursor") is not None,
        "items": store.item_counts(),
        "open_alerts": [alert for alert in alerts(store) if alert["status"] != "resolved"],
    }
