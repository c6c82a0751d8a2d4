"""Wire schemas of the civil registry service."""

from marshmallow import Schema, fields, validate

from contracts.events import event_schema

SOURCE = "civil_registry"
NIK = fields.String(required=True, validate=validate.Regexp(r"^\d{16}$", error="must be 16 digits"))


class ResidentRegistration(Schema):
    nik = NIK
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    birth_date = fields.Date(required=True)
    sex = fields.String(required=True, validate=validate.OneOf(["F", "M"]))


class Resident(Schema):
    id = fields.String()
    nik = fields.String()
    full_name = fields.String()
    birth_date = fields.Date()
    sex = fields.String()
    status = fields.String()
    died_on = fields.Date(allow_none=True)


class DeathRegistration(Schema):
    resident_id = fields.String(required=True)
    died_on = fields.Date(required=True)


class IdentityQuestion(Schema):
    nik = NIK
    full_name = fields.String(required=True)
    birth_date = fields.Date(required=True)


class IdentityAnswer(Schema):
    verified = fields.Boolean()
    person_id = fields.String(allow_none=True)
    alive = fields.Boolean(allow_none=True)


@event_schema(SOURCE, "resident_registered")
class ResidentRegistered(Schema):
    person_id = fields.String(required=True)


@event_schema(SOURCE, "person_died")
class PersonDied(Schema):
    person_id = fields.String(required=True)
    died_on = fields.Date(required=True)
