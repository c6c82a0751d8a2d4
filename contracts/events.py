"""The envelope every event travels in, and the registry of event payload schemas.

A handler receives the whole envelope: ``event_id`` makes redelivery detectable,
``correlation_id`` ties the event to the request that caused it.
"""

import importlib
import uuid
from datetime import UTC, datetime

from marshmallow import Schema, fields

from contracts.validation import load


class EventEnvelope(Schema):
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    source = fields.String(required=True)
    occurred_at = fields.String(required=True)
    correlation_id = fields.String(allow_none=True)
    data = fields.Dict(required=True)


# (source service, event type) -> schema of ``data``; filled by each contracts module.
EVENT_SCHEMAS: dict[tuple[str, str], Schema] = {}


class Names(Schema):
    """A name in the mall's two languages, carried by an event for whoever tells people of
    it (a service's code is not a word to show a citizen)."""

    id = fields.String(required=True)
    en = fields.String(required=True)


def event_schema(source: str, event_type: str):
    """Class decorator registering the payload schema of an event."""

    def register(schema_cls):
        EVENT_SCHEMAS[(source, event_type)] = schema_cls()
        return schema_cls

    return register


def envelope(source: str, event_type: str, data: dict, correlation_id: str | None) -> dict:
    """Build an event, validating ``data`` against its registered schema."""
    try:
        importlib.import_module(f"contracts.{source}")  # registers the source's event schemas
    except ModuleNotFoundError:
        # an agency module's shared events are registered by its base class, not a file
        if (source, event_type) not in EVENT_SCHEMAS:
            raise LookupError(f"no contracts for service {source}") from None
    schema = EVENT_SCHEMAS.get((source, event_type))
    if schema is None:
        raise LookupError(f"no schema for event {source}.{event_type}")
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "source": source,
        "occurred_at": datetime.now(UTC).isoformat(),
        "correlation_id": correlation_id,
        "data": schema.dump(load(schema, data)),
    }
