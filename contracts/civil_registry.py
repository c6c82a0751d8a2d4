"""Wire schemas of the civil registry service."""

from marshmallow import Schema, fields, validate

from contracts.digits import Digits, Integer
from contracts.events import event_schema
from contracts.replies import Reply
from contracts.times import MallDateTime

SOURCE = "civil_registry"
RELATIONSHIPS = ["head", "spouse", "child", "parent", "other"]
SIXTEEN_DIGITS = Digits(16)  # 0-9 only: not "٣" or "３", which str.isdigit and \d take
# A check code is printed in hex; surrounding blanks (a copied code) are forgiven.
CHECK_CODE = validate.Regexp(r"^\s*[0-9A-Za-z]+\s*$", error="must be letters A-F and digits 0-9")
MAX_PAGE = 10_000  # pages of a search; past it, narrow the search


def nik_field(**kwargs):
    return fields.String(validate=SIXTEEN_DIGITS, **kwargs)


def name_field(**kwargs):
    return fields.String(validate=validate.Length(min=1, max=200), **kwargs)


class ResidentRegistration(Schema):
    nik = nik_field(required=True, metadata={"example": "3314014512000003"})
    full_name = name_field(required=True, metadata={"example": "Dewi Lestari"})
    birth_date = fields.Date(required=True, metadata={"example": "2000-12-05"})
    birth_place = fields.String(
        load_default=None, validate=validate.Length(max=100), metadata={"example": "Sragen"}
    )
    sex = fields.String(required=True, validate=validate.OneOf(["F", "M"]))
    family_card_id = fields.String(load_default=None)
    relationship = fields.String(load_default="other", validate=validate.OneOf(RELATIONSHIPS))


class Resident(Reply):
    id = fields.String()
    nik = fields.String()
    full_name = fields.String()
    birth_date = fields.Date()
    birth_place = fields.String(allow_none=True)
    sex = fields.String()
    status = fields.String()
    marital_status = fields.String()
    died_on = fields.Date(allow_none=True)
    family_card_id = fields.String(allow_none=True)
    relationship = fields.String(allow_none=True)


class FamilyCardRegistration(Schema):
    number = fields.String(required=True, validate=SIXTEEN_DIGITS)
    address = fields.String(required=True, validate=validate.Length(min=3, max=300))
    head_id = fields.String(required=True)


class Member(Reply):
    resident_id = fields.String()
    full_name = fields.String()
    nik = fields.String()
    relationship = fields.String()
    status = fields.String()


class FamilyCard(Reply):
    id = fields.String()
    number = fields.String()
    region_code = fields.String()
    province = fields.String()
    regency = fields.String()
    district = fields.String()
    address = fields.String()
    head_id = fields.String(allow_none=True)
    members = fields.List(fields.Nested(Member))


class Certificate(Reply):
    id = fields.String()
    number = fields.String()
    check_code = fields.String()
    kind = fields.String()
    event_date = fields.Date()


class BirthRegistration(Schema):
    full_name = name_field(required=True)
    sex = fields.String(required=True, validate=validate.OneOf(["F", "M"]))
    birth_date = fields.Date(required=True)
    birth_place = fields.String(required=True, validate=validate.Length(min=1, max=100))
    mother_id = fields.String(required=True)
    father_id = fields.String(load_default=None)
    family_card_id = fields.String(load_default=None)


class BirthRecord(Reply):
    child = fields.Nested(Resident)
    certificate = fields.Nested(Certificate)


class DeathRegistration(Schema):
    resident_id = fields.String(required=True)
    died_on = fields.Date(required=True)
    place = fields.String(load_default=None, validate=validate.Length(max=100))


class DeathRecord(Reply):
    person = fields.Nested(Resident)
    certificate = fields.Nested(Certificate)


class NewFamilyCard(Schema):
    number = fields.String(required=True, validate=SIXTEEN_DIGITS)
    address = fields.String(required=True, validate=validate.Length(min=3, max=300))


class MarriageRegistration(Schema):
    first_spouse_id = fields.String(required=True)
    second_spouse_id = fields.String(required=True)
    married_on = fields.Date(required=True)
    new_family_card = fields.Nested(NewFamilyCard, load_default=None)


class MarriageRecord(Reply):
    certificate = fields.Nested(Certificate)
    family_card_id = fields.String(allow_none=True)


class MoveRequest(Schema):
    """A move asked for over HTTP: the resident is named by the URL."""

    family_card_id = fields.String(required=True)
    relationship = fields.String(required=True, validate=validate.OneOf(RELATIONSHIPS))


class AddressChange(MoveRequest):
    resident_id = fields.String(required=True)


class CertificateCheck(Schema):
    number = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"example": "3314-LT-23112026-0007"},
    )
    check_code = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=16), CHECK_CODE],
        metadata={"example": "9F3A61C2"},
    )


class CertificateValidity(Reply):
    valid = fields.Boolean()
    kind = fields.String(allow_none=True)
    event_date = fields.Date(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    holder = fields.String(allow_none=True)


class ResidentSearch(Schema):
    name = fields.String(load_default=None, validate=validate.Length(min=2, max=200))
    nik = nik_field(load_default=None)
    family_card_number = fields.String(load_default=None, validate=SIXTEEN_DIGITS)
    page = Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ResidentPage(Reply):
    items = fields.List(fields.Nested(Resident))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class Changes(Schema):
    full_name = name_field()
    birth_place = fields.String(validate=validate.Length(max=100))
    birth_date = fields.Date()
    sex = fields.String(validate=validate.OneOf(["F", "M"]))
    nik = nik_field()


class CorrectionRequest(Schema):
    """A correction asked for over HTTP: the resident is named by the URL."""

    changes = fields.Nested(Changes, required=True)
    reason = fields.String(required=True, validate=validate.Length(min=5, max=500))


class Correction(CorrectionRequest):
    resident_id = fields.String(required=True)


class AuditEntry(Reply):
    action = fields.String()
    actor_id = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    at = MallDateTime()


class NikList(Schema):
    niks = fields.List(nik_field(), required=True, validate=validate.Length(min=1, max=5000))


class IdentityQuestion(Schema):
    nik = nik_field(required=True)
    full_name = fields.String(required=True)
    birth_date = fields.Date(required=True)


class IdentityAnswer(Reply):
    verified = fields.Boolean()
    person_id = fields.String(allow_none=True)
    alive = fields.Boolean(allow_none=True)


@event_schema(SOURCE, "resident_registered")
class ResidentRegistered(Schema):
    person_id = fields.String(required=True)


@event_schema(SOURCE, "birth_registered")
class BirthRegistered(Schema):
    person_id = fields.String(required=True)
    family_card_id = fields.String(required=True)
    mother_id = fields.String(required=True)
    father_id = fields.String(allow_none=True)
    certificate_number = fields.String(required=True)


@event_schema(SOURCE, "person_died")
class PersonDied(Schema):
    person_id = fields.String(required=True)
    died_on = fields.Date(required=True)


@event_schema(SOURCE, "marriage_registered")
class MarriageRegistered(Schema):
    spouse_ids = fields.List(fields.String(), required=True)
    married_on = fields.Date(required=True)
    family_card_id = fields.String(allow_none=True)
    # told to both spouses (absent in events published before the field existed)
    certificate_number = fields.String(load_default=None, allow_none=True)


@event_schema(SOURCE, "resident_moved")
class ResidentMoved(Schema):
    person_id = fields.String(required=True)
    from_family_card_id = fields.String(allow_none=True)
    to_family_card_id = fields.String(required=True)


@event_schema(SOURCE, "resident_corrected")
class ResidentCorrected(Schema):
    person_id = fields.String(required=True)
    fields_changed = fields.List(fields.String(), required=True)
