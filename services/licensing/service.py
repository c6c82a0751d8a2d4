"""One-door licensing: permits from application to issued, verified, renewed, revoked.

Applicants act on their own applications; verifiers of the issuing agency verify, ask for
revision, approve or reject; cashiers record fees. An application is issued as soon as it
is approved and paid (or free); low-risk types are approved on a complete submission.
"""

from datetime import timedelta

from nameko.dependency_providers import Config
from nameko.timer import timer
from sqlalchemy import case, func, select, update

from chassis.actor import (
    CASHIER,
    CITIZEN,
    COUNTER_OFFICER,
    MALL_ADMIN,
    MALL_MANAGER,
    SYSTEM,
    VERIFIER,
)
from chassis.calendar import CalendarReplica
from chassis.clock import today
from chassis.database import Database, utcnow
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, load
from chassis.events import event_handler, idempotent
from chassis.reconnect import RpcProxy
from chassis.sequences import next_value
from chassis.service import MallService, rpc
from chassis.steps import steps_of, take_step
from chassis.storage import LocalDocumentStore, document_store
from contracts import licensing as wire
from contracts.privacy import mask_name
from contracts.refusals.fields import NOTE_REASON
from contracts.refusals.licensing import ALREADY_USED, NOT_A_RESIDENT, NOT_IN_STORE, NOTE_REASONS
from desk.deadlines import most_urgent_first, working_days_left
from services.licensing import domain
from services.licensing.models import (
    Application,
    CalendarDay,
    Document,
    OutboxEvent,
    Payment,
    Permit,
    PermitType,
    ProcessedEvent,
    RecordedReply,
    Sequence,
    Transition,
)

REMIND_BEFORE = timedelta(days=30)
STAFF_OF_AGENCY = (VERIFIER, CASHIER, "agency_admin")


class LicensingService(CalendarReplica, MallService):
    name = "licensing"
    calendar_model = CalendarDay  # the days off of working-day deadlines
    db = Database(OutboxEvent, ProcessedEvent, RecordedReply)
    civil_registry = RpcProxy("civil_registry")
    config = Config()

    @rpc
    def list_permit_types(self) -> list[dict]:
        """The permits the mall can issue, with their requirements."""
        types = self.db.scalars(select(PermitType).order_by(PermitType.code))
        return wire.PermitType(many=True).dump(types)

    @rpc
    def create_application(self, payload: dict) -> dict:
        """Open a draft for a living resident known to the civil registry."""
        self.actor.require(CITIZEN, COUNTER_OFFICER)
        data = load(wire.ApplicationDraft(), payload)
        # Ask the registry before touching our database: no transaction waits on a remote call.
        identity = self.civil_registry.verify_identity(
            {
                "nik": data["applicant_nik"],
                "full_name": data["applicant_name"],
                "birth_date": data["applicant_birth_date"].isoformat(),
            }
        )
        if not identity["verified"]:
            raise InvalidInput("applicant_unknown", {"applicant_nik": [NOT_A_RESIDENT]})
        if not identity["alive"]:
            raise Conflict("applicant_deceased")
        if self.actor.role == CITIZEN and self.actor.person_id != identity["person_id"]:
            raise Forbidden("citizens_apply_for_themselves")
        permit_type = self.db.get(PermitType, data["permit_type"])
        if permit_type is None:
            raise NotFound("unknown_permit_type", {"permit_type": ["unknown"]})
        application = Application(
            permit_type=permit_type.code,
            agency=permit_type.agency,
            applicant_id=identity["person_id"],
            applicant_name=data["applicant_name"].strip(),
        )
        self.db.add(application)
        self.db.flush()
        self.db.record_event(
            "application_created",
            {"application_id": application.id, "permit_type": permit_type.code},
        )
        return self._present(application)

    @rpc
    def get_application(self, application_id: str) -> dict:
        """An application with its documents, history and the actions now possible."""
        return self._present(self._application(application_id))

    @rpc
    def my_applications(self) -> list[dict]:
        """The signed-in citizen's applications, newest first."""
        self.actor.require(CITIZEN)
        mine = self.db.scalars(
            select(Application)
            .where(Application.applicant_id == self.actor.person_id)
            .order_by(Application.created_at.desc())
        )
        return [self._present(a) for a in mine]

    @rpc
    def attach_document(self, application_id: str, payload: dict) -> dict:
        """Attach an uploaded file (by reference) while the applicant may still edit."""
        data = load(wire.DocumentReference(), payload)
        # locked: two uploads of one file at once must not both pass the check below
        application = self._owned(application_id, for_update=True)
        required = self._type(application).required_documents
        if data["kind"] not in required:
            raise InvalidInput(
                "document_kind_not_taken", {"kind": [f"must be one of: {', '.join(required)}"]}
            )
        if application.status not in ("draft", "revision_requested"):
            raise Conflict("documents_locked", status=application.status)
        if not self._store().exists(data["sha256"]):
            raise InvalidInput("file_not_uploaded", {"sha256": [NOT_IN_STORE]})
        # One file serves one requirement: the same content (by SHA-256) can't stand for
        # a KTP and a land certificate of one application at once.
        served = self.db.scalar(
            select(Document.kind).where(
                Document.application_id == application.id,
                Document.sha256 == data["sha256"],
            )
        )
        if served is not None:
            raise Conflict("file_already_attached", {"file": [f"already attached as {served}"]})
        data["filename"] = domain.display_name(data["filename"], data["content_type"])
        document = Document(application_id=application.id, **data)
        self.db.add(document)
        self.db.flush()
        return wire.Document().dump(document)

    @rpc
    def act(self, application_id: str, payload: dict) -> dict:
        """Take an action on an application: submit, verify, request revision, approve..."""
        data = load(wire.TransitionRequest(), payload)
        application = self._application(application_id, for_update=True)
        party = domain.party_of(data["action"])
        if party == domain.APPLICANT:
            self._require_applicant(application)
        else:
            self._require_agency(application, VERIFIER)
        self._target(application, data["action"])  # an illegal step is refused first
        if domain.PERMIT.action(data["action"]).note_required and not (data["note"] or "").strip():
            why = NOTE_REASONS.get(data["action"], NOTE_REASON)
            raise InvalidInput("note_required", {"note": [why]}, action=data["action"])
        if data["action"] in ("submit", "resubmit"):
            self._check_documents(application)
        self._transition(application, data["action"], data["note"])
        if data["action"] in ("submit", "resubmit"):
            self._start_clock(application)
            if self._type(application).risk_level == "low":
                self._move(application, "start_verification", "low risk: checked on submission")
                self._move(application, "approve", "low risk: complete application")
        self._issue_if_ready(application)
        return self._present(application)

    @rpc
    def record_payment(self, application_id: str, payload: dict) -> dict:
        """A cashier records the fee with the receipt's reference; issuance may follow."""
        data = load(wire.PaymentRecord(), payload)
        application = self._application(application_id, for_update=True)
        self._require_agency(application, CASHIER)
        fee = self._type(application).fee
        if fee == 0:
            raise Conflict("no_fee")
        if self.db.get(Payment, application.id):
            raise Conflict("fee_already_paid")
        if data["amount"] != fee:
            raise InvalidInput("wrong_amount", {"amount": [f"the fee is {fee}"]})
        if domain.is_open(application.status) is False:
            raise Conflict("application_not_open", status=application.status)
        if self.db.scalar(
            select(Payment).where(Payment.receipt_reference == data["receipt_reference"])
        ):
            raise Conflict("receipt_used", {"receipt_reference": [ALREADY_USED]})
        payment = Payment(application_id=application.id, cashier_id=self.actor.id, **data)
        self.db.add(payment)
        self.db.flush()
        self.db.record_event(
            "fee_paid",
            {
                "application_id": application.id,
                "applicant_id": application.applicant_id,
                "permit_type": application.permit_type,
                "amount": payment.amount,
                "receipt_reference": payment.receipt_reference,
                "paid_at": payment.paid_at,
            },
        )
        self._issue_if_ready(application)
        return self._present(application)

    @rpc
    def worklist(self) -> list[dict]:
        """The agency's applications waiting for an officer, oldest first: for verifiers
        those to verify, for cashiers those approved and waiting for the fee."""
        self.actor.require(VERIFIER, CASHIER)
        statuses = (
            ("approved",)
            if self.actor.role == CASHIER
            else ("submitted", "resubmitted", "in_verification")
        )
        waiting = self.db.scalars(
            select(Application).where(
                Application.agency == self.actor.agency, Application.status.in_(statuses)
            )
        )
        now = utcnow()
        waiting = sorted(waiting, key=lambda a: most_urgent_first(a.due_at, a.submitted_at, a.id))
        dues = [a.due_at for a in waiting if a.due_at is not None]
        days_off = self.days_off(min([now, *dues]), max([now, *dues]))
        return [
            {
                **wire.WorklistItem(exclude=("working_days_left",)).dump(application),
                "working_days_left": working_days_left(now, application.due_at, days_off),
            }
            for application in waiting
        ]

    @rpc
    def service_levels(self) -> list[dict]:
        """Per agency and permit type: applications on the mall's clock and how many of
        them are past due (mall managers; counts only, no one's data)."""
        self.actor.require(MALL_MANAGER, MALL_ADMIN)
        late = func.sum(case((Application.due_at < utcnow(), 1), else_=0))
        counted = self.db.execute(
            select(Application.agency, Application.permit_type, func.count(), late)
            .where(Application.status.in_(tuple(domain.CLOCK_RUNNING)))
            .group_by(Application.agency, Application.permit_type)
            .order_by(Application.agency, Application.permit_type)
        ).all()
        return [
            {"agency": agency, "permit_type": code, "open": count, "overdue": int(overdue or 0)}
            for agency, code, count, overdue in counted
        ]

    @rpc
    def my_permits(self) -> list[dict]:
        """The signed-in citizen's permits."""
        self.actor.require(CITIZEN)
        held = self.db.scalars(
            select(Permit)
            .where(Permit.holder_id == self.actor.person_id)
            .order_by(Permit.issued_at.desc())
        )
        return wire.Permit(many=True).dump(held)

    @rpc
    def get_permit(self, permit_id: str) -> dict:
        permit = self.db.get(Permit, permit_id)
        if permit is None or not self._may_see(permit.holder_id, self._agency_of(permit)):
            raise NotFound("no_permit", permit=permit_id)
        return wire.Permit().dump(permit)

    @rpc
    def verify_permit(self, payload: dict) -> dict:
        """Public check of a permit (the QR target): validity, type, dates, masked holder."""
        number = load(wire.PermitCheck(), payload)["number"]
        permit = self.db.scalar(select(Permit).where(Permit.number == number))
        if permit is None:
            return {
                "valid": False,
                "status": None,
                "permit_type": None,
                "valid_from": None,
                "valid_until": None,
                "holder": None,
            }
        valid = permit.status == "active" and (
            permit.valid_until is None or permit.valid_until >= today()
        )
        return wire.PermitValidity().dump(
            {
                "valid": valid,
                "status": permit.status,
                "permit_type": permit.permit_type,
                "valid_from": permit.valid_from,
                "valid_until": permit.valid_until,
                "holder": mask_name(permit.holder_name),
            }
        )

    @rpc
    def revoke_permit(self, permit_id: str, payload: dict) -> dict:
        """An officer of the issuing agency revokes a permit, with a reason."""
        reason = load(wire.Revocation(), payload)["reason"]
        permit = self.db.get(Permit, permit_id)
        if permit is None or not self._may_see(permit.holder_id, self._agency_of(permit)):
            raise NotFound("no_permit", permit=permit_id)  # nor whether it exists
        if self.actor.role != VERIFIER or self.actor.agency != self._agency_of(permit):
            raise Forbidden("not_the_issuing_agency")
        if permit.status in ("revoked", "expired"):
            raise Conflict("permit_not_active", status=permit.status)
        permit.status, permit.status_reason = "revoked", reason
        self.db.record_event(
            "permit_revoked", {"permit_id": permit.id, "number": permit.number, "reason": reason}
        )
        return wire.Permit().dump(permit)

    @rpc
    def renew_permit(self, permit_id: str) -> dict:
        """The holder opens a renewal (a new draft linked to the permit) before it expires."""
        permit = self.db.get(Permit, permit_id)
        if permit is None or not self.actor.is_person(permit.holder_id):
            raise NotFound("no_permit", permit=permit_id)
        if permit.status != "active" or permit.valid_until is None:
            raise Conflict("permit_not_renewable")
        if permit.valid_until < today():
            raise Conflict("permit_expired")
        original = self.db.get(Application, permit.application_id)
        renewal = Application(
            permit_type=permit.permit_type,
            agency=original.agency,
            applicant_id=permit.holder_id,
            applicant_name=permit.holder_name,
            renewal_of=permit.id,
        )
        self.db.add(renewal)
        self.db.flush()
        self.db.record_event(
            "application_created",
            {"application_id": renewal.id, "permit_type": renewal.permit_type},
        )
        return self._present(renewal)

    @timer(interval=60)
    def keep_time(self) -> None:
        """Flag overdue applications, remind holders before expiry, expire permits."""
        self.sweep()

    @rpc
    def sweep(self) -> dict:
        """One pass of the clock; safe in every instance at once (rows are claimed by
        conditional updates, so each fact is announced once)."""
        now, day = utcnow(), today()
        overdue = self.db.execute(
            update(Application)
            .where(
                Application.due_at < now,
                Application.overdue_flagged_at.is_(None),
                Application.status.in_(tuple(domain.CLOCK_RUNNING)),
            )
            .values(overdue_flagged_at=now)
            .returning(Application.id, Application.agency, Application.due_at)
        ).all()
        for application_id, agency, due_at in overdue:
            self.db.record_event(
                "application_overdue",
                {"application_id": application_id, "agency": agency, "due_at": due_at},
            )
        expiring = self.db.execute(
            update(Permit)
            .where(
                Permit.status == "active",
                Permit.reminded_at.is_(None),
                Permit.valid_until.is_not(None),
                Permit.valid_until >= day,
                Permit.valid_until <= day + REMIND_BEFORE,
            )
            .values(reminded_at=now)
            .returning(Permit.id, Permit.number, Permit.holder_id, Permit.valid_until)
        ).all()
        for permit_id, number, holder_id, valid_until in expiring:
            self.db.record_event(
                "permit_expiring",
                {
                    "permit_id": permit_id,
                    "number": number,
                    "holder_id": holder_id,
                    "valid_until": valid_until,
                },
            )
        expired = self.db.execute(
            update(Permit)
            .where(Permit.status == "active", Permit.valid_until < day)
            .values(status="expired", status_reason="validity ended")
            .returning(Permit.id, Permit.number, Permit.holder_id)
        ).all()
        for permit_id, number, holder_id in expired:
            self.db.record_event(
                "permit_expired", {"permit_id": permit_id, "number": number, "holder_id": holder_id}
            )
        return {"overdue": len(overdue), "expiring": len(expiring), "expired": len(expired)}

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event: dict) -> None:
        """A deceased person's open applications are closed and permits suspended."""
        person_id = event["data"]["person_id"]
        applications = self.db.scalars(
            select(Application).where(Application.applicant_id == person_id)
        ).all()
        for application in filter(lambda a: domain.is_open(a.status), applications):
            self._close(application, "withdrawn", "applicant deceased")
        held = self.db.scalars(
            select(Permit).where(Permit.holder_id == person_id, Permit.status == "active")
        ).all()
        for permit in held:
            permit.status, permit.status_reason = "suspended", "holder deceased"
            self.db.record_event(
                "permit_suspended",
                {"permit_id": permit.id, "number": permit.number, "reason": "holder deceased"},
            )

    # --- helpers ----------------------------------------------------------------------

    def _application(self, application_id: str, for_update: bool = False) -> Application:
        """The application, if the actor may know it exists (404 otherwise, not 403)."""
        query = select(Application).where(Application.id == application_id)
        application = self.db.scalar(query.with_for_update() if for_update else query)
        if application is None or not self._may_see(application.applicant_id, application.agency):
            raise NotFound("no_application", application=application_id)
        return application

    def _owned(self, application_id: str, for_update: bool = False) -> Application:
        application = self._application(application_id, for_update)
        self._require_applicant(application)
        return application

    def _may_see(self, person_id: str, agency: str) -> bool:
        actor = self.actor
        return (
            actor.is_person(person_id)
            or actor.role == MALL_MANAGER
            or (actor.role in STAFF_OF_AGENCY and actor.agency == agency)
        )

    def _require_applicant(self, application: Application) -> None:
        if not self.actor.is_person(application.applicant_id):
            raise Forbidden("only_the_applicant")

    def _require_agency(self, application: Application, role: str) -> None:
        if self.actor.role != role or self.actor.agency != application.agency:
            raise Forbidden("agency_role_required", role=role, agency=application.agency)

    def _type(self, application: Application) -> PermitType:
        return self.db.get(PermitType, application.permit_type)

    def _agency_of(self, permit: Permit) -> str:
        return self.db.get(PermitType, permit.permit_type).agency

    def _store(self) -> LocalDocumentStore:
        return document_store(self.config)

    def _check_documents(self, application: Application) -> None:
        attached = self.db.scalars(
            select(Document.kind).where(Document.application_id == application.id)
        ).all()
        if missing := domain.missing_documents(
            self._type(application).required_documents, attached
        ):
            raise InvalidInput(
                "documents_missing", {"documents": [f"missing: {kind}" for kind in missing]}
            )

    def _start_clock(self, application: Application) -> None:
        now = utcnow()
        application.submitted_at = application.submitted_at or now
        application.due_at = self.deadline(now, self._type(application).sla_working_days)
        application.overdue_flagged_at = None
        self.db.record_event(
            "application_submitted",
            {
                "application_id": application.id,
                "permit_type": application.permit_type,
                "agency": application.agency,
                "due_at": application.due_at,
                "applicant_id": application.applicant_id,
            },
        )

    def _target(self, application: Application, action: str) -> str:
        try:
            return domain.next_state(application.status, action)
        except domain.IllegalTransition as illegal:
            raise Conflict(
                illegal.code, {"allowed_actions": illegal.allowed}, illegal.params
            ) from None

    def _transition(
        self, application: Application, action: str, note: str | None, actor=None
    ) -> None:
        target = self._target(application, action)
        actor = actor or self.actor
        take_step(
            self.db,
            Transition,
            application,
            action,
            target,
            actor.id,
            actor.role,
            note,
            applicant_id=application.applicant_id,
        )
        if target == "approved":
            self._ask_fee(application)

    def _ask_fee(self, application: Application) -> None:
        """An approved application with a fee waits for the cashier: its applicant is told
        the amount (``fee_due``); a free one is issued at once."""
        permit_type = self._type(application)
        if permit_type.fee and self.db.get(Payment, application.id) is None:
            self.db.record_event(
                "fee_due",
                {
                    "application_id": application.id,
                    "applicant_id": application.applicant_id,
                    "permit_type": application.permit_type,
                    "agency": application.agency,
                    "amount": permit_type.fee,
                },
            )

    def _move(self, application: Application, action: str, note: str) -> None:
        """A step the mall takes by itself (the low-risk path, issuance)."""
        self._transition(application, action, note, actor=_System())

    def _close(self, application: Application, status: str, reason: str) -> None:
        take_step(
            self.db,
            Transition,
            application,
            status,
            status,
            SYSTEM,
            SYSTEM,
            reason,
            applicant_id=application.applicant_id,
        )
        application.closed_reason = reason

    def _issue_if_ready(self, application: Application) -> None:
        permit_type = self._type(application)
        if application.status != "approved":
            return
        if permit_type.fee and self.db.get(Payment, application.id) is None:
            return  # issuance waits for the cashier
        issued_on = today()
        sequence = next_value(self.db, Sequence, f"permit:{permit_type.code}:{issued_on.year}")
        period = domain.validity(issued_on, permit_type.validity_months)
        permit = Permit(
            number=domain.permit_number(permit_type.code, issued_on.year, sequence),
            application_id=application.id,
            permit_type=permit_type.code,
            holder_id=application.applicant_id,
            holder_name=application.applicant_name,
            valid_from=period.valid_from,
            valid_until=period.valid_until,
        )
        self.db.add(permit)
        self.db.flush()
        self._move(application, "issue", f"permit {permit.number}")
        self.db.record_event(
            "permit_issued",
            {
                "permit_id": permit.id,
                "number": permit.number,
                "permit_type": permit.permit_type,
                "holder_id": permit.holder_id,
                "valid_until": permit.valid_until,
            },
        )

    def _present(self, application: Application) -> dict:
        documents = self.db.scalars(
            select(Document)
            .where(Document.application_id == application.id)
            .order_by(Document.uploaded_at)
        ).all()
        history = steps_of(self.db, Transition, application.id)
        permit = self.db.scalar(select(Permit.id).where(Permit.application_id == application.id))
        parties = domain.PERMIT.parties_of(
            self.actor.role,
            is_applicant=self.actor.is_person(application.applicant_id),
            same_agency=self.actor.agency == application.agency,
        )
        permit_type, paid = self._type(application), self.db.get(Payment, application.id)
        allowed = [a for a in domain.PERMIT.allowed(application.status, parties) if a != "issue"]
        on_clock = application.status in domain.CLOCK_RUNNING and application.due_at
        shown = wire.Application().dump(application)
        shown.update(
            paid=paid is not None,
            missing_documents=domain.missing_documents(
                permit_type.required_documents, [d.kind for d in documents]
            ),
            allowed_actions=allowed,
            note_required_for=[a for a in allowed if domain.PERMIT.action(a).note_required],
            working_days_left=(
                self.working_days_left(utcnow(), application.due_at) if on_clock else None
            ),
            # the cashier of the agency records the fee of an approved application
            fee_to_record=(
                permit_type.fee
                if self.actor.role == CASHIER
                and self.actor.agency == application.agency
                and application.status == "approved"
                and permit_type.fee
                and paid is None
                else None
            ),
            documents=wire.Document(many=True).dump(documents),
            history=wire.Transition(many=True).dump(history),
            permit_id=permit,
        )
        return shown


class _System:
    id, role = SYSTEM, SYSTEM
