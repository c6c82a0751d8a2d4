"""Errors a service raises on purpose; the gateway maps each one to an HTTP status.

nameko sends a remote exception's class name and its args to the caller, so every
error carries a JSON-safe message and a mapping of field -> reasons. Registered with
``deserialize_to_instance``, they arrive in a calling service as themselves, not as a
generic ``RemoteError``.
"""

from marshmallow import Schema, ValidationError
from nameko.exceptions import deserialize_to_instance


class MallError(Exception):
    """Base of the errors that describe the request, not a fault of the service."""

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message, fields or {})
        self.message = message
        self.fields = fields or {}

    def __str__(self) -> str:
        return self.message


@deserialize_to_instance
class InvalidInput(MallError):
    """The payload breaks a rule of the schema or of the domain."""


@deserialize_to_instance
class NotFound(MallError):
    """The object asked for does not exist."""


@deserialize_to_instance
class Conflict(MallError):
    """The request is illegal in the object's current state."""


@deserialize_to_instance
class Forbidden(MallError):
    """The actor may not do this."""


def load(schema: Schema, payload) -> dict:
    """Validate a payload with a marshmallow schema, raising InvalidInput with field errors."""
    try:
        return schema.load(payload if payload is not None else {})
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise InvalidInput("invalid input", messages) from None
