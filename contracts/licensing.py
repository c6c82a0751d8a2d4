"""Wire schemas of the licensing service."""

import unicodedata

from marshmallow import Schema, ValidationError, fields, validate

from contracts.civil_registry import nik_field
from contracts.digits import Integer
from contracts.events import event_schema
from contracts.replies import Reply
from contracts.times import MallDateTime

SOURCE = "licensing"
ACTIONS = [
    "submit",
    "start_verification",
    "request_revision",
    "resubmit",
    "approve",
    "reject",
    "withdraw",
]
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="must be a SHA-256 hex digest")
# control (Cc), format (Cf: bidi overrides, zero widths) and surrogate (Cs) characters
INVISIBLE = frozenset({"Cc", "Cf", "Cs"})


def no_control_characters(value: str) -> None:
    """A name shown to people and compared by staff holds only visible characters."""
    if any(unicodedata.category(char) in INVISIBLE for char in value):
        raise ValidationError("must not contain control characters")


class PermitType(Reply):
    code = fields.String()
    name_id = fields.String()
    name_en = fields.String()
    agency = fields.String()
    fee = fields.Integer()
    sla_working_days = fields.Integer()
    validity_months = fields.Integer(allow_none=True)
    risk_level = fields.String()
    required_documents = fields.List(fields.String())


class ApplicationDraft(Schema):
    permit_type = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"example": "NIB"}
    )
    applicant_nik = nik_field(required=True, metadata={"example": "3314015708900001"})
    applicant_name = fields.String(
        required=True, validate=validate.Length(min=1, max=200), metadata={"example": "Siti Rahayu"}
    )
    applicant_birth_date = fields.Date(required=True, metadata={"example": "1990-08-17"})


class DocumentReference(Schema):
    """An uploaded file, by reference: the bytes stay in the document store."""

    kind = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=60), no_control_characters],
        metadata={"description": "one of the permit type's required documents, e.g. ktp"},
    )
    sha256 = fields.String(required=True, validate=SHA256)
    size = Integer(required=True, validate=validate.Range(min=1))
    content_type = fields.String(
        required=True, validate=validate.OneOf(["application/pdf", "image/jpeg", "image/png"])
    )
    filename = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=1000),
        metadata={"description": "as the browser sent it; kept as a clean display name"},
    )


class Document(DocumentReference, Reply):
    id = fields.String()
    uploaded_at = MallDateTime()


class TransitionRequest(Schema):
    action = fields.String(
        required=True, validate=validate.OneOf(ACTIONS), metadata={"example": "submit"}
    )
    note = fields.String(load_default=None, validate=validate.Length(max=1000))


class Transition(Reply):
    action = fields.String()
    from_status = fields.String()
    to_status = fields.String()
    actor_id = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    at = MallDateTime()


class PaymentRecord(Schema):
    amount = Integer(required=True, validate=validate.Range(min=1), metadata={"example": 150000})
    receipt_reference = fields.String(
        required=True,
        validate=validate.Length(min=3, max=100),
        metadata={"example": "KW-2026-000123"},
    )


class Application(Reply):
    id = fields.String()
    permit_type = fields.String()
    agency = fields.String()
    applicant_id = fields.String()
    applicant_name = fields.String()
    status = fields.String()
    created_at = MallDateTime()
    submitted_at = MallDateTime(allow_none=True)
    due_at = MallDateTime(allow_none=True)
    renewal_of = fields.String(allow_none=True)
    closed_reason = fields.String(allow_none=True)
    paid = fields.Boolean()
    missing_documents = fields.List(fields.String())
    allowed_actions = fields.List(
        fields.String(), metadata={"description": "the steps the caller may take now"}
    )
    note_required_for = fields.List(
        fields.String(), metadata={"description": "allowed steps that need a note"}
    )
    working_days_left = fields.Integer(
        allow_none=True, metadata={"description": "while the mall owes the next step"}
    )
    fee_to_record = fields.Integer(
        allow_none=True, metadata={"description": "for the agency's cashier: the fee due"}
    )
    documents = fields.List(fields.Nested(Document))
    history = fields.List(fields.Nested(Transition))
    permit_id = fields.String(allow_none=True)


class WorklistItem(Reply):
    id = fields.String()
    permit_type = fields.String()
    status = fields.String()
    submitted_at = MallDateTime()
    due_at = MallDateTime()
    working_days_left = fields.Integer()


class Permit(Reply):
    id = fields.String()
    number = fields.String()
    permit_type = fields.String()
    holder_id = fields.String()
    valid_from = fields.Date()
    valid_until = fields.Date(allow_none=True)
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    application_id = fields.String()


class Revocation(Schema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=5, max=300),
        metadata={"example": "false statements in the application"},
    )


class PermitCheck(Schema):
    number = fields.String(required=True, validate=validate.Length(min=1, max=40))


class PermitValidity(Reply):
    valid = fields.Boolean()
    status = fields.String(allow_none=True)
    permit_type = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    holder = fields.String(allow_none=True)


@event_schema(SOURCE, "application_created")
class ApplicationCreated(Schema):
    application_id = fields.String(required=True)
    permit_type = fields.String(required=True)


@event_schema(SOURCE, "application_submitted")
class ApplicationSubmitted(Schema):
    application_id = fields.String(required=True)
    permit_type = fields.String(required=True)
    agency = fields.String(required=True)
    due_at = MallDateTime(required=True)
    # whose it is, so that she can be told without asking licensing (absent in events
    # published before the field existed)
    applicant_id = fields.String(load_default=None, allow_none=True)


@event_schema(SOURCE, "application_status_changed")
class ApplicationStatusChanged(Schema):
    application_id = fields.String(required=True)
    status = fields.String(required=True)
    previous_status = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    # whose it is, so that she can be told without asking licensing (absent in events
    # published before the field existed)
    applicant_id = fields.String(load_default=None, allow_none=True)


@event_schema(SOURCE, "application_overdue")
class ApplicationOverdue(Schema):
    application_id = fields.String(required=True)
    agency = fields.String(required=True)
    due_at = MallDateTime(required=True)


@event_schema(SOURCE, "fee_due")
class FeeDue(Schema):
    application_id = fields.String(required=True)
    applicant_id = fields.String(required=True)
    permit_type = fields.String(required=True)
    agency = fields.String(required=True)
    amount = fields.Integer(required=True)  # rupiah


@event_schema(SOURCE, "fee_paid")
class FeePaid(Schema):
    application_id = fields.String(required=True)
    applicant_id = fields.String(required=True)
    permit_type = fields.String(required=True)
    amount = fields.Integer(required=True)  # rupiah
    receipt_reference = fields.String(required=True)
    paid_at = MallDateTime(required=True)


@event_schema(SOURCE, "permit_issued")
class PermitIssued(Schema):
    permit_id = fields.String(required=True)
    number = fields.String(required=True)
    permit_type = fields.String(required=True)
    holder_id = fields.String(required=True)
    valid_until = fields.Date(allow_none=True)


@event_schema(SOURCE, "permit_revoked")
class PermitRevoked(Schema):
    permit_id = fields.String(required=True)
    number = fields.String(required=True)
    reason = fields.String(required=True)


@event_schema(SOURCE, "permit_suspended")
class PermitSuspended(Schema):
    permit_id = fields.String(required=True)
    number = fields.String(required=True)
    reason = fields.String(required=True)


@event_schema(SOURCE, "permit_expiring")
class PermitExpiring(Schema):
    permit_id = fields.String(required=True)
    number = fields.String(required=True)
    holder_id = fields.String(required=True)
    valid_until = fields.Date(required=True)


@event_schema(SOURCE, "permit_expired")
class PermitExpired(Schema):
    permit_id = fields.String(required=True)
    number = fields.String(required=True)
    holder_id = fields.String(required=True)
