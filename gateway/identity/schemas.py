"""HTTP schemas of accounts, sign-in and the audit log (the gateway's own resources)."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from contracts.civil_registry import nik_field
from contracts.digits import Integer
from contracts.times import MallDateTime
from gateway.identity.accounts import ASSIGNABLE_ROLES

USERNAME = validate.Regexp(r"^[a-z0-9][a-z0-9._-]{2,63}$", error="3-64 of a-z 0-9 . _ -")
PASSWORD = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class SignUp(Schema):
    nik = nik_field(required=True)
    full_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    birth_date = fields.Date(required=True)
    password = PASSWORD


class SignIn(Schema):
    login = fields.String(
        required=True,
        validate=validate.Length(min=3, max=64),
        metadata={"description": "the NIK for citizens, the username for staff"},
    )
    password = PASSWORD


class Refresh(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=10, max=200))


class AccountView(Schema):
    id = fields.String()
    login = fields.String()
    full_name = fields.String()
    role = fields.String()
    agency = fields.String(allow_none=True)
    person_id = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = MallDateTime()


class Tokens(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds"})
    refresh_token = fields.String()
    refresh_expires_at = MallDateTime()
    account = fields.Nested(AccountView)


class NewStaff(Schema):
    username = fields.String(required=True, validate=USERNAME)
    full_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    role = fields.String(required=True, validate=validate.OneOf(sorted(ASSIGNABLE_ROLES)))
    agency = fields.String(load_default=None, validate=validate.Length(min=2, max=40))
    password = PASSWORD


class StaffChange(Schema):
    role = fields.String(validate=validate.OneOf(sorted(ASSIGNABLE_ROLES)))
    agency = fields.String(validate=validate.Length(min=2, max=40))
    active = fields.Boolean(truthy={True}, falsy={False})  # JSON true or false, not "yes"
    password = fields.String(validate=validate.Length(min=1, max=1024))

    @validates_schema
    def something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("name at least one of role, agency, active, password")


class StaffQuery(Schema):
    agency = fields.String(load_default=None, validate=validate.Length(min=2, max=40))


class AuditQuery(Schema):
    actor_id = fields.String(load_default=None, validate=validate.Length(max=32))
    subject_id = fields.String(load_default=None, validate=validate.Length(max=36))
    target = fields.String(load_default=None, validate=validate.Length(max=100))
    actor_agency = fields.String(load_default=None, validate=validate.Length(max=40))
    allowed = fields.Boolean(load_default=None)
    since = fields.AwareDateTime(load_default=None, default_timezone=None)
    until = fields.AwareDateTime(load_default=None, default_timezone=None)
    page = Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=200))


class Page(Schema):
    page = Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AuditEntryView(Schema):
    at = MallDateTime()
    actor_id = fields.String()
    actor_name = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    actor_agency = fields.String(allow_none=True)
    action = fields.String()
    target = fields.String(allow_none=True)
    subject_id = fields.String(allow_none=True)
    status = fields.Integer()
    allowed = fields.Boolean()


class AuditPage(Schema):
    items = fields.List(fields.Nested(AuditEntryView))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
