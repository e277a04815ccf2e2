"""schemathesis against the OpenAPI document of a running `homeward serve`, over HTTP.

Every operation in /api/v1/openapi.json gets generated requests, both ones that fit the
schema and ones that do not, sent with a staff bearer token (an admin's for the audit log),
the device token of an enrolled phone for /sync/*, and a token of its own for
`DELETE /auth/token` (which revokes it). Path parameters are sometimes the ids of a real
patient, alert, entry and questionnaire, so the handlers behind the 404s run too.

The promises checked: no 5xx; every non-2xx body is the error envelope
`{"error": {"code", "message", "details"}}`; responses match their documented status codes,
content types and schemas; and the server logs no traceback. One exception, counted and
reported rather than failed: a request line over 4094 bytes or an oversized header is refused
by gunicorn itself (414/431/400 with its own HTML page) before Homeward sees it, the way
nginx in front would refuse it with its own page. Not checked: schemathesis's
`positive_data_acceptance` and `negative_data_rejection`, which flag rules the schema cannot
express (an IANA timezone, "until after since", a cursor the server issued) and unknown
query parameters, which the API ignores by design.

Small and deterministic in the suite; `bench/faults.py schemathesis --full` runs many more
examples with fresh randomness.
"""
import json
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fault_support import FEVER, Workspace, enrolment_code
from sync.client import Client

try:
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance,
                                                   response_schema_conformance,
                                                   status_code_conformance)
except ImportError:  # pyproject's test extras should carry it: schemathesis>=4,<5
    schemathesis = None

pytestmark = pytest.mark.e2e


def error_envelope(ctx, response, case):
    """Every non-2xx answer is PROTOCOL.md's envelope, whatever went wrong."""
    if 200 <= response.status_code < 300:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} with a body that is not JSON: "
                             f"{response.content[:200]!r}") from None
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(body, dict) and list(body) == ["error"] and isinstance(error, dict), body
    assert isinstance(error.get("code"), str) and error["code"], body
    assert isinstance(error.get("message"), str) and error["message"], body
    assert isinstance(error.get("details"), dict), body
    return None


def refused_by_gunicorn(response) -> bool:
    """gunicorn's own answer to a request it could not read (server/web/gunicorn_worker.py):
    the envelope, but a status no operation can document, so counted, not validated."""
    if response.status_code not in (400, 414, 431):
        return False
    error_envelope(None, response, None)
    error = response.json()["error"]
    # Only the worker's refusals carry gunicorn's own reason in details.http.
    return error["code"] in ("request_line_too_long", "headers_too_large") or (
        error["code"] == "invalid_request" and "http" in error["details"])


def known_ids(workspace, url, staff_token) -> tuple[dict, str]:
    """A family with a fever behind it: real ids for path parameters, and its device token."""
    code = enrolment_code(url, staff_token, 0)
    with Client(workspace.root / "phone.db") as phone:
        phone.enrol(url, code, "Fuzzed phone")
        entry_id = phone.record("symptom-diary", "1.0.0", FEVER)
        report = phone.sync()
        assert report.ok and report.alerts, report
        enrolment = phone.store.get("enrolment")
    ids = {"patient_id": enrolment["patient_id"], "entry_id": entry_id,
           "alert_id": report.alerts[0]["alert_id"], "questionnaire_id": "symptom-diary",
           "variant": "caregiver", "version": "1.0.0"}
    return ids, enrolment["device_token"]


def strategy_for(operation, mode, ids):
    names = {parameter.name for parameter in operation.path_parameters}
    generated = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.NEGATIVE or not names or not names <= set(ids):
        return generated
    real = operation.as_strategy(path_parameters={name: ids[name] for name in names})
    return st.one_of(generated, real)


def run_schemathesis(root, *, max_examples=6, derandomize=True, timeout=600):
    if schemathesis is None:
        pytest.skip("schemathesis is not installed (pip install 'schemathesis>=4,<5')")
    started = time.monotonic()
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance, error_envelope]
    with Workspace(root) as workspace:
        server = workspace.serve(workers=2)
        tokens = {role: workspace.staff_token(role) for role in ("physician", "admin", "nurse")}
        ids, tokens["device"] = known_ids(workspace, server.url, tokens["physician"])
        schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json", timeout=30)
        findings, statuses, refusals, operations = [], Counter(), Counter(), 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            token = tokens[("device" if operation.path.startswith("/api/v1/sync/") else
                            "admin" if operation.path.startswith("/api/v1/audit") else
                            "nurse" if operation.label == "DELETE /api/v1/auth/token" else
                            "physician")]
            # Nothing to make invalid without parameters, a body or a token (GET /keys).
            negative = (list(operation.iter_parameters()) or operation.body.items
                        or operation.definition.raw.get("security"))
            modes = (GenerationMode.POSITIVE,) + ((GenerationMode.NEGATIVE,) if negative else ())
            for mode in modes:
                @settings(max_examples=max_examples, deadline=None, database=None,
                          derandomize=derandomize, phases=[Phase.explicit, Phase.generate],
                          suppress_health_check=list(HealthCheck))
                @given(case=strategy_for(operation, mode, ids))
                def exercise(case):
                    response = case.call(base_url=server.url, timeout=60,
                                         headers={"Authorization": f"Bearer {token}"})
                    statuses[response.status_code] += 1
                    if refused_by_gunicorn(response):
                        refusals[response.status_code] += 1
                        return
                    try:
                        case.validate_response(response, checks=checks)
                    except (Exception, BaseExceptionGroup) as failure:  # noqa: B902
                        findings.append((operation.label, mode.value, response.status_code,
                                         str(failure)[:1500]))

                exercise()
                assert time.monotonic() - started < timeout, "schemathesis ran out of time"
        logs = server.log()
        server.stop()
    assert not findings, "\n\n".join(" ".join(map(str, finding)) for finding in findings[:5])
    assert "Traceback" not in logs, logs[logs.index("Traceback") - 300:][:3000]
    return {"operations": operations, "requests": sum(statuses.values()),
            "statuses": dict(sorted(statuses.items())),
            "refused_by_gunicorn": dict(refusals), "max_examples": max_examples,
            "seconds": round(time.monotonic() - started, 1)}


def test_it_answers_generated_requests_with_no_5xx_and_only_error_envelopes(tmp_path):
    figures = run_schemathesis(tmp_path, max_examples=10)
    print(figures)
    assert figures["operations"] >= 25 and not any(s >= 500 for s in figures["statuses"])


# Regressions of what schemathesis found, checked directly (no server process needed).

def test_it_answers_an_audit_cursor_beyond_sqlite_integers_with_a_400_envelope(client, staff):
    admin = staff("admin")
    answer = client.get("/api/v1/audit", query_string={"before": str(2**70)},
                        headers=admin.headers)
    assert answer.status_code == 400
    assert list(answer.get_json()["error"]["details"]["fields"]) == ["before"]


def test_it_documents_push_sent_at_as_a_time_and_fhir_bodies_as_open_objects(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert schemas["Push"]["properties"]["sent_at"] == {"type": "string",
                                                         "format": "date-time"}
    assert schemas["FhirResource"]["additionalProperties"] is True
