"""The generated OpenAPI document and the self-contained page that shows it."""
import re

import pytest
from html import unescape

METHODS = ("get", "post", "put", "patch", "delete")


def refs_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def resolve(spec, ref):
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node = spec
    for part in ref[2:].split("/"):
        assert part in node, f"{ref} points at nothing"
        node = node[part]
    return node


def test_it_serves_an_openapi_3_document_generated_from_the_schemas(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    spec = answer.get_json()
    assert re.fullmatch(r"3\.[01]\.\d+", spec["openapi"])
    assert spec["info"]["title"] == "Homeward" and spec["info"]["version"]
    assert spec["paths"], "no operations are documented"
    for path, item in spec["paths"].items():
        assert path.startswith("/api/v1/")
        operations = [method for method in METHODS if method in item]
        assert operations, f"{path} has no operations"
        for method in operations:
            assert item[method]["responses"], f"{method} {path} documents no answers"
    for ref in set(refs_in(spec)):
        resolve(spec, ref)


def test_it_documents_the_error_envelope_of_the_protocol(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    envelope = schemas["Error"]
    assert envelope["required"] == ["error"]
    body = resolve(spec, envelope["properties"]["error"]["$ref"])
    assert {"code", "message"} <= set(body["required"])
    assert "details" in body["properties"]


def test_it_shows_every_operation_and_schema_on_one_page_without_scripts(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    answer = client.get("/api/v1/docs")
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    text = unescape(re.sub(r"<[^>]+>", " ", page))
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                assert re.search(rf"{method.upper()}\s+{re.escape(path)}", text), \
                    f"{method.upper()} {path} is missing from the page"
                summary = item[method].get("summary")
                if summary:
                    assert summary in text
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    for ref in set(refs_in(spec["paths"])):
        if ref.startswith("#/components/schemas/"):
            assert f'href="#schema-{ref.rsplit("/", 1)[-1]}"' in page


def test_it_loads_nothing_from_anywhere_else(client):
    answer = client.get("/api/v1/docs")
    page = answer.get_data(as_text=True).lower()
    assert "<script" not in page
    assert " src=" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'href="(?!#|/api/v1/openapi\.json")', page)
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]


def test_it_shows_request_fields_with_their_types_and_whether_required(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    body_ref = spec["components"]["schemas"]["Error"]["properties"]["error"]["$ref"]
    section = page[page.index(f'id="schema-{body_ref.rsplit("/", 1)[-1]}"'):]
    section = section[:section.index("</section>")]
    for field in resolve(spec, body_ref)["properties"]:
        assert f'<td class="mono">{field}</td>' in section
    assert re.search(r'<td class="mono">code</td><td>string</td>\s*<td>yes</td>', section)


def test_it_documents_the_400_the_server_answers_to_bad_arguments_not_422(client, family):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {(method, path): item[method]["responses"]
                  for path, item in spec["paths"].items() for method in METHODS
                  if method in item}
    assert not [where for where, answers in documented.items() if "422" in answers]
    push = documented[("post", "/api/v1/sync/push")]
    assert {"400", "401", "413", "415"} <= set(push)
    for status in ("400", "415"):
        answer = resolve(spec, push[status]["$ref"]) if "$ref" in push[status] else push[status]
        schema = answer["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}
    bad = family.client.post("/api/v1/sync/push", json={"entries": "none"},
                             headers=family.headers)
    assert bad.status_code == 400


def validator_for(spec, name):
    """A JSON Schema validator for one component, with the document's components reachable."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    return jsonschema_rs.Draft202012Validator(schema)


def test_a_full_snapshot_matches_the_documented_change_schemas_one_each(client, family):
    spec = client.get("/api/v1/openapi.json").get_json()
    data = spec["components"]["schemas"]["Change"]["properties"]["data"]
    assert len(data["oneOf"]) >= 7
    family.push([family.envelope(family.document({"temperature_c": 39.2}))])
    page = family.pull(limit=500).get_json()
    assert {change["type"] for change in page["changes"]} == {
        "keys", "profile", "schedule", "questionnaire", "task", "rules", "alert"}
    validator_for(spec, "PullResult").validate(page)  # oneOf: exactly one schema fits each
    for change in page["changes"]:
        fits = [option for option in data["oneOf"] if "$ref" in option
                and validator_for(spec, option["$ref"].rsplit("/", 1)[-1]).is_valid(
                    change["data"])]
        assert len(fits) == 1, (change["type"], fits)


def test_a_push_result_matches_its_documented_schema_with_alert_and_error(client, family):
    spec = client.get("/api/v1/openapi.json").get_json()
    result = spec["components"]["schemas"]["EntryResult"]["properties"]
    alert = resolve(spec, next(option["$ref"] for option in result["alert"]["anyOf"]
                               if "$ref" in option))
    assert {"alert_id", "level"} <= set(alert["required"])
    fever = family.document({"temperature_c": 39.2})
    answer = family.push([family.envelope(fever), family.envelope(fever),
                          family.envelope(family.document({"temperature_c": "hot"})),
                          {"entry_id": "x", "kid": "nope", "sealed": "AAAA"}]).get_json()
    assert [r["status"] for r in answer["results"]] == ["accepted", "duplicate",
                                                        "quarantined", "rejected"]
    validator_for(spec, "PushResult").validate(answer)
