"""Who is acting: the actor travels from the gateway in nameko context data, and every
service checks it again before it acts.

    class RegistryService(MallService):
        @rpc
        def register_birth(self, payload):
            self.actor.require(REGISTRAR, HOSPITAL_OFFICER)
"""

from dataclasses import dataclass

from chassis.errors import Forbidden

CONTEXT_KEY = "actor"

CITIZEN = "citizen"
COUNTER_OFFICER = "counter_officer"
VERIFIER = "verifier"
CASHIER = "cashier"
REGISTRAR = "registrar"
HOSPITAL_OFFICER = "hospital_officer"
AGENCY_ADMIN = "agency_admin"
MALL_MANAGER = "mall_manager"
MALL_ADMIN = "mall_admin"  # creates staff accounts
SYSTEM = "system"  # another service acting on an event or a timer
STAFF_ROLES = frozenset(
    {
        COUNTER_OFFICER,
        VERIFIER,
        CASHIER,
        REGISTRAR,
        HOSPITAL_OFFICER,
        AGENCY_ADMIN,
        MALL_MANAGER,
        MALL_ADMIN,
    }
)


@dataclass(frozen=True)
class Actor:
    id: str | None = None
    role: str | None = None
    agency: str | None = None
    person_id: str | None = None  # a citizen's own resident id

    @classmethod
    def from_context(cls, data: dict | None) -> "Actor":
        if not isinstance(data, dict):
            return cls()
        return cls(**{k: data.get(k) for k in ("id", "role", "agency", "person_id")})

    def as_context(self) -> dict:
        return {
            "id": self.id,
            "role": self.role,
            "agency": self.agency,
            "person_id": self.person_id,
        }

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def is_person(self, person_id: str) -> bool:
        return self.role == CITIZEN and self.person_id is not None and self.person_id == person_id

    def require(self, *roles: str) -> "Actor":
        """Raise Forbidden unless the actor holds one of ``roles``."""
        if self.id is None or self.role not in roles:
            raise Forbidden("role_required", roles=" or ".join(roles))
        return self
