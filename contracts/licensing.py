"""Wire schemas of the licensing service."""

from marshmallow import Schema, fields, validate

from contracts.civil_registry import nik_field
from contracts.events import event_schema

SOURCE = "licensing"


class PermitType(Schema):
    code = fields.String()
    name_id = fields.String()
    name_en = fields.String()
    agency = fields.String()
    fee = fields.Integer()
    sla_working_days = fields.Integer()
    validity_months = fields.Integer(allow_none=True)
    risk_level = fields.String()


class ApplicationDraft(Schema):
    permit_type = fields.String(required=True, validate=validate.Length(min=1, max=40))
    applicant_nik = nik_field(required=True)
    applicant_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    applicant_birth_date = fields.Date(required=True)


class Application(Schema):
    id = fields.String()
    permit_type = fields.String()
    applicant_id = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    closed_reason = fields.String(allow_none=True)


@event_schema(SOURCE, "application_created")
class ApplicationCreated(Schema):
    application_id = fields.String(required=True)
    permit_type = fields.String(required=True)


@event_schema(SOURCE, "application_status_changed")
class ApplicationStatusChanged(Schema):
    application_id = fields.String(required=True)
    status = fields.String(required=True)
    reason = fields.String(allow_none=True)
