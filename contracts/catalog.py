"""Wire schemas of the catalog: one searchable list of everything the mall offers, the
core services (registry, permits, counter queue) beside the agency modules plugged in."""

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from contracts.events import event_schema
from contracts.modules import LIFE_EVENTS, Manifest
from contracts.times import MallDateTime

SOURCE = "catalog"
KINDS = ("registry", "permit", "module", "queue")


class SearchQuery(Schema):
    """All optional; an empty value is no filter (``?q=`` from a form)."""

    q = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "words found in the names or descriptions, any case"},
    )
    agency = fields.String(load_default=None, validate=validate.Length(max=40))
    life_event = fields.String(
        load_default=None,
        validate=validate.OneOf(LIFE_EVENTS),
        # as documented: empty (a form's blank choice) is no filter, like the others
        metadata={"enum": [*LIFE_EVENTS, ""]},
    )

    @pre_load
    def drop_empty(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}


class CatalogEntry(Schema):
    """One service a citizen can ask for, and where to ask."""

    kind = fields.String(validate=validate.OneOf(KINDS))
    code = fields.String()
    module = fields.String(allow_none=True, metadata={"description": "null for core services"})
    name_id = fields.String()
    name_en = fields.String()
    description_id = fields.String()
    description_en = fields.String()
    agency = fields.String(allow_none=True)
    life_events = fields.List(fields.String())
    available = fields.Boolean(
        metadata={"description": "false while a module has stopped announcing itself"}
    )
    apply_path = fields.String(metadata={"description": "the gateway route that takes it"})


class ModuleStatus(Schema):
    """A plugged-in module: its manifest and whether it is alive."""

    manifest = fields.Nested(Manifest)
    available = fields.Boolean()
    interval_seconds = fields.Integer()
    first_seen = MallDateTime()
    last_seen = MallDateTime()


class AgencyEntry(Schema):
    """An agency of the mall (``catalog.list_agencies``): staff accounts belong to one."""

    code = fields.String()
    name_id = fields.String()
    name_en = fields.String()


# --- the mall's calendar ------------------------------------------------------------------

CALENDAR_KINDS = ("national_holiday", "regional_holiday", "collective_leave")


class CalendarDayChange(Schema):
    """What a mall administrator sets for one day (the day is in the path)."""

    kind = fields.String(required=True, validate=validate.OneOf(CALENDAR_KINDS))
    name_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    region = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^[0-9]{2}([0-9]{2}){0,2}$", error="a region code (2-6 digits)"),
        metadata={"description": "province or regency code (Kemendagri): regional holidays only"},
    )
    provisional = fields.Boolean(
        truthy={True},  # JSON true or false, not "yes"
        falsy={False},
        load_default=False,
        metadata={"description": "an estimate the decree may still move"},
    )

    @validates_schema
    def region_with_regional(self, data, **kwargs):
        regional = data.get("kind") == "regional_holiday"
        if regional and not data.get("region"):
            raise ValidationError("a regional holiday names its region", "region")
        if not regional and data.get("region"):
            raise ValidationError("only a regional holiday has a region", "region")


class CalendarDay(Schema):
    """A day the mall is closed: a national or regional holiday, or collective leave."""

    day = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CALENDAR_KINDS))
    name_id = fields.String(required=True)
    name_en = fields.String(required=True)
    region = fields.String(allow_none=True, load_default=None)
    provisional = fields.Boolean(load_default=False)
    version = fields.Integer(
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "grows with every change of the day: replicas keep the newest"},
    )
    removed = fields.Boolean(
        load_default=False, metadata={"description": "true: no longer closed (a tombstone)"}
    )


class CalendarQuery(Schema):
    """A year, or a range of days (both included); nothing: every day."""

    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    start = fields.Date(load_default=None, data_key="from")
    end = fields.Date(load_default=None, data_key="to")
    include_removed = fields.Boolean(load_default=False)

    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("must not be before from", "to")


@event_schema(SOURCE, "calendar_changed")
class CalendarChanged(CalendarDay):
    """One day's whole new state (set or removed), with its version."""
