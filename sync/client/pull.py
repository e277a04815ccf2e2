"""Pulling the change feed (PROTOCOL.md, "Pull").

- No stored cursor means a full snapshot; afterwards only what changed. The new cursor is
  saved in the same local transaction that applies the page: killed halfway, the phone
  still holds the old cursor and none of the page, and simply pulls that page again.
- Changes are upserts or deletes of one item by (type, id). `keys` changes replace the
  cached key set instead (new entries are sealed to its `current` key from then on).
- A snapshot says what exists, not what was deleted. Each item carries the *generation*
  of the snapshot that last confirmed it; when the last page of a snapshot is applied,
  items an earlier snapshot confirmed but this one did not are gone on the server and are
  removed here. Until then the old items stay, so a snapshot cut short by a kill never
  leaves the app with half its tasks: the stored cursor continues the same snapshot.
- A 400 whose details name `cursor` (expired, or from before a server restore) drops the
  cursor and takes a full snapshot, once per sync.
- Before applying, the stored cursor must still be the one the page was asked with, so two
  syncs of one state file racing each other never move the cursor backwards.
"""
from .keyset import checked_key_set
from .transport import ApiError, BadAnswer

DEFAULT_LIMIT, MAX_LIMIT = 200, 500
MAX_PAGES = 1000  # a server that says has_more forever must not keep the phone busy forever
OPS = ("upsert", "delete")


class CursorMoved(Exception):
    """Another sync of this state file applied a page meanwhile; this one stops."""

    code, retryable = "sync_in_progress", True


def pull_changes(store, transport, retry, report, limit=DEFAULT_LIMIT):
    limit = max(1, min(MAX_LIMIT, int(limit)))  # the protocol's range; the server would 400
    cursor_reset_done = False
    for _ in range(MAX_PAGES):
        cursor = store.get("cursor")
        try:
            page = retry.call(lambda: transport.pull(cursor, limit))
        except ApiError as error:
            refused = error.status == 400 and error.names_field("cursor")
            if refused and cursor is not None and not cursor_reset_done:
                forget_cursor(store, cursor)
                report.cursor_reset = cursor_reset_done = True
                continue
            raise
        apply_page(store, cursor, checked_page(page))
        report.pages += 1
        report.changes_applied += len(page["changes"])
        if not page["has_more"]:
            return
    raise BadAnswer(f"The server still had more changes after {MAX_PAGES} pages.")


def checked_page(page: dict) -> dict:
    """Refuses a page this client cannot apply faithfully, before touching anything."""
    if not isinstance(page.get("cursor"), str) or not isinstance(page.get("has_more"), bool) \
            or not isinstance(page.get("changes"), list):
        raise BadAnswer("The pull answer lacks cursor, has_more or changes.")
    for change in page["changes"]:
        if not isinstance(change, dict) or change.get("op") not in OPS \
                or not isinstance(change.get("type"), str) \
                or not isinstance(change.get("id"), str) \
                or (change["op"] == "upsert" and not isinstance(change.get("data"), dict)):
            raise BadAnswer(f"The pull answer holds a change this client cannot apply: "
                            f"{str(change)[:120]}")
    return page


def apply_page(store, requested_cursor, page):
    with store.transaction():
        if store.get("cursor") != requested_cursor:
            raise CursorMoved("Another sync of this state file moved the cursor meanwhile.")
        generation = store.get("generation", 0)
        if requested_cursor is None:  # a full snapshot begins
            generation += 1
            store.put("generation", generation)
            store.put("snapshot_open", True)
        for change in page["changes"]:
            apply_change(store, change, generation)
        if not page["has_more"] and store.get("snapshot_open"):
            store.delete_items_before(generation)
            store.put("snapshot_open", None)
        store.put("cursor", page["cursor"])  # last, inside the same transaction


def apply_change(store, change, generation):
    kind, op, item_id = change["type"], change["op"], change["id"]
    if kind == "keys":
        # A deleted key set is ignored: the app must always have a key to seal to offline.
        if op == "upsert":
            store.put("key_set", checked_key_set(change["data"]))
        return
    if op == "upsert":
        # Types this client does not know yet are kept too: a newer app reading this state
        # file, or the app's own code, may know them.
        store.upsert_item(kind, item_id, change["data"], generation)
    else:
        store.delete_item(kind, item_id)


def forget_cursor(store, refused_cursor):
    with store.transaction():
        if store.get("cursor") == refused_cursor:
            store.put("cursor", None)
