"""The reference client of the Homeward sync protocol (PROTOCOL.md; docs/client.md).

It is the code a mobile team reads to learn the protocol:

    client.py     the app-facing API: enrol, record, sync, status and the offline reads
    entries.py    the entry document, sealed the moment it is recorded
    store.py      local state in one SQLite file: outbox, journal, pulled items, cursor
    push.py       draining the outbox in batches, and what each result status means
    pull.py       the change feed, the cursor saved with the page it belongs to
    engine.py     one sync: push, then pull, then a report
    transport.py  HTTP and the error envelope; retry.py: backoff with jitter, Retry-After
    keyset.py     the cached sealing keys; local.py: what the app shows offline
"""
from .client import AlreadyEnrolled, Client, NotEnrolled, read_enrolment_uri
from .engine import SyncReport
from .entries import EntryError
from .keyset import KeySetError
from .retry import RetryPolicy
from .store import StateFileError
from .transport import ApiError, BadAnswer, NeedsEnrolment, NetworkError, TransportError

__all__ = ["Client", "read_enrolment_uri", "SyncReport", "RetryPolicy", "NotEnrolled", "AlreadyEnrolled",
           "EntryError", "KeySetError", "StateFileError", "TransportError", "NetworkError",
           "BadAnswer", "ApiError", "NeedsEnrolment"]
