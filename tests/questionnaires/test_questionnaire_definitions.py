import json
from datetime import date

import pytest

from questionnaires import (
    Catalog, DefinitionError, load_catalog, load_definition_file, parse_definition,
)
from questionnaires.loading import SHIPPED_DIR as DEFINITIONS_DIR

FIXED_DIARY = {
    "temperature_c": "decimal", "temperature_method": "choice", "fever_medicine_hours": "decimal",
    "spo2_percent": "integer", "breathing_difficulty": "boolean", "dizzy_or_fainting": "boolean",
    "neuro_signs": "multi-choice", "organ_signs": "multi-choice", "notes": "text",
    # Added beyond CLINICAL.md's table (new names may be added; meanings never change):
    # a parent's sense that the child is hot counts, even without a thermometer.
    "feels_hot": "boolean",
}
NEURO_SIGNS = {"confusion", "speech", "handwriting", "tremor", "sleepiness", "headache", "weakness",
               "balance", "personality", "seizure", "unresponsive"}
ORGAN_SIGNS = {"rash", "mouth_sores", "joint_swelling", "less_urine", "leg_swelling", "diarrhoea"}

EXPECTED_VARIANTS = {
    ("symptom-diary", "caregiver"), ("symptom-diary", "self-report"), ("symptom-diary", "pictures"),
    ("neuro-check", "capd-style"), ("neuro-check", "ice-style"),
    ("neuro-check", "capd-style-staff"), ("neuro-check", "ice-style-staff"),
    ("quality-of-life", "caregiver-2-4"), ("quality-of-life", "caregiver-5-7"),
    ("quality-of-life", "caregiver-8-12"), ("quality-of-life", "caregiver-13-17"),
    ("quality-of-life", "self-5-7"), ("quality-of-life", "self-8-12"),
    ("quality-of-life", "self-13-17"), ("quality-of-life", "self-18-plus"),
    ("caregiver-wellbeing", "caregiver"),
    ("long-term-follow-up", "caregiver"), ("long-term-follow-up", "self-report"),
}


def all_texts(definition):
    yield "title", definition.title
    if definition.description:
        yield "description", definition.description
    for item in definition.items:
        yield item.link_id, item.text
        if item.help:
            yield item.link_id + " help", item.help
        for option in item.options:
            yield f"{item.link_id} option {option.value}", option.text


def test_it_loads_every_shipped_variant(catalog):
    assert {(d.id, d.variant) for d in catalog} == EXPECTED_VARIANTS
    # Shipped versions stay beside their successors: entries name the version they answered.
    later = {"long-term-follow-up.caregiver.1.1.0.json", "long-term-follow-up.self-report.1.1.0.json"}
    assert len(list(DEFINITIONS_DIR.glob("*.json"))) == len(EXPECTED_VARIANTS) + len(later)
    assert {p.name for p in DEFINITIONS_DIR.glob("*.1.1.0.json")} == later


@pytest.mark.parametrize("path", sorted(DEFINITIONS_DIR.glob("*.json")), ids=lambda p: p.name)
def test_it_loads_each_file_on_its_own_and_dumps_back_to_the_same_definition(path):
    definition = load_definition_file(path)
    assert parse_definition(json.loads(json.dumps(definition.to_dict()))) == definition


def test_it_has_english_and_spanish_for_every_text(catalog):
    for definition in catalog:
        assert {"en", "es"} <= set(definition.languages)
        for where, texts in all_texts(definition):
            if "en" in texts:
                assert texts.get("es", "").strip(), f"{definition.key} {where} has no Spanish"
                assert texts["es"] != texts["en"] or len(texts["en"]) <= 3, f"{definition.key} {where}"


def test_it_keeps_the_fixed_vocabulary_in_the_caregiver_diary(catalog):
    diary = catalog.get("symptom-diary", "1.0.0", "caregiver")
    assert {item.link_id: item.type for item in diary.items} == FIXED_DIARY
    assert not any(item.required for item in diary.items)
    assert diary.min_answers == 1
    temperature = diary.item("temperature_c")
    assert (temperature.min, temperature.max, temperature.unit.code) == (34.0, 43.0, "Cel")
    assert set(diary.item("temperature_method").option_values()) == {"oral", "axillary", "ear", "forehead", "rectal"}
    assert (diary.item("spo2_percent").min, diary.item("spo2_percent").max) == (50, 100)
    assert set(diary.item("neuro_signs").option_values()) == NEURO_SIGNS
    assert set(diary.item("organ_signs").option_values()) == ORGAN_SIGNS


def test_it_uses_only_fixed_vocabulary_in_the_childrens_diaries(catalog):
    for variant in ("self-report", "pictures"):
        diary = catalog.get("symptom-diary", "1.0.0", variant)
        assert diary.respondent == "patient" and diary.min_answers == 1
        for item in diary.items:
            assert FIXED_DIARY[item.link_id] == item.type
        assert set(diary.item("neuro_signs").option_values()) <= NEURO_SIGNS
    pictures = catalog.get("symptom-diary", "1.0.0", "pictures")
    assert pictures.presentation == "pictures" and (pictures.age_min, pictures.age_max) == (5, 8)
    assert all(o.picture for o in pictures.item("neuro_signs").options)


def test_it_names_the_scores_other_rooms_rely_on(catalog):
    for definition in catalog:
        ids = [s.id for s in definition.scores]
        if definition.id == "neuro-check":
            assert ids == ["total"]
        if definition.id == "quality-of-life":
            assert ids == ["physical", "emotional", "social", "school", "total"]
        if definition.id == "caregiver-wellbeing":
            assert ids[0] == "distress"
            assert (definition.item("distress").min, definition.item("distress").max) == (0, 10)


def test_it_rejects_a_broken_file_naming_the_file_and_the_item(tmp_path, shipped_document):
    document = shipped_document("symptom-diary.caregiver.1.0.0.json")
    document["items"][3]["max"] = "a hundred"
    path = tmp_path / "symptom-diary.caregiver.1.0.0.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_catalog([tmp_path])
    message = str(caught.value)
    assert str(path) in message and "item 'spo2_percent'" in message and "max" in message


@pytest.mark.parametrize("breakage, expected", [
    (lambda d: d["items"][0].update(min=44), "item 'temperature_c': max: must be greater than min"),
    (lambda d: d["items"][1]["text"].pop("es"), "item 'temperature_method': text: no text in es"),
    (lambda d: d["items"][1].update(type="choise"), "item 'temperature_method': type"),
    (lambda d: d["items"][1]["enableWhen"][0].update(question="later"), "is not an earlier item"),
    (lambda d: d["items"][2].update(linkId="temperature_c"), "item 'temperature_c': linkId used twice"),
    (lambda d: d["items"][4].update(options=[{"value": "y", "text": {"en": "y", "es": "y"}}]),
     "item 'feels_hot': options: a boolean item has no options"),
    (lambda d: d["items"][0].update(colour="red"), "item 'temperature_c': colour: Unknown field"),
    (lambda d: d.update(version="1.0"), "version"),
    (lambda d: d.update(age={"min": 8, "max": 5}), "age"),
    (lambda d: d.update(scoring=[{"id": "t", "method": "sum", "items": ["notes"]}]), "score 't'"),
    (lambda d: d["items"][6].update(options="no_such_set"), "no option set named 'no_such_set'"),
])
def test_it_explains_what_is_wrong_in_a_definition(shipped_document, breakage, expected):
    document = shipped_document("symptom-diary.caregiver.1.0.0.json")
    breakage(document)
    with pytest.raises(DefinitionError, match="^site.json: ") as caught:
        parse_definition(document, "site.json")
    assert expected in str(caught.value)


def test_it_rejects_scale_items_without_exactly_0_to_4(shipped_document):
    document = shipped_document("neuro-check.capd-style.1.0.0.json")
    document["option_sets"]["how_often"].pop()
    with pytest.raises(DefinitionError, match="exactly the values 0, 1, 2, 3 and 4"):
        parse_definition(document, "capd.json")


def test_it_refuses_a_file_whose_name_does_not_match_its_content(tmp_path, shipped_document):
    path = tmp_path / "symptom-diary.caregiver.2.0.0.json"
    path.write_text(json.dumps(shipped_document("symptom-diary.caregiver.1.0.0.json")), encoding="utf-8")
    with pytest.raises(DefinitionError, match="file name should be symptom-diary.caregiver.1.0.0.json"):
        load_definition_file(path)


@pytest.mark.parametrize("content, expected", [
    (b"{not json", "not valid JSON"),
    (b'{"temperature": NaN}', "not valid JSON"),
    (b"[]", "not a questionnaire definition"),
    (b'{"resourceType": "Patient"}', "not a questionnaire definition"),
])
def test_it_says_when_a_file_is_not_a_definition_at_all(tmp_path, content, expected):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    with pytest.raises(DefinitionError, match=expected):
        load_definition_file(path)


def test_it_adds_a_sites_definitions_from_an_extra_directory(tmp_path, shipped_document):
    document = shipped_document("symptom-diary.caregiver.1.0.0.json")
    document["version"] = "1.1.0"
    document["items"][0]["max"] = 42.5
    (tmp_path / "symptom-diary.caregiver.1.1.0.json").write_text(json.dumps(document), encoding="utf-8")
    catalog = load_catalog([tmp_path])
    assert catalog.get("symptom-diary", "1.1.0", "caregiver").item("temperature_c").max == 42.5
    assert catalog.get("symptom-diary", "1.0.0", "caregiver").item("temperature_c").max == 43.0
    assert load_catalog([tmp_path]) is catalog  # read once per process
    choice = catalog.choose("symptom-diary", date_of_birth=date(2015, 1, 1), timezone="Europe/Madrid",
                            at=date(2026, 1, 1), respondent="caregiver")
    assert choice.definition.version == "1.1.0"  # the newest version of a variant is the one handed out


def test_it_refuses_the_same_definition_twice(catalog):
    definition = catalog.get("neuro-check", "1.0.0", "ice-style")
    with pytest.raises(DefinitionError, match="already defined"):
        Catalog([definition, definition])


def test_it_refuses_two_variants_covering_the_same_ages(shipped_document):
    first = parse_definition(shipped_document("neuro-check.ice-style.1.0.0.json"), "a.json")
    clash = shipped_document("neuro-check.ice-style.1.0.0.json")
    clash["variant"], clash["age"] = "teen-only", {"min": 13, "max": 18}
    with pytest.raises(DefinitionError, match="covers the same ages"):
        Catalog([first, parse_definition(clash, "b.json")])


def test_it_gives_a_definition_in_one_language_for_the_app(catalog):
    document = catalog.get("symptom-diary", "1.0.0", "caregiver").to_dict("es-MX")
    assert document["languages"] == ["es"]
    assert document["title"] == {"es": "Diario de síntomas"}
    assert document["items"][1]["options"][0]["text"] == {"es": "En la boca"}
    assert document["items"][0]["unit"] == {"code": "Cel", "display": "°C"}
