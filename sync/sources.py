"""What a device's feed holds, one Source per change type of PROTOCOL.md.

Questionnaires are keyed by questionnaire id, one per id: on a birthday that moves the child
into a new age band, the same id is upserted with the new variant, so the app never has to
choose between two variants of one questionnaire.
"""
import json
import threading
from datetime import timezone

from alerts.episodes import concerns_hidden_from
from questionnaires.model import NoVariantError
from questionnaires.schemas import TEXT_KEYS, dump_definition

from .pull import Source


def utc(moment) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def wire(text: str | None) -> str | None:
    """A stored UTC time as RFC 3339 on the wire."""
    if text is None:
        return None
    from datetime import datetime

    return datetime.fromisoformat(text).astimezone(timezone.utc).isoformat(
        timespec="seconds").replace("+00:00", "Z")


class KeysSource(Source):
    type = "keys"

    def snapshot(self, context):
        return [("keys", context.extras["keyring"].public_document())]

    def resolve(self, context, item_id):
        return context.extras["keyring"].public_document()


class ProfileSource(Source):
    type = "profile"

    def snapshot(self, context):
        return [(context.patient["patient_id"], self.resolve(context, None))]

    def resolve(self, context, item_id):
        patient = context.patient
        return {"patient_id": patient["patient_id"], "day0": patient["infusion_date"],
                "timezone": patient["timezone"], "language": patient["language"],
                "age_band": patient["age_band"], "respondent": context.device["respondent"],
                "care_team": context.extras.get("care_team"),
                # The codes the LICATS rule reads, so the app advises as the server does.
                **_clinical(context, patient["patient_id"])}


def _clinical(context, patient_id) -> dict:
    read = context.extras.get("clinical_profile")
    found = read(patient_id) if read else None
    return found or {"diagnosis": None, "organs_involved": None}


def chosen_definitions(catalog, patient, respondent, now) -> dict:
    """{questionnaire id: (definition, language)} for this patient and respondent today."""
    chosen = {}
    for questionnaire_id in catalog.ids():
        try:
            choice = catalog.choose(questionnaire_id, date_of_birth=patient["date_of_birth"],
                                    timezone=patient["timezone"], at=now,
                                    respondent=respondent, language=patient["language"])
        except NoVariantError:
            continue  # e.g. no self-report for a three-year-old
        chosen[questionnaire_id] = (choice.definition, choice.language)
    return chosen


class DumpedDefinitions:
    """Definitions as the feed sends them, dumped once per definition and language: the
    catalog never changes while the process runs, and dumping every questionnaire through
    marshmallow was most of a snapshot's time (bench/RESULTS.md). Callers get a deep copy,
    so nothing they do can reach the cached one."""

    def __init__(self):
        self._dumped, self._lock = {}, threading.Lock()

    def __call__(self, definition, language):
        key = (id(definition), language)
        with self._lock:
            found = self._dumped.get(key)
        if found is None or found[0] is not definition:
            found = (definition, json.dumps(in_every_language(definition, language)))
            with self._lock:
                self._dumped[key] = found
        return json.loads(found[1])


dumped_definition = DumpedDefinitions()


def in_every_language(definition, language) -> dict:
    """The definition in every language it has, so a parent can switch the questions to the
    language they read. The patient's language comes first, in `languages` and in every
    text (`{"es": ..., "en": ...}`), so a client that took the only language before takes
    the same one now (docs/protocol.md, "questionnaire items")."""
    document = dump_definition(definition)
    chosen = dump_definition(definition, language)["languages"][0]
    document["languages"] = [chosen, *(code for code in document["languages"] if code != chosen)]
    _put_first(document, chosen)
    return document


def _put_first(node, language):
    if isinstance(node, list):
        for child in node:
            _put_first(child, language)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, dict) and language in value:
                node[key] = {language: value[language],
                             **{code: text for code, text in value.items() if code != language}}
            else:
                _put_first(value, language)


class QuestionnaireSource(Source):
    type = "questionnaire"

    def _chosen(self, context):
        return chosen_definitions(context.extras["catalog"], context.patient,
                                  context.device["respondent"], context.now)

    def snapshot(self, context):
        return [(qid, dumped_definition(definition, language))
                for qid, (definition, language) in self._chosen(context).items()]

    def resolve(self, context, item_id):
        found = self._chosen(context).get(item_id)
        return None if found is None else dumped_definition(found[0], found[1])


class ScheduleSource(Source):
    """The schedule tasks come from, so an app offline past the 14-day horizon can make its
    own tasks with the same ids (questionnaires.task_id) and never duplicate the server's."""

    type = "schedule"

    def snapshot(self, context):
        return [(context.patient["patient_id"], self.resolve(context, None))]

    def resolve(self, context, item_id):
        return {"day0": context.patient["infusion_date"], "timezone": context.patient["timezone"],
                **context.extras["schedule"].to_dict()}


class TaskSource(Source):
    type = "task"

    def _rows(self, context, where, params):
        # answered_at: when the first accepted entry answering it was recorded, by any phone
        # of this respondent, so a second parent's phone stops showing it as due.
        return context.db.query(
            "SELECT task_id, questionnaire_id, questionnaire_version, variant, respondent, due_at, "
            "closes_at, (SELECT min(entries.recorded_at) FROM entries "
            "WHERE entries.patient_id = tasks.patient_id AND entries.task_id = tasks.task_id "
            "AND entries.status = 'accepted') AS answered_at "
            f"FROM tasks WHERE patient_id = ? AND respondent = ? {where}",
            [context.patient["patient_id"], context.device["respondent"], *params])

    @staticmethod
    def _data(row):
        return {**row, "due_at": wire(row["due_at"]), "closes_at": wire(row["closes_at"]),
                "answered_at": wire(row["answered_at"])}

    def snapshot(self, context):
        # Tasks still open: a closed task is history, and the app cannot fill it any more.
        return [(row["task_id"], self._data(row))
                for row in self._rows(context, "AND closes_at > ?", [utc(context.now)])]

    def resolve(self, context, item_id):
        rows = list(self._rows(context, "AND task_id = ?", [item_id]))
        return self._data(rows[0]) if rows else None


# How a questionnaire item is sent: every language of the definition (since the family app's
# language choice). Part of the signature, so a device that pulled a one-language item
# before gets the item again once, at its next pull.
SENT_AS = "+all-languages"


def variants_signature(catalog, patient, now) -> str:
    """Which variant each respondent gets today, as sent; when it changes, the feed tells devices."""
    return json.dumps({
        respondent: {qid: f"{definition.key}{SENT_AS}" for qid, (definition, _language)
                     in chosen_definitions(catalog, patient, respondent, now).items()}
        for respondent in ("caregiver", "patient")}, sort_keys=True)


class AlertSource(Source):
    """The care team's handling of alerts raised from this family's entries. The message is
    the team's own when they wrote one, else what to do now, from the rules' advice.

    A caregiver's own concerns never reach the child's phone: such an alert resolves to
    nothing there, so a change to it is sent as a delete (docs/protocol.md)."""

    type = "alert"
    RECENT_DAYS = 14

    def _rows(self, context, where, params):
        hidden = concerns_hidden_from(context.device["respondent"])
        if hidden:
            where += f" AND concern NOT IN ({', '.join('?' * len(hidden))})"
            params = [*params, *hidden]
        return context.db.query(
            "SELECT id, patient_id, reasons, level, status, first_entry_id, family_message, "
            f"acknowledged_at, resolved_at FROM alerts WHERE patient_id = ? {where}",
            [context.patient["patient_id"], *params])

    def _data(self, context, row):
        cipher = context.patient["cipher"]
        message, by_language = None, None
        if row["family_message"] is not None:
            message = cipher.open_json("alerts", row["id"], "family_message",
                                       row["family_message"])
        if message is None:
            # The server's own words, in every language it has them, so a parent who
            # switched the app to Spanish reads them in Spanish; the team's own words are
            # never offered in another language, since nobody translated them.
            by_language = context.extras["default_messages"](row)
            language = context.patient["language"].split("-")[0]
            message = by_language.get(language, by_language["en"])
        data = {"alert_id": row["id"], "entry_id": row["first_entry_id"],
                "level": row["level"], "status": row["status"],
                "reasons": json.loads(row["reasons"]), "message": message,
                # "The team saw this at 14:05": when someone first took the alert on.
                "acknowledged_at": wire(row["acknowledged_at"]),
                "thread": self._thread(context, row["id"])}
        if by_language is not None:
            data["message_by_language"] = by_language
        return data

    @staticmethod
    def _thread(context, alert_id):
        """The team's messages, oldest first; `message` above stays for older apps."""
        cipher = context.patient["cipher"]
        return [{"message_id": row["id"], "kind": row["kind"],
                 "text": cipher.open_json("alert_messages", row["id"], "body", row["body"]),
                 "sent_at": wire(row["sent_at"]), "delivered_at": wire(row["delivered_at"]),
                 "read_at": wire(row["read_at"])}
                for row in context.db.query(
                    "SELECT id, kind, body, sent_at, delivered_at, read_at FROM alert_messages "
                    "WHERE alert_id = ? ORDER BY sent_at, rowid", [alert_id])]

    def snapshot(self, context):
        from datetime import timedelta

        since = utc(context.now - timedelta(days=self.RECENT_DAYS))
        rows = self._rows(context, "AND (status != 'resolved' OR resolved_at >= ?)", [since])
        return [(row["id"], self._data(context, row)) for row in rows]

    def resolve(self, context, item_id):
        rows = list(self._rows(context, "AND id = ?", [item_id]))
        return self._data(context, rows[0]) if rows else None


class RulesSource(Source):
    """The safety rules the app evaluates offline: the very document the server runs, with
    this site's thresholds and this child's overrides (docs/rules.md)."""

    type = "rules"

    def snapshot(self, context):
        return [("rules", self.resolve(context, "rules"))]

    def resolve(self, context, item_id):
        return context.extras["rules_document"](context.patient["patient_id"])
