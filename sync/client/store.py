"""The phone's local state: one SQLite file that survives the app being killed at any moment.

    state    name -> JSON value: the enrolment, the cached key set, the pull cursor, last sync
    outbox   sealed envelopes {entry_id, kid, sealed} waiting to be pushed, in recording order
    entries  the journal the app shows: what was recorded when and what became of it (ids,
             times and result codes only; never an answer)
    items    what the pull feed sent: questionnaires, tasks, schedule, rules, alerts, profile

Whatever must change together changes in one transaction (`with store.transaction():`), so a
kill -9 leaves the state from before or the state from after, never half of each. The journal
is WAL with synchronous=FULL: a committed entry survives a power cut too, not only a crash.
"""
import json
import os
import sqlite3
from contextlib import contextmanager

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- push order is recording order
    entry_id TEXT NOT NULL UNIQUE,
    kid TEXT NOT NULL,
    sealed TEXT NOT NULL,
    held_situation TEXT                     -- set when rejected: not re-sent until it changes
);
CREATE TABLE entries (
    entry_id TEXT PRIMARY KEY,
    questionnaire_id TEXT NOT NULL, questionnaire_version TEXT NOT NULL,
    task_id TEXT, respondent TEXT NOT NULL, recorded_at TEXT NOT NULL, supersedes TEXT,
    device_id TEXT NOT NULL, kid TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'waiting', -- waiting | accepted | duplicate | quarantined | rejected
    error_code TEXT, error_message TEXT, error_field TEXT,
    alert_id TEXT, alert_level TEXT, settled_at TEXT
);
CREATE INDEX entries_task ON entries (task_id);
CREATE TABLE items (
    type TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    generation INTEGER NOT NULL,            -- which snapshot last confirmed it (see pull.py)
    PRIMARY KEY (type, id)
);
"""


class StateFileError(Exception):
    """The state file is not one this version of the client can use."""


class Store:
    def __init__(self, path):
        path = os.fspath(path)
        if not os.path.exists(path):
            # The file holds the device token: readable and writable by this user only.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        # isolation_level=None: no implicit transactions; we say BEGIN where we mean it.
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self._create_schema()

    def close(self):
        self.conn.close()

    def _create_schema(self):
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateFileError(f"The state file has schema {version}; this client knows "
                                 f"{SCHEMA_VERSION}. Use a newer client.")
        if version == 0:
            with self.transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def transaction(self):
        """All or nothing. Nested use joins the caller's transaction."""
        if self.conn.in_transaction:
            yield
            return
        # IMMEDIATE takes the write lock up front, so two processes never deadlock midway.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- state: small named JSON values ------------------------------------------------

    def get(self, name, default=None):
        row = self.conn.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        return default if row is None else json.loads(row[0])

    def put(self, name, value):
        """Sets a value; None removes it."""
        if value is None:
            self.conn.execute("DELETE FROM state WHERE name = ?", (name,))
        else:
            self.conn.execute("INSERT INTO state (name, value) VALUES (?, ?) ON CONFLICT (name) "
                              "DO UPDATE SET value = excluded.value", (name, json.dumps(value)))

    # -- outbox and journal ------------------------------------------------------------

    def add_entry(self, envelope: dict, journal: dict):
        """Queues a sealed entry and notes it in the journal, together or not at all."""
        with self.transaction():
            self.conn.execute("INSERT INTO outbox (entry_id, kid, sealed) VALUES (?, ?, ?)",
                              (envelope["entry_id"], envelope["kid"], envelope["sealed"]))
            names = ", ".join(journal)
            marks = ", ".join("?" for _ in journal)
            self.conn.execute(f"INSERT INTO entries ({names}) VALUES ({marks})",
                              tuple(journal.values()))

    def sendable(self, situation: str, after_seq: int, limit: int) -> list[dict]:
        """The next envelopes to push, in order: everything not held by a rejection made in
        this same situation (see push.py)."""
        rows = self.conn.execute(
            "SELECT seq, entry_id, kid, sealed FROM outbox WHERE seq > ? AND "
            "(held_situation IS NULL OR held_situation != ?) ORDER BY seq LIMIT ?",
            (after_seq, situation, limit))
        return [dict(row) for row in rows]

    def outbox_size(self) -> int:
        return self.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]

    def settle(self, entry_id, status, *, error=None, alert=None, settled_at):
        """The server stored it (accepted, duplicate, quarantined): it leaves the outbox."""
        error, alert = error or {}, alert or {}
        self.conn.execute("DELETE FROM outbox WHERE entry_id = ?", (entry_id,))
        self.conn.execute(
            "UPDATE entries SET status = ?, error_code = ?, error_message = ?, error_field = ?,"
            " alert_id = coalesce(?, alert_id), alert_level = coalesce(?, alert_level),"
            " settled_at = ? WHERE entry_id = ?",
            (status, error.get("code"), error.get("message"), error.get("field"),
             alert.get("alert_id"), alert.get("level"), settled_at, entry_id))

    def hold(self, entry_id, situation, *, error, settled_at):
        """The server refused it: it stays in the outbox, marked, and is not re-sent until
        the situation changes or the app asks (release)."""
        self.conn.execute("UPDATE outbox SET held_situation = ? WHERE entry_id = ?",
                          (situation, entry_id))
        self.conn.execute(
            "UPDATE entries SET status = 'rejected', error_code = ?, error_message = ?,"
            " error_field = ?, settled_at = ? WHERE entry_id = ?",
            (error.get("code"), error.get("message"), error.get("field"), settled_at, entry_id))

    def move_hold(self, entry_id, situation):
        self.conn.execute("UPDATE outbox SET held_situation = ? WHERE entry_id = ? AND "
                          "held_situation IS NOT NULL", (situation, entry_id))

    def release(self, entry_id=None) -> int:
        """Lets held entries (one, or all) go out again on the next sync."""
        query = "UPDATE outbox SET held_situation = NULL WHERE held_situation IS NOT NULL"
        if entry_id is None:
            return self.conn.execute(query).rowcount
        return self.conn.execute(query + " AND entry_id = ?", (entry_id,)).rowcount

    def journal(self, where="1", params=()) -> list[dict]:
        rows = self.conn.execute(f"SELECT * FROM entries WHERE {where} ORDER BY recorded_at",
                                 params)
        return [dict(row) for row in rows]

    # -- items from the pull feed ------------------------------------------------------

    def upsert_item(self, type_, id_, data, generation):
        self.conn.execute(
            "INSERT INTO items (type, id, data, generation) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (type, id) DO UPDATE SET data = excluded.data, "
            "generation = excluded.generation", (type_, id_, json.dumps(data), generation))

    def delete_item(self, type_, id_):
        self.conn.execute("DELETE FROM items WHERE type = ? AND id = ?", (type_, id_))

    def delete_items_before(self, generation) -> int:
        return self.conn.execute("DELETE FROM items WHERE generation < ?",
                                 (generation,)).rowcount

    def items(self, type_) -> dict[str, dict]:
        rows = self.conn.execute("SELECT id, data FROM items WHERE type = ? ORDER BY id",
                                 (type_,))
        return {row["id"]: json.loads(row["data"]) for row in rows}

    def item_counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT type, count(*) FROM items GROUP BY type ORDER BY type")
        return {row[0]: row[1] for row in rows}
