"""Wire schemas of the notifications service: a person's (or an agency's) inbox, and the
contact and choices a citizen keeps there.

The service publishes no events; it reacts to other services' facts. RPC methods (the
actor from the call's context, as everywhere: a citizen sees only her own notifications,
staff only their agency's inbox):

- ``inbox(payload: InboxQuery)`` -> ``Inbox``
- ``unread_count()`` -> ``{"unread": int}``
- ``mark_read(notification_id)`` -> ``Notification``
- ``mark_all_read()`` -> ``{"marked": int}``
- ``settings()`` -> ``Settings`` (a citizen only)
- ``update_settings(payload: Settings)`` -> ``Settings``
"""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from contracts.digits import Integer
from contracts.replies import Reply
from contracts.times import MallDateTime

SOURCE = "notifications"
LANGUAGES = ("id", "en")
CHANNELS = ("email", "sms")
DELIVERY_STATUSES = ("pending", "delivered", "temporary_failure", "permanent_failure")


class Delivery(Reply):
    """One channel's sending of a notification, as GOV.UK Notify reports it."""

    channel = fields.String(validate=validate.OneOf(CHANNELS))
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    attempts = fields.Integer()
    reason = fields.String(allow_none=True)
    delivered_at = MallDateTime(allow_none=True)


class Notification(Reply):
    id = fields.String()
    kind = fields.String(metadata={"example": "permit_issued"})
    subject = fields.String()
    body = fields.String(metadata={"description": "in the recipient's language"})
    link = fields.String(allow_none=True, metadata={"description": "a portal or office path"})
    essential = fields.Boolean()
    created_at = MallDateTime()
    read_at = MallDateTime(allow_none=True)
    deliveries = fields.List(fields.Nested(Delivery))


class InboxQuery(Schema):
    page = Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = Integer(load_default=20, validate=validate.Range(min=1, max=100))
    unread_only = fields.Boolean(load_default=False)


class Inbox(Reply):
    items = fields.List(fields.Nested(Notification))
    total = fields.Integer()
    unread = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class UnreadCount(Reply):
    unread = fields.Integer()


class Marked(Reply):
    marked = fields.Integer()


class Settings(Schema):
    """A citizen's contact and choices. As a request every field may be left out (kept as
    it was); the reply carries them all."""

    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^\+?[0-9]{8,15}$", error="8-15 digits, + before them"),
        metadata={"example": "+6281234567890"},
    )
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)))
    # JSON true or false, not "yes"
    quiet_hours = fields.Boolean(
        truthy={True},
        falsy={False},
        metadata={"description": "reminders due 21:00-06:00 WIB wait until 06:00"},
    )
    essential_only = fields.Boolean(
        truthy={True}, falsy={False}, metadata={"description": "no reminders, only decisions"}
    )

    @validates_schema
    def channels_once(self, data, **kwargs):
        channels = data.get("channels") or []
        if len(channels) != len(set(channels)):
            raise ValidationError("a channel is named twice", "channels")


class SettingsReply(Reply, Settings):
    pass
