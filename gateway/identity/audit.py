"""The audit log: every staff action, every read of someone's personal data, every denial.

Recorded by the gateway after each request, before the response leaves: when the entry
cannot be written, personal data is not sent (503) rather than sent unrecorded.
"""

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from chassis.actor import CITIZEN
from gateway.identity.models import Account, AuditEntry, ReadDigest

# endpoint -> the people whose personal data the request touched, from the path or the reply
Subjects = Callable[[dict, dict], list]


def _path(name: str) -> Subjects:
    return lambda path, body: [path.get(name)]


def _field(*keys: str) -> Subjects:
    def pick(path: dict, body: dict) -> list:
        for key in keys[:-1]:
            body = body.get(key) or {}
        return [body.get(keys[-1])]

    return pick


def _each(list_key: str, key: str) -> Subjects:
    return lambda path, body: [item.get(key) for item in body.get(list_key) or []]


PERSONAL_DATA: dict[str, Subjects] = {
    "registry.get_resident": _path("resident_id"),
    "registry.correct_resident": _path("resident_id"),
    "registry.audit_trail": _path("resident_id"),
    "registry.certificates": _path("resident_id"),
    "registry.change_address": _path("resident_id"),
    "registry.search_residents": _each("items", "id"),
    "registry.get_family_card": _each("members", "resident_id"),
    "registry.register_birth": _field("child", "id"),
    "registry.register_death": _field("person", "id"),
    "licensing.get_application": _field("applicant_id"),
    "licensing.upload_document": _field("applicant_id"),
    "licensing.act": _field("applicant_id"),
    "licensing.record_payment": _field("applicant_id"),
    "licensing.get_permit": _field("holder_id"),
    "licensing.printable_permit": lambda path, body: [],
    "licensing.renew_permit": _field("applicant_id"),
    "licensing.revoke_permit": _field("holder_id"),
    "queue.get_ticket": _field("ticket", "person_id"),
    "modules.get_module_application": _field("applicant_id"),
    "modules.act_on_module_application": _field("applicant_id"),
    "modules.module_worklist": _each("items", "applicant_id"),
    "regional_tax.office_bills": _each("items", "person_id"),
    "regional_tax.get_bill": _field("person_id"),
    "regional_tax.record_payment": _field("person_id"),
}
DENIED = {401, 403, 404}


def subjects_of(endpoint: str, path: dict, body: dict | None) -> list[str]:
    pick = PERSONAL_DATA.get(endpoint)
    if pick is None:
        return []
    found = pick(path, body if isinstance(body, dict) else {})
    return list(dict.fromkeys(str(s)[:36] for s in found if s))  # unique, in order


def record(db: Session, entry: dict, subjects: list[str]) -> None:
    """One row per person touched (or one row without a subject)."""
    for subject in subjects or [None]:
        db.add(AuditEntry(**entry, subject_id=subject))


def search(
    db: Session,
    filters: dict,
    page: int,
    per_page: int,
) -> dict:
    """Entries for mall managers, newest first."""
    conditions = []
    for name in ("actor_id", "subject_id", "target", "actor_agency"):
        if filters.get(name):
            conditions.append(getattr(AuditEntry, name) == filters[name])
    if filters.get("allowed") is not None:
        conditions.append(AuditEntry.allowed == filters["allowed"])
    if filters.get("since"):
        conditions.append(AuditEntry.at >= filters["since"])
    if filters.get("until"):
        conditions.append(AuditEntry.at < filters["until"])
    return _page(db, conditions, page, per_page)


def reads_of(db: Session, person_id: str, own_account_id: str, page: int, per_page: int) -> dict:
    """Who read or touched a citizen's data, apart from the citizen herself."""
    conditions = [AuditEntry.subject_id == person_id, AuditEntry.actor_id != own_account_id]
    return _page(db, conditions, page, per_page)


def _read_by_others(person_id, account_id, begins: datetime, ends: datetime) -> tuple:
    """Conditions on an audit entry: an allowed read of the person's data between
    ``begins`` and ``ends`` by anyone but her own account (values or columns)."""
    return (
        AuditEntry.subject_id == person_id,
        AuditEntry.allowed.is_(True),
        AuditEntry.at >= begins,
        AuditEntry.at < ends,
        AuditEntry.actor_id != account_id,
    )


def citizens_read_untold(
    db: Session, week_start: date, begins: datetime, ends: datetime, limit: int
) -> list[tuple[str, str]]:
    """(person id, account id) of open citizen accounts whose record others read between
    ``begins`` and ``ends`` and who have no digest of the week beginning ``week_start``."""
    told = exists().where(
        ReadDigest.person_id == Account.person_id, ReadDigest.week_start == week_start
    )
    rows = db.execute(
        select(Account.person_id, Account.id)
        .where(
            Account.role == CITIZEN,
            Account.person_id.is_not(None),
            Account.closed_at.is_(None),
            exists().where(*_read_by_others(Account.person_id, Account.id, begins, ends)),
            ~told,
        )
        .order_by(Account.person_id)
        .limit(limit)
    ).all()
    return [(person_id, account_id) for person_id, account_id in rows]


def readers_between(
    db: Session, person_id: str, account_id: str, begins: datetime, ends: datetime
) -> list[tuple[str | None, str | None]]:
    """(role, agency) of each allowed read of this citizen's record by others."""
    rows = db.execute(
        select(AuditEntry.actor_role, AuditEntry.actor_agency).where(
            *_read_by_others(person_id, account_id, begins, ends)
        )
    ).all()
    return [(role, agency) for role, agency in rows]


def _page(db: Session, conditions: list, page: int, per_page: int) -> dict:
    total = db.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    rows = db.execute(
        select(AuditEntry, Account.full_name)
        .outerjoin(Account, Account.id == AuditEntry.actor_id)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return {
        "items": [_view(entry, name) for entry, name in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


def _view(entry: AuditEntry, actor_name: str | None) -> dict:
    return {
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor_name": actor_name,
        "actor_role": entry.actor_role,
        "actor_agency": entry.actor_agency,
        "action": entry.action,
        "target": entry.target,
        "subject_id": entry.subject_id,
        "status": entry.status,
        "allowed": entry.allowed,
    }
