"""What every payload must be before its schema is even asked, and the loading of a payload
with its schema: the one rule of the mall for text and nesting, for services, the gateway
and the envelope of every event alike.

Pure (marshmallow and the standard library): ``contracts`` imports nothing of the chassis.
``chassis.errors`` registers ``InvalidInput`` with nameko, so it crosses RPC as itself.
"""

import re

from marshmallow import Schema, ValidationError

from contracts import refusals
from contracts.refusals.fields import NO_CONTROL, NO_NUL, NOT_UNICODE, TOO_DEEP

# What text the mall takes, in every service and the gateway alike: no NUL (PostgreSQL can't
# store one), no lone UTF-16 surrogate (JSON's "\ud800" is not Unicode text: it can't be
# written as UTF-8), no control character but tab, line feed and carriage return; and no
# payload nested deeper than any form of the mall is (a few levels), so that no parser,
# validator or encoder down the line recurses without end.
MAX_NESTING = 20  # TOO_DEEP says it
_REASONS = (
    (re.compile("\x00"), NO_NUL),
    (re.compile("[\ud800-\udfff]"), NOT_UNICODE),
    (re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"), NO_CONTROL),
)
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# a payload with many bad strings is answered with the first few
MAX_REPORTED = 20


class MallError(Exception):
    """Base of the errors that describe the request, not a fault of the service.

    Raised with a refusal code (``contracts.refusals``), the fields it concerns and the
    values its text names: ``Conflict("slot_full")``, ``NotFound("no_application",
    application=id)``. Its args are ``(code, fields, params)``, which nameko sends to the
    caller and rebuilds it from; ``message`` is the English text.
    """

    def __init__(self, code: str, fields: dict | None = None, params: dict | None = None, **named):
        params = {**(params or {}), **named}
        super().__init__(code, fields or {}, params)
        self.code, self.fields, self.params = code, fields or {}, params
        self.message = refusals.text(code, params)

    def __str__(self) -> str:
        return self.message


class InvalidInput(MallError):
    """The payload breaks a rule of the schema or of the domain."""


def text_problem(text: str) -> str | None:
    """Why ``text`` is not text the mall takes, or None."""
    for pattern, reason in _REASONS:
        if pattern.search(text):
            return reason
    return None


def showable(text: str) -> str:
    """``text`` with what can't be shown or encoded replaced (U+FFFD): a field name for an
    error body, which must never fail to encode."""
    return _UNSHOWABLE.sub("\ufffd", text)


def input_problems(payload, max_nesting: int = MAX_NESTING) -> dict[str, list[str]]:
    """field -> reasons for every key and string of ``payload`` (JSON: dicts, lists, text,
    numbers) that breaks the text rule, and for each top-level field nested too deep.
    Text is named by its path (``address.city``, ``elements.0``); walked without recursion,
    so a payload of any depth is answered."""
    problems: dict[str, list[str]] = {}
    top = payload if isinstance(payload, dict) else {"_schema": payload}
    stack = [(showable(str(key)), key, value, 1) for key, value in reversed(top.items())]
    while stack and len(problems) < MAX_REPORTED:
        path, key, value, depth = stack.pop()
        if isinstance(key, str) and (reason := text_problem(key)):
            problems.setdefault(path, []).append(reason)
        if isinstance(value, str):
            if reason := text_problem(value):
                problems.setdefault(path, []).append(reason)
            continue
        if isinstance(value, dict):
            children = list(value.items())
        elif isinstance(value, list | tuple):
            children = list(enumerate(value))
        else:
            continue
        if depth >= max_nesting:  # a container at level depth + 1 (the payload is 1)
            field = path.split(".", 1)[0]
            if TOO_DEEP not in problems.get(field, []):
                problems.setdefault(field, []).append(TOO_DEEP)
            continue
        for child_key, child in reversed(children):
            stack.append((f"{path}.{showable(str(child_key))}", child_key, child, depth + 1))
    return problems


def check_input(payload) -> None:
    """Raise InvalidInput naming every field whose text or nesting the mall does not take."""
    if problems := input_problems(payload):
        raise InvalidInput("invalid_input", problems)


def load(schema: Schema, payload) -> dict:
    """Validate a payload with a marshmallow schema, raising InvalidInput with field errors
    (first the text rule above, for every service alike)."""
    check_input(payload)
    try:
        return schema.load(payload if payload is not None else {})
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise InvalidInput("invalid_input", messages) from None
