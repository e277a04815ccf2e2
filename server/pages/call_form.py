"""Reading the call form: every problem found at once, each worded for the field it belongs
to, so a refused form is drawn again with what the nurse typed and the problem beside the
field. She may be typing while a parent waits on the phone: one problem at a time, or an
error page that loses the form, would make her type the call again.

The clinic API checks the same body (server.records.calls, alerts.calls); these checks come
first only to say what is wrong in the form's own words.
"""
from alerts.calls import DISPOSITIONS, RECHECK_MINUTES
from alerts.triage import BREATHING, DIZZINESS, DRINKING, PASSING_URINE, TEMPERATURE_METHODS
from questionnaires import validate_answers

CHOICES = {"temperature_method": TEMPERATURE_METHODS, "breathing": BREATHING,
           "drinking": DRINKING, "passing_urine": PASSING_URINE, "dizziness": DIZZINESS}
TEMPERATURE_C = (30, 45)
SPO2_PERCENT = (50, 100)


class CallFormErrors(Exception):
    """The form as typed could not be a call record: `errors` maps each form field to a
    sentence, in the order of the form."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def field_order(neuro_definition) -> list[str]:
    """The form's fields top to bottom: the first one with a problem takes the focus."""
    neuro = [f"neuro_{item.link_id}" for item in neuro_definition.items] if neuro_definition else []
    return ["answered", "reached", "temperature_c", *CHOICES, "spo2_percent", *neuro,
            "disposition", "recheck_minutes", "note"]


def in_order(errors, neuro_definition) -> dict[str, str]:
    order = field_order(neuro_definition)
    return dict(sorted(errors.items(), key=lambda item: order.index(item[0])
                       if item[0] in order else len(order)))


def number(form, name, kind, errors, problem):
    """A decimal comma is read as a point (38,5); an empty box is "not asked", not zero."""
    raw = (form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        errors[name] = problem
        return None
    if value != value or value in (float("inf"), float("-inf")):  # nan, inf
        errors[name] = problem
        return None
    return value


def read_findings(form, errors) -> dict:
    low, high = TEMPERATURE_C
    temperature = number(form, "temperature_c", float, errors,
                         "Enter the temperature as a number, like 38.5.")
    if temperature is not None and not low <= temperature <= high:
        errors["temperature_c"] = (f"Enter a temperature between {low} and {high} °C "
                                   f"({form.get('temperature_c', '').strip()} is outside).")
        temperature = None
    low, high = SPO2_PERCENT
    spo2 = number(form, "spo2_percent", int, errors,
                  f"Enter the oxygen saturation as a whole number from {low} to {high}.")
    if spo2 is not None and not low <= spo2 <= high:
        errors["spo2_percent"] = (f"Enter an oxygen saturation from {low} to {high} % "
                                  f"({spo2} is outside).")
        spo2 = None
    findings = {"temperature_c": temperature, "spo2_percent": spo2}
    for field, allowed in CHOICES.items():
        value = form.get(field) or None
        if value is not None and value not in allowed:
            errors[field] = "Choose an answer from the list."
            value = None
        findings[field] = value
    return {key: value for key, value in findings.items() if value is not None}


def neuro_problem(item, error) -> str:
    """The questionnaire checker's finding about one item, as the nurse should read it."""
    if error.code == "required":
        return "Answer this too, or leave the whole assessment empty."
    if error.code == "not_enabled":
        return "This question does not apply here: leave it empty."
    if item.type in ("integer", "decimal") and item.min is not None and item.max is not None:
        return f"Enter a number from {item.min:g} to {item.max:g}."
    if item.options:
        return "Choose an answer from the list."
    return error.message


def read_neuro(form, definition, errors) -> dict | None:
    """The nurse's assessment by item, or None if she left it all empty (she did not do
    it); checked by the same code that checks the family's."""
    if definition is None:
        return None
    answers = {}
    for item in definition.items:
        name = f"neuro_{item.link_id}"
        raw = (form.get(name) or "").strip()
        if not raw:
            continue
        if item.type == "boolean":
            if raw not in ("yes", "no"):
                errors[name] = "Choose yes or no."
                continue
            answers[item.link_id] = raw == "yes"
        elif item.type == "text":
            answers[item.link_id] = raw[:2000]
        else:
            value = number(form, name, int, errors, "Enter a whole number.")
            if value is not None:
                answers[item.link_id] = value
    typed = [item for item in definition.items if (form.get(f"neuro_{item.link_id}") or "").strip()]
    if not typed:
        return None
    items = {item.link_id: item for item in definition.items}
    for error in validate_answers(definition, answers).errors:
        name = f"neuro_{error.field}"
        if error.field in items and name not in errors:
            errors[name] = neuro_problem(items[error.field], error)
    return answers


def read_decision(form, answered, errors) -> tuple:
    disposition = form.get("disposition") or None
    if disposition is not None and disposition not in DISPOSITIONS:
        errors["disposition"] = "Choose what happens next from the list."
        return None, None
    if answered and disposition is None:
        errors["disposition"] = "Choose what happens next."
    if not answered and disposition is not None:
        errors["disposition"] = ("Nobody answered: leave this as \"None (no answer)\", or "
                                 "choose \"Someone answered\" above.")
    if disposition != "recheck":
        return disposition, None  # minutes left over from a changed mind mean nothing
    low, high = RECHECK_MINUTES
    minutes = number(form, "recheck_minutes", int, errors, "Choose when to call back.")
    if minutes is None and "recheck_minutes" not in errors:
        errors["recheck_minutes"] = "Choose when to call back."
    elif minutes is not None and not low <= minutes <= high:
        errors["recheck_minutes"] = "Choose when to call back from the list."
        minutes = None
    return disposition, minutes


def read_call_form(form, neuro_definition) -> dict:
    """The form as the API's body (server.api.calls.CallCreateSchema), or CallFormErrors
    naming every field that is wrong."""
    errors = {}
    answered = form.get("answered") != "no"
    reached = (form.get("reached") or "").strip()[:200] or None
    if not answered:
        reached = None
    elif reached is None:
        errors["reached"] = "Say who you spoke to, or choose \"No answer\"."
    findings = read_findings(form, errors)
    neuro = read_neuro(form, neuro_definition, errors)
    if not answered and (findings or neuro):
        errors["answered"] = ("You chose \"No answer\" but filled in what they report: choose "
                              "\"Someone answered\" and say who, or clear those fields.")
    disposition, minutes = read_decision(form, answered, errors)
    if errors:
        raise CallFormErrors(in_order(errors, neuro_definition))
    return {"reached": reached, "findings": findings, "neuro_answers": neuro,
            "disposition": disposition, "recheck_minutes": minutes,
            "note": (form.get("note") or "").strip()[:5000] or None}


def errors_of_refusal(error, neuro_definition) -> dict[str, str] | None:
    """A refusal from the shared steps (server.records.calls, alerts.calls) that names form
    fields, as form errors; None when it is about the alert, not the form (a colleague
    resolved it meanwhile), which the alert page says in its own way."""
    fields = (getattr(error, "details", None) or {}).get("fields")
    if not isinstance(fields, dict) or not fields:
        return None
    found, order = {}, field_order(neuro_definition)
    for name, problems in fields.items():
        if name == "neuro_answers":
            for problem in problems if isinstance(problems, list) else []:
                field = problem.get("field") if isinstance(problem, dict) else None
                key = f"neuro_{field}" if field else next(
                    (name for name in order if name.startswith("neuro_")), "disposition")
                found.setdefault(key, "Check this answer: " + str(problem.get("message", "")))
        else:
            found[name] = error.message
    return in_order(found, neuro_definition)
