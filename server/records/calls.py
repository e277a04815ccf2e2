"""The server's side of the nurse's call: the neuro assessment checked and scored by the
questionnaires room, the triage colour (alerts.triage) and the highest ASTCT grade the
findings are compatible with (server.records.grading, as for home data), sealed with the patient's
key; and the message thread, sealed the same way. The API and the pages both call these, so
a call recorded on a tablet and one sent by an integration leave the same record."""
from datetime import timedelta

from alerts import calls as domain
from alerts import messages
from alerts.triage import triage
from questionnaires import NoVariantError, score, validate_answers

from ..clock import from_db, to_wire
from ..web.errors import InvalidRequest
from .grading import compatible_grades
from .patients import patient_facts

BASE_VARIANTS = {"ice-style-staff": "ice-style", "capd-style-staff": "capd-style"}


def assess_neuro(catalog, patient, now, answers) -> dict:
    """The staff variant for the child's age today (ICE-style from 12, CAPD-style under),
    validated and scored by the same code as the family's checks."""
    try:
        choice = catalog.choose("neuro-check", date_of_birth=patient["date_of_birth"],
                                timezone=patient["timezone"], at=now, respondent="staff")
    except NoVariantError as error:
        raise InvalidRequest(f"No nurse's neuro assessment fits this child: {error}.") from None
    definition = choice.definition
    checked = validate_answers(definition, answers)
    if checked.errors:
        raise InvalidRequest("The neuro assessment is not complete or has answers that do not "
                             "fit: " + "; ".join(error.message for error in checked.errors[:5]),
                             details={"fields": {"neuro_answers": [
                                 error.to_dict() for error in checked.errors]}})
    return {"variant": definition.variant, "version": definition.version,
            "answers": checked.valid_answers, "scores": score(definition, answers)}


def grades_of(findings, neuro) -> list[dict]:
    """What grading.py makes of the phone findings, read as a diary entry and a neuro check
    of the family's own variant would be."""
    answers = {"temperature_c": findings.get("temperature_c"),
               "spo2_percent": findings.get("spo2_percent"),
               "breathing_difficulty": findings.get("breathing") in ("faster_or_harder",
                                                                     "struggling"),
               "dizzy_or_fainting": findings.get("dizziness") in ("dizzy", "fainted")}
    readings = [{"questionnaire_id": "symptom-diary",
                 "answers": {k: v for k, v in answers.items() if v is not None}}]
    if neuro:
        readings.append({"questionnaire_id": "neuro-check",
                         "variant": BASE_VARIANTS[neuro["variant"]], "scores": neuro["scores"]})
    return [{"syndrome": found.syndrome, "grade": found.grade, "label": found.label,
             "reasons": list(found.reasons)} for found in compatible_grades(readings)]


def neuro_for_triage(neuro):
    if not neuro:
        return None
    return {"variant": BASE_VARIANTS[neuro["variant"]], "total": neuro["scores"].get("total")}


def record_call(db, vault, catalog, *, alert_row, staff_name, body, now, lapse_minutes):
    """`body`: reached (text or None), findings, neuro_answers, disposition,
    recheck_minutes, note, as the API's schema loads them. Returns (alert row, call id)."""
    patient_id = alert_row["patient_id"]
    patient = patient_facts(db, vault, patient_id, now)
    reached = body.get("reached")
    findings = body.get("findings") or {}
    neuro = None
    if body.get("neuro_answers"):
        neuro = assess_neuro(catalog, patient, now, body["neuro_answers"])
    if not reached and (findings or neuro):
        raise InvalidRequest("Nobody was reached: a call with findings must say who told "
                             "them.", details={"fields": {"reached": ["Say who you spoke to."]}})
    colour = triage(findings, neuro_for_triage(neuro))["colour"] if reached else None
    details = {"reached": reached, "findings": findings, "neuro": neuro,
               "note": body.get("note")}
    cipher = patient["cipher"]
    return domain.record_call(
        db, alert_row["id"], staff_id=staff_name, now=now, reached=bool(reached),
        disposition=body.get("disposition"), recheck_minutes=body.get("recheck_minutes"),
        triage=colour, neuro_variant=neuro["variant"] if neuro else None,
        seal_details=lambda call_id: cipher.seal_json("alert_calls", call_id, "details",
                                                      details),
        lapse=timedelta(minutes=lapse_minutes))


def call_view(row, cipher) -> dict:
    details = (cipher.open_json("alert_calls", row["id"], "details", row["details"])
               if cipher is not None else {}) or {}
    findings, neuro = details.get("findings") or {}, details.get("neuro")
    view = {"call_id": row["id"], "alert_id": row["alert_id"], "called_by": row["called_by"],
            "called_at": to_wire(from_db(row["called_at"])), "reached": details.get("reached"),
            "answered": bool(row["reached"]), "findings": findings, "neuro": neuro,
            "disposition": row["disposition"], "recheck_minutes": row["recheck_minutes"],
            "note": details.get("note"), "triage": None, "grades": []}
    if row["reached"]:
        view["triage"] = triage(findings, neuro_for_triage(neuro))
        view["grades"] = grades_of(findings, neuro)
    return view


def calls_of(db, cipher, alert_id) -> list[dict]:
    return [call_view(row, cipher) for row in domain.list_calls(db, alert_id)]


def add_to_thread(db, cipher, alert_row, kind, sent_by, text, now):
    """A message to the family joins the alert's thread (and stays its latest message)."""
    if text is None:
        return None
    return messages.post_message(
        db, alert_row, kind=kind, sent_by=sent_by, now=now,
        seal_body=lambda message_id: cipher.seal_json("alert_messages", message_id, "body",
                                                      text))


def message_view(row, cipher, *, for_family=False) -> dict:
    view = {"message_id": row["id"], "kind": row["kind"],
            "text": cipher.open_json("alert_messages", row["id"], "body", row["body"])
            if cipher is not None else None,
            "sent_at": to_wire(from_db(row["sent_at"])),
            "delivered_at": to_wire(from_db(row["delivered_at"])),
            "read_at": to_wire(from_db(row["read_at"]))}
    if not for_family:
        view["sent_by"] = row["sent_by"]
    return view


def thread_of(db, cipher, alert_id) -> list[dict]:
    return [message_view(row, cipher)
            for row in messages.threads(db, [alert_id]).get(alert_id, [])]


def claim_view(row, now) -> dict | None:
    held = domain.active_claim(row, now)
    if held is None:
        return None
    return {"by": held["by"], "since": to_wire(from_db(held["since"])),
            "until": to_wire(from_db(held["until"]))}
