"""Wire schemas of the gateway's accounts listener (``gateway.identity.listener``)."""

from marshmallow import Schema, fields, validate

from contracts.events import event_schema

SOURCE = "gateway_accounts"


class RecordReader(Schema):
    """Who read her record in the week, by role and agency (no names, no account ids)."""

    actor_role = fields.String(required=True, allow_none=True)
    actor_agency = fields.String(required=True, allow_none=True)
    reads = fields.Integer(required=True, validate=validate.Range(min=1))


@event_schema(SOURCE, "record_reads_digest")
class RecordReadsDigest(Schema):
    """Once a week is over (Monday 00:00 to Monday 00:00 WIB): who read a citizen's
    personal data that week, apart from herself. Sent only for a week with reads."""

    person_id = fields.String(required=True)
    week_start = fields.Date(required=True)  # the Monday the week begins
    week_end = fields.Date(required=True)  # the Monday after it, excluded
    total = fields.Integer(required=True, validate=validate.Range(min=1))
    readers = fields.List(fields.Nested(RecordReader), required=True)
