"""A patient's timeline for the care team, and their entries in full.

Both pages read unsealed symptom entries, so both are for nurses and physicians only (the
psychosocial team gets 403, PROTOCOL.md roles) and both write an `entries.read` audit row.
"""
import json
from datetime import timedelta

from flask import g

from alerts.intake import patient_overrides
from alerts.ruleset import RulesError, effective_parameters, load_default_ruleset

from ..records import audit
from ..api.devices import list_devices
from ..auth import require_staff
from ..web.context import get_catalog, get_config, get_db, get_vault, now
from ..records.entries import read_entries
from ..records.grading import compatible_grades
from ..records.patients import get_patient, patient_facts
from ..records.trends import trend
from . import answers, blueprint, cards, charts, present
from .common import CARE_TEAM, render
from .inbox import alert_cards
from .latest_call import latest_call

# CRS and ICANS are judged on recent reports: a fever from last week is history, not state.
GRADING_WINDOW = timedelta(hours=72)
ENTRY_PAGE_LIMIT = 500


def fever_threshold(db, patient_id, cipher):
    """This child's fever line: a physician's override if one is set, else the rule set's."""
    ruleset = load_default_ruleset()
    try:
        values = effective_parameters(ruleset, None, patient_overrides(db, patient_id, cipher))
    except RulesError:
        values = ruleset.defaults
    return values.get("fever_threshold_c")


def readings(entries):
    return [{"questionnaire_id": entry.questionnaire_id, "variant": entry.variant,
             "answers": entry.answers, "scores": entry.scores} for entry in entries]


@blueprint.get("/patients/<patient_id>")
@require_staff(*CARE_TEAM)
def patient_timeline(patient_id):
    db, vault, moment = get_db(), get_vault(), now()
    patient = get_patient(db, vault, patient_id, moment)
    if patient["status"] != "active":
        return render("patient.html", patient=patient, erased=True)
    facts = patient_facts(db, vault, patient_id, moment)
    cipher, zone = facts["cipher"], get_config().site_timezone
    entries = read_entries(db, cipher, patient_id, newest_first=False)
    current = [entry for entry in entries if entry.superseded_by is None]
    recent = [entry for entry in current if entry.corrected_at >= moment - GRADING_WINDOW]
    crs, icans = compatible_grades(readings(recent))
    devices = [{**device, "flags": present.device_flags(device, moment),
                "last_sync_local": last_sync(device, zone, moment)}
               for device in list_devices(db, cipher, patient_id)]
    threshold = fever_threshold(db, patient_id, cipher)
    temperature = charts.temperature_chart(
        trend("temperature", entries, facts, fever_threshold_c=threshold), zone)
    neuro = charts.neuro_chart(trend("neuro_check", entries, facts), zone)
    quarantined = [entry for entry in reversed(entries) if entry.status == "quarantined"]
    alerts = [cards.with_version(card) for card in sorted(
        alert_cards(db, vault, g.staff.role, statuses=("open", "acknowledged", "resolved"),
                    patient_id=patient_id), key=lambda card: card["raised_at"], reverse=True)]
    audit.record(db, "patient.read", patient_id=patient_id, details={"view": "timeline"})
    audit.record(db, "entries.read", patient_id=patient_id,
                 details={"view": "timeline", "count": len(entries)})
    return render("patient.html", patient=patient, erased=False, grades=(crs, icans),
                  grading=grading_window(recent, zone, moment),
                  devices=devices, temperature=temperature, neuro=neuro,
                  symptoms=charts.symptom_rows(reversed(entries), zone),
                  quarantined=[entry_row(entry, zone, patient["timezone"],
                                         definition_of(get_catalog(), entry))
                               for entry in quarantined],
                  open_alerts=[card for card in alerts if card["status"] != "resolved"],
                  past_alerts=[card for card in alerts if card["status"] == "resolved"],
                  latest_call=latest_call(db, cipher, [card["alert_id"] for card in alerts],
                                          zone, moment),
                  next_url=f"/patients/{patient_id}#alerts")


def last_sync(device, zone, moment) -> str:
    at = present.parse(device["last_sync_at"])
    return f"{present.local(at, zone, True)} ({present.relative(at, moment)})" if at else ""


def grading_window(recent, zone, moment) -> dict:
    """The dates the grading box speaks for: a verdict means nothing without them."""
    latest = max((entry.corrected_at for entry in recent), default=None)
    return {"hours": int(GRADING_WINDOW.total_seconds() // 3600),
            "start": present.local(moment - GRADING_WINDOW, zone, True),
            "end": present.local(moment, zone, True), "count": len(recent),
            "latest": present.local(latest, zone, True) if latest else None}


def readable_document(text):
    """What the phone sent, indented when it is JSON; as it came when it is not."""
    if text is None:
        return None
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # quarantined for being not JSON, or too deep
        return text


def entry_row(entry, zone, family_zone, definition=None) -> dict:
    view = entry.view()
    document = readable_document(view["document"])
    if view.get("problems"):  # the machine's own words, beside what the phone sent
        document = "\n".join([*(f"{p.get('code')} {p.get('field') or ''}: {p.get('message')}"
                                 for p in view["problems"]), "", document or ""])
    return {**view, "document": document,
            "title": answers.words(definition.title) if definition else None,
            "variant_words": answers.variant_words(view.get("variant")),
            "problem_rows": answers.problem_rows(definition, view.get("problems")),
            "when": present.local(entry.corrected_at, zone, True),
            "when_family": present.family_time(entry.corrected_at, zone, family_zone, True),
            "device_time": present.local(entry.recorded_at, zone, True),
            "received": present.local(entry.received_at, zone, True)}


@blueprint.get("/patients/<patient_id>/entries")
@require_staff(*CARE_TEAM)
def patient_entries(patient_id):
    db, vault, moment = get_db(), get_vault(), now()
    patient = get_patient(db, vault, patient_id, moment)
    if patient["status"] != "active":
        return render("patient.html", patient=patient, erased=True)
    cipher = patient_facts(db, vault, patient_id, moment)["cipher"]
    found = read_entries(db, cipher, patient_id, limit=ENTRY_PAGE_LIMIT + 1)
    more = len(found) > ENTRY_PAGE_LIMIT
    found = found[:ENTRY_PAGE_LIMIT]
    phones = {device["device_id"]: device.get("device_name")
              for device in list_devices(db, cipher, patient_id)}
    audit.record(db, "entries.read", patient_id=patient_id,
                 details={"view": "entries", "count": len(found)})
    zone, catalog = get_config().site_timezone, get_catalog()
    rows = []
    for entry in found:
        definition = definition_of(catalog, entry)
        row = entry_row(entry, zone, patient["timezone"], definition)
        row["phone"] = phones.get(entry.device_id) or "a phone no longer enrolled"
        row["answer_rows"] = answers.answer_rows(definition, entry.answers, entry.scores)
        rows.append(row)
    return render("entries.html", patient=patient, more=more, limit=ENTRY_PAGE_LIMIT,
                  entries=rows)


def definition_of(catalog, entry):
    """The definition the entry names, or None (a quarantined or unknown document)."""
    if not entry.questionnaire_id or not entry.version:
        return None
    try:
        return catalog.get(entry.questionnaire_id, entry.version, entry.variant)
    except LookupError:
        return None
