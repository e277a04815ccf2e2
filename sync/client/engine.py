"""One sync: push the outbox, then pull the change feed, then note how it went.

Push comes first so that the alerts the care team attaches to this very push (an
acknowledgement, a message for the family) can arrive in the pull that follows. The sync
stops at the first failure it cannot get past; everything done before it stays done, and
nothing is lost by stopping: the outbox and the cursor are exactly where they were left.
"""
from collections import Counter
from dataclasses import dataclass, field

from .entries import rfc3339
from .keyset import KeySetError
from .pull import CursorMoved, pull_changes
from .push import push_outbox
from .transport import ApiError, NeedsEnrolment, TransportError


@dataclass
class SyncReport:
    pushed: Counter = field(default_factory=Counter)   # status -> how many, this sync
    alerts: list = field(default_factory=list)         # alerts raised by entries pushed now
    rejected: list = field(default_factory=list)       # {entry_id, code, message}, this sync
    unanswered: int = 0          # pushed, but the answer had no usable result for them
    keys_refreshed: bool = False
    pages: int = 0
    changes_applied: int = 0
    cursor_reset: bool = False   # the server refused the cursor; a full snapshot was taken
    outbox_left: int = 0
    error: dict | None = None    # {code, message, retryable, retry_after} if the sync stopped
    needs_enrolment: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def describe(error) -> dict:
    """What the report and status() say about the error the sync stopped on."""
    return {"code": error.code, "message": getattr(error, "message", None) or str(error),
            "retryable": error.retryable, "retry_after": getattr(error, "retry_after", None),
            "status": error.status if isinstance(error, ApiError) else None}


def run_sync(store, transport, retry, now, pull_limit) -> SyncReport:
    report = SyncReport()
    started_at = rfc3339(now())
    try:
        push_outbox(store, transport, retry, now, report)
        pull_changes(store, transport, retry, report, pull_limit)
    except NeedsEnrolment as error:
        # Revoked (or unknown) token: stop, keep the outbox as it is, ask to re-enrol.
        report.needs_enrolment = True
        report.error = describe(error)
    except (TransportError, KeySetError, CursorMoved) as error:
        report.error = describe(error)
    report.outbox_left = store.outbox_size()
    reached_server = report.ok or report.pages or sum(report.pushed.values())
    with store.transaction():
        store.put("last_sync_attempt_at", started_at)
        store.put("last_sync_error", report.error)
        if report.ok:
            store.put("last_sync_at", started_at)
        if report.needs_enrolment:
            store.put("needs_enrolment", report.error)
        elif reached_server:
            store.put("needs_enrolment", None)
    return report
