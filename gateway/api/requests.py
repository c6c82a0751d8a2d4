"""Reading requests: JSON bodies and query strings, checked with the wire schemas first."""

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest


def json_body(schema: Schema | None = None) -> dict:
    """The request's JSON object; with ``schema``, 422 with field errors when it is invalid."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    if schema is not None and (errors := schema.validate(body)):
        raise ValidationError(errors)
    return body


def query_args(schema: Schema) -> dict:
    """Query string parameters named by ``schema``, validated (422 when invalid)."""
    args = {name: request.args[name] for name in schema.fields if name in request.args}
    if errors := schema.validate(args):
        raise ValidationError(errors)
    return args
