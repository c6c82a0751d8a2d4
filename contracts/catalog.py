"""Wire schemas of the catalog: one searchable list of everything the mall offers, the
core services (registry, permits, counter queue) beside the agency modules plugged in."""

from marshmallow import Schema, fields, pre_load, validate

from contracts.modules import LIFE_EVENTS, Manifest

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
    first_seen = fields.DateTime()
    last_seen = fields.DateTime()
