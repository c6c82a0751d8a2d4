"""Agency modules: the manifest a module announces, its announcement event, and the wire of
the applications every module takes (submit, read, list mine, worklist, act).

A module is a nameko service plus a manifest. It announces itself on the shared ``modules``
event exchange when it starts and every ``interval_seconds`` while alive; the catalog
records it and the queue gives its services ticket series and counters. The gateway
validates each application's form against the manifest with ``form_schema``, so a new
module needs no gateway code.
"""

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from contracts.digits import Integer
from contracts.events import Names, event_schema
from contracts.times import MallDateTime

SOURCE = "modules"  # the exchange every module announces on
# Every module's application events also reach this one exchange (``<name>.events``), bound
# to each module's own by the module when it starts: a consumer of all modules' applications
# (the notifications) binds once and learns of a new module with no change of its own. The
# envelope's ``source`` names the module.
APPLICATIONS = "module_applications"
APPLICATION_EVENTS = (
    "application_submitted",
    "application_status_changed",
    "application_closed",
    "application_overdue",
    "application_escalated",
)
MALL_AGENCY = "mpp"  # the mall's own staff: its managers and complaint officers
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
NAME = validate.Regexp(NAME_PATTERN, error="a-z, 0-9 and _, 2-30 characters")
FIELD_TYPES = ("text", "integer", "date", "boolean", "choice", "nik")
LIFE_EVENTS = (
    "birth",
    "death",
    "marriage",
    "moving",
    "business",
    "building",
    "health",
    "education",
    "hardship",
    "work",
    "tax",
)
MODULE_STATUSES = ("submitted", "in_review", "approved", "rejected", "withdrawn", "closed")


def text(max_length: int = 200, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


class Named(Schema):
    name_id = text(required=True)
    name_en = text(required=True)


class FormField(Schema):
    """One field of an application form, labelled in Indonesian and English."""

    name = fields.String(required=True, validate=NAME)
    type = fields.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    label_id = text(required=True)
    label_en = text(required=True)
    required = fields.Boolean(load_default=True)
    choices = fields.List(text(100), load_default=None, allow_none=True)
    min = fields.Integer(load_default=None, allow_none=True)
    max = fields.Integer(load_default=None, allow_none=True)
    # what each choice is called in the two languages (the code itself where none is given)
    choice_names = fields.Dict(keys=fields.String(), values=fields.Nested(Named), load_default=None)

    @validates_schema
    def choices_for_choice(self, data, **kwargs):
        if (data["type"] == "choice") != bool(data.get("choices")):
            raise ValidationError("a choice field, and only a choice field, lists choices")
        if unknown := set(data.get("choice_names") or ()) - set(data.get("choices") or ()):
            raise ValidationError(f"names of no choice: {sorted(unknown)}", "choice_names")


class StepText(Named):
    """How the pages call an action of a module's lifecycle, and what its note is for."""

    note_id = text(300, load_default=None)
    note_en = text(300, load_default=None)


class LifecycleTexts(Schema):
    """The words of a module's own lifecycle (``desk.lifecycle.Lifecycle``) for the pages:
    a state or action without one is shown by its code (the decision table's are known)."""

    states = fields.Dict(keys=fields.String(validate=NAME), values=fields.Nested(Named))
    actions = fields.Dict(keys=fields.String(validate=NAME), values=fields.Nested(StepText))


VIEW_AUDIENCES = ("public", "signed_in")
COLUMN_KINDS = ("text", "status", "moment", "number", "choice")


class ViewColumn(Named):
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(load_default="text", validate=validate.OneOf(COLUMN_KINDS))


class Chart(Schema):
    """A bar per row: ``label`` names it, ``value`` is its length (a number column)."""

    label = fields.String(required=True, validate=NAME)
    value = fields.String(required=True, validate=NAME)


class View(Named):
    """A list the module publishes beyond its applications (a public register, figures):
    ``GET /api/v1/modules/<module>/views/<name>`` calls the module's RPC ``rpc`` with the
    query (checked against ``filters``); the rows it returns are shown by ``columns``. The
    gateway only asks for a sign-in (``signed_in``); who sees which row is the module's."""

    name = fields.String(required=True, validate=NAME)
    rpc = fields.String(required=True, validate=NAME)
    audience = fields.String(load_default="public", validate=validate.OneOf(VIEW_AUDIENCES))
    description_id = fields.String(load_default="", validate=validate.Length(max=1000))
    description_en = fields.String(load_default="", validate=validate.Length(max=1000))
    filters = fields.List(fields.Nested(FormField), load_default=list)
    columns = fields.List(fields.Nested(ViewColumn), required=True)
    chart = fields.Nested(Chart, load_default=None, allow_none=True)
    # the row operation offered beside each row (an ``operations`` name), for signed-in
    # citizens: "add my voice" on a public complaint
    row_operation = fields.String(load_default=None, validate=NAME)

    @validates_schema
    def chart_of_columns(self, data, **kwargs):
        names = {column["name"] for column in data["columns"]}
        chart = data.get("chart")
        if chart and not {chart["label"], chart["value"]} <= names:
            raise ValidationError("a chart draws columns of the view", "chart")


class Operation(Named):
    """A signed-in citizen's act on an application that is not a step of its lifecycle
    (supporting another's complaint): ``POST .../applications/<id>/operations/<name>``
    calls the module's RPC ``rpc`` with the application's id; the module checks the actor."""

    name = fields.String(required=True, validate=NAME)
    rpc = fields.String(required=True, validate=NAME)
    done_id = text(required=True)
    done_en = text(required=True)


class QueueSetup(Schema):
    prefix = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Z]{1,3}$", error="1-3 capital letters")
    )
    counters = Integer(load_default=1, validate=validate.Range(min=1, max=20))


class OfferedService(Schema):
    code = fields.String(required=True, validate=NAME)
    name_id = text(required=True)
    name_en = text(required=True)
    description_id = fields.String(load_default="", validate=validate.Length(max=1000))
    description_en = fields.String(load_default="", validate=validate.Length(max=1000))
    life_events = fields.List(
        fields.String(validate=validate.OneOf(LIFE_EVENTS)), load_default=list
    )
    form = fields.List(fields.Nested(FormField), required=True)
    required_documents = fields.List(text(60), load_default=list)
    fee = fields.Integer(load_default=0, validate=validate.Range(min=0))
    service_level_days = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=365),
        metadata={"description": "working days on the mall's calendar"},
    )
    queue = fields.Nested(QueueSetup, load_default=None, allow_none=True)
    # a view (of ``Manifest.views``) of open cases like a draft of this form: shown before
    # a new one is filed, so the citizen may add her voice to one instead
    similar_view = fields.String(load_default=None, validate=NAME)
    # someone not signed in may file it too (a visitor): she is given a tracking code
    visitors = fields.Boolean(load_default=False)


class Agency(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_-]{1,39}$"))
    name_id = text(required=True)
    name_en = text(required=True)


class Manifest(Schema):
    module = fields.String(required=True, validate=NAME)  # the nameko service name
    version = text(40, required=True)
    agency = fields.Nested(Agency, required=True)
    services = fields.List(
        fields.Nested(OfferedService), required=True, validate=validate.Length(min=1)
    )
    lifecycle = fields.Nested(LifecycleTexts, load_default=None, allow_none=True)
    views = fields.List(fields.Nested(View), load_default=list)
    operations = fields.List(fields.Nested(Operation), load_default=list)

    @validates_schema
    def unique_codes(self, data, **kwargs):
        codes = [s["code"] for s in data["services"]]
        if len(codes) != len(set(codes)):
            raise ValidationError("service codes repeat", "services")
        views = [v["name"] for v in data.get("views") or ()]
        operations = {o["name"] for o in data.get("operations") or ()}
        if len(views) != len(set(views)):
            raise ValidationError("view names repeat", "views")
        for view in data.get("views") or ():
            if view.get("row_operation") and view["row_operation"] not in operations:
                raise ValidationError(
                    f"{view['name']}: no operation {view['row_operation']}", "views"
                )
        for service in data["services"]:
            if service.get("similar_view") and service["similar_view"] not in views:
                raise ValidationError(
                    f"{service['code']}: no view {service['similar_view']}", "services"
                )


@event_schema(SOURCE, "module_announced")
class ModuleAnnounced(Schema):
    manifest = fields.Nested(Manifest, required=True)
    interval_seconds = fields.Integer(required=True, validate=validate.Range(min=1))


# --- the applications every module takes ---------------------------------------------


class ApplicationClosed(Schema):
    """An application a module closed without a decision (its applicant died)."""

    application_id = fields.String(required=True)
    applicant_id = fields.String(required=True)
    service = fields.String(required=True)
    previous_status = fields.String(required=True)
    status = fields.String(required=True)
    reason = fields.String(required=True)


class ApplicationSubmitted(Schema):
    application_id = fields.String(required=True)
    service = fields.String(required=True)
    applicant_id = fields.String(required=True, allow_none=True)  # None: a visitor
    due_at = MallDateTime(required=True)
    # the deciding agency, told of it, and the service's name for whoever tells the
    # applicant (absent in events published before the fields existed)
    agency = fields.String(load_default=None, allow_none=True)
    service_name = fields.Nested(Names, load_default=None, allow_none=True)


class ApplicationStatusChanged(Schema):
    """Every step of an application's lifecycle after its submission: for whoever tells
    people of it, the state's name (the module's words for its own states), the agency
    that owes the next step now (None when no staff owe one: a closed case, or a state
    the mall leaves by itself) and who took this step (the actor's agency for staff, or
    the applicant herself; the mall's own steps are neither). These are absent in events
    published before the fields existed."""

    application_id = fields.String(required=True)
    service = fields.String(required=True)
    status = fields.String(required=True)
    previous_status = fields.String(required=True)
    reason = fields.String(allow_none=True)
    status_name = fields.Nested(Names, load_default=None, allow_none=True)
    agency = fields.String(load_default=None, allow_none=True)
    by_agency = fields.String(load_default=None, allow_none=True)
    by_applicant = fields.Boolean(load_default=False)


class ApplicationOverdue(Schema):
    """An undecided application past its service level (told once)."""

    application_id = fields.String(required=True)
    service = fields.String(required=True)
    agency = fields.String(required=True)  # whose step it is
    due_at = MallDateTime(required=True)
    status = fields.String(load_default=None, allow_none=True)  # the step that is late


class ApplicationEscalated(Schema):
    """A step still undone well past its service level, told to the mall's managers."""

    application_id = fields.String(required=True)
    service = fields.String(required=True)
    agency = fields.String(required=True, allow_none=True)  # whose step it is
    told = fields.String(required=True)  # the inbox told: the mall's (MALL_AGENCY)
    due_at = MallDateTime(required=True)
    status = fields.String(required=True)


def state_names(manifest: dict, status: str) -> dict | None:
    """The manifest's words for a state of the module's lifecycle, as an event carries
    them (``Names``), or None when the manifest names it not.

    >>> state_names({"lifecycle": {"states": {"verified": {"name_id": "Terverifikasi",
    ...     "name_en": "Verified"}}}}, "verified")
    {'id': 'Terverifikasi', 'en': 'Verified'}
    """
    named = ((manifest.get("lifecycle") or {}).get("states") or {}).get(status)
    return {"id": named["name_id"], "en": named["name_en"]} if named else None


def register_module_events(module: str) -> None:
    """Register the events every module publishes on its own exchange (source ``module``):
    a module needs no contracts of its own for them."""
    event_schema(module, "application_submitted")(ApplicationSubmitted)
    event_schema(module, "application_status_changed")(ApplicationStatusChanged)
    event_schema(module, "application_closed")(ApplicationClosed)
    event_schema(module, "application_overdue")(ApplicationOverdue)
    event_schema(module, "application_escalated")(ApplicationEscalated)


register_module_events(APPLICATIONS)  # the same events, as they reach the shared exchange


class ApplicationRequest(Schema):
    service = fields.String(required=True, validate=NAME)
    form = fields.Dict(required=True)


class Step(Schema):
    action = fields.String(metadata={"example": "approve"})  # the lifecycle's, or "submit"
    status = fields.String()
    actor_id = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    at = MallDateTime()


class ModuleApplication(Schema):
    id = fields.String()
    module = fields.String()
    service = fields.String()
    applicant_id = fields.String(
        allow_none=True, metadata={"description": "none for a visitor, or kept from this caller"}
    )
    yours = fields.Boolean(metadata={"description": "the caller is its applicant"})
    tracking_code = fields.String(
        metadata={"description": "a visitor's code to follow it: in the reply that filed it, once"}
    )
    status = fields.String()
    form = fields.Dict()
    assessment = fields.Dict(metadata={"description": "what the module found (eligibility)"})
    routed_to = fields.String(allow_none=True)
    created_at = MallDateTime()
    due_at = MallDateTime()
    working_days_left = fields.Integer(
        allow_none=True, metadata={"description": "while the mall owes a decision"}
    )
    allowed_actions = fields.List(
        fields.String(), metadata={"description": "the steps the caller may take now"}
    )
    note_required_for = fields.List(
        fields.String(), metadata={"description": "allowed steps that need a note"}
    )
    action_forms = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FormField)),
        metadata={"description": "the form of each allowed step that takes one (its values)"},
    )
    history = fields.List(fields.Nested(Step))


class TrackingQuery(Schema):
    """A visitor reads her application with the code she was given when she filed it."""

    tracking_code = fields.String(load_default=None, validate=validate.Length(min=1, max=40))


class Action(Schema):
    # an action of the module's lifecycle (the decision table's: review, approve, reject,
    # withdraw); the module refuses one it does not have
    action = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z][a-z_]{1,39}$"),
        metadata={"example": "approve"},
    )
    note = fields.String(load_default=None, validate=validate.Length(max=500))
    # the values of an action that takes a form (``action_forms`` of the application: the
    # agency a complaint goes to, the rating of an answer), checked against its fields
    form = fields.Dict(load_default=None, allow_none=True)
    # a visitor's claim to act as the applicant (the code she was given when she filed)
    tracking_code = fields.String(load_default=None, validate=validate.Length(max=40))


def form_schema(form: list[dict]) -> Schema:
    """A marshmallow schema for a manifest's form: unknown fields are refused."""
    from contracts.civil_registry import nik_field

    def field_of(spec: dict):
        options = {"required": spec.get("required", True)}
        if not options["required"]:
            options["load_default"] = None
            options["allow_none"] = True
        bounds = {k: spec[k] for k in ("min", "max") if spec.get(k) is not None}
        kind = spec["type"]
        if kind == "integer":
            return Integer(validate=validate.Range(**bounds) if bounds else None, **options)
        if kind == "date":
            return fields.Date(**options)
        if kind == "boolean":
            return fields.Boolean(**options)
        if kind == "choice":
            return fields.String(validate=validate.OneOf(spec["choices"]), **options)
        if kind == "nik":
            return nik_field(**options)
        length = {"min": bounds.get("min", 1), "max": bounds.get("max", 500)}
        return fields.String(validate=validate.Length(**length), **options)

    return Schema.from_dict({spec["name"]: field_of(spec) for spec in form})()
