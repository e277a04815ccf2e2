"""Clinic API: the instruments the server holds, as definitions and as FHIR R4."""
from fhir.resources.R4B.questionnaire import Questionnaire

from questionnaires import load_catalog
from questionnaires.schemas import dump_definition
from test_errors import assert_envelope

DIARY = "/api/v1/questionnaires/symptom-diary/caregiver/1.0.0"


def test_it_lists_every_definition_held_to_any_signed_in_staff(client, staff):
    admin = staff("admin")
    response = client.get("/api/v1/questionnaires", headers=admin.headers)
    assert response.status_code == 200
    listed = response.get_json()["questionnaires"]
    assert [(q["id"], q["variant"], q["version"]) for q in listed] == [
        (d.id, d.variant, d.version) for d in load_catalog()]
    qol = next(q for q in listed if (q["id"], q["variant"]) == ("quality-of-life", "self-8-12"))
    assert qol["respondent"] == "patient" and qol["status"] == "active"
    assert qol["age"] == {"min": 8, "max": 13}
    assert set(qol["languages"]) >= {"en", "es"} and qol["title"]["es"]


def test_it_needs_a_signed_in_staff_member(client):
    assert_envelope(client.get("/api/v1/questionnaires"), 401, "unauthorized")
    assert_envelope(client.get(DIARY), 401, "unauthorized")


def test_it_serves_a_whole_definition_or_one_language(client, nurse):
    definition = load_catalog().get("symptom-diary", "1.0.0", "caregiver")
    whole = client.get(DIARY, headers=nurse.headers)
    assert whole.status_code == 200 and whole.get_json() == dump_definition(definition)
    spanish = client.get(DIARY, headers=nurse.headers,
                         query_string={"language": "es-MX"}).get_json()
    assert spanish["languages"] == ["es"]
    assert spanish["title"] == {"es": definition.title["es"]}
    assert all(set(item["text"]) == {"es"} for item in spanish["items"])


def test_it_answers_unknown_ids_variants_and_versions_with_not_found(client, nurse):
    for path in ("no-such/caregiver/1.0.0", "symptom-diary/nobody/1.0.0",
                 "symptom-diary/caregiver/9.9.9", "symptom-diary/caregiver/9.9.9/fhir"):
        error = assert_envelope(client.get(f"/api/v1/questionnaires/{path}",
                                           headers=nurse.headers), 404, "not_found")
        assert "/api/v1/questionnaires" in error["message"]


def test_it_refuses_a_malformed_language_with_the_field_named(client, nurse):
    error = assert_envelope(client.get(DIARY, headers=nurse.headers,
                                       query_string={"language": "Spanish!"}),
                            400, "invalid_request")
    assert list(error["details"]["fields"]) == ["language"]


def test_it_exports_every_definition_as_a_valid_fhir_r4_questionnaire(client, nurse):
    for definition in load_catalog():
        response = client.get(f"/api/v1/questionnaires/{definition.id}/{definition.variant}/"
                              f"{definition.version}/fhir", headers=nurse.headers)
        assert response.status_code == 200
        assert response.mimetype == "application/fhir+json"
        resource = Questionnaire.model_validate(response.get_json())
        assert resource.version == definition.version
        assert resource.url == f"urn:homeward:questionnaire:{definition.id}:{definition.variant}"
        assert [item.linkId for item in resource.item] == [i.link_id for i in definition.items]
