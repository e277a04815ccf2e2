"""The app's side of the protocol: keys, enrolment, push and pull (PROTOCOL.md)."""
from datetime import timedelta

from flask import g
from .bodies import Blueprint
from marshmallow import Schema, fields, validate

from alerts.episodes import alert_of_entry
from alerts.foresight import Foresight
from alerts.intake import (BatchMemory, assess_entry, clinical_profile, note_checkins,
                           record_judgement)
from alerts.messages import mark_delivered
from sync.documents import Rfc3339
from sync.enrolment import (PLATFORMS, admit_attempt, note_success, redeem_code,
                            sealing_device_ids)
from sync.plausible import check_sent_at
from sync.pull import FeedContext, pull
from sync.prepare import prepare_entries
from sync.push import PushContext, write_entries

from ..storage import db as storage
from ..clock import from_db, to_db, to_wire
from ..records.alerting import FAMILY_LANGUAGES, default_family_message
from ..web.context import (
    client_address,
    get_alerting,
    get_catalog,
    get_db,
    get_keyring,
    get_schedule,
    get_vault,
    now,
)
from ..web.device_auth import require_device
from ..web.errors import ApiError, ErrorSchema, RateLimited
from ..records.feed import (add_triggered_tasks, feed_sources, note_answered_task,
                            refresh_patient_feed, task_checker)
from ..records.patients import patient_facts
from .push_body import ID_MAX, OUTBOX_PENDING_MAX, SEALED_MAX, read_push_body
from .sync_schemas import EntryAlertSchema, EntryErrorSchema, change_data

blueprint = Blueprint("sync", __name__, url_prefix="",
                      description="The companion app's protocol: keys, enrolment, push, pull.")

MAX_ENTRIES = 500
ENROL_WINDOW = timedelta(minutes=15)
ENROL_MAX_FAILURES = 10
SYNC_GRANULARITY = timedelta(minutes=1)
RESULT_STATUSES = ("accepted", "duplicate", "quarantined", "rejected")
NOT_JSON = "The body was not sent as Content-Type: application/json."
NO_DEVICE = "No device token, an unknown one (unauthorized) or a revoked one (device_revoked)."


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class KeySchema(Schema):
    kid = fields.String()
    suite = fields.String()
    public_key = fields.String(metadata={"description": "32 raw bytes, base64url"})
    created_at = fields.String()


class KeySetSchema(Schema):
    current = fields.String()
    keys = fields.List(fields.Nested(KeySchema))


class ReplacesSchema(Schema):
    device_id = fields.String(required=True, validate=validate.Length(1, 64))
    device_token = fields.String(required=True, validate=validate.Length(1, 200))


class EnrolSchema(Schema):
    enrollment_code = fields.String(required=True, validate=validate.Length(1, 64))
    device_name = fields.String(required=True, validate=validate.Length(1, ID_MAX))
    platform = fields.String(required=True, validate=validate.OneOf(PLATFORMS))
    app_version = fields.String(required=True, validate=validate.Length(1, 50))
    replaces = fields.Nested(ReplacesSchema, metadata={
        "description": "the device this phone was before re-enrolling, proven by its token, "
                       "so entries it sealed then can still be pushed"})


class EnrolledSchema(Schema):
    device_id = fields.String()
    device_token = fields.String(metadata={"description": "secret, shown once"})
    patient_id = fields.String()
    respondent = fields.String()
    keys = fields.Nested(KeySetSchema)


class EnvelopeSchema(Schema):
    entry_id = fields.String(required=True, validate=validate.Length(1, ID_MAX))
    kid = fields.String(required=True, validate=validate.Length(1, ID_MAX))
    sealed = fields.String(required=True, validate=validate.Length(1, SEALED_MAX))


class PushSchema(Schema):
    # A custom field: without type and format the OpenAPI document would allow anything.
    sent_at = Rfc3339(required=True, metadata={"type": "string", "format": "date-time"})
    outbox_pending = fields.Integer(validate=validate.Range(0, OUTBOX_PENDING_MAX),
                                    allow_none=True)
    entries = fields.List(fields.Nested(EnvelopeSchema), required=True)

    def load(self, data, *, many=None, partial=None, unknown=None):
        """A plainly well-formed push is read in plain Python (server/api/push_body.py);
        anything else by the schema, for its own answer."""
        if many is None and partial is None and unknown is None:
            loaded = read_push_body(data)
            if loaded is not None:
                return loaded
        return super().load(data, many=many, partial=partial, unknown=unknown)


class EntryResultSchema(Schema):
    entry_id = fields.String()
    status = fields.String(validate=validate.OneOf(RESULT_STATUSES), metadata={
        "description": "accepted, duplicate, quarantined or rejected"})
    alert = fields.Nested(EntryAlertSchema, allow_none=True, metadata={
        "description": "accepted, duplicate and quarantined: the alert this entry is part "
                       "of, at its level now; null: it is part of none. Absent on rejected."})
    error = fields.Nested(EntryErrorSchema, metadata={
        "description": "quarantined and rejected: why"})


class PushResultSchema(Schema):
    server_time = fields.String()
    results = fields.List(fields.Nested(EntryResultSchema))


class PullQuerySchema(Schema):
    cursor = fields.String(validate=validate.Length(1, 2000))
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 500))


class ChangeSchema(Schema):
    type = fields.String(metadata={"description": "keys, profile, schedule, questionnaire, "
                                                  "task, rules or alert; more may come"})
    op = fields.String(validate=validate.OneOf(["upsert", "delete"]))
    id = fields.String()
    data = change_data(KeySetSchema)


class PullResultSchema(Schema):
    server_time = fields.String()
    cursor = fields.String()
    has_more = fields.Boolean()
    changes = fields.List(fields.Nested(ChangeSchema))


@blueprint.route("/keys", methods=["GET"])
@blueprint.response(200, KeySetSchema)
def keys():
    """The server's entry-sealing public keys; apps cache them and seal to `current`."""
    return get_keyring().public_document()


@blueprint.route("/devices", methods=["POST"])
@blueprint.arguments(EnrolSchema)
@blueprint.response(201, EnrolledSchema)
@blueprint.alt_response(403, schema=ErrorSchema,
                        description="`replaces` names a device of another patient, or its "
                                    "token is wrong; the code is not spent.")
@blueprint.alt_response(404, schema=ErrorSchema, description="No such enrolment code.")
@blueprint.alt_response(410, schema=ErrorSchema,
                        description="The code was used (enrollment_code_used) or expired "
                                    "(enrollment_code_expired).")
@blueprint.alt_response(415, schema=ErrorSchema, description=NOT_JSON)
@blueprint.alt_response(429, schema=ErrorSchema,
                        description="Too many wrong codes from this address; see Retry-After.")
def enrol(body):
    """Exchange a one-time enrolment code for a device id and token."""
    db, moment, address = get_db(), now(), client_address()
    with storage.write_transaction(db):  # counted as failed until the code proves good
        attempt_id = admit_attempt(db, address, moment, moment - ENROL_WINDOW,
                                   ENROL_MAX_FAILURES)
    if attempt_id is None:
        raise RateLimited("Too many wrong enrolment codes from this address; wait and try "
                          "again.", retry_after_seconds=ENROL_WINDOW.total_seconds())
    vault = get_vault()
    with storage.write_transaction(db):
        enrolled = redeem_code(
            db, body["enrollment_code"], device_name=body["device_name"],
            platform=body["platform"], app_version=body["app_version"], now=moment,
            replaces=body.get("replaces"),
            seal_name=lambda patient_id, device_id, name: vault.for_patient(
                db, patient_id).seal_text("devices", device_id, "device_name", name))
        note_success(db, attempt_id)
    return {**enrolled, "keys": get_keyring().public_document()}


@blueprint.route("/sync/push", methods=["POST"])
@require_device
@blueprint.arguments(PushSchema)
@blueprint.response(200, PushResultSchema)
@blueprint.alt_response(401, schema=ErrorSchema, description=NO_DEVICE)
@blueprint.alt_response(413, schema=ErrorSchema,
                        description="Over 500 entries or 2 MiB; `details` has the limits.")
@blueprint.alt_response(415, schema=ErrorSchema, description=NOT_JSON)
@blueprint.doc(security=[{"bearer": []}])
def push(body):
    """Sealed entries from the device's outbox; one result per entry, in order."""
    if len(body["entries"]) > MAX_ENTRIES:
        raise PayloadTooLarge(
            f"A push holds at most {MAX_ENTRIES} entries; this one has "
            f"{len(body['entries'])}. Send smaller batches.",
            details={"max_entries": MAX_ENTRIES, "max_bytes": 2 * 1024 * 1024})
    db, moment, device = get_db(), now(), g.device
    check_sent_at(body["sent_at"], moment)
    offset = round((moment - body["sent_at"]).total_seconds(), 3)
    # Before the lock, in one snapshot: open, parse, validate, score and seal every entry,
    # and judge the diaries against the child's history (sync/prepare.py,
    # alerts/foresight.py). It only reads, so two workers do it side by side.
    with storage.read_snapshot(db):
        context, prepared = prepare_push(db, device, moment, offset, body["entries"])
        foresight = foresee(db, context, prepared, moment)
    with storage.write_transaction(db):
        if not foresight.same_patient(db):
            # The child's dates changed in between (a rare staff edit): prepare again,
            # under the lock, and judge every entry here.
            context, prepared = prepare_push(db, device, moment, offset, body["entries"])
        context.on_entry_stored = entry_consequences(db, context.patient, moment, foresight)
        results = write_entries(context, prepared)
        note_checkins(db, context.stored)
        db.execute("UPDATE devices SET last_sync_at = ?, outbox_pending = ?, "
                   "clock_offset_seconds = ? WHERE id = ?",
                   [to_db(moment), body.get("outbox_pending"), offset, device["id"]])
    return {"server_time": to_wire(moment), "results": results}


def prepare_push(db, device, moment, offset, envelopes):
    """(the push's context, its entries prepared), reading only."""
    patient = patient_facts(db, get_vault(), device["patient_id"], moment)
    context = PushContext(db=db, keyring=get_keyring(), catalog=get_catalog(),
                          cipher=patient["cipher"], device=device, patient=patient,
                          now=moment, clock_offset_seconds=offset,
                          device_ids=sealing_device_ids(db, device),
                          alert_of_entry=alert_of_entry,
                          task_is_known=task_checker(db, get_catalog(), get_schedule(),
                                                     patient))
    return context, prepare_entries(context, envelopes)


def foresee(db, context, prepared, moment) -> Foresight:
    foresight = Foresight(db, context.cipher, context.patient, get_alerting().settings, moment)
    foresight.judge([item.stored for item in prepared
                     if item.stored is not None and not item.existed])
    return foresight


@blueprint.route("/sync/pull", methods=["GET"])
@require_device
@blueprint.arguments(PullQuerySchema, location="query")
@blueprint.response(200, PullResultSchema)
@blueprint.alt_response(401, schema=ErrorSchema, description=NO_DEVICE)
@blueprint.doc(security=[{"bearer": []}])
def pull_changes(query):
    """A full snapshot without a cursor, the changes since with one; pull while has_more."""
    db, moment, device = get_db(), now(), g.device
    patient = patient_facts(db, get_vault(), device["patient_id"], moment)
    refresh_patient_feed(db, get_catalog(), get_schedule(), patient, moment,
                         get_alerting().rules_signature(db, patient["patient_id"],
                                                        patient["cipher"]))
    context = FeedContext(db=db, device=device, patient=patient, now=moment,
                          secret=feed_secret(),
                          extras={"keyring": get_keyring(), "catalog": get_catalog(),
                                  "schedule": get_schedule(),
                                  "care_team": get_alerting().care_team,
                                  "clinical_profile": lambda patient_id:
                                  clinical_profile(db, patient_id),
                                  "rules_document": lambda patient_id: get_alerting()
                                  .rules_document(db, patient_id, patient["cipher"]),
                                  "default_messages": lambda row: {
                                      language: default_family_message(
                                          row, language, get_alerting().settings.ruleset)
                                      for language in FAMILY_LANGUAGES}})
    page = pull(context, feed_sources(), query.get("cursor"), query["limit"])
    note_delivered(db, page["changes"], moment)
    last_sync = from_db(device["last_sync_at"])
    if not page["has_more"] and (last_sync is None or moment - last_sync > SYNC_GRANULARITY):
        # At most a write a minute: an incremental pull should stay a read.
        db.execute("UPDATE devices SET last_sync_at = ? WHERE id = ?",
                   [to_db(moment), device["id"]])
    return {"server_time": to_wire(moment), **page}


def note_delivered(db, changes, moment):
    """The team's messages in this page reached the family's device: the first pull's time
    is their delivery time (a write only when something new was delivered)."""
    undelivered = [item for change in changes if change["type"] == "alert" and change["data"]
                   for item in change["data"].get("thread", ()) if item["delivered_at"] is None]
    if undelivered:
        with storage.write_transaction(db):
            mark_delivered(db, [item["message_id"] for item in undelivered], moment)
        for item in undelivered:
            item["delivered_at"] = to_wire(moment)


def entry_consequences(db, patient, moment, foresight):
    """What follows from a stored entry, under the lock: the safety rules (an alert and its
    notifications) and tasks the entry triggers (a neuro check after a neuro sign). A diary
    judged before the lock is recorded as judged while the child's history is still the
    snapshot's (`Foresight.holds`); otherwise it is judged again here, from the database."""
    alerting, catalog, schedule = get_alerting(), get_catalog(), get_schedule()
    notify = alerting.notifier(db, moment)
    memory = BatchMemory()  # this push's entries share what they unseal
    history_holds = foresight.holds(db)

    def consequences(db, stored, foreseen_holds):
        if history_holds and foreseen_holds and stored.foreseen is not None:
            alert = record_judgement(db, stored, stored.foreseen,
                                     overrides=foresight.overrides, cipher=patient["cipher"],
                                     settings=alerting.settings, now=moment, notify=notify)
        else:
            alert = assess_entry(db, stored, patient=patient, cipher=patient["cipher"],
                                 settings=alerting.settings, now=moment, notify=notify,
                                 memory=memory)
        add_triggered_tasks(db, catalog, schedule, patient, stored, moment)
        note_answered_task(db, patient, stored, moment)
        return alert
    return consequences


def feed_secret() -> bytes:
    from flask import current_app

    return current_app.config["SECRET_KEY"]
