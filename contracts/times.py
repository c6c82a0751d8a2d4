"""Moments on the wire: every time in a reply carries the mall's offset (WIB, +07:00)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from marshmallow import fields

# The mall's zone, Asia/Jakarta (WIB, UTC+7): defined here, with the wire, so that contracts
# need nothing of the chassis; ``chassis.clock`` takes it from here.
MALL_TIME = ZoneInfo("Asia/Jakarta")


class MallDateTime(fields.DateTime):
    """A moment in a reply, always with the mall's offset, whatever zone it was stored or
    given in: SQLite gives it back naive (UTC, see chassis.database.UTCDateTime), PostgreSQL
    in the session's zone, and a value just loaded from a request keeps the caller's."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            value = value.astimezone(MALL_TIME)
        return super()._serialize(value, attr, obj, **kwargs)
