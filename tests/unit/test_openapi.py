"""The OpenAPI document built from the gateway's routes and the wire schemas, and the pages
that show it (Swagger UI served from the installed package)."""

import copy
import queue
import re

import pytest
import schemathesis
from flask import Blueprint, jsonify
from jsonschema_rs import ValidationError

from chassis.rpc_client import RemoteError
from gateway.api.queue import COUNTER_ACTIONS
from gateway.app import create_app
from gateway.auth import signed_in
from gateway.openapi import ERRORS, OPENAPI_VERSION, build_spec, documented_endpoints

METHODS = {"get", "put", "post", "patch", "delete"}
# areas whose views describe every answer in YAML; the others' may not yet, and are then
# described by path, security and errors, with a 'default' for anything else
DESCRIBED = {
    "health",
    "catalog",
    "queue",
    "registry",
    "licensing",
    "docs",
    "accounts",
    "audit",
    "modules",
    "regional_tax",
    "notifications",
}


class NothingThere:
    """An RPC client whose every call is answered 'not found'."""

    def call(self, service, method, *args, **kwargs):
        raise RemoteError("NotFound", f"{service}.{method}: nothing", ["nothing", {}])


class SilentFeed:
    """A display feed on which nothing is ever called."""

    def subscribe(self):
        return queue.Queue()

    def unsubscribe(self, board):
        pass


@pytest.fixture
def app(monkeypatch):
    monkeypatch.delenv("GATEWAY_CONFIG", raising=False)
    app = create_app()
    app.extensions["rpc_client"] = NothingThere()
    app.extensions["call_feed"] = SilentFeed()
    return app


@pytest.fixture
def spec(app):
    return build_spec(app)


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def component(spec: dict, ref: str) -> dict:
    section, name = ref.split("/")[-2:]
    return spec["components"][section][name]


def test_the_document_is_valid_openapi_3_0_3(spec):
    assert spec["openapi"] == OPENAPI_VERSION == "3.0.3"
    schemathesis.openapi.from_dict(copy.deepcopy(spec)).validate()


def test_the_validation_above_would_catch_a_broken_document(spec):
    broken = copy.deepcopy(spec)
    del broken["paths"]["/api/v1/tickets"]["post"]["responses"]
    with pytest.raises(ValidationError):
        schemathesis.openapi.from_dict(broken).validate()


def test_every_route_under_api_and_health_is_described_with_a_success_answer(app, spec):
    rules = [r for r in app.url_map.iter_rules() if re.match(r"^/api/|^/health$", r.rule)]
    assert len(rules) > 40
    for rule in rules:
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = spec["paths"][path][method.lower()]
            assert operation["summary"], rule  # the docstring's first line, or the endpoint
            answers = operation["responses"]
            successes = [s for s in answers if s.startswith("2")]
            if rule.endpoint.partition(".")[0] not in DESCRIBED and not successes:
                assert "content" not in answers["default"]  # any answer, none promised
                continue
            assert operation["summary"] != rule.endpoint, f"{rule} has no docstring"
            assert successes, f"{method} {path} documents no success"
            assert all("content" in answers[s] for s in successes if s != "204"), path
            assert "default" not in answers, path


def test_pages_outside_the_api_are_not_described(spec):
    assert set(spec["paths"]) >= {"/health", "/api/v1/openapi.json"}
    assert not [path for path in spec["paths"] if path.startswith("/docs")]


def test_a_route_added_later_is_described_without_touching_the_document_code(app):
    later = Blueprint("later", __name__, url_prefix="/api/v1")

    @later.post("/sessions/<session_id>/<any(renewal, extension):step>")
    @signed_in
    def renew(session_id, step):
        """Renew a sign-in session.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: contracts.queue.Finish
          responses:
            200:
              content:
                application/json:
                  schema: contracts.queue.Ticket
        """
        return jsonify({})

    app.register_blueprint(later)
    assert "later.renew" in documented_endpoints(app)
    operation = build_spec(app)["paths"]["/api/v1/sessions/{session_id}/{step}"]["post"]
    assert operation["summary"] == "Renew a sign-in session."
    assert operation["tags"] == ["later"]
    assert operation["security"] == [{"bearerAuth": []}]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["session_id"]["in"] == "path" and parameters["session_id"]["required"]
    assert parameters["step"]["schema"] == {"type": "string", "enum": ["extension", "renewal"]}
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Finish"}
    assert {"400", "401", "404", "413", "422", "500", "503", "504"} <= set(operation["responses"])


def test_signed_in_routes_and_only_they_are_refused_without_a_token(app, spec):
    http = app.test_client()
    for method, path, operation in operations(spec):
        url = path
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                value = parameter["schema"].get("enum", ["x"])[0]
                url = url.replace(f"{{{parameter['name']}}}", value)
        response = http.open(url, method=method.upper(), json={} if method != "get" else None)
        needs_token = operation["security"] == [{"bearerAuth": []}]
        assert (response.status_code == 401) == needs_token, f"{method} {path}"
        response.close()


def test_every_operation_documents_its_errors_with_the_one_error_body(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = component(spec, error["properties"]["error"]["$ref"])
    assert set(detail["required"]) == {"code", "reason", "params", "message", "fields"}
    for method, path, operation in operations(spec):
        answers = operation["responses"]
        assert {"401", "500"} <= set(answers), f"{method} {path}"
        for status, answer in answers.items():
            if status.startswith("2") or status == "default" or path == "/health":
                continue
            described = component(spec, answer["$ref"]) if "$ref" in answer else answer
            schema = described["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"
    assert {name for name in spec["components"]["responses"]} == set(ERRORS)


def test_bodies_and_answers_are_the_contract_schemas(spec):
    create = spec["paths"]["/api/v1/applications"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ApplicationDraft"}
    draft = spec["components"]["schemas"]["ApplicationDraft"]
    assert set(draft["required"]) == {
        "permit_type",
        "applicant_nik",
        "applicant_name",
        "applicant_birth_date",
    }
    assert draft["properties"]["applicant_nik"]["pattern"] == r"^[0-9]{16}$"
    created = create["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/Application"}


def test_a_reply_lists_every_field_as_required_and_says_which_may_be_null(spec):
    permit = spec["components"]["schemas"]["Permit"]
    assert set(permit["required"]) == set(permit["properties"])
    assert permit["properties"]["valid_until"]["nullable"] is True
    assert "nullable" not in permit["properties"]["number"]
    assert permit["additionalProperties"] is False


def test_lists_are_items_objects(spec):
    listed = spec["paths"]["/api/v1/permits"]["get"]["responses"]["200"]
    schema = listed["content"]["application/json"]["schema"]
    assert schema["required"] == ["items"]
    assert schema["properties"]["items"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Permit"},
    }


def test_the_upload_is_described_as_multipart_with_a_binary_file(spec):
    upload = spec["paths"]["/api/v1/applications/{application_id}/documents"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(form["required"]) == {"kind", "file"}
    assert form["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "the file; its type is read from its first bytes, and it is kept only"
        " if it opens (a PDF with a page, a PNG or JPEG that decodes)",
    }
    assert {"413", "422"} <= set(upload["responses"])


def test_query_parameters_come_from_the_query_schemas(spec):
    search = spec["paths"]["/api/v1/residents"]["get"]
    names = {p["name"]: p for p in search["parameters"] if p["in"] == "query"}
    assert set(names) == {"name", "nik", "family_card_number", "page", "per_page"}
    assert names["per_page"]["schema"]["maximum"] == 100


def test_every_counter_action_is_listed(spec):
    action = spec["paths"]["/api/v1/counters/{counter_id}/{action}"]["post"]
    values = {p["name"]: p["schema"] for p in action["parameters"]}["action"]["enum"]
    assert set(values) == set(COUNTER_ACTIONS) | {"finish", "transfer", "release"}


def test_the_document_is_served_as_json(app, spec):
    served = app.test_client().get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.is_json
    assert served.get_json() == spec


def test_swagger_ui_loads_only_files_the_gateway_serves(app):
    http = app.test_client()
    page = http.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "SwaggerUIBundle" in html and "validatorUrl: null" in html
    references = re.findall(r'(?:src|href|url:)\s*=?\s*"([^"]+)"', html)
    assert "/api/v1/openapi.json" in references
    assert len(references) >= 4
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        served = http.get(reference)
        assert served.status_code == 200, reference
        assert served.content_length or served.get_data(), reference
        served.close()
    assert "http://" not in html and "https://" not in html


def test_every_operation_documents_the_refusals_of_the_http_server():
    spec = build_spec(create_app())
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            assert {"414", "431"} <= set(operation["responses"]), f"{method} {path}"
