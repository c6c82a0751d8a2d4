"""Errors a service raises on purpose; the gateway maps each one to an HTTP status.

nameko sends a remote exception's class name and its args to the caller, so every
error carries a JSON-safe message and a mapping of field -> reasons. Registered with
``deserialize_to_instance``, they arrive in a calling service as themselves, not as a
generic ``RemoteError``.
"""

from nameko.exceptions import deserialize_to_instance

# The rule for text, the base error and InvalidInput are pure and live with the contracts
# (an event's envelope is validated with them); they are registered and re-exported here.
from contracts.validation import (  # noqa: F401  (re-exported)
    MAX_NESTING,
    MAX_REPORTED,
    NO_CONTROL,
    NO_NUL,
    NOT_UNICODE,
    TOO_DEEP,
    InvalidInput,
    MallError,
    check_input,
    input_problems,
    load,
    showable,
    text_problem,
)

deserialize_to_instance(InvalidInput)


@deserialize_to_instance
class NotFound(MallError):
    """The object asked for does not exist."""


@deserialize_to_instance
class Conflict(MallError):
    """The request is illegal in the object's current state."""


@deserialize_to_instance
class Forbidden(MallError):
    """The actor may not do this."""


@deserialize_to_instance
class Unavailable(MallError):
    """A service this one needs did not answer in time: try again shortly."""
