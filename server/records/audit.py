"""The audit log: who read or changed what, when, from where.

Handlers call `record` after they have read patient data, inside the request, so the actor,
client address and request id come from the request itself; the command line uses
`record_as`. Rows are only ever added.
"""
import json

from flask import g

from ..clock import from_db, to_db, to_wire
from ..web.context import client_address, now


def _insert(db, *, at, actor_id, actor_username, actor_role, action, patient_id, target,
            address, request_id, details):
    db["audit_log"].insert({
        "at": to_db(at), "actor_id": actor_id, "actor_username": actor_username,
        "actor_role": actor_role, "action": action, "patient_id": patient_id,
        "target": target, "client_address": address, "request_id": request_id,
        "details": None if details is None else json.dumps(details, sort_keys=True,
                                                            default=str),
    })


def record(db, action, *, patient_id=None, target=None, details=None) -> None:
    """Audit `action` by the signed-in staff member of this request."""
    staff = g.get("staff")
    if staff is None:
        # An unattributed row would be worse than none: it is a bug in the caller.
        raise RuntimeError("audit.record needs a signed-in staff member (require_staff)")
    _insert(db, at=now(), actor_id=staff.id, actor_username=staff.username,
            actor_role=staff.role, action=action, patient_id=patient_id, target=target,
            address=client_address(), request_id=g.get("request_id"), details=details)


def record_as(db, action, *, actor_username, actor_role, now, actor_id=None,
              patient_id=None, target=None, details=None, client_address="command line"):
    """Audit `action` outside a request, e.g. an operator at the command line."""
    _insert(db, at=now, actor_id=actor_id, actor_username=actor_username,
            actor_role=actor_role, action=action, patient_id=patient_id, target=target,
            address=client_address, request_id=None, details=details)


def _event(row) -> dict:
    return {"at": to_wire(from_db(row["at"])), "actor_username": row["actor_username"],
            "actor_role": row["actor_role"], "action": row["action"],
            "patient_id": row["patient_id"], "target": row["target"],
            "client_address": row["client_address"], "request_id": row["request_id"],
            "details": json.loads(row["details"]) if row["details"] else {}}


def query(db, *, patient_id=None, actor=None, action=None, since=None, until=None,
          before=None, limit=100):
    """-> (events newest first, the `before` for the next page or None).

    Pages follow the order rows were written (the id), which is time order across every
    process writing them; `since`/`until` filter on the recorded time.
    """
    where, params = [], []
    for column, value in (("patient_id", patient_id), ("actor_username", actor),
                          ("action", action)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        where.append("at >= ?")
        params.append(to_db(since))
    if until is not None:
        where.append("at < ?")
        params.append(to_db(until))
    if before is not None:
        where.append("id < ?")
        params.append(before)
    sql = ("SELECT * FROM audit_log" + (" WHERE " + " AND ".join(where) if where else "")
           + " ORDER BY id DESC LIMIT ?")
    rows = list(db.query(sql, params + [limit + 1]))
    next_before = rows[limit - 1]["id"] if len(rows) > limit else None
    return [_event(row) for row in rows[:limit]], next_before
