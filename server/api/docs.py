"""`GET /api/v1/docs`: the OpenAPI document as one self-contained HTML page.

Rendered on the server from the same spec flask-smorest serves at /api/v1/openapi.json (so
it cannot drift from the marshmallow schemas), with no scripts and nothing fetched from
elsewhere: hospital networks block CDNs, and a page without JavaScript works everywhere.
"""
from flask import Blueprint, current_app, render_template_string

blueprint = Blueprint("docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ info.title }} API {{ info.version }}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:0 auto;padding:1rem 1.5rem;
color:#1b1b1b}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #ddd;padding-top:1rem}
h3{font-family:ui-monospace,monospace;font-size:1.05rem;margin:1.6rem 0 .3rem}
code,td.mono{font-family:ui-monospace,monospace;font-size:.9em}
table{border-collapse:collapse;margin:.3rem 0 .8rem}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.method{display:inline-block;min-width:4.2rem;font-weight:bold}
.get{color:#0b5394}.post{color:#38761d}.delete{color:#990000}.put,.patch{color:#7f6000}
.muted{color:#555}nav ul{columns:2;padding-left:1.2rem}nav li{break-inside:avoid;margin-bottom:.3rem}
section.op{border-left:3px solid #ddd;padding-left:1rem}
h3,code,td{overflow-wrap:anywhere}
/* A wide table scrolls inside itself, never the page: the page stays readable on a phone. */
table{display:block;max-width:100%;overflow-x:auto}
td table{display:table;min-width:16rem}
@media (max-width:52rem){nav ul{columns:1}body{padding:.75rem 1rem}}
@media (max-width:30rem){body{font-size:16px;padding:.5rem .75rem}
section.op{padding-left:.6rem}td,th{padding:.2rem .3rem}
h3{font-size:1rem}.method{min-width:0;margin-right:.4rem}}
</style></head><body>
<h1>{{ info.title }} API <span class="muted">version {{ info.version }}</span></h1>
<p>{{ info.description }}</p>
<p>OpenAPI {{ spec.openapi }} document: <a href="{{ json_url }}"><code>{{ json_url }}</code></a>.
Errors use the envelope <a href="#schema-Error"><code>Error</code></a>.</p>
{% macro type_of(schema) -%}
{%- if schema is not mapping -%}<span class="muted">any</span>
{%- elif schema["$ref"] -%}{% set name = schema["$ref"].rsplit("/", 1)[-1] -%}
<a href="#schema-{{ name }}">{{ name }}</a>
{%- elif schema.allOf or schema.oneOf or schema.anyOf -%}
{% set parts = schema.allOf or schema.oneOf or schema.anyOf -%}
{%- for part in parts %}{{ type_of(part) }}{% if not loop.last %} | {% endif %}{% endfor -%}
{%- elif "items" in schema -%}array of {{ type_of(schema["items"]) }}
{%- else -%}
{{ schema.type | join(" or ") if schema.type is not string and schema.type else
   schema.type or "object" }}
{%- if schema.format %} <span class="muted">({{ schema.format }})</span>{% endif -%}
{%- if schema.enum %}: {{ schema.enum | map("tojson") | join(", ") }}{% endif -%}
{%- if schema.properties %}{{ properties(schema) }}{% endif -%}
{%- endif -%}
{%- endmacro %}
{% macro properties(schema) -%}
<table><tr><th>field</th><th>type</th><th>required</th><th>meaning</th></tr>
{%- for name, prop in schema.properties.items() %}
<tr><td class="mono">{{ name }}</td><td>{{ type_of(prop) }}</td>
<td>{{ "yes" if name in (schema.required or []) else "" }}</td>
<td>{{ prop.description if prop is mapping and prop.description else "" }}
{%- if prop is mapping and prop.readOnly %} <span class="muted">(read only)</span>{% endif %}
</td></tr>
{%- endfor %}</table>
{%- endmacro %}
{% macro content_of(body) -%}
{%- for media, item in (body.content or {}).items() %}
<p><code>{{ media }}</code>: {{ type_of(item.schema) }}</p>
{%- endfor %}
{%- endmacro %}
<nav><h2>Operations</h2><ul>
{%- for op in operations %}
<li><a href="#{{ op.anchor }}"><span class="method {{ op.method }}">{{ op.method | upper }}</span>
<code>{{ op.path }}</code></a> <span class="muted">{{ op.summary }}</span></li>
{%- endfor %}</ul></nav>
{%- for op in operations %}
<section class="op" id="{{ op.anchor }}">
<h3><span class="method {{ op.method }}">{{ op.method | upper }}</span> {{ op.path }}</h3>
{%- if op.summary %}<p><strong>{{ op.summary }}</strong></p>{% endif %}
{%- if op.description %}<p>{{ op.description }}</p>{% endif %}
<p class="muted">{% if op.tags %}Area: {{ op.tags | join(", ") }}. {% endif %}
{%- if op.security %}Authentication: {{ op.security }}.{% endif %}</p>
{%- if op.parameters %}
<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th>meaning</th></tr>
{%- for p in op.parameters %}
<tr><td class="mono">{{ p.name }}</td><td>{{ p["in"] }}</td><td>{{ type_of(p.schema) }}</td>
<td>{{ "yes" if p.required else "" }}</td><td>{{ p.description or "" }}</td></tr>
{%- endfor %}</table>
{%- endif %}
{%- if op.request_body %}<h4>Request body</h4>{{ content_of(op.request_body) }}{% endif %}
<h4>Responses</h4>
<table><tr><th>status</th><th>meaning</th><th>body</th></tr>
{%- for status, answer in op.responses.items() %}
<tr><td class="mono">{{ status }}</td><td>{{ answer.description or "" }}</td>
<td>{{ content_of(answer) }}</td></tr>
{%- endfor %}</table>
</section>
{%- endfor %}
<h2>Schemas</h2>
{%- for name, schema in schemas.items() %}
<section id="schema-{{ name }}"><h3>{{ name }}</h3>
{%- if schema.description %}<p>{{ schema.description }}</p>{% endif %}
{{ type_of(schema) }}</section>
{%- endfor %}
</body></html>
"""


def spec_dict() -> dict:
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api.spec.to_dict()


def resolve(spec: dict, item: dict) -> dict:
    """Responses and parameters may be `$ref`s to components; show what they point to."""
    ref = item.get("$ref") if isinstance(item, dict) else None
    if not ref or not ref.startswith("#/components/"):
        return item
    node = spec
    for part in ref[2:].split("/"):
        node = node.get(part, {})
    return node


def operations(spec: dict) -> list[dict]:
    found = []
    default_security = spec.get("security")
    for path, item in sorted(spec.get("paths", {}).items()):
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            security = operation.get("security", default_security)
            names = sorted({name for rule in security or [] for name in rule})
            found.append({
                "path": path, "method": method,
                "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "tags": operation.get("tags", []),
                "security": ", ".join(names) if names else ("none" if security == [] else ""),
                "parameters": [resolve(spec, p) for p in shared + operation.get("parameters", [])],
                "request_body": resolve(spec, operation.get("requestBody") or {}) or None,
                "responses": {status: resolve(spec, answer) for status, answer
                              in sorted(operation.get("responses", {}).items(),
                                        key=lambda pair: str(pair[0]).rjust(7))},
            })
    return found


@blueprint.get("/api/v1/docs")
def api_docs():
    spec = spec_dict()
    html = render_template_string(
        PAGE, spec=spec, info=spec.get("info", {}), operations=operations(spec),
        schemas=spec.get("components", {}).get("schemas", {}),
        json_url=current_app.config["OPENAPI_URL_PREFIX"].rstrip("/") + "/"
        + current_app.config["OPENAPI_JSON_PATH"])
    response = current_app.response_class(html, mimetype="text/html")
    # Nothing on this page may load from anywhere, including this server.
    response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src "
                                                   "'unsafe-inline'; frame-ancestors 'none'")
    return response
