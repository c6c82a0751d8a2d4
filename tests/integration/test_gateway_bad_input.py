"""Every write route of the gateway against bad input, with the real services behind it
(SQLite, PostgreSQL): a body that is not JSON, a JSON array, missing fields, a field of the
wrong type, text with a NUL character, a lone UTF-16 surrogate or a control character,
JSON nested deeper than any form of the mall. Each is refused with 400 or 422 and the
error body naming the fields, never a 500.

The routes are read from the OpenAPI document the gateway builds from its url_map, so a
route added later is checked here without being listed.
"""

import json

import pytest

from chassis.actor import Actor
from chassis.errors import NO_CONTROL, NOT_UNICODE, TOO_DEEP, InvalidInput
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from gateway.openapi import build_spec
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.catalog.service import CatalogService
from services.civil_registry.service import CivilRegistryService
from services.licensing.service import LicensingService
from services.notifications.service import NotificationsService
from services.queue.service import QueueService
from tests.accounts import bearer
from tests.integration.helpers import rpc_to

WRITES = {"post", "put", "patch", "delete"}
JSON = "application/json"
WRONG_TYPE = {"string": 12345, "integer": "many", "number": "many", "boolean": "yes"}
CITIZEN = {"id": "citizen-1", "role": "citizen", "person_id": "person-1"}


@pytest.fixture
def api(container_factory, service_config, database_url_factory, tmp_path):
    store = {"DOCUMENT_STORE": str(tmp_path / "documents")}
    registry = service_config("civil_registry")
    licensing = service_config("licensing", **store)
    queue = service_config("queue")
    seed(licensing["DATABASE_URL"], PERMIT_TYPES)
    seed(queue["DATABASE_URL"], QUEUE_SETUP)
    container_factory(CivilRegistryService, registry).start()
    container_factory(LicensingService, licensing).start()
    container_factory(QueueService, queue).start()
    container_factory(CatalogService, service_config("catalog")).start()  # the calendar
    container_factory(NotificationsService, service_config("notifications")).start()
    app = create_app(
        {
            "AMQP_URI": registry["AMQP_URI"],
            "JWT_SECRET": "integration-secret",
            "DATABASE_URL": database_url_factory("gateway"),
            **store,
        }
    )
    client = RpcClient(registry["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    yield app, queue
    client.close()


def signed_in_as(app, **actor) -> dict:
    return bearer(app, Actor(**actor))


def write_operations(app) -> list[tuple[str, str, dict]]:
    spec = build_spec(app)
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in WRITES:
                found.append((method, path, resolved(spec, operation)))
    assert len(found) >= 20  # the url_map was read
    return found


def resolved(spec: dict, node):
    """``node`` with every local $ref replaced by what it points to."""
    if isinstance(node, dict):
        if "$ref" in node:
            section, name = node["$ref"].split("/")[-2:]
            return resolved(spec, spec["components"][section][name])
        return {key: resolved(spec, value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolved(spec, value) for value in node]
    return node


def url(path: str, operation: dict, value: str = "no-such-thing") -> str:
    return urls(path, operation, value)[0]


def urls(path: str, operation: dict, value: str = "no-such-thing") -> list[str]:
    """The path with ``value`` for its parameters, once for each value a listed one takes
    (``/counters/{counter_id}/{action}``: only finish and transfer take a body)."""
    filled = [path]
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            slot = f"{{{parameter['name']}}}"
            choices = parameter["schema"].get("enum", [value])
            filled = [url.replace(slot, choice) for url in filled for choice in choices]
    return filled


def json_bodies(operation: dict) -> list[dict]:
    """The JSON body schemas a route takes (several when it is one of them)."""
    schema = operation.get("requestBody", {}).get("content", {}).get(JSON, {}).get("schema")
    return [] if schema is None else schema.get("oneOf", [schema])


def sample(schema: dict) -> dict | None:
    """A body of the document's examples (or first allowed values) for the required fields."""
    body = {}
    for name in schema.get("required", []):
        field = schema["properties"][name]
        if "example" in field:
            body[name] = field["example"]
        elif "enum" in field:
            body[name] = field["enum"][0]
        else:
            return None
    return body


def refusal(response) -> dict:
    """The error body of a refusal; fails on anything but a 400 or a 422."""
    assert response.status_code in (400, 422), (response.status_code, response.get_data())
    error = response.get_json()["error"]
    assert set(error) == {"code", "reason", "params", "message", "fields"} and error["message"]
    return error


def refusals(http, method: str, path: str, operation: dict, headers: dict, **request) -> list:
    """The error bodies of the refusals (400, 422) among the answers of every variant of the
    route; none may be a 5xx, and every 4xx has the error body."""
    found = []
    for variant in urls(path, operation):
        response = http.open(variant, method=method, headers=headers, **request)
        assert response.status_code < 500, f"{method} {variant}: {response.get_data()}"
        if response.status_code >= 400:
            assert response.get_json()["error"]["code"], f"{method} {variant}"
        if response.status_code in (400, 422):
            found.append(refusal(response))
    return found


def test_a_body_that_is_not_a_json_object_is_refused_with_400(api):
    app, _ = api
    http = app.test_client()
    for method, path, operation in write_operations(app):
        headers = signed_in_as(app, **CITIZEN)  # a session of its own: one route signs out
        content = operation.get("requestBody", {}).get("content", {})
        for bad in ({"data": "no{", "content_type": JSON}, {"json": []}):
            refused = refusals(http, method, path, operation, headers, **bad)
            if JSON in content:
                assert refused and {e["code"] for e in refused} == {"bad_request"}, path
            elif "multipart/form-data" in content:
                assert {"file", "kind"} <= set(refused[0]["fields"]), f"{method} {path}"
            # a route that takes no body ignores what is sent: it only must not break


def test_missing_required_fields_are_each_named_in_a_422(api):
    app, _ = api
    http, headers = app.test_client(), signed_in_as(app, **CITIZEN)
    checked = 0
    for method, path, operation in write_operations(app):
        bodies = json_bodies(operation)
        if not any(body.get("required") for body in bodies):
            continue  # no body, or one whose fields are all optional (a ticket's cancel code)
        refused = refusals(http, method, path, operation, headers, json={})
        assert refused, f"{method} {path}"
        for error in refused:
            assert error["code"] == "invalid_input" and error["fields"], f"{method} {path}"
        if len(bodies) == 1:
            assert set(bodies[0].get("required", [])) <= set(refused[0]["fields"]), path
        checked += 1
    assert checked >= 15


def test_a_field_of_the_wrong_type_is_named_in_a_422(api):
    app, _ = api
    http, headers = app.test_client(), signed_in_as(app, **CITIZEN)
    checked = 0
    for method, path, operation in write_operations(app):
        for body in json_bodies(operation):
            for name, field in body.get("properties", {}).items():
                wrong = WRONG_TYPE.get(field.get("type"), "not an object or a list")
                refused = refusals(http, method, path, operation, headers, json={name: wrong})
                assert any(name in e["fields"] for e in refused), f"{method} {path} {name}"
                checked += 1
    assert checked >= 40


def test_text_with_a_nul_character_is_refused_not_stored_or_crashed(api):
    app, _ = api
    http = app.test_client()
    headers = signed_in_as(app, id="registrar-1", role="registrar", agency="disdukcapil")
    checked = 0
    for method, path, operation in write_operations(app):
        for body in json_bodies(operation):
            valid = sample(body)
            if valid is None:
                continue
            for name, field in body["properties"].items():
                if field.get("type") != "string" or "enum" in field or "format" in field:
                    continue
                poisoned = {**valid, name: "Sragen\x00"}
                refused = refusals(http, method, path, operation, headers, json=poisoned)
                assert any(name in e["fields"] for e in refused), f"{method} {path} {name}"
                checked += 1
    assert checked >= 5


def test_a_nul_character_in_a_path_or_a_query_finds_nothing_and_breaks_nothing(api):
    app, _ = api
    http = app.test_client()
    headers = signed_in_as(app, id="registrar-1", role="registrar", agency="disdukcapil")
    spec = build_spec(app)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if "{" not in path:
                continue
            response = http.open(url(path, operation, "\x00"), method=method, headers=headers)
            assert response.status_code in (400, 403, 404, 422), f"{method} {path}"
            assert response.get_json()["error"]["code"], f"{method} {path}"
    search = http.get("/api/v1/residents", query_string={"name": "Siti\x00"}, headers=headers)
    assert "name" in refusal(search)["fields"]


def test_a_booking_at_the_far_ends_of_time_is_refused_with_the_reason(api):
    app, queue_config = api
    http = app.test_client()
    phone = signed_in_as(app, **CITIZEN)
    for moment in ("9999-12-31T23:00:00-12:00", "0001-01-01T00:00:00+14:00"):
        body = {"service_code": "population", "starts_at": moment}
        over_http = http.post("/api/v1/bookings", headers=phone, json=body)
        assert "starts_at" in refusal(over_http)["fields"]
        with rpc_to("queue", queue_config, actor=CITIZEN) as queue:
            with pytest.raises(InvalidInput) as refused:
                queue.book(body)
        assert "starts_at" in refused.value.fields


def test_statistics_of_a_day_that_is_not_a_date_are_refused(api):
    app, queue_config = api
    officer = {"id": "officer-1", "role": "counter_officer", "agency": "disdukcapil"}
    answer = app.test_client().get(
        "/api/v1/statistics/daily?day=yesterday", headers=signed_in_as(app, **officer)
    )
    assert "day" in refusal(answer)["fields"]
    with rpc_to("queue", queue_config, actor=officer) as queue:
        with pytest.raises(InvalidInput):
            queue.daily_statistics("yesterday")
        assert queue.daily_statistics("2030-01-07") == {"services": {}, "counters": {}}


def test_a_search_page_beyond_any_result_is_refused_before_the_database_sees_it(api):
    app, _ = api
    registrar = signed_in_as(app, id="registrar-1", role="registrar", agency="disdukcapil")
    http = app.test_client()
    answer = http.get("/api/v1/residents?page=100000000000000000000", headers=registrar)
    assert "page" in refusal(answer)["fields"]
    last = http.get("/api/v1/residents?page=10000&per_page=100", headers=registrar)
    assert last.status_code == 200 and last.get_json()["items"] == []


def as_json(body) -> dict:
    """A request sending ``body`` as the JSON text a client writes (``\\ud800`` escapes: the
    test client's own encoder would not send a lone surrogate)."""
    return {"data": json.dumps(body), "content_type": JSON}


def nested(depth: int):
    value = "Sragen"
    for _ in range(depth):
        value = [value]
    return value


def nested_json(name: str, depth: int) -> dict:
    """A request with ``name`` nested ``depth`` lists deep, written out (json.dumps, like
    any recursive encoder, gives up long before a client must)."""
    text = json.dumps({name: "Sragen"}).replace('"Sragen"', "[" * depth + '"S"' + "]" * depth)
    return {"data": text, "content_type": JSON}


@pytest.mark.parametrize(
    ("poison", "reason"), [("Sragen\ud800", NOT_UNICODE), ("Sragen\x1b[2J", NO_CONTROL)]
)
def test_text_that_is_not_unicode_or_has_a_control_character_is_refused_with_its_field(
    api, poison, reason
):
    app, _ = api
    http = app.test_client()
    checked = 0
    for method, path, operation in write_operations(app):
        headers = signed_in_as(app, id="registrar-1", role="registrar", agency="disdukcapil")
        for body in json_bodies(operation):
            valid = sample(body) or {}
            for name in body.get("properties", {}):
                poisoned = as_json({**valid, name: poison})
                refused = refusals(http, method, path, operation, headers, **poisoned)
                assert any(e["fields"].get(name) == [reason] for e in refused), (path, name)
                checked += 1
            # a field name of the same kind: refused, and its error body still encodes
            refused = refusals(http, method, path, operation, headers, **as_json({poison: 1}))
            assert refused, f"{method} {path}"
    assert checked >= 40


def test_json_nested_beyond_any_form_is_refused_at_any_depth(api):
    app, _ = api
    http = app.test_client()
    checked = 0
    for method, path, operation in write_operations(app):
        headers = signed_in_as(app, **CITIZEN)  # a session of its own: one route signs out
        for body in json_bodies(operation):
            for name in body.get("properties", {}):
                for depth in (25, 900, 100_000):  # the last is beyond Python's json parser
                    deep = nested_json(name, depth)
                    refused = refusals(http, method, path, operation, headers, **deep)
                    assert refused and all(e["code"] == "invalid_input" for e in refused), path
                    assert any(TOO_DEEP in sum(e["fields"].values(), []) for e in refused)
                checked += 1
        deep = {"data": "[" * 100_000 + "]" * 100_000, "content_type": JSON}
        assert all(e["fields"] for e in refusals(http, method, path, operation, headers, **deep))
    assert checked >= 40


def test_the_anonymous_routes_refuse_hostile_bodies_and_nobody_is_signed_in(api):
    app, _ = api
    http = app.test_client()
    for path in ("/api/v1/tickets", "/api/v1/sessions", "/api/v1/sessions/refresh"):
        for body in (
            {"data": "[" * 5000 + "]" * 5000, "content_type": JSON},
            as_json({"login": "\ud800", "password": "\ud800", "service_code": "\ud800"}),
            as_json({"\ud800": 1, "refresh_token": "x" * 40 + "\udfff"}),
        ):
            refused = refusal(http.post(path, **body))
            assert refused["code"] == "invalid_input", path


def test_each_service_refuses_the_same_text_on_its_own(api):
    _, queue_config = api
    with rpc_to("queue", queue_config, actor=CITIZEN) as queue:
        for poison, reason in (("tax\ud800", NOT_UNICODE), ("tax\x07", NO_CONTROL)):
            with pytest.raises(InvalidInput) as refused:
                queue.issue_ticket({"service_code": poison})
            assert refused.value.fields == {"service_code": [reason]}
        with pytest.raises(InvalidInput) as refused:
            queue.issue_ticket({"service_code": "tax", "note": nested(50)})
        assert refused.value.fields == {"note": [TOO_DEEP]}


def test_query_strings_and_page_forms_with_control_characters_are_refused(api):
    app, _ = api
    http = app.test_client()
    registrar = signed_in_as(app, id="registrar-1", role="registrar", agency="disdukcapil")
    search = http.get("/api/v1/residents", query_string={"name": "Siti\x01"}, headers=registrar)
    assert refusal(search)["fields"] == {"name": [NO_CONTROL]}
    anywhere = http.get("/api/v1/service-lines", query_string={"unused\x7f": "1"})
    assert "unused\ufffd" in refusal(anywhere)["fields"]
    page = http.post("/sign-in", data={"login": "siti\x08", "password": "x"})
    assert page.status_code == 422 and page.mimetype == "text/html"
