"""The team's messages to a family about an alert, as a thread: each acknowledgement, message
and closing word is its own row, never overwritten, with when it was sent, when the family's
device first pulled it (delivered) and when the family app says it was read.

The alert's `family_message` column still holds the latest, for apps that show one message
(docs/protocol.md); the thread is what a nurse reads back and what new apps show.
"""
import secrets

from .episodes import change, insert_row, utc

KINDS = ("acknowledgement", "message", "resolution")
MAX_READ_IDS = 100


def post_message(db, alert, *, kind, sent_by, now, seal_body) -> str:
    """Add a message to `alert`'s thread; `seal_body(message_id)` seals the text with the
    patient's key. The caller holds the transaction; the family learns of it on its next
    pull."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    message_id = "msg_" + secrets.token_hex(8)
    insert_row(db, "alert_messages", {
        "id": message_id, "alert_id": alert["id"], "patient_id": alert["patient_id"],
        "kind": kind, "sent_by": sent_by, "sent_at": utc(now), "body": seal_body(message_id)})
    change(db, alert["patient_id"], alert["id"], now)
    return message_id


def threads(db, alert_ids) -> dict[str, list[dict]]:
    """Each alert's messages, oldest first."""
    found: dict[str, list[dict]] = {}
    ids = list(alert_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in db.query(f"SELECT * FROM alert_messages WHERE alert_id IN "
                            f"({', '.join('?' * len(chunk))}) ORDER BY sent_at, rowid", chunk):
            found.setdefault(row["alert_id"], []).append(row)
    return found


def mark_delivered(db, message_ids, now) -> int:
    """The family's device pulled these: the first pull's time stays."""
    ids = list(message_ids)
    if not ids:
        return 0
    return db.execute(f"UPDATE alert_messages SET delivered_at = ? WHERE delivered_at IS NULL "
                      f"AND id IN ({', '.join('?' * len(ids))})", [utc(now), *ids]).rowcount


def mark_read(db, alert_id, message_ids, read_at, now) -> tuple[list[str], list[str]]:
    """The family app says these messages of `alert_id` were read at `read_at` (never later
    than now, never before they were sent). Returns (marked, unknown ids); a message read
    before keeps its first time, and counts as marked."""
    read_at = min(read_at, now)
    rows = {row["id"]: row for row in db.query(
        f"SELECT id, sent_at FROM alert_messages WHERE alert_id = ? AND id IN "
        f"({', '.join('?' * len(message_ids))})", [alert_id, *message_ids])}
    marked = []
    for message_id in dict.fromkeys(message_ids):
        row = rows.get(message_id)
        if row is None:
            continue
        when = max(utc(read_at), row["sent_at"])
        db.execute("UPDATE alert_messages SET read_at = COALESCE(read_at, ?), "
                   "delivered_at = COALESCE(delivered_at, ?) WHERE id = ?",
                   [when, when, message_id])
        marked.append(message_id)
    return marked, [message_id for message_id in message_ids if message_id not in rows]
