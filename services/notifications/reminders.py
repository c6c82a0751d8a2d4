"""Reminders: notifications due later, kept as rows under a key that says what and when
(``booking:<id>:day_before``), so that however often an event comes a reminder is
scheduled once, and cancelled with what it reminds of.

Every instance's timer takes the due rows with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL;
SQLite's ``BEGIN IMMEDIATE`` serializes the instances) and, in the same transaction,
makes each into its notification and marks it sent: a row is sent by the one instance
that locked it, and a restart finds it sent. The notification's own unique key (the
reminder's key stands for the event) is the last guard. A reminder due in a citizen's
quiet hours (21:00-06:00 WIB, unless she turned them off) waits until 06:00; one that is
not essential is skipped for a citizen who asked for the essential ones only.
"""

import logging
from datetime import datetime

from nameko.timer import timer
from sqlalchemy import delete, select, update

from services.notifications import domain, texts
from services.notifications.models import Recipient, Reminder

log = logging.getLogger("mpp.notifications")
REMINDER_POLL_SECONDS = 1
REMINDER_BATCH = 50
PRUNE_SECONDS = 3600


class Reminders:
    """Scheduling and the reminder timer of ``NotificationsService`` (with ``Telling``)."""

    @timer(interval=REMINDER_POLL_SECONDS)
    def send_due_reminders(self) -> None:
        """Make every reminder that is due into its notification, once."""
        now = self.clock()
        due = self.db.scalars(
            select(Reminder)
            .where(Reminder.status == "scheduled", Reminder.due_at <= now)
            .order_by(Reminder.due_at)
            .limit(REMINDER_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for reminder in due:
            self._remind(reminder, now)

    @timer(interval=PRUNE_SECONDS)
    def prune_reminders(self) -> None:
        """Delete reminders that were sent, cancelled or skipped, once their moment is
        older than ``MESSAGE_RETENTION_DAYS`` (the inbox keeps what was told). The events
        that scheduled them are that old too, and a reminder whose moment has passed is
        never scheduled again."""
        cutoff = self.clock() - self.db.info["retention"]
        removed = self.db.execute(
            delete(Reminder).where(Reminder.status != "scheduled", Reminder.due_at < cutoff)
        ).rowcount
        if removed:
            log.info("pruned %s reminders", removed)

    def _remind(self, reminder: Reminder, now: datetime) -> None:
        settings = domain.settings_of(self.db.get(Recipient, reminder.person_id))
        if not reminder.essential and settings["essential_only"]:
            reminder.status = "skipped"
            return
        if settings["quiet_hours"] and domain.in_quiet_hours(now):
            reminder.deferred_from = reminder.deferred_from or reminder.due_at
            reminder.due_at = domain.end_of_quiet_hours(now)
            log.info("reminder %s waits for the end of quiet hours", reminder.key)
            return
        values = domain.decoded(reminder.values)
        if isinstance(values.get("amount"), int):  # rupiah, written as her language does
            values["amount"] = texts.rupiah(values["amount"], settings["language"])
        event = {"event_id": reminder.key}  # the reminder stands for its event
        notification = self._tell_person(
            event,
            reminder.kind,
            reminder.person_id,
            values,
            reminder.link,
            essential=reminder.essential,
        )
        reminder.status, reminder.sent_at = "sent", now
        reminder.notification_id = notification.id if notification is not None else None

    def _schedule(
        self,
        subject_key: str,
        when: str,
        due_at: datetime,
        kind: str,
        person_id: str,
        values: dict,
        link: str | None = None,
        essential: bool = False,
        even_if_past: bool = False,
    ) -> None:
        """Schedule the reminder ``<subject_key>:<when>`` unless it is already (or its
        moment has passed: a booking made an hour ahead gets no day-before reminder)."""
        key = f"{subject_key}:{when}"
        if self.db.get(Reminder, key) is not None:
            return
        if due_at <= self.clock() and not even_if_past:
            return
        self.db.add(
            Reminder(
                key=key,
                subject_key=subject_key,
                kind=kind,
                person_id=person_id,
                due_at=due_at,
                values=domain.encoded(values),
                link=link,
                essential=essential,
            )
        )
        self.db.flush()

    def _move_reminder(self, key: str, due_at: datetime, values: dict) -> None:
        """Give a scheduled reminder a new moment and values; one whose new moment has
        passed is cancelled (a visit moved to within two hours gets no two-hour reminder)."""
        reminder = self.db.get(Reminder, key)
        if reminder is None or reminder.status != "scheduled":
            return
        if due_at <= self.clock():
            reminder.status = "cancelled"
        else:
            reminder.due_at, reminder.values = due_at, domain.encoded(values)
            reminder.deferred_from = None

    def _cancel_reminders(self, subject_key: str) -> int:
        """Cancel what is still scheduled about ``subject_key`` (a booking, a bill)."""
        return self.db.execute(
            update(Reminder)
            .where(Reminder.subject_key == subject_key, Reminder.status == "scheduled")
            .values(status="cancelled")
        ).rowcount
