"""Wire schemas of the queue service."""

from datetime import UTC, date, datetime

from marshmallow import Schema, fields, validate

from contracts.digits import Integer
from contracts.events import Names, event_schema
from contracts.replies import Reply
from contracts.times import MallDateTime

SOURCE = "queue"
PRIORITIES = ["elderly", "disability", "pregnant"]
# A slot time this far from now is refused before time-zone arithmetic could overflow.
PLAUSIBLE_SLOT = validate.Range(
    min=datetime(2000, 1, 1, tzinfo=UTC),
    max=datetime(2100, 1, 1, tzinfo=UTC),
    error="must be a time between the years 2000 and 2100",
)
PLAUSIBLE_DAY = validate.Range(
    min=date(2000, 1, 1), max=date(2099, 12, 31), error="must be a day between 2000 and 2099"
)


class TicketRequest(Schema):
    """A walk-in ticket as asked for at the kiosk (a priority is honoured for staff only)."""

    service_code = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"example": "population"}
    )
    priority = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(PRIORITIES)
    )


class TicketIssue(TicketRequest):
    """What the queue service takes: staff at the desk may name the person as well."""

    person_id = fields.String(load_default=None, allow_none=True)


class Ticket(Reply):
    id = fields.String()
    label = fields.String()
    service_code = fields.String()
    day = fields.Date()
    number = fields.Integer()
    status = fields.String()
    priority = fields.String(allow_none=True)
    person_id = fields.String(allow_none=True)
    issued_at = MallDateTime()
    arrived_at = MallDateTime()
    counter_id = fields.String(allow_none=True)
    called_at = MallDateTime(allow_none=True)
    finished_at = MallDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)


class IssuedTicket(Ticket):
    """A ticket as issued: with the code that gives it up (shown this once, printed)."""

    cancel_code = fields.String()


class TicketCancellation(Schema):
    """Giving up a waiting ticket: its holder signed in needs no code; anyone else gives
    the ticket's cancel code."""

    cancel_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=20),
        metadata={"example": "F3EK3FTJ2Q"},
    )


class TicketPlace(Reply):
    """Where a waiting ticket stands: position 1 is next."""

    ticket = fields.Nested(Ticket)
    position = fields.Integer(allow_none=True)
    estimated_wait_minutes = fields.Float(
        allow_none=True, metadata={"description": "null when not waiting or no counter is open"}
    )
    no_counter_open = fields.Boolean(
        metadata={"description": "waiting, and no counter of its line is open: no estimate"}
    )
    opens_at = MallDateTime(
        allow_none=True,
        metadata={"description": "when the mall opens next, if it is closed now (WIB)"},
    )
    rated = fields.Boolean(metadata={"description": "the service was rated (SKM), once"})
    invites_complaint = fields.Boolean(
        metadata={
            "description": "its rating has an element at 1 (poor): a complaint about it is "
            "invited, as the reply of rating it said"
        }
    )


class ServiceLine(Reply):
    code = fields.String()
    prefix = fields.String()
    name_id = fields.String()
    name_en = fields.String()
    agency = fields.String(allow_none=True)
    waiting = fields.Integer()


class Counter(Reply):
    id = fields.String()
    number = fields.Integer()
    agency = fields.String()
    services = fields.List(fields.String())
    status = fields.String()
    officer_id = fields.String(allow_none=True)
    current_ticket = fields.Nested(Ticket, allow_none=True)
    # for the officer asking: whether she holds it, and what she may do at it now
    held_by_you = fields.Boolean()
    allowed_actions = fields.List(fields.String())


class CounterReleaseRequest(Schema):
    """Why an agency administrator or the mall manager closes a counter open under an
    officer (required: it is kept with who and when)."""

    reason = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=500),
            validate.Regexp(r"[\s\S]*\S", error="give a reason"),
        ],
        metadata={"example": "officer's account disabled; counter left open"},
    )


class CounterReleased(Reply):
    """The closed counter and the tickets it held, back in line at their place."""

    counter = fields.Nested(Counter)
    officer_id = fields.String(allow_none=True)
    released_by = fields.String()
    reason = fields.String()
    requeued_ticket_ids = fields.List(fields.String())
    released_at = MallDateTime()


class Transfer(Schema):
    to_service = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    to_counter = fields.String(load_default=None, validate=validate.Length(min=1, max=40))


class Finish(Schema):
    outcome = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "KTP printed"}
    )


class RatingRequest(Schema):
    elements = fields.List(
        Integer(validate=validate.Range(min=1, max=4)),
        required=True,
        validate=validate.Length(equal=9),
        metadata={"example": [4, 4, 3, 4, 4, 3, 4, 4, 4]},
    )


class SatisfactionQuery(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(["service", "counter", "agency"]))
    key = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"example": "population"}
    )


class SatisfactionIndex(Reply):
    scope = fields.String()
    key = fields.String()
    responses = fields.Integer()
    index = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)


class Rating(Reply):
    """A submitted survey: its index (25-100) and grade (A-D), and whether it invites a
    complaint about the service."""

    ticket_id = fields.String()
    index = fields.Float()
    grade = fields.String()
    invites_complaint = fields.Boolean(
        metadata={
            "description": "an element was rated 1 (poor): the mall invites a complaint "
            "about this ticket's service to its complaint desk"
        }
    )


class DailyStatisticsQuery(Schema):
    day = fields.Date(load_default=None)  # today in the mall when not given


class LineStatistics(Reply):
    """One service's or counter's day: tickets and minutes (null before any ticket)."""

    issued = fields.Integer()
    served = fields.Integer()
    no_show = fields.Integer()
    waiting = fields.Integer()
    wait_minutes_median = fields.Float(allow_none=True)
    wait_minutes_p90 = fields.Float(allow_none=True)
    service_minutes_median = fields.Float(allow_none=True)
    service_minutes_p90 = fields.Float(allow_none=True)


class DailyStatistics(Reply):
    """Per service code and per counter id."""

    services = fields.Dict(keys=fields.String(), values=fields.Nested(LineStatistics))
    counters = fields.Dict(keys=fields.String(), values=fields.Nested(LineStatistics))


class Call(Reply):
    ticket_id = fields.String()
    label = fields.String()
    counter_number = fields.Integer()
    service_code = fields.String()
    called_at = MallDateTime()
    recall = fields.Boolean()


class BookingRequest(Schema):
    service_code = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"example": "population"}
    )
    starts_at = fields.AwareDateTime(
        required=True, validate=PLAUSIBLE_SLOT, metadata={"example": "2030-01-07T09:00:00+07:00"}
    )


class SlotQuery(Schema):
    service_code = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"example": "population"}
    )
    day = fields.Date(required=True, validate=PLAUSIBLE_DAY, metadata={"example": "2030-01-07"})


class Slot(Reply):
    starts_at = MallDateTime()
    seats_left = fields.Integer()


class Reschedule(Schema):
    starts_at = fields.AwareDateTime(
        required=True, validate=PLAUSIBLE_SLOT, metadata={"example": "2030-01-07T09:30:00+07:00"}
    )


class CheckIn(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z2-9]{8}$", error="a booking code is 8 letters and digits"),
        metadata={"example": "F3EK3FTJ"},
    )


class Booking(Reply):
    id = fields.String()
    code = fields.String()
    service_code = fields.String()
    day = fields.Date()
    starts_at = MallDateTime()
    status = fields.String()
    ticket_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


@event_schema(SOURCE, "booking_created")
class BookingCreated(Schema):
    booking_id = fields.String(required=True)
    service_code = fields.String(required=True)
    starts_at = MallDateTime(required=True)
    person_id = fields.String(required=True)
    # the service's name, for whoever tells her (absent in events of before the field)
    service_name = fields.Nested(Names, load_default=None, allow_none=True)


@event_schema(SOURCE, "booking_rescheduled")
class BookingRescheduled(Schema):
    """A booking moved to another slot (of the same service and day)."""

    booking_id = fields.String(required=True)
    service_code = fields.String(required=True)
    starts_at = MallDateTime(required=True)
    person_id = fields.String(required=True)
    # the service's name, for whoever tells her (absent in events of before the field)
    service_name = fields.Nested(Names, load_default=None, allow_none=True)


@event_schema(SOURCE, "booking_cancelled")
class BookingCancelled(Schema):
    booking_id = fields.String(required=True)
    reason = fields.String(required=True)
    # the name of the day the mall closed after the booking was made, when that is why
    closed_day = fields.Nested(Names, load_default=None, allow_none=True)


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


@event_schema(SOURCE, "turn_near")
class TurnNear(Schema):
    """A call moved a line up: the signed-in citizen's ticket now at ``position`` (the
    place her ticket's page shows) is near its turn."""

    ticket_id = fields.String(required=True)
    label = fields.String(required=True)
    service_code = fields.String(required=True)
    person_id = fields.String(required=True)
    position = fields.Integer(required=True)
    # the service's name, for whoever tells her (absent in events of before the field)
    service_name = fields.Nested(Names, load_default=None, allow_none=True)


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


@event_schema(SOURCE, "counter_released")
class CounterReleasedEvent(Schema):
    counter_id = fields.String(required=True)
    counter_number = fields.Integer(required=True)
    officer_id = fields.String(allow_none=True)
    released_by = fields.String(required=True)
    released_by_role = fields.String(required=True)
    reason = fields.String(required=True)
    ticket_ids = fields.List(fields.String(), required=True)


@event_schema(SOURCE, "ticket_requeued")
class TicketRequeued(Schema):
    """A ticket called to a counter that was released goes back in line, at its place."""

    ticket_id = fields.String(required=True)
    counter_id = fields.String(required=True)
    reason = fields.String(required=True)


@event_schema(SOURCE, "rating_submitted")
class RatingSubmitted(Schema):
    ticket_id = fields.String(required=True)
    service_code = fields.String(required=True)
    index = fields.Float(required=True)
