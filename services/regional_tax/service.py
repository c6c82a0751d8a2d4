"""The regional tax module (the "tax robot" of bapenda): regional tax bills (PBB-P2 property
tax, billboard tax) loaded by the tax office from a CSV file, seen by each taxpayer in the
portal, paid at a cashier of the office, and summed per district for the office.

Each new bill is published as ``bill_issued`` and each payment as ``bill_paid`` through the
module's outbox, in the transaction that stores them: the notifications service reminds
the taxpayer before the due day from the first and stops from the second.

A file is imported whole or not at all: every row is checked (columns, values, the NIK at
the civil registry, a bill already there with other values) and all problems are reported
together by line. A bill is known by its tax, object and due day, so importing a file
again, or a file that repeats a row, makes no second bill and publishes nothing twice.

The application desk (objections to an assessment) is ``MallModule``'s.
"""

import uuid
from pathlib import Path

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from chassis.actor import AGENCY_ADMIN, CASHIER, CITIZEN, MALL_MANAGER, VERIFIER
from chassis.clock import mall_date, today
from chassis.database import Database, utcnow
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, load
from chassis.module import MallModule, load_manifest
from chassis.reconnect import RpcProxy
from chassis.service import rpc
from contracts import regional_tax as wire
from contracts.refusals import modules as texts
from services.regional_tax import domain
from services.regional_tax.models import (
    Application,
    Bill,
    CalendarDay,
    OutboxEvent,
    ProcessedEvent,
    RecordedReply,
    Step,
)

IMPORTERS = (AGENCY_ADMIN, VERIFIER)  # the tax office loads the bills
CASHIERS = (CASHIER,)
READERS = (AGENCY_ADMIN, VERIFIER, CASHIER)  # the office's staff read every bill


class RegionalTaxService(MallModule):
    name = "regional_tax"
    manifest = load_manifest(Path(__file__).with_name("manifest.yaml"))
    db = Database(OutboxEvent, ProcessedEvent, RecordedReply)
    applications = Application
    steps = Step
    calendar_model = CalendarDay
    civil_registry = RpcProxy("civil_registry")

    # --- the tax office ------------------------------------------------------------------

    @rpc
    def import_bills(self, csv_text: str) -> dict:
        """Load the bills of a CSV file, all or none; a bill already there is left as it is."""
        self._require_tax_staff(IMPORTERS)
        csv_text = load(wire.ImportRequest(), {"csv_text": csv_text})["csv_text"]
        rows, errors = domain.read_bills(csv_text)
        if not rows and not errors:
            errors[domain.HEADER_LINE] = {"rows": [texts.NO_BILLS]}
        # the registry first, before the transaction begins: no lock is held over a call
        people = self._people({row["nik"] for row in rows})
        stored = self._stored(rows)
        new = []
        for row in rows:
            if (bill := stored.get(domain.natural_key(row))) is not None:
                if not domain.same_bill(row, bill):  # else imported before: nothing to do
                    errors[row["line"]] = {"object": [texts.BILL_DIFFERS]}
                continue
            person = people.get(row["nik"])
            if person is None:
                errors[row["line"]] = {"nik": [texts.NIK_UNKNOWN]}
            elif not person["alive"]:
                errors[row["line"]] = {"nik": [texts.TAXPAYER_DECEASED]}
            else:
                new.append({**row, "person_id": person["person_id"]})
        if errors:
            ordered = dict(sorted(errors.items(), key=lambda item: int(item[0])))
            raise InvalidInput("tax_file_refused", {"lines": ordered}, count=len(errors))
        for row in new:
            self._issue(row)
        try:
            self.db.flush()
        except IntegrityError:  # another import of the same bills committed first
            raise Conflict("tax_import_clash") from None
        return wire.ImportResult().dump(
            {"rows": len(rows), "imported": len(new), "already_imported": len(rows) - len(new)}
        )

    @rpc
    def record_payment(self, bill_id: str, payload: dict) -> dict:
        """A cashier of the office records the payment of a bill: the exact amount, under a
        receipt reference used for no other payment."""
        self._require_tax_staff(CASHIERS)
        payment = load(wire.Payment(), payload)
        bill = self.db.scalar(select(Bill).where(Bill.id == bill_id).with_for_update())
        if bill is None:
            raise NotFound("no_tax_bill", bill=bill_id)
        if bill.paid_at is not None:
            raise Conflict(
                "tax_bill_paid",
                paid_on=str(mall_date(bill.paid_at)),
                receipt=bill.receipt_reference,
            )
        if payment["amount"] != bill.amount:
            raise InvalidInput(
                "tax_amount_mismatch",
                {"amount": [f"must be {bill.amount}"]},
                amount=f"{bill.amount:,}".replace(",", "."),
            )
        receipt = payment["receipt_reference"]
        if self.db.scalar(select(Bill.id).where(Bill.receipt_reference == receipt)):
            raise Conflict(
                "tax_receipt_used", {"receipt_reference": [texts.RECEIPT_USED]}, receipt=receipt
            )
        bill.paid_at, bill.receipt_reference, bill.paid_by = utcnow(), receipt, self.actor.id
        try:
            self.db.flush()
        except IntegrityError:  # the same receipt recorded at the same moment on another bill
            raise Conflict(
                "tax_receipt_used", {"receipt_reference": [texts.RECEIPT_USED]}, receipt=receipt
            ) from None
        self.db.record_event(
            "bill_paid", {"bill_id": bill.id, "person_id": bill.person_id, "paid_at": bill.paid_at}
        )
        return self._bill_view(bill)

    @rpc
    def bills(self, payload: dict | None = None) -> list[dict]:
        """The office's bills, by district, status or NIK; the nearest due day first."""
        self._require_tax_staff(READERS, manager=True)
        search = load(wire.BillSearch(), payload or {})
        query = select(Bill)
        if search["district"]:
            query = query.where(Bill.district == search["district"])
        if search["nik"]:
            query = query.where(Bill.nik == search["nik"])
        on = today()
        if search["status"] == wire.PAID:
            query = query.where(Bill.paid_at.is_not(None))
        elif search["status"] == wire.DUE:
            query = query.where(Bill.paid_at.is_(None), Bill.due_on >= on)
        elif search["status"] == wire.OVERDUE:
            query = query.where(Bill.paid_at.is_(None), Bill.due_on < on)
        query = query.order_by(Bill.due_on, Bill.district, Bill.object).limit(1000)
        return [self._bill_view(bill, on) for bill in self.db.scalars(query)]

    @rpc
    def get_bill(self, bill_id: str) -> dict:
        bill = self.db.get(Bill, bill_id)
        if bill is None or not self._may_see_bill(bill):
            raise NotFound("no_tax_bill", bill=bill_id)
        return self._bill_view(bill)

    @rpc
    def district_summary(self) -> list[dict]:
        """Rupiah collected, due and overdue, and bills, per district (kecamatan)."""
        self._require_tax_staff(READERS, manager=True)
        on = today()
        paid = Bill.paid_at.is_not(None)
        overdue = Bill.paid_at.is_(None) & (Bill.due_on < on)
        due = Bill.paid_at.is_(None) & (Bill.due_on >= on)

        def total(condition):
            return func.coalesce(func.sum(case((condition, Bill.amount), else_=0)), 0)

        def count(condition):
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        query = (
            select(
                Bill.district,
                total(paid),
                total(due),
                total(overdue),
                func.count(),
                count(paid),
                count(overdue),
            )
            .group_by(Bill.district)
            .order_by(Bill.district)
        )
        names = ("district", "collected", "due", "overdue", "bills", "paid_bills", "overdue_bills")
        return [
            wire.DistrictTotals().dump(dict(zip(names, row, strict=True)))
            for row in self.db.execute(query)
        ]

    # --- the taxpayer --------------------------------------------------------------------

    @rpc
    def my_bills(self) -> list[dict]:
        """A citizen's own bills, the nearest due day first."""
        if self.actor.role != CITIZEN or not self.actor.person_id:
            return []
        query = (
            select(Bill)
            .where(Bill.person_id == self.actor.person_id)
            .order_by(Bill.due_on, Bill.object)
        )
        on = today()
        return [self._bill_view(bill, on) for bill in self.db.scalars(query)]

    # --- helpers -------------------------------------------------------------------------

    def _require_tax_staff(self, roles: tuple, manager: bool = False) -> None:
        actor, agency = self.actor, self.manifest["agency"]["code"]
        if manager and actor.role == MALL_MANAGER:
            return
        if actor.role not in roles or actor.agency != agency:
            raise Forbidden("tax_staff_only", roles=" or ".join(roles), agency=agency)

    def _may_see_bill(self, bill: Bill) -> bool:
        actor, agency = self.actor, self.manifest["agency"]["code"]
        return (
            actor.is_person(bill.person_id)
            or actor.role == MALL_MANAGER
            or (actor.role in READERS and actor.agency == agency)
        )

    def _people(self, niks: set[str]) -> dict:
        """Who the NIKs are at the civil registry (asked as the office's officer)."""
        if not niks:
            return {}
        return self.civil_registry.resolve_niks({"niks": sorted(niks)})["people"]

    def _stored(self, rows: list[dict]) -> dict:
        """The bills already stored under the natural keys of ``rows``."""
        objects = {row["object"] for row in rows}
        if not objects:
            return {}
        query = select(Bill).where(Bill.object.in_(objects))
        return {domain.natural_key(bill): bill for bill in self.db.scalars(query)}

    def _issue(self, row: dict) -> None:
        bill = Bill(
            id=str(uuid.uuid4()),
            person_id=row["person_id"],
            nik=row["nik"],
            tax_kind=row["tax_kind"],
            object=row["object"],
            district=row["district"],
            amount=row["amount"],
            due_on=row["due_on"],
            imported_by=self.actor.id,
            created_at=utcnow(),
        )
        self.db.add(bill)
        self.db.record_event(
            "bill_issued",
            {
                "bill_id": bill.id,
                "person_id": bill.person_id,
                "tax_kind": bill.tax_kind,
                "object": bill.object,
                "district": bill.district,
                "amount": bill.amount,
                "due_on": bill.due_on,
            },
        )

    def _bill_view(self, bill: Bill, on=None) -> dict:
        on = on or today()
        return wire.Bill().dump(
            {
                "id": bill.id,
                "person_id": bill.person_id,
                "nik": bill.nik,
                "tax_kind": bill.tax_kind,
                "object": bill.object,
                "district": bill.district,
                "amount": bill.amount,
                "due_on": bill.due_on,
                "status": domain.status(bill.due_on, bill.paid_at is not None, on),
                "paid_at": bill.paid_at,
                "receipt_reference": bill.receipt_reference,
                "created_at": bill.created_at,
            }
        )
