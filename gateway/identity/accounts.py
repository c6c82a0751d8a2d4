"""Accounts: citizens sign up themselves (after the civil registry confirms who they are);
staff are created by a mall administrator, or by an agency administrator for that agency.
"""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chassis.actor import (
    AGENCY_ADMIN,
    CASHIER,
    CITIZEN,
    COUNTER_OFFICER,
    HOSPITAL_OFFICER,
    MALL_ADMIN,
    MALL_MANAGER,
    REGISTRAR,
    VERIFIER,
    Actor,
)
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from gateway.identity import sessions
from gateway.identity.models import Account

MALL = "mpp"  # the mall's own staff belong to no agency but the mall
AGENCY_ROLES = frozenset({COUNTER_OFFICER, VERIFIER, CASHIER, REGISTRAR, HOSPITAL_OFFICER})
MALL_ROLES = frozenset({MALL_MANAGER, MALL_ADMIN})
ASSIGNABLE_ROLES = AGENCY_ROLES | MALL_ROLES | {AGENCY_ADMIN}


def actor_of(account: Account) -> Actor:
    return Actor(
        id=account.id, role=account.role, agency=account.agency, person_id=account.person_id
    )


def find(db: Session, login: str) -> Account | None:
    return db.scalar(select(Account).where(Account.login == login.strip().casefold()))


def add_citizen(
    db: Session, nik: str, full_name: str, person_id: str, password_hash: str, now: datetime
) -> Account:
    account = Account(
        login=nik,
        full_name=full_name,
        role=CITIZEN,
        person_id=person_id,
        password_hash=password_hash,
        created_at=now,
    )
    return _insert(db, account, "nik_has_account")


Agencies = Callable[[], list[str]]  # the mall's agency codes (asked of the catalog)


def add_staff(
    db: Session, by: Actor, data: dict, password_hash: str, now: datetime, agencies: Agencies
) -> Account:
    role, agency = data["role"], _agency_for(data["role"], data.get("agency"), agencies)
    _may_manage(by, role, agency)
    account = Account(
        login=data["username"].casefold(),
        full_name=data["full_name"],
        role=role,
        agency=agency,
        password_hash=password_hash,
        created_at=now,
        created_by=by.id,
    )
    return _insert(db, account, "login_taken")


def update_staff(
    db: Session, by: Actor, account_id: str, changes: dict, now: datetime, agencies: Agencies
) -> Account:
    """Change a member of staff's role, agency or standing; any change ends their sessions."""
    account = db.get(Account, account_id)
    if account is None or account.role == CITIZEN:
        raise NotFound("no_staff_account", account=account_id)
    _may_manage(by, account.role, account.agency)
    role = changes.get("role", account.role)
    moved = "agency" in changes  # the agency kept was checked when it was given
    agency = _agency_for(role, changes.get("agency", account.agency), agencies if moved else None)
    _may_manage(by, role, agency)
    if account.id == by.id and changes.get("active") is False:
        raise Conflict("own_account")
    account.role, account.agency = role, agency
    account.active = changes.get("active", account.active)
    if "password_hash" in changes:
        account.password_hash = changes["password_hash"]
    sessions.revoke_all(db, account.id, now)
    return account


DECEASED = "deceased"


def close_for_death(db: Session, person_id: str, now: datetime) -> Account | None:
    """The civil registry has recorded this person's death: her account (if she had one)
    is closed for good and every session of it ends. Her records stay with the services,
    readable by staff for her family's business."""
    account = db.scalar(select(Account).where(Account.person_id == person_id))
    if account is None:
        return None
    if account.closed_reason is None:
        account.closed_reason, account.closed_at = DECEASED, now
    account.active = False
    sessions.revoke_all(db, account.id, now)
    return account


def list_staff(db: Session, by: Actor, agency: str | None) -> list[Account]:
    if by.role == AGENCY_ADMIN:
        agency = by.agency
    elif by.role != MALL_ADMIN:
        raise Forbidden("role_required", roles="mall_admin or agency_admin")
    query = select(Account).where(Account.role != CITIZEN).order_by(Account.login)
    if agency:
        query = query.where(Account.agency == agency)
    return list(db.scalars(query))


def _agency_for(role: str, agency: str | None, agencies: Agencies | None) -> str:
    if role not in ASSIGNABLE_ROLES:
        raise InvalidInput("invalid_input", {"role": [f"one of {sorted(ASSIGNABLE_ROLES)}"]})
    if role in MALL_ROLES:
        return MALL
    if not agency or agency == MALL:
        raise InvalidInput("invalid_input", {"agency": ["an agency role needs its agency"]})
    if agencies is not None and agency not in (known := agencies()):
        raise InvalidInput(
            "unknown_agency",
            {"agency": [f"unknown agency; one of: {', '.join(sorted(known))}"]},
            agency=agency,
        )
    return agency


def _may_manage(by: Actor, role: str, agency: str) -> None:
    """A mall administrator manages every account; an agency administrator, the agency's."""
    if by.role == MALL_ADMIN:
        return
    if by.role == AGENCY_ADMIN and agency == by.agency and role in AGENCY_ROLES:
        return
    raise Forbidden("not_your_staff", role=role, agency=agency)


def _insert(db: Session, account: Account, taken: str) -> Account:
    try:
        with db.begin_nested():
            db.add(account)
    except IntegrityError:
        raise Conflict(taken, {"login": ["taken"]}) from None
    return account
