import json
from datetime import datetime, timezone

import pytest
# fhir.resources 8 models FHIR R5 by default; R4B (4.3.0) has the R4 Questionnaire and
# QuestionnaireResponse unchanged, so it is the closest model of R4 the package ships.
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from questionnaires import (
    DefinitionError, from_fhir_questionnaire, load_catalog, to_fhir_questionnaire, to_fhir_response,
)

RECORDED = datetime(2026, 11, 20, 14, 2, tzinfo=timezone.utc)


def test_it_exports_every_definition_as_a_valid_fhir_questionnaire(catalog):
    for definition in catalog:
        resource = to_fhir_questionnaire(definition)
        model = Questionnaire.model_validate(resource)
        assert model.url.endswith(f"{definition.id}:{definition.variant}") and model.version == definition.version
        assert [item.linkId for item in model.item] == [item.link_id for item in definition.items]


def test_it_round_trips_every_definition_through_fhir(catalog):
    for definition in catalog:
        exported = to_fhir_questionnaire(definition)
        # Through the FHIR model's own JSON, as another system would hand it back.
        handed_back = json.loads(Questionnaire.model_validate(exported).model_dump_json())
        imported = from_fhir_questionnaire(handed_back)
        assert imported == definition
        assert to_fhir_questionnaire(imported)["item"] == exported["item"]


def test_it_maps_item_types_units_ranges_and_translations(diary):
    items = {item["linkId"]: item for item in to_fhir_questionnaire(diary)["item"]}
    temperature = items["temperature_c"]
    assert temperature["type"] == "decimal"
    extensions = {e["url"].rsplit("/", 1)[-1]: e for e in temperature["extension"]}
    assert extensions["questionnaire-unit"]["valueCoding"]["code"] == "Cel"
    assert extensions["minValue"]["valueDecimal"] == 34.0 and extensions["maxValue"]["valueDecimal"] == 43.0
    assert items["neuro_signs"]["type"] == "choice" and items["neuro_signs"]["repeats"] is True
    assert items["temperature_method"]["enableWhen"] == [
        {"question": "temperature_c", "operator": "exists", "answerBoolean": True}]
    translation = items["breathing_difficulty"]["_text"]["extension"][0]["extension"]
    assert {"url": "lang", "valueCode": "es"} in translation
    assert items["temperature_c"]["item"][0]["type"] == "display"  # the help text


def test_it_exports_an_entry_as_a_questionnaire_response_from_the_caregiver(diary):
    response = to_fhir_response(
        diary, entry_id="0f6f1c1e-8d1a-4b8e-9a57-2f1d8d3c5b10", patient_id="pt_7", respondent="caregiver",
        recorded_at=RECORDED, device_id="dev_3", language="es-MX",
        answers={"temperature_c": 38.6, "temperature_method": "axillary", "neuro_signs": ["tremor", "headache"],
                 "spo2_percent": 300})
    model = QuestionnaireResponse.model_validate(response)
    assert model.status == "completed" and model.questionnaire.endswith("symptom-diary:caregiver|1.0.0")
    assert model.author.type == "RelatedPerson" and model.source.type == "RelatedPerson"
    assert model.subject.reference == "Patient/pt_7"
    answers = {item.linkId: item.answer for item in model.item}
    assert set(answers) == {"temperature_c", "temperature_method", "neuro_signs"}  # 300 % is not valid
    assert float(answers["temperature_c"][0].valueDecimal) == 38.6
    assert [a.valueCoding.code for a in answers["neuro_signs"]] == ["tremor", "headache"]
    assert answers["temperature_method"][0].valueCoding.display == "Debajo del brazo (axila)"
    assert response["authored"] == "2026-11-20T14:02:00+00:00"


def test_it_names_the_patient_as_author_of_a_self_report(catalog):
    ice = catalog.get("quality-of-life", "1.0.0", "self-13-17")
    response = to_fhir_response(ice, entry_id="e-1", patient_id="pt_9", respondent="patient",
                                recorded_at="2026-11-20T09:00:00+01:00", answers={"phys_pain": 3, "sch_attends": False})
    model = QuestionnaireResponse.model_validate(response)
    assert model.author.reference == "Patient/pt_9" == model.source.reference
    assert response["item"][0]["answer"] == [{"valueCoding": {"code": "3", "display": "A lot"}}]


FOREIGN = {
    "resourceType": "Questionnaire", "id": "licensed-fatigue", "version": "2.1.0", "status": "active",
    "language": "en", "title": "Tiredness (licensed)",
    "item": [{"linkId": "intro", "type": "display", "text": "Please answer for the past week."},
             {"linkId": "g1", "type": "group", "text": "Energy", "item": [
                 {"linkId": "f1", "type": "choice", "text": "Tired during the day", "required": True,
                  "answerOption": [
                      {"valueCoding": {"system": "http://loinc.org", "code": f"LA{n}", "display": label},
                       "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
                                      "valueDecimal": n}]}
                      for n, label in enumerate(["Never", "Rarely", "Sometimes", "Often", "Always"])]},
                 {"linkId": "f2", "type": "string", "text": "Anything else?",
                  "enableWhen": [{"question": "f1", "operator": ">=", "answerCoding": {"code": "LA3"}}]}]}],
}


def test_it_imports_a_licensed_fhir_questionnaire_with_the_sites_settings(tmp_path):
    with pytest.raises(DefinitionError, match="no variant; add the extension"):
        from_fhir_questionnaire(FOREIGN, source="fatigue.json")
    definition = from_fhir_questionnaire(FOREIGN, variant="caregiver", respondent="caregiver", age_min=2)
    assert (definition.id, definition.version) == ("licensed-fatigue", "2.1.0")
    assert [(i.link_id, i.type) for i in definition.items] == [("f1", "scale-0-4"), ("f2", "text")]
    assert definition.item("f1").option_values() == (0, 1, 2, 3, 4)
    assert definition.item("f2").enable_when[0].answer == 3  # LA3 is the 3 on the scale


def test_it_loads_a_fhir_questionnaire_from_the_sites_instruments_directory(tmp_path):
    definition = from_fhir_questionnaire({**FOREIGN, "item": FOREIGN["item"][1]["item"][:1]},
                                         variant="caregiver", respondent="caregiver", age_min=2)
    (tmp_path / "fatigue.json").write_text(json.dumps(to_fhir_questionnaire(definition)), encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert catalog.get("licensed-fatigue", "2.1.0").item("f1").type == "scale-0-4"
    assert catalog.get("symptom-diary", "1.0.0", "caregiver")


def test_it_refuses_fhir_item_types_it_cannot_hold(tmp_path):
    broken = {**FOREIGN, "item": [{"linkId": "photo", "type": "attachment", "text": "A photo"}]}
    with pytest.raises(DefinitionError, match="item 'photo': FHIR type 'attachment' is not supported"):
        from_fhir_questionnaire(broken, source="photo.json", variant="c", respondent="caregiver", age_min=0)
    with pytest.raises(DefinitionError, match="not a FHIR Questionnaire"):
        from_fhir_questionnaire({"resourceType": "Patient"})
