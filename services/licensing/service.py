"""One-door licensing: permit types and applications, checked against the civil registry."""

from nameko.rpc import RpcProxy
from sqlalchemy import select

from chassis.database import Database
from chassis.errors import Conflict, InvalidInput, NotFound, load
from chassis.events import event_handler, idempotent
from chassis.service import MallService, rpc
from contracts import licensing as wire
from services.licensing.domain import is_open
from services.licensing.models import Application, OutboxEvent, PermitType, ProcessedEvent


class LicensingService(MallService):
    name = "licensing"
    db = Database(OutboxEvent, ProcessedEvent)
    civil_registry = RpcProxy("civil_registry")

    @rpc
    def list_permit_types(self) -> list[dict]:
        """The permits the mall can issue."""
        types = self.db.scalars(select(PermitType).order_by(PermitType.code))
        return wire.PermitType(many=True).dump(types)

    @rpc
    def create_application(self, payload: dict) -> dict:
        """Open a draft application for a living resident known to the civil registry."""
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
            raise InvalidInput(
                "applicant not found in the civil registry",
                {"applicant_nik": ["does not match a registered resident"]},
            )
        if not identity["alive"]:
            raise Conflict("applicant is registered as deceased")
        if self.db.get(PermitType, data["permit_type"]) is None:
            raise NotFound("unknown permit type", {"permit_type": ["unknown"]})
        application = Application(
            permit_type=data["permit_type"], applicant_id=identity["person_id"]
        )
        self.db.add(application)
        self.db.flush()
        self.db.record_event(
            "application_created",
            {"application_id": application.id, "permit_type": application.permit_type},
        )
        return wire.Application().dump(application)

    @rpc
    def get_application(self, application_id: str) -> dict:
        """One application and its state."""
        application = self.db.get(Application, application_id)
        if application is None:
            raise NotFound(f"no application {application_id}")
        return wire.Application().dump(application)

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event: dict) -> None:
        """A deceased applicant's open applications are closed."""
        held = self.db.scalars(
            select(Application).where(Application.applicant_id == event["data"]["person_id"])
        ).all()
        for application in filter(lambda a: is_open(a.status), held):
            application.status, application.closed_reason = "withdrawn", "applicant deceased"
            self.db.record_event(
                "application_status_changed",
                {
                    "application_id": application.id,
                    "status": "withdrawn",
                    "reason": "applicant deceased",
                },
            )
