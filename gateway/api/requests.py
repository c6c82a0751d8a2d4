"""Reading requests: JSON bodies, query strings and path segments, checked before any service
sees them.

Text never carries a NUL character: no name, address or id has one, and PostgreSQL can't
store one, so it is refused here (422 in a body or a query, 404 in a path) instead of
failing in a service's database.
"""

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest, NotFound

NUL = "\x00"
NO_NUL = "must not contain a NUL character"


def json_body(schema: Schema | None = None) -> dict:
    """The request's JSON object; with ``schema``, 422 with field errors when it is invalid."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    if poisoned := {name: [NO_NUL] for name, value in body.items() if _has_nul(name, value)}:
        raise ValidationError(poisoned)
    if schema is not None and (errors := schema.validate(body)):
        raise ValidationError(errors)
    return body


def query_args(schema: Schema) -> dict:
    """Query string parameters named by ``schema``, validated (422 when invalid, or when
    one is given twice: which one was meant?)."""
    args = {name: request.args.getlist(name) for name in schema.fields if name in request.args}
    refused = {name: ["give this parameter once"] for name, given in args.items() if len(given) > 1}
    refused |= {name: [NO_NUL] for name, given in args.items() if _has_nul(name, given)}
    if refused:
        raise ValidationError(refused)
    args = {name: given[0] for name, given in args.items()}
    if errors := schema.validate(args):
        raise ValidationError(errors)
    return args


def no_nul_in_path(endpoint: str | None, values: dict | None) -> None:
    """``url_value_preprocessor``: a path segment with a NUL character names nothing."""
    if values and any(_has_nul("", value) for value in values.values()):
        raise NotFound()


def _has_nul(key: str, value) -> bool:
    if NUL in key:
        return True
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k, v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul("", v) for v in value)
    return False
