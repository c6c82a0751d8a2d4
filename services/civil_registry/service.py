"""The civil registry: the single source of truth about who a citizen is.

Registrars (and hospital officers, for births and deaths) change records; every change is
kept in the audit trail. NIKs are shown whole only to registrars and to their owner.
"""

import secrets

from sqlalchemy import exists, func, select

from chassis.actor import HOSPITAL_OFFICER, REGISTRAR, Actor
from chassis.clock import mall_date, today
from chassis.database import Database, utcnow
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, load
from chassis.sequences import next_value
from chassis.service import MallService, rpc
from contracts import civil_registry as wire
from contracts.refusals import fields, registry
from services.civil_registry import domain
from services.civil_registry.models import (
    AuditEntry,
    Certificate,
    FamilyCard,
    FamilyMembership,
    OutboxEvent,
    ProcessedEvent,
    RecordedReply,
    Resident,
    Sequence,
)
from services.civil_registry.regions import region

AUDITED_FIELDS = (
    "nik",
    "full_name",
    "birth_date",
    "birth_place",
    "sex",
    "status",
    "marital_status",
    "died_on",
)
AGENCY = "disdukcapil"  # the registry's own office: its staff may read any record


class CivilRegistryService(MallService):
    name = "civil_registry"
    db = Database(OutboxEvent, ProcessedEvent, RecordedReply)

    # --- residents and family cards ---------------------------------------------------

    @rpc
    def register_resident(self, payload: dict) -> dict:
        """Register a resident under a valid, unused NIK, optionally on a family card."""
        self.actor.require(REGISTRAR)
        data = load(wire.ResidentRegistration(), payload)
        if problems := domain.birth_date_problems(data["birth_date"], today()):
            raise InvalidInput("impossible_birth_date", {"birth_date": problems})
        if problems := domain.nik_problems(data["nik"], data["birth_date"], data["sex"]):
            raise InvalidInput("invalid_nik", {"nik": problems})
        if self.db.scalar(select(exists().where(Resident.nik == data["nik"]))):
            raise Conflict("nik_taken", {"nik": [registry.NIK_REGISTERED]})
        card_id, relationship = data.pop("family_card_id"), data.pop("relationship")
        resident = Resident(**data)
        self.db.add(resident)
        self.db.flush()
        if card_id:
            self._join(resident, self._card(card_id), relationship)
        self._audit(resident, "registered", None)
        self.db.record_event("resident_registered", {"person_id": resident.id})
        return self._present(resident)

    @rpc
    def get_resident(self, resident_id: str) -> dict:
        """One resident's record: whole to registrars and to its owner, NIK masked to the
        registry's other staff."""
        resident = self._resident(resident_id)
        if not (_reads_the_registry(self.actor) or self.actor.is_person(resident.id)):
            raise NotFound("no_resident", resident=resident_id)
        return self._present(resident)

    @rpc
    def create_family_card(self, payload: dict) -> dict:
        """Open a family card (KK) with its head."""
        self.actor.require(REGISTRAR)
        data = load(wire.FamilyCardRegistration(), payload)
        head = self._resident(data["head_id"], for_update=True)
        self._require_alive(head)
        card = self._new_card(data, head, field="number")
        return self._present_card(card)

    @rpc
    def get_family_card(self, family_card_id: str) -> dict:
        """A family card and its members."""
        card = self._card(family_card_id)
        members = self._members(card)
        mine = any(self.actor.is_person(m.id) for m, _ in members)
        if not (_reads_the_registry(self.actor) or mine):
            raise NotFound("no_family_card", family_card=family_card_id)
        return self._present_card(card)

    @rpc
    def change_address(self, payload: dict) -> dict:
        """Move a resident to another family card (and so to its address)."""
        self.actor.require(REGISTRAR)
        data = load(wire.AddressChange(), payload)
        resident = self._resident(data["resident_id"], for_update=True)
        self._require_alive(resident)
        card = self._card(data["family_card_id"])
        if self._membership(resident) and self._membership(resident).family_card_id == card.id:
            raise Conflict("already_on_family_card")
        self._move(resident, card, data["relationship"])
        return self._present(resident)

    @rpc
    def search_residents(self, payload: dict) -> dict:
        """The registry's staff search by name, NIK or family card number, a page at a time."""
        if not _reads_the_registry(self.actor):
            raise NotFound("not_found")
        data = load(wire.ResidentSearch(), payload)
        query = select(Resident)
        if data["name"]:
            query = query.where(func.lower(Resident.full_name).contains(data["name"].lower()))
        if data["nik"]:
            query = query.where(Resident.nik == data["nik"])
        if data["family_card_number"]:
            query = (
                query.join(FamilyMembership, FamilyMembership.resident_id == Resident.id)
                .join(FamilyCard, FamilyCard.id == FamilyMembership.family_card_id)
                .where(FamilyCard.number == data["family_card_number"])
            )
        total = self.db.scalar(select(func.count()).select_from(query.subquery()))
        page = self.db.scalars(
            query.order_by(Resident.full_name, Resident.id)
            .offset((data["page"] - 1) * data["per_page"])
            .limit(data["per_page"])
        )
        return {
            "items": [self._present(r) for r in page],
            "page": data["page"],
            "per_page": data["per_page"],
            "total": total,
        }

    @rpc
    def correct_resident(self, payload: dict) -> dict:
        """Correct a record, with a reason; the change is kept in the audit trail."""
        self.actor.require(REGISTRAR)
        data = load(wire.Correction(), payload)
        if not data["changes"]:
            raise InvalidInput("nothing_to_correct", {"changes": [registry.GIVE_A_CHANGE]})
        resident = self._resident(data["resident_id"], for_update=True)
        if "birth_date" in data["changes"]:
            self._check_birth_date(resident, data["changes"]["birth_date"])
        before = self._snapshot(resident)
        after = {**before, **wire.Changes().dump(data["changes"])}
        if domain.must_recheck_nik(set(data["changes"])):
            nik = data["changes"].get("nik", resident.nik)
            birth_date = data["changes"].get("birth_date", resident.birth_date)
            sex = data["changes"].get("sex", resident.sex)
            if problems := domain.nik_problems(nik, birth_date, sex):
                raise InvalidInput("nik_would_not_fit", {"nik": problems})
            taken = select(exists().where(Resident.nik == nik, Resident.id != resident.id))
            if self.db.scalar(taken):
                raise Conflict("nik_taken", {"nik": [registry.NIK_REGISTERED]})
        for field, value in data["changes"].items():
            setattr(resident, field, value)
        changed = sorted(k for k in after if after[k] != before[k])
        self._audit(resident, "corrected", before, data["reason"])
        self.db.record_event(
            "resident_corrected", {"person_id": resident.id, "fields_changed": changed}
        )
        return self._present(resident)

    @rpc
    def audit_trail(self, resident_id: str) -> list[dict]:
        """Every change to a resident's record, oldest first."""
        self.actor.require(REGISTRAR)
        self._resident(resident_id)
        entries = self.db.scalars(
            select(AuditEntry).where(AuditEntry.resident_id == resident_id).order_by(AuditEntry.id)
        )
        return wire.AuditEntry(many=True).dump(entries)

    # --- life events ----------------------------------------------------------------

    @rpc
    def register_birth(self, payload: dict) -> dict:
        """Register a birth: a NIK, a birth certificate at once, a place on the family card."""
        self.actor.require(REGISTRAR, HOSPITAL_OFFICER)
        data = load(wire.BirthRegistration(), payload)
        mother = self._parent(data["mother_id"], "mother_id", sex=domain.FEMALE)
        father = None
        if data["father_id"]:
            father = self._parent(data["father_id"], "father_id", sex=domain.MALE)
        if problems := domain.birth_date_problems(
            data["birth_date"],
            today(),
            mother=_life(mother),
            father=_life(father) if father else None,
        ):
            raise InvalidInput("impossible_birth_date", {"birth_date": problems})
        card = self._family_card_of_birth(mother, data["family_card_id"])
        self._not_registered_yet(card, data)
        child = Resident(
            nik=self._allocate_nik(card.region_code, data["birth_date"], data["sex"]),
            full_name=data["full_name"],
            birth_date=data["birth_date"],
            birth_place=data["birth_place"],
            sex=data["sex"],
            mother_id=mother.id,
            father_id=father.id if father else None,
        )
        self.db.add(child)
        self.db.flush()
        self._join(child, card, "child")
        certificate = self._issue("birth", card.region_code[:4], child, data["birth_date"])
        self._audit(child, "birth_registered", None)
        self.db.record_event(
            "birth_registered",
            {
                "person_id": child.id,
                "family_card_id": card.id,
                "mother_id": mother.id,
                "father_id": data["father_id"],
                "certificate_number": certificate.number,
            },
        )
        return {
            "child": self._present(child, whole=True),
            "certificate": wire.Certificate().dump(certificate),
        }

    @rpc
    def register_death(self, payload: dict) -> dict:
        """Record a death and issue its certificate; a person dies once."""
        self.actor.require(REGISTRAR, HOSPITAL_OFFICER)
        data = load(wire.DeathRegistration(), payload)
        resident = self._resident(data["resident_id"], for_update=True)
        if problem := domain.second_death_problem(resident.status, resident.died_on):
            raise Conflict(
                "death_already_registered",
                {"died_on": [problem]},
                died_on=resident.died_on.isoformat(),
            )
        if problems := domain.death_problems(
            data["died_on"],
            today(),
            _life(resident),
            sex=resident.sex,
            married_on=self._marriage_dates(resident),
            children_born=self._children_births(resident),
        ):
            raise InvalidInput("impossible_death_date", {"died_on": problems})
        before = self._snapshot(resident)
        resident.status, resident.died_on = domain.DECEASED, data["died_on"]
        certificate = self._issue("death", resident.nik[:4], resident, data["died_on"])
        self._audit(resident, "death_registered", before)
        self.db.record_event("person_died", {"person_id": resident.id, "died_on": data["died_on"]})
        return {
            "person": self._present(resident),
            "certificate": wire.Certificate().dump(certificate),
        }

    @rpc
    def register_marriage(self, payload: dict) -> dict:
        """Record a marriage: a certificate, both married, optionally a new family card."""
        self.actor.require(REGISTRAR)
        data = load(wire.MarriageRegistration(), payload)
        if data["first_spouse_id"] == data["second_spouse_id"]:
            raise InvalidInput(
                "marrying_oneself", {"second_spouse_id": [registry.SECOND_SPOUSE_DIFFERS]}
            )
        spouses = [
            self._resident(data[key], for_update=True)
            for key in ("first_spouse_id", "second_spouse_id")
        ]
        if problems := domain.marriage_problems(
            data["married_on"], today(), [(s.full_name, _life(s)) for s in spouses]
        ):
            raise InvalidInput("impossible_marriage_date", {"married_on": problems})
        for spouse in spouses:
            if problem := domain.spouse_problem(
                spouse.full_name, spouse.status, spouse.marital_status
            ):
                raise Conflict(problem.code, params=problem.params)
        for spouse in spouses:
            before = self._snapshot(spouse)
            spouse.marital_status = "married"
            self._audit(spouse, "marriage_registered", before)
        certificate = self._issue(
            "marriage", spouses[0].nik[:4], spouses[0], data["married_on"], partner=spouses[1]
        )
        card_id = None
        if data["new_family_card"]:
            card = self._new_card(data["new_family_card"], spouses[0], "new_family_card.number")
            self._move(spouses[1], card, "spouse")
            card_id = card.id
        self.db.record_event(
            "marriage_registered",
            {
                "spouse_ids": [s.id for s in spouses],
                "married_on": data["married_on"],
                "family_card_id": card_id,
                "certificate_number": certificate.number,
            },
        )
        return {"certificate": wire.Certificate().dump(certificate), "family_card_id": card_id}

    @rpc
    def list_certificates(self, resident_id: str) -> list[dict]:
        """A person's certificates, for the person and for registrars."""
        resident = self._resident(resident_id)
        if not (self.actor.role == REGISTRAR or self.actor.is_person(resident.id)):
            raise NotFound("no_resident", resident=resident_id)
        held = self.db.scalars(
            select(Certificate)
            .where(
                (Certificate.subject_id == resident.id) | (Certificate.partner_id == resident.id)
            )
            .order_by(Certificate.issued_at)
        )
        return wire.Certificate(many=True).dump(held)

    # --- questions from anyone --------------------------------------------------------

    @rpc
    def verify_certificate(self, payload: dict) -> dict:
        """Public check of a certificate: validity, kind, dates and a masked name only."""
        data = load(wire.CertificateCheck(), payload)
        certificate = self.db.scalar(
            select(Certificate).where(Certificate.number == data["number"])
        )
        given = domain.normal_check_code(data["check_code"]).encode()  # bytes: any text compares
        if certificate is None or not secrets.compare_digest(
            certificate.check_code.encode(), given
        ):
            return {
                "valid": False,
                "kind": None,
                "event_date": None,
                "issued_on": None,
                "holder": None,
            }
        holder = self.db.get(Resident, certificate.subject_id)
        return wire.CertificateValidity().dump(
            {
                "valid": True,
                "kind": certificate.kind,
                "event_date": certificate.event_date,
                "issued_on": mall_date(certificate.issued_at),
                "holder": domain.mask_name(holder.full_name),
            }
        )

    @rpc
    def resolve_niks(self, payload: dict) -> dict:
        """Who the NIKs of an agency's roll are (a tax office's bills): for each NIK found,
        the person's id and whether she is alive; never the record itself. Staff only."""
        if not self.actor.is_staff:
            raise Forbidden("staff_only")
        niks = load(wire.NikList(), payload)["niks"]
        found = self.db.execute(
            select(Resident.nik, Resident.id, Resident.status).where(Resident.nik.in_(niks))
        )
        return {
            "people": {
                nik: {"person_id": person_id, "alive": status == domain.ALIVE}
                for nik, person_id, status in found
            }
        }

    @rpc
    def verify_identity(self, payload: dict) -> dict:
        """Whether NIK, name and birth date belong to one person; never the record itself."""
        data = load(wire.IdentityQuestion(), payload)
        resident = self.db.scalar(select(Resident).where(Resident.nik == data["nik"]))
        if resident is None or not domain.identity_matches(
            resident.full_name, resident.birth_date, data["full_name"], data["birth_date"]
        ):
            return {"verified": False, "person_id": None, "alive": None}
        alive = resident.status == domain.ALIVE
        return {"verified": True, "person_id": resident.id, "alive": alive}

    # --- helpers ----------------------------------------------------------------------

    def _resident(self, resident_id: str, for_update: bool = False) -> Resident:
        query = select(Resident).where(Resident.id == resident_id)
        resident = self.db.scalar(query.with_for_update() if for_update else query)
        if resident is None:
            raise NotFound("no_resident", resident=resident_id)
        return resident

    def _parent(self, resident_id: str, field: str, sex: str) -> Resident:
        """A parent of a birth: unknown is a conflict with the registry, not a typo."""
        parent = self.db.get(Resident, resident_id)
        if parent is None:
            raise Conflict(
                "parent_not_registered", {field: [fields.REASONS["unknown"]]}, field=field
            )
        if parent.sex != sex:
            raise InvalidInput("parent_wrong_sex", {field: [registry.WRONG_SEX]}, field=field)
        return parent

    def _check_birth_date(self, resident: Resident, born) -> None:
        """A corrected birth date must agree with every date known of the resident: her
        death, her marriages, her parents' lives and her children's births."""
        mother = self.db.get(Resident, resident.mother_id) if resident.mother_id else None
        father = self.db.get(Resident, resident.father_id) if resident.father_id else None
        if problems := domain.birth_date_problems(
            born,
            today(),
            sex=resident.sex,
            died=resident.died_on,
            married_on=self._marriage_dates(resident),
            mother=_life(mother) if mother else None,
            father=_life(father) if father else None,
            children_born=self._children_births(resident),
        ):
            raise InvalidInput("impossible_birth_date", {"birth_date": problems})

    def _marriage_dates(self, resident: Resident) -> tuple:
        """The days of the marriages certified here with ``resident`` as a spouse."""
        spouse = (Certificate.subject_id == resident.id) | (Certificate.partner_id == resident.id)
        query = select(Certificate.event_date).where(Certificate.kind == "marriage", spouse)
        return tuple(self.db.scalars(query.order_by(Certificate.event_date)))

    def _children_births(self, resident: Resident) -> tuple:
        """The birth dates of the children registered here with ``resident`` as a parent."""
        query = select(Resident.birth_date).where(
            (Resident.mother_id == resident.id) | (Resident.father_id == resident.id)
        )
        return tuple(self.db.scalars(query.order_by(Resident.birth_date)))

    def _card(self, family_card_id: str) -> FamilyCard:
        card = self.db.get(FamilyCard, family_card_id)
        if card is None:
            raise NotFound(
                "no_family_card",
                {"family_card_id": [fields.REASONS["unknown"]]},
                family_card=family_card_id,
            )
        return card

    def _not_registered_yet(self, card: FamilyCard, birth: dict) -> None:
        """A birth is registered once: a second child of the card born the same day with the
        same name is the same child (a form sent twice), not a twin."""
        self.db.scalar(select(FamilyCard.id).where(FamilyCard.id == card.id).with_for_update())
        same = (
            select(Resident.id)
            .join(FamilyMembership, FamilyMembership.resident_id == Resident.id)
            .where(
                FamilyMembership.family_card_id == card.id,
                FamilyMembership.relationship == "child",
                Resident.birth_date == birth["birth_date"],
                func.lower(Resident.full_name) == birth["full_name"].lower(),
            )
        )
        if self.db.scalar(same) is not None:
            raise Conflict("birth_already_registered", {"full_name": [registry.SAME_CHILD]})

    def _family_card_of_birth(self, mother: Resident, family_card_id: str | None) -> FamilyCard:
        if family_card_id:
            return self._card(family_card_id)
        membership = self._membership(mother)
        if membership is None:
            raise Conflict(
                "mother_without_family_card", {"family_card_id": [registry.CARD_REQUIRED]}
            )
        return self.db.get(FamilyCard, membership.family_card_id)

    def _new_card(self, data: dict, head: Resident, field: str) -> FamilyCard:
        """Open a family card headed by ``head``; ``field`` names the number in errors."""
        if problems := domain.family_card_problems(data["number"]):
            raise InvalidInput("invalid_family_card_number", {field: problems})
        if self.db.scalar(select(exists().where(FamilyCard.number == data["number"]))):
            raise Conflict("family_card_number_taken", {field: [registry.CARD_NUMBER_USED]})
        card = FamilyCard(
            number=data["number"],
            region_code=data["number"][:6],
            address=data["address"],
            head_id=head.id,
        )
        self.db.add(card)
        self.db.flush()
        self._move(head, card, "head")
        return card

    def _membership(self, resident: Resident) -> FamilyMembership | None:
        return self.db.get(FamilyMembership, resident.id)

    def _members(self, card: FamilyCard) -> list[tuple[Resident, str]]:
        rows = self.db.execute(
            select(Resident, FamilyMembership.relationship)
            .join(FamilyMembership, FamilyMembership.resident_id == Resident.id)
            .where(FamilyMembership.family_card_id == card.id)
            .order_by(Resident.birth_date)
        )
        return [(resident, relationship) for resident, relationship in rows]

    def _join(self, resident: Resident, card: FamilyCard, relationship: str) -> None:
        self.db.add(
            FamilyMembership(
                resident_id=resident.id, family_card_id=card.id, relationship=relationship
            )
        )

    def _move(self, resident: Resident, card: FamilyCard, relationship: str) -> None:
        membership = self._membership(resident)
        previous = membership.family_card_id if membership else None
        if membership is None:
            self._join(resident, card, relationship)
        else:
            old_card = self.db.get(FamilyCard, previous)
            if old_card.head_id == resident.id and old_card.id != card.id:
                old_card.head_id = None
            membership.family_card_id, membership.relationship = card.id, relationship
        if relationship == "head":
            card.head_id = resident.id
        self._audit(
            resident, "moved", {"family_card_id": previous}, after={"family_card_id": card.id}
        )
        self.db.record_event(
            "resident_moved",
            {
                "person_id": resident.id,
                "from_family_card_id": previous,
                "to_family_card_id": card.id,
            },
        )

    def _allocate_nik(self, region_code: str, birth_date, sex: str) -> str:
        """The next free serial for this region and birth date, under the sequence's lock."""
        prefix = f"{region_code}{domain.birth_part(birth_date, sex)}"
        while True:
            serial = next_value(self.db, Sequence, f"nik:{prefix}")
            if problem := domain.nik_serial_problem(prefix, serial):
                raise Conflict(problem.code, params=problem.params)
            nik = domain.make_nik(region_code, birth_date, sex, serial)
            if not self.db.scalar(select(exists().where(Resident.nik == nik))):
                return nik

    def _issue(
        self,
        kind: str,
        regency: str,
        subject: Resident,
        event_date,
        partner: Resident | None = None,
    ) -> Certificate:
        issued_on = today()
        sequence = next_value(self.db, Sequence, f"certificate:{regency}:{kind}:{issued_on}")
        certificate = Certificate(
            number=domain.certificate_number(regency, kind, issued_on, sequence),
            kind=kind,
            check_code=domain.new_check_code(),
            subject_id=subject.id,
            partner_id=partner.id if partner else None,
            event_date=event_date,
            issued_by=self.actor.id,
        )
        self.db.add(certificate)
        self.db.flush()
        return certificate

    def _require_alive(self, resident: Resident) -> None:
        if problem := domain.alive_problem(resident.full_name, resident.status):
            raise Conflict(problem.code, params=problem.params)

    def _snapshot(self, resident: Resident) -> dict:
        return wire.Resident(only=AUDITED_FIELDS).dump(resident)

    def _audit(
        self,
        resident: Resident,
        action: str,
        before: dict | None,
        reason: str | None = None,
        after: dict | None = None,
    ) -> None:
        self.db.flush()
        self.db.add(
            AuditEntry(
                resident_id=resident.id,
                action=action,
                actor_id=self.actor.id,
                actor_role=self.actor.role,
                reason=reason,
                before=before,
                after=after if after is not None else self._snapshot(resident),
                at=utcnow(),
            )
        )

    def _present(self, resident: Resident, whole: bool = False) -> dict:
        """A resident as the actor may see it: NIK whole to registrars and the owner (and to
        the officer who registered the birth, who hands it to the family)."""
        membership = self._membership(resident)
        shown = wire.Resident().dump(resident)
        shown["family_card_id"] = membership.family_card_id if membership else None
        shown["relationship"] = membership.relationship if membership else None
        if not (whole or _sees_whole_nik(self.actor, resident.id)):
            shown["nik"] = domain.mask_nik(resident.nik)
        return shown

    def _present_card(self, card: FamilyCard) -> dict:
        place = region(card.region_code)
        whole = self.actor.role == REGISTRAR
        return wire.FamilyCard().dump(
            {
                "id": card.id,
                "number": card.number if whole else domain.mask_nik(card.number),
                "region_code": card.region_code,
                "province": place.province,
                "regency": place.regency,
                "district": place.district,
                "address": card.address,
                "head_id": card.head_id,
                "members": [
                    {
                        "resident_id": r.id,
                        "full_name": r.full_name,
                        "relationship": rel,
                        "status": r.status,
                        "nik": r.nik
                        if _sees_whole_nik(self.actor, r.id)
                        else domain.mask_nik(r.nik),
                    }
                    for r, rel in self._members(card)
                ],
            }
        )


def _reads_the_registry(actor: Actor) -> bool:
    """Registrars, hospital officers and the registry's own office read any record; staff
    of other agencies (tax, licensing, health insurance) do not."""
    return actor.role in (REGISTRAR, HOSPITAL_OFFICER) or (
        actor.is_staff and actor.agency == AGENCY
    )


def _sees_whole_nik(actor: Actor, resident_id: str) -> bool:
    return actor.role == REGISTRAR or actor.is_person(resident_id)


def _life(resident: Resident) -> domain.Life:
    return domain.Life(resident.birth_date, resident.died_on)
