"""A FHIR R4 Questionnaire back into the definition format.

This is how a site loads an instrument it holds a licence for: it drops the FHIR file in
its instruments directory. What FHIR cannot say (respondent, ages, scoring) comes from
Homeward's extensions or from the keyword arguments; the result goes through the same
checks as any shipped definition.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from .fhir_export import (
    HOMEWARD, ITEM_CONTROL, MAX_VALUE, MIN_VALUE, ORDINAL, TRANSLATION, UNIT,
)
from .loading import parse_definition
from .model import FORMAT, Definition, DefinitionError

TYPES = {"decimal": "decimal", "integer": "integer", "boolean": "boolean", "string": "text",
         "text": "text", "dateTime": "date-time", "choice": "choice", "open-choice": "choice"}
ANSWER_KINDS = ("Boolean", "Decimal", "Integer", "String", "DateTime", "Coding")


def from_fhir_questionnaire(resource: Mapping, *, source: str = "<fhir>", **overrides) -> Definition:
    """Overrides (id, variant, version, respondent, age_min, age_max) win over the resource."""
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "Questionnaire":
        raise DefinitionError(f"{source}: not a FHIR Questionnaire")
    unknown = set(overrides) - {"id", "variant", "version", "respondent", "age_min", "age_max"}
    if unknown:
        raise TypeError(f"unknown overrides: {', '.join(sorted(unknown))}")
    try:
        document = _document(resource, overrides, source)
    except DefinitionError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DefinitionError(f"{source}: cannot read the Questionnaire ({error})") from None
    return parse_definition(document, source)


def _document(resource, overrides, source) -> dict:
    ext = {e["url"][len(HOMEWARD):]: _value(e) for e in resource.get("extension", ())
           if str(e.get("url", "")).startswith(HOMEWARD)}

    def meta(name, key, fallback=None):
        value = overrides.get(name, ext.get(key, fallback))
        if value is None:
            raise DefinitionError(
                f"{source}: no {name}; add the extension {HOMEWARD}{key} or pass {name}=")
        return value

    primary = resource.get("language") or "en"
    languages = [primary]
    document = {
        "format": FORMAT,
        "id": meta("id", "instrument", resource.get("id")),
        "variant": meta("variant", "variant"),
        "version": overrides.get("version") or resource.get("version"),
        "status": "retired" if resource.get("status") == "retired" else "active",
        "respondent": meta("respondent", "respondent"),
        "age": {"min": meta("age_min", "age-min"), "max": overrides.get("age_max", ext.get("age-max"))},
        "languages": languages,
        "title": _texts(resource, "title", primary, languages),
        "presentation": ext.get("presentation", "standard"),
        "min_answers": ext.get("min-answers", 0),
        "items": [],
    }
    if resource.get("description"):
        document["description"] = _texts(resource, "description", primary, languages)
    codes: dict[str, dict] = {}  # linkId → {FHIR answer code: our value}, for enableWhen
    for item in _questions(resource.get("item", ())):
        document["items"].append(_item(item, primary, languages, codes, source))
    if "scoring" in ext:
        try:
            document["scoring"] = json.loads(ext["scoring"])
        except ValueError:
            raise DefinitionError(f"{source}: the scoring extension is not JSON") from None
    return document


def _questions(items):
    """Questions in screen order: groups are opened, help texts stay with their question."""
    for item in items:
        if item.get("type") == "group":
            yield from _questions(item.get("item", ()))
        elif item.get("type") != "display":
            yield item
            yield from _questions([c for c in item.get("item", ()) if not _is_help(c)])


def _item(item, primary, languages, codes, source) -> dict:
    link_id = item.get("linkId")
    kind = TYPES.get(item.get("type"))
    if kind is None:
        raise DefinitionError(f"{source}: item '{link_id}': FHIR type '{item.get('type')}' is not supported")
    ext = {e.get("url"): e for e in item.get("extension", ())}
    own_type = ext.get(HOMEWARD + "item-type")
    out = {"linkId": link_id, "type": kind, "text": _texts(item, "text", primary, languages)}
    if kind == "choice":
        out["options"], out["type"], codes[link_id] = _options(item, own_type, primary, languages)
    for url, name in ((MIN_VALUE, "min"), (MAX_VALUE, "max")):
        if url in ext:
            out[name] = _value(ext[url])
    if UNIT in ext:
        coding = ext[UNIT]["valueCoding"]
        out["unit"] = {"code": coding["code"], "display": coding.get("display") or coding["code"]}
    if item.get("required"):
        out["required"] = True
    if item.get("maxLength") is not None and kind == "text":
        out["maxLength"] = item["maxLength"]
    helps = [c for c in item.get("item", ()) if _is_help(c)]
    if helps:
        out["help"] = _texts(helps[0], "text", primary, languages)
    if item.get("enableWhen"):
        out["enableWhen"] = [_condition(c, codes) for c in item["enableWhen"]]
        if item.get("enableBehavior"):
            out["enableBehavior"] = item["enableBehavior"]
    return out


def _options(item, own_type, primary, languages):
    options, ordinals, codes = [], [], []
    for option in item.get("answerOption", ()):
        ext = {e.get("url"): e for e in option.get("extension", ())}
        if "valueCoding" in option:
            coding = option["valueCoding"]
            value = coding["code"]
            text = _texts(coding, "display", primary, languages) if coding.get("display") else {primary: value}
        else:
            value = str(_value(option))
            text = {primary: value}
        converted = {"value": value, "text": text}
        if HOMEWARD + "picture" in ext:
            converted["picture"] = _value(ext[HOMEWARD + "picture"])
        ordinals.append(_value(ext[ORDINAL]) if ORDINAL in ext else None)
        codes.append(value)
        options.append(converted)
    kind = _value(own_type) if own_type else None
    if kind is None and sorted(o for o in ordinals if o is not None) == [0, 1, 2, 3, 4] and len(ordinals) == 5:
        kind = "scale-0-4"  # a licensed 0-4 scale coded with LOINC answers still scores as 0-4
    if kind in ("scale-0-4", "faces"):
        for option, ordinal in zip(options, ordinals):
            option["value"] = int(ordinal if ordinal is not None else option["value"])
    else:
        kind = "multi-choice" if item.get("repeats") else "choice"
    return options, kind, {code: option["value"] for code, option in zip(codes, options)}


def _condition(condition, codes) -> dict:
    answer_key = next(f"answer{k}" for k in ANSWER_KINDS if f"answer{k}" in condition)
    answer = condition[answer_key]
    if answer_key == "answerCoding":
        answer = codes.get(condition["question"], {}).get(answer["code"], answer["code"])
    return {"question": condition["question"], "operator": condition["operator"], "answer": answer}


def _texts(element, name, primary, languages) -> dict:
    if not isinstance(element.get(name), str):
        where = f"item '{element['linkId']}'" if "linkId" in element else "the resource"
        raise ValueError(f"{where} has no {name}")
    texts = {primary: element[name]}
    for extension in element.get("_" + name, {}).get("extension", ()):
        if extension.get("url") == TRANSLATION:
            parts = {p.get("url"): _value(p) for p in extension.get("extension", ())}
            texts[parts["lang"]] = parts["content"]
            if parts["lang"] not in languages:
                languages.append(parts["lang"])
    return texts


def _is_help(item) -> bool:
    if item.get("type") != "display":
        return False
    for extension in item.get("extension", ()):
        if extension.get("url") == ITEM_CONTROL:
            codes = [c.get("code") for c in extension.get("valueCodeableConcept", {}).get("coding", ())]
            if "help" in codes or "flyover" in codes:
                return True
    return False


def _value(extension):
    """The value[x] of an extension or answerOption, whatever its type."""
    for key, value in extension.items():
        if key.startswith("value"):
            return value
    raise ValueError(f"no value in {extension.get('url', 'an element')}")
