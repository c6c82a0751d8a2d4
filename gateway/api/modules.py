"""The catalog of everything the mall offers, and agency modules reached generically.

A module's requests need no code here: its manifest (from the catalog) says which services
it offers and what their forms hold, so the form is checked here against the manifest
(422 with field errors) and the call goes to the module's own nameko service. A module
that has stopped announcing itself answers 503.
"""

from flask import Blueprint, g, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import Unauthorized

from chassis.errors import NotFound
from contracts import catalog as catalog_wire
from contracts import modules as wire
from gateway.api.requests import json_body, query_args
from gateway.auth import signed_in
from gateway.errors import error_response
from gateway.rpc import call

bp = Blueprint("modules", __name__, url_prefix="/api/v1")


class ModuleUnavailable(Exception):
    def __init__(self, module: str, manifest: dict):
        agency = manifest["agency"]
        super().__init__(
            f"{module} ({agency['name_en']}) is not available right now; try again later. "
            f"Layanan {agency['name_id']} sedang tidak tersedia; silakan coba lagi nanti."
        )


@bp.app_errorhandler(ModuleUnavailable)
def unavailable(error: ModuleUnavailable):
    response, status = error_response(503, "module_unavailable", str(error))
    response.headers["Retry-After"] = "30"
    return response, status


def live_manifest(module: str) -> dict:
    """The module's manifest, if the module is plugged in and alive (404 / 503 otherwise)."""
    if not wire.NAME_PATTERN.match(module):
        raise NotFound("no_module", module=module)
    found = call("catalog", "module", module)
    if not found["available"]:
        raise ModuleUnavailable(module, found["manifest"])
    return found["manifest"]


@bp.get("/catalog")
def search_catalog():
    """Every service of the mall, core and modules: search by words, agency, life event.
    ---
    get:
      parameters:
      - {in: query, schema: contracts.catalog.SearchQuery}
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: {type: object}}
    """
    return jsonify({"items": call("catalog", "search", query_args(catalog_wire.SearchQuery()))})


@bp.get("/modules/<module>")
def describe_module(module: str):
    """A module's manifest (services, forms, documents, fees) and whether it is up.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                properties:
                  manifest: contracts.modules.Manifest
                  available: {type: boolean}
                  last_seen: {type: string, format: date-time, nullable: true}
    """
    if not wire.NAME_PATTERN.match(module):
        raise NotFound("no_module", module=module)
    return jsonify(call("catalog", "module", module))


@bp.post("/modules/<module>/applications")
def apply(module: str):
    """Apply to a module's service; the form is checked against the module's manifest.
    A service that takes visitors (``visitors`` in the manifest) may be filed without a
    sign-in: the reply carries the ``tracking_code`` to follow it, once.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.modules.ApplicationRequest
      responses:
        201:
          content:
            application/json:
              schema: contracts.modules.ModuleApplication
        401: Unauthorized
        403: Forbidden
        409: Conflict
    """
    body = json_body(wire.ApplicationRequest())  # the shape first, then the module's form
    return jsonify(submit_application(module, body)), 201


def submit_application(module: str, body: dict) -> dict:
    """Check the form against the module's live manifest, then hand it to the module."""
    manifest = live_manifest(module)
    offered = {service["code"]: service for service in manifest["services"]}
    if body["service"] not in offered:
        raise ValidationError({"service": [f"one of {sorted(offered)}"]})
    if g.actor.id is None and not offered[body["service"]].get("visitors"):
        raise Unauthorized("sign in first")
    if errors := wire.form_schema(offered[body["service"]]["form"]).validate(body["form"]):
        raise ValidationError({"form": errors})
    return call(module, "submit_application", body)


@bp.get("/modules/<module>/applications")
@signed_in
def my_module_applications(module: str):
    """My applications to the module, the newest first.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: contracts.modules.ModuleApplication}
    """
    live_manifest(module)
    return jsonify({"items": call(module, "my_applications")})


@bp.get("/modules/<module>/applications/<application_id>")
def get_module_application(module: str, application_id: str):
    """An application, with what the module found and its history (applicant, officers;
    a visitor who filed it, with her ``tracking_code``).
    ---
    get:
      parameters:
      - {in: query, schema: contracts.modules.TrackingQuery}
      responses:
        200:
          content:
            application/json:
              schema: contracts.modules.ModuleApplication
        401: Unauthorized
        404: NotFound
    """
    code = query_args(wire.TrackingQuery()).get("tracking_code")
    live_manifest(module)  # without a sign-in or her code, it is nobody's to read: 404
    return jsonify(call(module, "get_application", application_id, code))


@bp.get("/modules/<module>/worklist")
@signed_in
def module_worklist(module: str):
    """Open applications for the module's officers, the most urgent first.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: contracts.modules.ModuleApplication}
        403: Forbidden
    """
    live_manifest(module)
    return jsonify({"items": call(module, "worklist")})


@bp.post("/modules/<module>/applications/<application_id>/actions")
def act_on_module_application(module: str, application_id: str):
    """An officer of the module's agency reviews, approves or rejects; the applicant
    withdraws while it is undecided. ``allowed_actions`` of the application says which.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.modules.Action
      responses:
        200:
          content:
            application/json:
              schema: contracts.modules.ModuleApplication
        401: Unauthorized
        403: Forbidden
        404: NotFound
        409: Conflict
        422: InvalidInput
    """
    body = json_body(wire.Action())  # a visitor shows her code in it
    live_manifest(module)
    return jsonify(call(module, "act", application_id, body))


@bp.get("/modules/<module>/views/<view>")
def module_view(module: str, view: str):
    """A list the module publishes (``views`` of its manifest): the public register of
    complaints, figures per agency. Its query is checked against the view's filters; a
    ``signed_in`` view needs a sign-in, and the module decides what each caller sees.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: {type: object}}
        401: Unauthorized
        404: NotFound
        422: InvalidInput
    """
    spec = view_of(live_manifest(module), module, view)
    if spec["audience"] != "public" and g.actor.id is None:
        return error_response(401, "unauthorized", "sign in first")
    return jsonify({"items": read_view(module, spec, query_args(view_query(spec)))})


def view_of(manifest: dict, module: str, name: str) -> dict:
    for view in manifest.get("views") or ():
        if view["name"] == name:
            return view
    raise NotFound("no_view", module=module, view=name)


def view_query(view: dict):
    """The schema of a view's query: its filters, every one optional."""
    return wire.form_schema([{**spec, "required": False} for spec in view["filters"]])


def read_view(module: str, view: dict, query: dict) -> list[dict]:
    """The view's rows from the module, asked with the filters given (none as absent)."""
    schema = view_query(view)
    given = schema.dump(schema.load(query))
    return call(module, view["rpc"], {k: v for k, v in given.items() if v is not None})


@bp.post("/modules/<module>/applications/<application_id>/operations/<operation>")
@signed_in
def operate_on_module_application(module: str, application_id: str, operation: str):
    """An act of a signed-in citizen on an application that is not a step of it
    (``operations`` of the manifest: adding her voice to another's complaint).
    ---
    post:
      responses:
        200:
          content:
            application/json:
              schema: {type: object}
        401: Unauthorized
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    manifest = live_manifest(module)
    return jsonify(operate(manifest, module, application_id, operation))


def operate(manifest: dict, module: str, application_id: str, name: str) -> dict:
    for operation in manifest.get("operations") or ():
        if operation["name"] == name:
            return call(module, operation["rpc"], application_id)
    raise NotFound("no_operation", module=module, operation=name)
