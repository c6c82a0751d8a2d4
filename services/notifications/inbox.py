"""The inbox: what a citizen, or an agency's staff, was told, and a citizen's settings.

Whose inbox is the caller's is decided here, from the actor of the call: a citizen reads
her own, staff their agency's; a notification of another inbox is not found."""

from sqlalchemy import func, select, update

from chassis.actor import CITIZEN
from chassis.errors import Forbidden, InvalidInput, NotFound, load
from chassis.service import rpc
from contracts import notifications as wire
from services.notifications import domain
from services.notifications.models import Delivery, Notification, Recipient


class Inbox:
    """Inbox and settings RPCs of ``NotificationsService``."""

    @rpc
    def inbox(self, payload: dict | None = None) -> dict:
        """The caller's notifications, newest first, a page at a time."""
        query = load(wire.InboxQuery(), payload or {})
        kind, owner = self._inbox_owner()
        mine = (Notification.recipient_kind == kind, Notification.recipient_id == owner)
        listed = select(Notification).where(*mine)
        if query["unread_only"]:
            listed = listed.where(Notification.read_at.is_(None))
        total = self.db.scalar(select(func.count()).select_from(listed.subquery()))
        unread = self._unread(kind, owner)
        page, per_page = query["page"], query["per_page"]
        items = self.db.scalars(
            listed.order_by(Notification.created_at.desc(), Notification.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
        return wire.Inbox().dump(
            {
                "items": self._present(items),
                "total": total,
                "unread": unread,
                "page": page,
                "per_page": per_page,
            }
        )

    @rpc
    def unread_count(self) -> dict:
        """How many of the caller's notifications are unread (the header's badge)."""
        return {"unread": self._unread(*self._inbox_owner())}

    @rpc
    def mark_read(self, notification_id: str) -> dict:
        """Mark one of the caller's notifications read (again is no change)."""
        kind, owner = self._inbox_owner()
        found = self.db.get(Notification, str(notification_id))
        if found is None or (found.recipient_kind, found.recipient_id) != (kind, owner):
            raise NotFound("not_found")
        if found.read_at is None:
            found.read_at = self.clock()
        return wire.Notification().dump(self._present([found])[0])

    @rpc
    def mark_all_read(self) -> dict:
        """Mark every unread notification of the caller read."""
        kind, owner = self._inbox_owner()
        marked = self.db.execute(
            update(Notification)
            .where(
                Notification.recipient_kind == kind,
                Notification.recipient_id == owner,
                Notification.read_at.is_(None),
            )
            .values(read_at=self.clock())
        ).rowcount
        return {"marked": marked}

    @rpc
    def settings(self) -> dict:
        """The signed-in citizen's contact and choices (the defaults until she sets them)."""
        person_id = self._citizen()
        return wire.SettingsReply().dump(domain.settings_of(self.db.get(Recipient, person_id)))

    @rpc
    def update_settings(self, payload: dict) -> dict:
        """Change the signed-in citizen's contact and choices; what is left out stays."""
        person_id = self._citizen()
        changes = load(wire.Settings(), payload or {})
        recipient = self.db.get(Recipient, person_id)
        wanted = domain.settings_after(domain.settings_of(recipient), changes)
        if problems := domain.settings_problems(wanted):
            raise InvalidInput("invalid_input", problems)
        if recipient is None:
            recipient = Recipient(person_id=person_id)
            self.db.add(recipient)
        for name, value in wanted.items():
            setattr(recipient, name, value)
        recipient.updated_at = self.clock()
        return wire.SettingsReply().dump(wanted)

    # --- helpers ----------------------------------------------------------------------

    def _inbox_owner(self) -> tuple[str, str]:
        actor = self.actor
        if actor.role == CITIZEN and actor.person_id:
            return domain.PERSON, actor.person_id
        if actor.is_staff and actor.agency:
            return domain.AGENCY, actor.agency
        raise Forbidden("role_required", roles="citizen or staff")

    def _citizen(self) -> str:
        actor = self.actor
        if actor.role != CITIZEN or not actor.person_id:
            raise Forbidden("role_required", roles=CITIZEN)
        return actor.person_id

    def _unread(self, kind: str, owner: str) -> int:
        return self.db.scalar(
            select(func.count()).where(
                Notification.recipient_kind == kind,
                Notification.recipient_id == owner,
                Notification.read_at.is_(None),
            )
        )

    def _present(self, notifications: list[Notification]) -> list[dict]:
        """The notifications with their deliveries, for ``wire.Notification`` to dump."""
        ids = [n.id for n in notifications]
        deliveries: dict[str, list] = {i: [] for i in ids}
        if ids:
            for delivery in self.db.scalars(
                select(Delivery)
                .where(Delivery.notification_id.in_(ids))
                .order_by(Delivery.created_at, Delivery.channel)
            ):
                deliveries[delivery.notification_id].append(delivery)
        return [{**_columns(n), "deliveries": deliveries[n.id]} for n in notifications]


def _columns(notification: Notification) -> dict:
    return {
        name: getattr(notification, name)
        for name in ("id", "kind", "subject", "body", "link", "essential", "created_at", "read_at")
    }
