"""Wire schemas of the queue service."""

from marshmallow import Schema, fields, validate

from contracts.events import event_schema

SOURCE = "queue"
PRIORITIES = ["elderly", "disability", "pregnant"]


class TicketRequest(Schema):
    service_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    person_id = fields.String(load_default=None, allow_none=True)
    priority = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(PRIORITIES)
    )


class Ticket(Schema):
    id = fields.String()
    label = fields.String()
    service_code = fields.String()
    day = fields.Date()
    number = fields.Integer()
    status = fields.String()
    priority = fields.String(allow_none=True)
    person_id = fields.String(allow_none=True)
    issued_at = fields.DateTime()
    arrived_at = fields.DateTime()
    counter_id = fields.String(allow_none=True)
    called_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    outcome = fields.String(allow_none=True)


class TicketPlace(Schema):
    """Where a waiting ticket stands: position 1 is next."""

    ticket = fields.Nested(Ticket)
    position = fields.Integer(allow_none=True)
    estimated_wait_minutes = fields.Float(allow_none=True)


class ServiceLine(Schema):
    code = fields.String()
    prefix = fields.String()
    name_id = fields.String()
    name_en = fields.String()
    agency = fields.String(allow_none=True)
    waiting = fields.Integer()


class Counter(Schema):
    id = fields.String()
    number = fields.Integer()
    agency = fields.String()
    services = fields.List(fields.String())
    status = fields.String()
    officer_id = fields.String(allow_none=True)
    current_ticket = fields.Nested(Ticket, allow_none=True)


class Transfer(Schema):
    to_service = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    to_counter = fields.String(load_default=None, validate=validate.Length(min=1, max=40))


class Finish(Schema):
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=200))


class RatingRequest(Schema):
    elements = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=4)),
        required=True,
        validate=validate.Length(equal=9),
    )


class SatisfactionQuery(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(["service", "counter", "agency"]))
    key = fields.String(required=True, validate=validate.Length(min=1, max=40))


class SatisfactionIndex(Schema):
    scope = fields.String()
    key = fields.String()
    responses = fields.Integer()
    index = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)


class Call(Schema):
    ticket_id = fields.String()
    label = fields.String()
    counter_number = fields.Integer()
    service_code = fields.String()
    called_at = fields.DateTime()
    recall = fields.Boolean()


class BookingRequest(Schema):
    service_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    starts_at = fields.AwareDateTime(required=True)


class Reschedule(Schema):
    starts_at = fields.AwareDateTime(required=True)


class CheckIn(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z2-9]{8}$", error="a booking code is 8 letters and digits"),
    )


class Booking(Schema):
    id = fields.String()
    code = fields.String()
    service_code = fields.String()
    day = fields.Date()
    starts_at = fields.DateTime()
    status = fields.String()
    ticket_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


@event_schema(SOURCE, "booking_created")
class BookingCreated(Schema):
    booking_id = fields.String(required=True)
    service_code = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    person_id = fields.String(required=True)


@event_schema(SOURCE, "booking_cancelled")
class BookingCancelled(Schema):
    booking_id = fields.String(required=True)
    reason = fields.String(required=True)


@event_schema(SOURCE, "pickup_invited")
class PickupInvited(Schema):
    person_id = fields.String(required=True)
    permit_id = fields.String(required=True)
    permit_number = fields.String(required=True)


@event_schema(SOURCE, "ticket_issued")
class TicketIssued(Schema):
    ticket_id = fields.String(required=True)
    label = fields.String(required=True)
    service_code = fields.String(required=True)


@event_schema(SOURCE, "ticket_called")
class TicketCalled(Schema):
    ticket_id = fields.String(required=True)
    label = fields.String(required=True)
    counter_number = fields.Integer(required=True)
    service_code = fields.String(required=True)
    recall = fields.Boolean(required=True)


@event_schema(SOURCE, "ticket_completed")
class TicketCompleted(Schema):
    ticket_id = fields.String(required=True)
    status = fields.String(required=True)  # done, no_show, transferred
    counter_id = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)


@event_schema(SOURCE, "ticket_cancelled")
class TicketCancelled(Schema):
    ticket_id = fields.String(required=True)
    reason = fields.String(required=True)


@event_schema(SOURCE, "rating_submitted")
class RatingSubmitted(Schema):
    ticket_id = fields.String(required=True)
    service_code = fields.String(required=True)
    index = fields.Float(required=True)
