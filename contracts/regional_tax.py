"""Wire schemas of the regional tax module (``regional_tax``, agency ``bapenda``): the tax
bills the tax office loads from a CSV file, the payments its cashiers record, and the events
``bill_issued`` and ``bill_paid`` the notifications service reminds and thanks by."""

from marshmallow import Schema, fields, validate

from contracts.civil_registry import nik_field
from contracts.digits import Integer
from contracts.events import event_schema
from contracts.modules import register_module_events
from contracts.replies import Reply
from contracts.times import MallDateTime

SOURCE = "regional_tax"
AGENCY = "bapenda"
PBB_P2, BILLBOARD = "pbb_p2", "billboard"  # property tax (PBB-P2) and billboard tax
TAX_KINDS = [PBB_P2, BILLBOARD]
DUE, PAID, OVERDUE = "due", "paid", "overdue"
STATUSES = [DUE, PAID, OVERDUE]
CSV_COLUMNS = ["nik", "tax_kind", "object", "district", "amount", "due_on"]
MAX_AMOUNT = 10**12  # rupiah: no regional tax bill comes near a trillion

register_module_events(SOURCE)  # application_submitted, ... of the module's desk


class BillRow(Schema):
    """One row of the tax office's CSV file, every value as text."""

    nik = nik_field(required=True)
    tax_kind = fields.String(required=True, validate=validate.OneOf(TAX_KINDS))
    object = fields.String(required=True, validate=validate.Length(min=1, max=200))
    district = fields.String(required=True, validate=validate.Length(min=1, max=60))
    amount = Integer(required=True, validate=validate.Range(min=1, max=MAX_AMOUNT))
    due_on = fields.Date(required=True)


class ImportRequest(Schema):
    csv_text = fields.String(required=True, validate=validate.Length(min=1, max=2_000_000))


class ImportResult(Reply):
    rows = fields.Integer()  # data rows in the file
    imported = fields.Integer()  # new bills
    already_imported = fields.Integer()  # rows naming a bill imported before, unchanged


class Payment(Schema):
    amount = Integer(required=True, validate=validate.Range(min=1, max=MAX_AMOUNT))
    receipt_reference = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Za-z0-9/._-]{3,60}$")
    )


class BillSearch(Schema):
    district = fields.String(load_default=None, validate=validate.Length(max=60))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    nik = nik_field(load_default=None)


class Bill(Reply):
    id = fields.String()
    person_id = fields.String()
    nik = fields.String()
    tax_kind = fields.String()
    object = fields.String()
    district = fields.String()
    amount = fields.Integer()
    due_on = fields.Date()
    status = fields.String()  # due, paid or overdue (past its due day unpaid)
    paid_at = MallDateTime(allow_none=True)
    receipt_reference = fields.String(allow_none=True)
    created_at = MallDateTime()


class DistrictTotals(Reply):
    district = fields.String()
    collected = fields.Integer()  # rupiah paid
    due = fields.Integer()  # rupiah not yet due
    overdue = fields.Integer()  # rupiah past the due day unpaid
    bills = fields.Integer()
    paid_bills = fields.Integer()
    overdue_bills = fields.Integer()


@event_schema(SOURCE, "bill_issued")
class BillIssued(Schema):
    bill_id = fields.String(required=True)
    person_id = fields.String(required=True)
    tax_kind = fields.String(required=True, validate=validate.OneOf(TAX_KINDS))
    object = fields.String(required=True)
    district = fields.String(required=True)
    amount = fields.Integer(required=True)
    due_on = fields.Date(required=True)


@event_schema(SOURCE, "bill_paid")
class BillPaid(Schema):
    bill_id = fields.String(required=True)
    person_id = fields.String(required=True)
    paid_at = MallDateTime(required=True)
