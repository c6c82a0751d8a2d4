"""The civil registry: the single source of truth about who a citizen is."""

from sqlalchemy import select

from chassis.database import Database
from chassis.errors import Conflict, InvalidInput, NotFound, load
from chassis.service import MallService, rpc
from contracts import civil_registry as wire
from services.civil_registry.domain import nik_problems
from services.civil_registry.models import OutboxEvent, ProcessedEvent, Resident


class CivilRegistryService(MallService):
    name = "civil_registry"
    db = Database(OutboxEvent, ProcessedEvent)

    @rpc
    def register_resident(self, payload: dict) -> dict:
        """Register a resident under a valid, unused NIK."""
        data = load(wire.ResidentRegistration(), payload)
        if problems := nik_problems(data["nik"], data["birth_date"], data["sex"]):
            raise InvalidInput("invalid NIK", {"nik": problems})
        if self.db.scalar(select(Resident.id).where(Resident.nik == data["nik"])):
            raise Conflict("NIK already registered", {"nik": ["already registered"]})
        resident = Resident(**data)
        self.db.add(resident)
        self.db.flush()
        self.db.record_event("resident_registered", {"person_id": resident.id})
        return wire.Resident().dump(resident)

    @rpc
    def get_resident(self, resident_id: str) -> dict:
        """One resident's record."""
        return wire.Resident().dump(self._resident(resident_id))

    @rpc
    def register_death(self, payload: dict) -> dict:
        """Record a death; a person dies once."""
        data = load(wire.DeathRegistration(), payload)
        resident = self._resident(data["resident_id"], for_update=True)
        if resident.status == "deceased":
            raise Conflict(f"death already registered on {resident.died_on.isoformat()}")
        resident.status, resident.died_on = "deceased", data["died_on"]
        self.db.record_event("person_died", {"person_id": resident.id, "died_on": data["died_on"]})
        return wire.Resident().dump(resident)

    @rpc
    def verify_identity(self, payload: dict) -> dict:
        """Whether NIK, name and birth date belong to one person; never the record itself."""
        data = load(wire.IdentityQuestion(), payload)
        resident = self.db.scalar(select(Resident).where(Resident.nik == data["nik"]))
        if (
            resident is None
            or resident.full_name.casefold() != data["full_name"].strip().casefold()
            or resident.birth_date != data["birth_date"]
        ):
            return {"verified": False, "person_id": None, "alive": None}
        return {"verified": True, "person_id": resident.id, "alive": resident.status == "alive"}

    def _resident(self, resident_id: str, for_update: bool = False) -> Resident:
        query = select(Resident).where(Resident.id == resident_id)
        resident = self.db.scalar(query.with_for_update() if for_update else query)
        if resident is None:
            raise NotFound(f"no resident {resident_id}")
        return resident
