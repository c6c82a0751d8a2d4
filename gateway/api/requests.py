"""Reading requests: JSON bodies, query strings, form posts and path segments, checked
before any service sees them.

Text follows the mall's one rule (``chassis.errors.input_problems``: no NUL, no lone
UTF-16 surrogate, no control character but tab, line feed and carriage return, no nesting
deeper than ``MAX_NESTING``), refused with the field and the reason: 422 in a body, a query
or a form, 404 in a path (a segment like that names nothing). The services check the same
rule again on what they are sent.
"""

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest, NotFound

from chassis.errors import TOO_DEEP, input_problems, text_problem

NOT_AN_OBJECT = "request body must be a JSON object"


def json_body(schema: Schema | None = None) -> dict:
    """The request's JSON object; with ``schema``, 422 with field errors when it is invalid."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: far beyond MAX_NESTING
        raise ValidationError({"_schema": [TOO_DEEP]}) from None
    if not isinstance(body, dict):
        raise BadRequest(NOT_AN_OBJECT)
    if problems := input_problems(body):
        raise ValidationError(problems)
    if schema is not None and (errors := schema.validate(body)):
        raise ValidationError(errors)
    return body


def query_args(schema: Schema) -> dict:
    """Query string parameters named by ``schema``, validated (422 when invalid, or when
    one is given twice: which one was meant?)."""
    args = {name: request.args.getlist(name) for name in schema.fields if name in request.args}
    refused = {name: ["give this parameter once"] for name, given in args.items() if len(given) > 1}
    if refused:
        raise ValidationError(refused)
    args = {name: given[0] for name, given in args.items()}
    if errors := schema.validate(args):
        raise ValidationError(errors)
    return args


def refuse_bad_text() -> None:
    """``before_request``: a query string or a posted form (of a page or the API) whose
    names or values break the text rule is refused, whatever the route does with it."""
    given = {name: request.args.getlist(name) for name in request.args}
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name in request.form:
            given.setdefault(name, []).extend(request.form.getlist(name))
    if problems := input_problems(given):
        # a parameter is named, not its place in the list of values given for it
        raise ValidationError({name.split(".", 1)[0]: why for name, why in problems.items()})


def no_bad_text_in_path(endpoint: str | None, values: dict | None) -> None:
    """``url_value_preprocessor``: a path segment with a NUL or control character names
    nothing."""
    if values and any(isinstance(v, str) and text_problem(v) for v in values.values()):
        raise NotFound("not_found")
