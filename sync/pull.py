"""The pull change feed (PROTOCOL.md, "Pull").

Without a cursor a device gets a snapshot of everything it should hold, paged in a fixed
order; with one, the changes since. The `changes` table records only *that* an item changed;
its data is read fresh when pulled, so a device that missed ten edits of an alert gets the
latest state once, not ten stale copies.
"""
from dataclasses import dataclass, field
from datetime import datetime

from .cursor import decode_cursor, encode_cursor


@dataclass
class FeedContext:
    db: object
    device: dict        # the device row: id, patient_id, respondent
    patient: dict       # patient_id, infusion_date, timezone, language, date_of_birth, age_band
    now: datetime
    secret: bytes       # signs cursors
    extras: dict = field(default_factory=dict)   # keyring, catalog, ...: what sources need


class Source:
    """One change type. `snapshot` lists (id, data) for a new device; `resolve` gives one
    item's current data, or None when it is gone (sent as a delete)."""

    type = ""

    def snapshot(self, context) -> list[tuple[str, dict]]:
        raise NotImplementedError

    def resolve(self, context, item_id) -> dict | None:
        raise NotImplementedError


def pull(context: FeedContext, sources: list[Source], cursor: str | None, limit: int) -> dict:
    """`sources` in snapshot order: keys first so the app can seal, then what it shows."""
    if cursor is None:
        seq, after = last_seq(context.db), (-1, "")
    else:
        seq, after = decode_cursor(context.secret, context.device["id"], cursor)
    if after is not None:
        return snapshot_page(context, sources, seq, after, limit)
    return changes_page(context, sources, seq, limit)


def last_seq(db) -> int:
    return db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]


def snapshot_page(context, sources, seq, after, limit):
    items = []
    for rank, source in enumerate(sources):
        if rank < after[0]:
            continue
        for item_id, data in sorted(source.snapshot(context), key=lambda pair: pair[0]):
            if (rank, item_id) > tuple(after):
                items.append((rank, item_id, source.type, data))
                if len(items) > limit:
                    break
        if len(items) > limit:
            break
    page, has_more = items[:limit], len(items) > limit
    next_after = [page[-1][0], page[-1][1]] if has_more else None
    return {
        "cursor": encode_cursor(context.secret, context.device["id"], seq, next_after),
        "has_more": has_more,
        "changes": [{"type": kind, "op": "upsert", "id": item_id, "data": data}
                    for _rank, item_id, kind, data in page],
    }


def changes_page(context, sources, seq, limit):
    by_type = {source.type: source for source in sources}
    rows = context.db.execute(
        "SELECT seq, type, item_id FROM changes WHERE seq > ? "
        "AND (patient_id = ? OR patient_id IS NULL) ORDER BY seq LIMIT ?",
        [seq, context.device["patient_id"], limit + 1]).fetchall()
    page, has_more = rows[:limit], len(rows) > limit
    latest = {}
    for _seq, kind, item_id in page:
        if kind in by_type:
            latest.pop((kind, item_id), None)  # keep each item once, where it last changed
            latest[(kind, item_id)] = True
    changes = []
    for kind, item_id in latest:
        data = by_type[kind].resolve(context, item_id)
        if data is None:
            changes.append({"type": kind, "op": "delete", "id": item_id, "data": None})
        else:
            changes.append({"type": kind, "op": "upsert", "id": item_id, "data": data})
    next_seq = page[-1][0] if page else seq
    return {"cursor": encode_cursor(context.secret, context.device["id"], next_seq),
            "has_more": has_more, "changes": changes}
