"""The generated OpenAPI document and the self-contained page that shows it."""
import re
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
