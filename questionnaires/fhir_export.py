"""FHIR R4 Questionnaire and QuestionnaireResponse, as plain JSON-ready dicts.

Everything the definition format knows and FHIR has no element for (respondent, age
range, scoring, the faces and 0-4 scale kinds) rides in Homeward extensions, so that
exporting and importing again gives back the same definition. Translations use FHIR's
standard translation extension on each text.
"""
from __future__ import annotations

import json
import re
from datetime import datetime

from .languages import pick_language
from .model import Definition, Item
from .schemas import ScoreSchema
from .validation import validate_answers

HOMEWARD = "urn:homeward:fhir:extension:"  # replace with the project's canonical base once it has one
CANONICAL = "urn:homeward:questionnaire:"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
UNIT = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
UCUM = "http://unitsofmeasure.org"

FHIR_TYPES = {"decimal": "decimal", "integer": "integer", "boolean": "boolean", "choice": "choice",
              "multi-choice": "choice", "scale-0-4": "choice", "faces": "choice", "text": "text",
              "date-time": "dateTime"}
ANSWER_KEYS = {"decimal": "Decimal", "integer": "Integer", "boolean": "Boolean", "text": "String",
               "date-time": "DateTime"}


def canonical_url(definition: Definition) -> str:
    return f"{CANONICAL}{definition.id}:{definition.variant}"


def to_fhir_questionnaire(definition: Definition) -> dict:
    primary = definition.languages[0]
    resource = {
        "resourceType": "Questionnaire",
        "id": f"{definition.id}-{definition.variant}-{definition.version}"[:64],
        "language": primary,
        "extension": _definition_extensions(definition),
        "url": canonical_url(definition),
        "version": definition.version,
        "name": _name(definition),
        **_text_pair("title", definition.title, primary),
        "status": definition.status,
        "subjectType": ["Patient"],
    }
    if definition.description:
        resource.update(_text_pair("description", definition.description, primary))
    items = {item.link_id: item for item in definition.items}
    resource["item"] = [_item(item, items, primary) for item in definition.items]
    return resource


def to_fhir_response(definition: Definition, *, entry_id: str, patient_id: str, respondent: str,
                     recorded_at: datetime | str, answers, device_id: str | None = None,
                     language: str | None = None) -> dict:
    """An entry as a QuestionnaireResponse; only answers that pass validation are included."""
    if isinstance(recorded_at, str):
        recorded_at = datetime.fromisoformat(recorded_at)
    if recorded_at.utcoffset() is None:
        raise ValueError("recorded_at must be timezone-aware")
    language = pick_language(definition.languages, language)
    valid = validate_answers(definition, answers).valid_answers
    if respondent == "patient":
        who = {"reference": f"Patient/{patient_id}"}
    else:
        who = {"type": "RelatedPerson", "display": "Caregiver"}
        if device_id:
            who["identifier"] = {"system": "urn:homeward:device", "value": device_id}
    items = []
    for item in definition.items:
        if item.link_id in valid:
            entry = {"linkId": item.link_id, "text": item.text[language]}
            answer = _answers(item, valid[item.link_id], language)
            if answer:
                entry["answer"] = answer
            items.append(entry)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": entry_id,
        "language": language,
        "identifier": {"system": "urn:homeward:entry", "value": entry_id},
        "questionnaire": f"{canonical_url(definition)}|{definition.version}",
        "status": "completed",
        "subject": {"reference": f"Patient/{patient_id}"},
        "authored": recorded_at.isoformat(),
        "author": who,
        "source": who,
        "item": items,
    }


def _definition_extensions(definition: Definition) -> list[dict]:
    out = [_ext("instrument", "valueCode", definition.id), _ext("variant", "valueCode", definition.variant),
           _ext("respondent", "valueCode", definition.respondent),
           _ext("age-min", "valueInteger", definition.age_min)]
    if definition.age_max is not None:
        out.append(_ext("age-max", "valueInteger", definition.age_max))
    if definition.presentation != "standard":
        out.append(_ext("presentation", "valueCode", definition.presentation))
    if definition.min_answers:
        out.append(_ext("min-answers", "valueInteger", definition.min_answers))
    if definition.scores:
        scoring = ScoreSchema(many=True).dump(definition.scores)
        out.append(_ext("scoring", "valueString", json.dumps(scoring, separators=(",", ":"))))
    return out


def _item(item: Item, items: dict[str, Item], primary: str) -> dict:
    out = {"linkId": item.link_id, **_text_pair("text", item.text, primary), "type": FHIR_TYPES[item.type]}
    extensions = []
    if item.type in ("scale-0-4", "faces"):
        extensions.append(_ext("item-type", "valueCode", item.type))
    if item.unit is not None:
        extensions.append({"url": UNIT, "valueCoding": {"system": UCUM, "code": item.unit.code,
                                                         "display": item.unit.display}})
    number = "valueInteger" if item.type == "integer" else "valueDecimal"
    if item.min is not None:
        extensions.append({"url": MIN_VALUE, number: item.min})
    if item.max is not None:
        extensions.append({"url": MAX_VALUE, number: item.max})
    if extensions:
        out["extension"] = extensions
    if item.required:
        out["required"] = True
    if item.type == "multi-choice":
        out["repeats"] = True
    if item.max_length is not None:
        out["maxLength"] = item.max_length
    if item.options:
        out["answerOption"] = [_option(item, option, primary) for option in item.options]
    if item.enable_when:
        out["enableWhen"] = [_condition(c, items[c.question]) for c in item.enable_when]
        if len(item.enable_when) > 1:
            out["enableBehavior"] = item.enable_behavior
    if item.help:
        out["item"] = [{"linkId": f"{item.link_id}-help", **_text_pair("text", item.help, primary),
                        "type": "display", "extension": [{"url": ITEM_CONTROL, "valueCodeableConcept": {
                            "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help"}]}}]}]
    return out


def _option(item: Item, option, primary: str) -> dict:
    coding = {"code": str(option.value), **_text_pair("display", option.text, primary)}
    out = {"valueCoding": coding}
    extensions = []
    if isinstance(option.value, int):
        extensions.append({"url": ORDINAL, "valueDecimal": option.value})
    if option.picture:
        extensions.append(_ext("picture", "valueString", option.picture))
    if extensions:
        out["extension"] = extensions
    return out


def _condition(condition, question: Item) -> dict:
    out = {"question": condition.question, "operator": condition.operator}
    if condition.operator == "exists":
        out["answerBoolean"] = condition.answer
    elif question.options:
        out["answerCoding"] = {"code": str(condition.answer)}
    else:
        out["answer" + ANSWER_KEYS[question.type]] = condition.answer
    return out


def _answers(item: Item, value, language: str) -> list[dict]:
    if item.options:
        texts = {option.value: option.text for option in item.options}
        values = value if isinstance(value, list) else [value]
        return [{"valueCoding": {"code": str(v), "display": texts[v][language]}} for v in values]
    return [{"value" + ANSWER_KEYS[item.type]: value}]


def _text_pair(name: str, texts: dict[str, str], primary: str) -> dict:
    out = {name: texts[primary]}
    others = [(code, text) for code, text in texts.items() if code != primary]
    if others:
        out["_" + name] = {"extension": [{"url": TRANSLATION, "extension": [
            {"url": "lang", "valueCode": code}, {"url": "content", "valueString": text}]}
            for code, text in others]}
    return out


def _ext(name: str, kind: str, value) -> dict:
    return {"url": HOMEWARD + name, kind: value}


def _name(definition: Definition) -> str:
    words = re.split(r"[^A-Za-z0-9]+", f"{definition.id} {definition.variant}")
    name = "".join(word[:1].upper() + word[1:] for word in words if word)
    return name if name[:1].isalpha() else "Q" + name
