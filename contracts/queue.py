"""Wire schemas of the queue service."""

from marshmallow import Schema, fields, validate

from contracts.events import event_schema

SOURCE = "queue"


class TicketRequest(Schema):
    service_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    person_id = fields.String(load_default=None, allow_none=True)


class Ticket(Schema):
    id = fields.String()
    label = fields.String()
    service_code = fields.String()
    day = fields.Date()
    number = fields.Integer()
    status = fields.String()
    person_id = fields.String(allow_none=True)
    issued_at = fields.DateTime()


class ServiceLine(Schema):
    code = fields.String()
    prefix = fields.String()
    name_id = fields.String()
    name_en = fields.String()


@event_schema(SOURCE, "ticket_issued")
class TicketIssued(Schema):
    ticket_id = fields.String(required=True)
    label = fields.String(required=True)
    service_code = fields.String(required=True)


@event_schema(SOURCE, "ticket_cancelled")
class TicketCancelled(Schema):
    ticket_id = fields.String(required=True)
    reason = fields.String(required=True)
