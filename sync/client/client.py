"""The reference client: what a companion app does, in the protocol's own words.

    client = Client("family-phone.db")
    client.enrol("https://homeward.example-hospital.org", "K7QF-29XD", "Mum's phone")
    entry_id = client.record("symptom-diary", "1.0.0", {"temperature_c": 38.6})
    report = client.sync()          # whenever a connection is there; safe to call any time

Everything lives in one SQLite file (store.py), so the app can be killed at any moment and
carries on where it was. One Client per thread; several may share a state file.
"""
import random as random_module
import time
from datetime import datetime
from urllib.parse import parse_qs

import requests

from . import local
from .advice import advise
from .engine import run_sync
from .entries import (entry_document, journal_line, recorded_at_text, sealed_envelope)
from .keyset import checked_key_set
from .pull import DEFAULT_LIMIT
from .push import refresh_key_set
from .retry import RetryPolicy
from .store import Store
from .transport import DEFAULT_TIMEOUT, BadAnswer, Transport

APP_VERSION = "homeward-reference-client/0.1"
PLATFORMS = ("ios", "android", "web", "other")


class NotEnrolled(Exception):
    """This state file has no enrolment yet: call enrol() with a code from the care team."""


class AlreadyEnrolled(Exception):
    """This state file is enrolled and not revoked; enrolling again would orphan it."""


def read_enrolment_uri(text: str) -> tuple[str, str]:
    """(server_url, code) from what the enrolment QR code holds (docs/protocol.md):
    homeward:enrol?server=<base URL>&code=<code>. One scan tells the app where and what."""
    scheme, _, query = text.strip().partition("?")
    fields = parse_qs(query)
    if scheme != "homeward:enrol" or not fields.get("server") or not fields.get("code"):
        raise ValueError("This is not a Homeward enrolment code (homeward:enrol?server=&code=).")
    return fields["server"][0], fields["code"][0]


def local_now() -> datetime:
    """The device's wall clock with its own UTC offset, as recorded_at wants it."""
    return datetime.now().astimezone()


class Client:
    def __init__(self, state_path, server_url=None, *, app_version=APP_VERSION, now=local_now,
                 sleep=time.sleep, random=random_module.random, retry=None, session=None,
                 timeout=DEFAULT_TIMEOUT):
        """`server_url` overrides the address stored at enrolment (a server that moved);
        `now`, `sleep` and `random` are injectable so tests can move time and skip waits."""
        self.store = Store(state_path)
        self.server_url = server_url
        self.app_version = app_version
        self.now = now
        self.retry = retry or RetryPolicy(sleep=sleep, random=random)
        self.session = session or requests.Session()
        self.timeout = timeout

    def close(self):
        self.store.close()
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- enrolment ---------------------------------------------------------------------

    def enrol(self, server_url, enrollment_code, device_name, platform="other",
              app_version=None) -> dict:
        """POST /api/v1/devices. Not retried automatically: the code is single-use, and a
        retry after a lost answer would find it spent (410 enrollment_code_used)."""
        previous = self.store.get("enrolment")
        if previous and self.store.get("needs_enrolment") is None:
            raise AlreadyEnrolled(f"This phone is enrolled as {previous['device_id']}.")
        if platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}.")
        transport = self._transport(server_url, device_token=None)
        body = {"enrollment_code": enrollment_code, "device_name": device_name,
                "platform": platform, "app_version": app_version or self.app_version}
        if previous:
            # Prove we were the old device, so the entries sealed under its id before the
            # revocation can still be pushed (docs/protocol.md, "Re-enrolment").
            body["replaces"] = {"device_id": previous["device_id"],
                                "device_token": previous["device_token"]}
        answer = transport.enrol(body)
        names = ("device_id", "device_token", "patient_id", "respondent")
        if not all(isinstance(answer.get(name), str) and answer[name] for name in names):
            raise BadAnswer("The enrolment answer lacks " + ", ".join(names) + ".")
        key_set = checked_key_set(answer.get("keys"))
        enrolment = {name: answer[name] for name in names}
        enrolment.update(server_url=server_url.rstrip("/"), device_name=device_name,
                         platform=platform)
        with self.store.transaction():
            self.store.put("enrolment", enrolment)
            self.store.put("key_set", key_set)
            self.store.put("needs_enrolment", None)
            self.store.put("cursor", None)  # a new device starts from a full snapshot
        return {name: answer[name] for name in ("device_id", "patient_id", "respondent")}

    # -- recording ---------------------------------------------------------------------

    def record(self, questionnaire_id, questionnaire_version, answers, *, respondent=None,
               task_id=None, supersedes=None, recorded_at=None) -> str:
        """Seals the entry to the cached current key at once and queues only the envelope.
        Works offline. Returns the new entry_id."""
        enrolment = self._enrolment()
        document = entry_document(
            enrolment, questionnaire_id=questionnaire_id,
            questionnaire_version=questionnaire_version, answers=answers,
            respondent=respondent or enrolment["respondent"], task_id=task_id,
            supersedes=supersedes,
            recorded_at=recorded_at_text(self.now() if recorded_at is None else recorded_at))
        envelope = sealed_envelope(document, self.store.get("key_set"))
        self.store.add_entry(envelope, journal_line(document, envelope["kid"]))
        return document["entry_id"]

    def advise(self, questionnaire_id, answers, recorded_at=None) -> list[dict]:
        """What to do now, from the pulled safety rules, without the network: call it when
        the family saves an entry and show the first advice prominently."""
        return advise(self.store, questionnaire_id, answers,
                      self.now() if recorded_at is None else recorded_at)

    # -- syncing -----------------------------------------------------------------------

    def sync(self, *, pull_limit=DEFAULT_LIMIT):
        """Push the outbox, then pull changes. Returns a SyncReport; a failure to reach the
        server or a revoked device is reported there, not raised."""
        self._enrolment()
        return run_sync(self.store, self._transport(), self.retry, self.now, pull_limit)

    def refresh_keys(self) -> bool:
        """GET /api/v1/keys; True if the cached key set changed."""
        return refresh_key_set(self.store, self._transport(device_token=None), self.retry)

    def retry_rejected(self, entry_id=None) -> int:
        """The family asked to try again: held entries go once more on the next sync."""
        return self.store.release(entry_id)

    # -- offline reads -----------------------------------------------------------------

    def status(self) -> dict:
        return local.status(self.store)

    def tasks_due(self, now=None) -> list[dict]:
        return local.tasks_due(self.store, now or self.now())

    def alerts(self) -> list[dict]:
        return local.alerts(self.store)

    def questionnaire(self, questionnaire_id, version=None) -> dict | None:
        return local.questionnaire(self.store, questionnaire_id, version)

    def entries(self) -> list[dict]:
        """The journal: every entry recorded here, its result and alert; never answers."""
        return self.store.journal()

    # -- helpers -----------------------------------------------------------------------

    def _enrolment(self) -> dict:
        enrolment = self.store.get("enrolment")
        if not enrolment:
            raise NotEnrolled("This phone is not enrolled: enter the code from the care team.")
        return enrolment

    def _transport(self, server_url=None, device_token=...):
        enrolment = self.store.get("enrolment") or {}
        if device_token is ...:
            device_token = enrolment.get("device_token")
        url = server_url or self.server_url or enrolment.get("server_url")
        if not url:
            raise NotEnrolled("No server address: enrol first, or pass server_url.")
        return Transport(url, app_version=self.app_version, device_token=device_token,
                         session=self.session, timeout=self.timeout)
