"""The gateway's OpenAPI 3 document, generated from its routes and the wire schemas.

Every view of the JSON API describes itself in its docstring, as apispec's FlaskPlugin
reads it: the first line is the operation's summary, and the YAML after ``---`` is the
operation keyed by HTTP method, naming schemas by their import path::

    @bp.post("/applications")
    @signed_in
    def create_application():
        \"\"\"Open a permit application (a draft) for the applicant.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: contracts.licensing.ApplicationDraft
          responses:
            201:
              content:
                application/json:
                  schema: contracts.licensing.Application
            403: Forbidden
        \"\"\"

What all routes share is added here, so a docstring says only what is its own: the
operation id and tag (the blueprint), path parameters, bearer security on ``@signed_in``
views, a description for each answer, and the errors the gateway itself gives in its one
error body: 400 (not a JSON object), 401, 404 (a path naming nothing), 413, 414 (the URL
too long), 422 (field errors), 431 (headers too large), 500, 503 and 504. An operation
that calls no service says which of these apply with ``x-gateway-errors`` (414 and 431,
the HTTP server's, apply to all). Routes are found by walking ``app.url_map``, so a new blueprint
is described as soon as it is registered.
"""

import inspect
import re
import sys
from http import HTTPStatus

from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask
from marshmallow import Schema, fields, validate
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from chassis.health import package_version
from contracts.replies import Reply
from gateway import idempotency
from gateway.auth import signed_in

OPENAPI_VERSION = "3.0.3"
DOCUMENTED_PATHS = re.compile(r"^/api/|^/health$")
UNDOCUMENTED_METHODS = {"HEAD", "OPTIONS"}
BEARER = "bearerAuth"
JSON = "application/json"
TITLE = "MPP: digital public service mall"
DESCRIPTION = """\
The one HTTP door of the mall: civil registry, licensing and the counter queue.

**Sign-in**: routes marked with a lock need `Authorization: Bearer <access token>`; on the
others a token is optional (staff see more). An invalid token is refused (401) on any route.

**Errors** always have the body `{"error": {"code", "reason", "params", "message",
"fields"}}`: `code` is the kind of error (it goes with the status), `reason` the stable code
of the refusal (`slot_full`, `counter_not_yours`, `applicant_deceased`; the kind again where
there is none more precise), `params` the values its message names, `message` the text in
English; `fields` maps a field of the request to the reasons it was refused (422).

**Retries**: every POST and PATCH takes an `Idempotency-Key` header (one per intended
action, a UUID). Sent again with the same key and body, within 24 hours, it is not done
again: the first answer is given (status and body), marked `Idempotent-Replayed: true`.
The same key with another body is 422. While the message broker is away the mall answers
503 `broker_unavailable` with `Retry-After`: retry with the same key.
"""

# Shared error answers: component name -> (status, description).
ERRORS = {
    "BadRequest": (400, "The body is not a JSON object."),
    "Unauthorized": (401, "The bearer token is invalid or expired, or sign-in is needed."),
    "Forbidden": (403, "The signed-in actor may not do this."),
    "NotFound": (404, "Nothing here, or nothing this actor may know of."),
    "Conflict": (409, "Not possible in the current state of the object."),
    "PayloadTooLarge": (413, "The body is larger than the gateway accepts."),
    "UriTooLong": (414, "The request line (method, path and query) is over 4094 bytes."),
    "InvalidInput": (422, "Invalid input: `error.fields` maps each field to its reasons."),
    "TooManyAttempts": (
        429,
        "Too many failed sign-ins or checks of unknown documents: wait as long as"
        " `Retry-After` says.",
    ),
    "HeadersTooLarge": (431, "More than 100 headers, or one over 8190 bytes."),
    "InternalError": (500, "An unexpected fault; the details stay in the log."),
    "ServiceUnavailable": (
        503,
        "The service that answers this is not running, or the broker is away "
        "(`broker_unavailable`): try again after `Retry-After` seconds.",
    ),
    "Timeout": (504, "The service that answers this did not answer in time."),
}
UNDESCRIBED = "Any other answer: its view's docstring does not describe it yet."
EVERY_ROUTE = (401, 500)
# answered by the HTTP server (gateway.worker) before any route is known: on every route
FROM_THE_SERVER = (414, 431)
CALLING_A_SERVICE = (*EVERY_ROUTE, 503, 504)
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    "description": "One per intended action: a repeat with the same key and body gets the "
    "first answer instead of doing it again (kept 24 hours); another body is 422.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": idempotency.MAX_KEY_LENGTH,
        "pattern": "^[ -~]+$",
        "example": "5b0c2f9e-3d7a-4c1e-9f4e-2a6b8d0c1e7f",
    },
}


class ErrorDetail(Reply):
    code = fields.String(metadata={"example": "conflict"})
    reason = fields.String(
        metadata={"example": "slot_full", "description": "the refusal's stable code"}
    )
    params = fields.Dict(
        keys=fields.String(), metadata={"description": "the values the message names"}
    )
    message = fields.String(metadata={"description": "the refusal in English"})
    field_errors = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        metadata={"description": "field -> reasons (nested for nested fields)"},
    )


class Error(Reply):
    """Every error the gateway answers."""

    error = fields.Nested(ErrorDetail)


class ServiceHealth(Schema):
    """A service's own report, or why it could not be asked."""

    service = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["ok", "failing", "unreachable"]))
    checks = fields.Dict(keys=fields.String(), values=fields.String())
    version = fields.String()
    uptime_seconds = fields.Float()
    reason = fields.String(metadata={"description": "why an unreachable service did not answer"})


class Health(Reply):
    status = fields.String(validate=validate.OneOf(["ok", "degraded"]))
    broker = fields.String(
        validate=validate.OneOf(["ok", "unreachable"]),
        metadata={"description": "whether this gateway process reaches the message broker"},
    )
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceHealth))


def build_spec(app: Flask) -> dict:
    """The OpenAPI document of every route of ``app`` under /api/ (and /health)."""
    spec = APISpec(
        title=TITLE,
        version=package_version(),
        openapi_version=OPENAPI_VERSION,
        plugins=[FlaskPlugin(), GatewayConventions(), MarshmallowPlugin()],
        info={"description": DESCRIPTION},
    )
    spec.components.security_scheme(
        BEARER, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    spec.components.schema("Error", schema=Error)
    spec.components.schema("Health", schema=Health)
    for name, (_, description) in ERRORS.items():
        spec.components.response(
            name, {"description": description, "content": {JSON: {"schema": "Error"}}}
        )
    blueprints = set()
    for endpoint in documented_endpoints(app):
        spec.path(view=app.view_functions[endpoint], app=app)
        blueprints.add(endpoint.rpartition(".")[0])
    for name in sorted(blueprints - {""}):
        spec.tag({"name": name, "description": _first_line(_blueprint_doc(app, name))})
    return spec.to_dict()


def documented_endpoints(app: Flask) -> list[str]:
    """Endpoints with a rule under /api/ or at /health, in the order of their paths."""
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)
    endpoints = [r.endpoint for r in rules if DOCUMENTED_PATHS.search(r.rule)]
    return list(dict.fromkeys(endpoints))


def needs_sign_in(view) -> bool:
    """Whether ``view`` is wrapped by ``gateway.auth.signed_in`` (at any depth)."""
    while view is not None:
        if getattr(view, "__code__", None) is _SIGNED_IN_CODE:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


_SIGNED_IN_CODE = signed_in(lambda: None).__code__


class GatewayConventions(BasePlugin):
    """Fills in what every operation of the gateway shares (see the module docstring)."""

    def operation_helper(self, path=None, operations=None, *, view=None, app=None, **kwargs):
        rule = FlaskPlugin._rule_for_view(view, app)
        summary, description = _summary_and_description(view.__doc__ or "")
        for method in sorted((rule.methods or set()) - UNDOCUMENTED_METHODS):
            operation = operations.setdefault(method.lower(), {})
            operation.setdefault("operationId", rule.endpoint)
            operation.setdefault("summary", summary or rule.endpoint)
            if description:
                operation.setdefault("description", description)
            if "." in rule.endpoint:
                operation.setdefault("tags", [rule.endpoint.rpartition(".")[0]])
            self._parameters(operation, rule)
            if method in idempotency.METHODS and rule.endpoint not in idempotency.NOT_KEPT:
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            if needs_sign_in(view):
                operation.setdefault("security", [{BEARER: []}])
            else:  # a token is optional, and changes what some routes allow
                operation.setdefault("security", [{}, {BEARER: []}])
            self._responses(operation)

    @staticmethod
    def _parameters(operation: dict, rule: Rule) -> None:
        parameters = operation.setdefault("parameters", [])
        given = {(p.get("in"), p.get("name")) for p in parameters if isinstance(p, dict)}
        for name in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule):
            if ("path", name) not in given:
                schema = _path_schema(rule._converters[name])
                parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
        if not parameters:
            del operation["parameters"]

    @staticmethod
    def _responses(operation: dict) -> None:
        responses = operation.setdefault("responses", {})
        shared = [*operation.pop("x-gateway-errors", CALLING_A_SERVICE), *FROM_THE_SERVER]
        body = operation.get("requestBody", {}).get("content", {})
        if JSON in body:
            shared.append(400)
        if body:
            shared += [413, 422]
        if any(p.get("in") == "query" for p in operation.get("parameters", [])):
            shared.append(422)
        if any(p.get("in") == "path" for p in operation.get("parameters", [])):
            shared.append(404)
        if IDEMPOTENCY_KEY in operation.get("parameters", []):
            shared += [400, 409, 422]  # an invalid key; its first try still running; reused
        by_status = {status: name for name, (status, _) in ERRORS.items()}
        for status in sorted(set(shared)):
            if status not in responses and str(status) not in responses:
                responses[status] = by_status[status]
        if not any(str(status).startswith("2") for status in responses):
            responses["default"] = {"description": UNDESCRIBED}
        for status, response in responses.items():
            if isinstance(response, dict) and "description" not in response:
                response["description"] = _phrase(status)


def _path_schema(converter) -> dict:
    if isinstance(converter, AnyConverter):
        return {"type": "string", "enum": sorted(converter.items)}
    if isinstance(converter, IntegerConverter):
        return {"type": "integer"}
    return {"type": "string", "minLength": 1}


def _summary_and_description(docstring: str) -> tuple[str, str]:
    """The first line of a docstring, and the prose between it and the YAML."""
    lines = inspect.cleandoc(docstring).splitlines()
    prose = lines[: lines.index("---")] if "---" in lines else lines
    summary = prose[0].strip() if prose else ""
    return summary, "\n".join(prose[1:]).strip()


def _first_line(text: str) -> str:
    return text.strip().partition("\n")[0].strip()


def _blueprint_doc(app: Flask, name: str) -> str:
    blueprint = app.blueprints.get(name)
    module = sys.modules.get(blueprint.import_name) if blueprint else None
    return (module.__doc__ or "") if module else ""


def _phrase(status) -> str:
    try:
        return HTTPStatus(int(status)).phrase
    except ValueError:
        return str(status)  # "default", "2XX"
