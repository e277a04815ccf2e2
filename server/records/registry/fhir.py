"""The dataset as a FHIR R4 Bundle (type `collection`): a Patient carrying the pseudonym
only, a Condition for the disease, an AdverseEvent per toxicity event with its grade, an
Observation per score and a QuestionnaireResponse per long-term follow-up form.

No resource holds a calendar date: days after the infusion ride in a Homeward extension,
since FHIR has no element for a date relative to day 0. Ids and fullUrls are derived from
the pseudonym, so the same data give the same Bundle; keys keep the order they are written
in here, `resourceType` first.
"""
import uuid

from questionnaires.fhir_export import CANONICAL, HOMEWARD, UCUM

from ..vocabulary import (CAR_TARGETS, DIAGNOSES, GRADING, KINDS, LYMPHODEPLETION, ORGANS,
                          TREATMENTS)
from .dataset import FOLLOW_UP, FOLLOW_UP_ITEMS

CODES = "urn:homeward:code:"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
GENDER = {"female": "female", "male": "male", "intersex": "other", "unknown": "unknown"}
INTEGER_ITEMS = ("hospital_nights", "days_missed")
BOOLEAN_ITEMS = ("infection", "hospital_stay", "new_lump")


def full_url(site_code, registry, local_id) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                        f"urn:homeward:{site_code}:{registry}:{local_id}"))


def ext(name, kind, value) -> dict:
    return {"url": HOMEWARD + name, kind: value}


def coding(system, code, labels=None) -> dict:
    out = {"system": CODES + system, "code": code}
    if labels and code in labels:
        out["display"] = labels[code]
    return out


def concept(system, code, labels=None) -> dict:
    return {"coding": [coding(system, code, labels)]}


def to_bundle(dataset) -> dict:
    site, registry = dataset["site_code"], dataset["registry"]
    entries = []
    for child in dataset["patients"]:
        for resource in child_resources(child, site, registry):
            local_id = f"{resource['resourceType']}/{resource['id']}"
            entries.append({"fullUrl": full_url(site, registry, local_id),
                            "resource": resource})
    bundle = {"resourceType": "Bundle",
              "id": f"{site}-{registry}".replace("_", "-")[:64],
              "identifier": {"system": "urn:homeward:registry-export",
                             "value": f"{site}:{registry}"},
              "type": "collection"}
    if entries:  # FHIR JSON holds no empty arrays: an export of nobody has no `entry`
        bundle["entry"] = entries
    return bundle


def child_resources(child, site, registry) -> list[dict]:
    pseudonym = child["pseudonym"]
    subject = {"reference": full_url(site, registry, f"Patient/{pseudonym}")}
    resources = [patient(child, site, registry), condition(child, subject)]
    resources += [adverse_event(pseudonym, event, subject) for event in child["events"]]
    resources += [observation(pseudonym, number, row, subject)
                  for number, row in enumerate(child["scores"], 1)]
    resources += [questionnaire_response(pseudonym, number, row, subject)
                  for number, row in enumerate(child["follow_ups"], 1)]
    return resources


def patient(child, site, registry) -> dict:
    extensions = [ext("age-at-infusion-years", "valueInteger", child["age_at_infusion_years"]),
                  ext("car-target", "valueCoding",
                      coding("car-target", child["car_target"], CAR_TARGETS)),
                  ext("consent-day-post-infusion", "valueInteger", child["consent_day"]),
                  ext("site-code", "valueCode", site)]
    if child["lymphodepletion"]:
        extensions.append(ext("lymphodepletion", "valueCoding", coding(
            "lymphodepletion", child["lymphodepletion"], LYMPHODEPLETION)))
    if child["sex_at_birth"]:
        extensions.append(ext("sex-at-birth", "valueCode", child["sex_at_birth"]))
    return {"resourceType": "Patient", "id": child["pseudonym"], "extension": extensions,
            "identifier": [{"system": f"urn:homeward:registry:{registry}:{site}",
                            "value": child["pseudonym"]}],
            "gender": GENDER.get(child["sex_at_birth"], "unknown")}


def condition(child, subject) -> dict:
    out = {"resourceType": "Condition", "id": f"{child['pseudonym']}-diagnosis",
           "category": [{"coding": [{"system": TERMINOLOGY + "condition-category",
                                     "code": "problem-list-item"}]}],
           "code": concept("diagnosis", child["diagnosis"], DIAGNOSES)}
    if child["organs_involved"]:
        out["bodySite"] = [concept("organ", organ, ORGANS) for organ in child["organs_involved"]]
    out["subject"] = subject
    return out


def adverse_event(pseudonym, event, subject) -> dict:
    grade, system = event["grade"], event["grading_system"]
    extensions = [
        ext("grade", "valueCodeableConcept", {"coding": [{
            "system": CODES + "grade:" + system, "code": str(grade),
            "display": f"{GRADING[system]} grade {grade}"}]}),
        ext("onset-day-post-infusion", "valueInteger", event["onset_day"])]
    for name, key in (("resolution-day-post-infusion", "resolution_day"),
                      ("duration-days", "duration_days"), ("icu-days", "icu_days"),
                      ("home-alerts", "home_alerts")):
        if event[key] is not None:
            extensions.append(ext(name, "valueInteger", event[key]))
    extensions += [ext("treatment", "valueCoding", coding("treatment", treatment, TREATMENTS))
                   for treatment in event["treatments"]]
    if grade == 5:
        outcome = "fatal"
    else:
        outcome = "ongoing" if event["resolution_day"] is None else "resolved"
    return {"resourceType": "AdverseEvent",
            "id": f"{pseudonym}-event-{event['event_number']}", "extension": extensions,
            "actuality": "actual", "event": concept("toxicity", event["kind"], KINDS),
            "subject": subject,
            "seriousness": {"coding": [{"system": TERMINOLOGY + "adverse-event-seriousness",
                                        "code": "serious" if grade >= 3 else "non-serious"}]},
            "severity": {"coding": [{"system": TERMINOLOGY + "adverse-event-severity",
                                     "code": ("mild", "moderate")[grade - 1]
                                     if grade < 3 else "severe"}]},
            "outcome": {"coding": [{"system": TERMINOLOGY + "adverse-event-outcome",
                                    "code": outcome}]}}


def observation(pseudonym, number, row, subject) -> dict:
    extensions = [ext("day-post-infusion", "valueInteger", row["day_post_infusion"])]
    if row["variant"]:
        extensions.append(ext("variant", "valueCode", row["variant"]))
    return {"resourceType": "Observation", "id": f"{pseudonym}-score-{number}",
            "extension": extensions,
            "status": "final",
            "category": [{"coding": [{"system": TERMINOLOGY + "observation-category",
                                      "code": "survey"}]}],
            "code": concept("score", f"{row['questionnaire']}/{row['score']}"),
            "subject": subject,
            "valueQuantity": {"value": row["value"], "unit": "score", "system": UCUM,
                              "code": "{score}"}}


def questionnaire_response(pseudonym, number, row, subject) -> dict:
    items = []
    for link_id in FOLLOW_UP_ITEMS:
        value = row[link_id]
        if value is None or value == []:
            continue
        if link_id in BOOLEAN_ITEMS:
            answers = [{"valueBoolean": value}]
        elif link_id in INTEGER_ITEMS:
            answers = [{"valueInteger": value}]
        else:
            answers = [{"valueCoding": {"code": str(code)}}
                       for code in (value if isinstance(value, list) else [value])]
        items.append({"linkId": link_id, "answer": answers})
    return {"resourceType": "QuestionnaireResponse", "id": f"{pseudonym}-follow-up-{number}",
            "extension": [ext("day-post-infusion", "valueInteger", row["day_post_infusion"]),
                          ext("respondent", "valueCode", row["respondent"])],
            "questionnaire": f"{CANONICAL}{FOLLOW_UP}"
                             + (f":{row['form_variant']}" if row["form_variant"] else "")
                             + f"|{row['form_version']}",
            "status": "completed", "subject": subject, **({"item": items} if items else {})}
