"""Reminders are due rows sent once by whichever instance takes them, on the clock the
test sets: with three instances, after a restart, deferred by quiet hours, gone with a
cancelled booking or a paid bill (SQLite, PostgreSQL)."""

from datetime import UTC, date

import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter, replace_dependencies
from sqlalchemy import select

from contracts.events import envelope
from services.notifications.models import Notification, Reminder
from services.notifications.service import NotificationsService
from tests.integration.helpers import SetClock, publish_event, rows, rpc_to, session_for, wib
from tests.integration.test_notification_delivery import (  # noqa: F401  (fixture)
    eventually,
    mailbox,
    messages,
)

SITI = {"id": "account-siti", "role": "citizen", "agency": None, "person_id": "person-siti"}


@pytest.fixture
def mall_clock():
    return SetClock(wib(2027, 1, 4, 8))  # a Monday, 08:00 WIB


@pytest.fixture
def instances(container_factory, service_config, mailbox, mall_clock):  # noqa: F811
    """Start ``count`` instances of the service on one database, one clock, one mailbox."""
    config = service_config(
        "notifications",
        SMTP_URL=f"smtp://127.0.0.1:{mailbox['port']}",
        DELIVERY_RETRY_SECONDS=0.1,
    )

    def start(count: int = 1) -> list:
        started = []
        for _ in range(count):
            container = container_factory(NotificationsService, config)
            replace_dependencies(container, clock=mall_clock)
            container.start()
            started.append(container)
        return started

    start.config = config
    return start


def publish(config, source, event_type, data) -> dict:
    event = envelope(source, event_type, data, None)
    publish_event(config, event)
    return event


def reminders(config) -> dict[str, Reminder]:
    return {r.key: r for r in rows(config["DATABASE_URL"], select(Reminder))}


def told(config, kind: str) -> list[Notification]:
    return rows(config["DATABASE_URL"], select(Notification).where(Notification.kind == kind))


def every_timer_ran(containers) -> None:
    """Wait until each instance's reminder timer has run once more."""
    for container in containers:
        with entrypoint_waiter(container, "send_due_reminders", timeout=10):
            pass


BOOKING = {
    "booking_id": "booking-1",
    "service_code": "population",
    "starts_at": "2027-01-05T10:00:00+07:00",  # Tuesday 10:00: day before is Monday 10:00
    "person_id": "person-siti",
}


def test_a_booking_reminder_is_sent_once_by_three_instances_and_after_a_restart(
    instances,
    mall_clock,
    mailbox,  # noqa: F811 (the fixture)
):
    config = instances.config
    containers = instances(3)
    with rpc_to("notifications", config, actor=SITI) as siti:
        siti.update_settings({"email": "siti@example.id", "language": "en"})
    publish(config, "queue", "booking_created", BOOKING)
    eventually(lambda: len(reminders(config)) == 2)
    assert set(reminders(config)) == {
        "booking:booking-1:day_before",
        "booking:booking-1:two_hours_before",
    }

    mall_clock.moment = wib(2027, 1, 4, 10, 1)
    eventually(lambda: reminders(config)["booking:booking-1:day_before"].status == "sent")
    eventually(lambda: len(messages(mailbox["directory"])) == 2)  # the booking and its reminder
    every_timer_ran(containers)
    every_timer_ran(containers)
    assert len(told(config, "booking_reminder")) == 1
    subjects = [m["Subject"] for m in messages(mailbox["directory"])]
    assert sorted(subjects) == [
        "Reminder: your visit tomorrow, 5 January 2027, 10:00 WIB",
        "Your visit is booked: 5 January 2027, 10:00 WIB",
    ]
    assert reminders(config)["booking:booking-1:two_hours_before"].status == "scheduled"

    for container in containers:
        container.stop()
    (restarted,) = instances(1)
    every_timer_ran([restarted])
    assert len(told(config, "booking_reminder")) == 1
    assert len(messages(mailbox["directory"])) == 2


def test_a_cancelled_booking_sends_no_reminder(instances, mall_clock):
    config = instances.config
    containers = instances(1)
    publish(config, "queue", "booking_created", BOOKING)
    eventually(lambda: len(reminders(config)) == 2)
    publish(config, "queue", "booking_cancelled", {"booking_id": "booking-1", "reason": "x"})
    eventually(lambda: told(config, "booking_cancelled"))
    mall_clock.moment = wib(2027, 1, 5, 9)
    every_timer_ran(containers)
    assert told(config, "booking_reminder") == []
    assert {r.status for r in reminders(config).values()} == {"cancelled"}


def test_a_moved_booking_moves_its_reminders(instances, mall_clock):
    config = instances.config
    containers = instances(1)
    publish(config, "queue", "booking_created", BOOKING)
    eventually(lambda: len(reminders(config)) == 2)
    moved = {**BOOKING, "starts_at": "2027-01-05T14:00:00+07:00"}
    publish(config, "queue", "booking_rescheduled", moved)
    eventually(lambda: told(config, "booking_rescheduled"))
    due = {key: r.due_at for key, r in reminders(config).items()}
    assert due == {
        "booking:booking-1:day_before": wib(2027, 1, 4, 14).astimezone(UTC),
        "booking:booking-1:two_hours_before": wib(2027, 1, 5, 12).astimezone(UTC),
    }
    mall_clock.moment = wib(2027, 1, 4, 10, 30)  # the old day-before moment: nothing
    every_timer_ran(containers)
    assert told(config, "booking_reminder") == []
    mall_clock.moment = wib(2027, 1, 4, 14, 1)
    eventually(lambda: told(config, "booking_reminder"))
    (reminded,) = told(config, "booking_reminder")
    assert "14:00 WIB" in reminded.subject


def test_quiet_hours_defer_a_reminder_to_six_in_the_morning(instances, mall_clock):
    config = instances.config
    mall_clock.moment = wib(2027, 1, 4, 7)  # booked before the day-before reminder's time
    containers = instances(1)
    early = {**BOOKING, "starts_at": "2027-01-05T07:30:00+07:00"}  # 2 h before: 05:30
    publish(config, "queue", "booking_created", early)
    eventually(lambda: len(reminders(config)) == 2)
    mall_clock.moment = wib(2027, 1, 5, 5, 35)
    every_timer_ran(containers)
    every_timer_ran(containers)
    assert told(config, "booking_reminder") == []
    waiting = reminders(config)["booking:booking-1:two_hours_before"]
    assert waiting.status == "scheduled"
    assert waiting.due_at == wib(2027, 1, 5, 6).astimezone(UTC)
    assert waiting.deferred_from == wib(2027, 1, 5, 5, 30).astimezone(UTC)

    mall_clock.moment = wib(2027, 1, 5, 6, 1)
    eventually(lambda: len(told(config, "booking_reminder")) == 2)  # and the day-before one


def test_a_citizen_who_wants_the_essential_only_gets_no_reminder(instances, mall_clock):
    config = instances.config
    containers = instances(1)
    with rpc_to("notifications", config, actor=SITI) as siti:
        siti.update_settings({"essential_only": True})
    publish(config, "queue", "booking_created", BOOKING)
    eventually(lambda: len(reminders(config)) == 2)
    mall_clock.moment = wib(2027, 1, 4, 10, 1)
    eventually(lambda: reminders(config)["booking:booking-1:day_before"].status == "skipped")
    every_timer_ran(containers)
    assert told(config, "booking_reminder") == []


BILL = {
    "bill_id": "bill-1",
    "person_id": "person-siti",
    "tax_kind": "pbb_p2",
    "object": "Jl. Sukowati 1",
    "district": "Sragen",
    "amount": 125000,
    "due_on": "2027-08-31",
}


def test_a_tax_bill_is_reminded_before_its_due_day_until_it_is_paid(instances, mall_clock):
    config = instances.config
    mall_clock.moment = wib(2027, 7, 1, 8)
    containers = instances(1)
    publish(config, "regional_tax", "bill_issued", BILL)
    eventually(lambda: len(reminders(config)) == 4)
    due = {key: r.due_at for key, r in reminders(config).items()}
    assert due == {
        "bill:bill-1:30_days_before": wib(2027, 8, 1, 9).astimezone(UTC),
        "bill:bill-1:7_days_before": wib(2027, 8, 24, 9).astimezone(UTC),
        "bill:bill-1:1_days_before": wib(2027, 8, 30, 9).astimezone(UTC),
        "bill:bill-1:overdue": wib(2027, 9, 1, 9).astimezone(UTC),
    }
    mall_clock.moment = wib(2027, 8, 1, 9, 5)
    eventually(lambda: told(config, "bill_reminder"))
    (reminded,) = told(config, "bill_reminder")
    assert "Rp 125.000" in reminded.body and "31 Agustus 2027" in reminded.body

    paid = {"bill_id": "bill-1", "person_id": "person-siti", "paid_at": "2027-08-02T10:00:00+07:00"}
    publish(config, "regional_tax", "bill_paid", paid)
    eventually(lambda: told(config, "bill_paid"))
    mall_clock.moment = wib(2027, 9, 2, 9)
    every_timer_ran(containers)
    assert told(config, "bill_overdue") == []
    assert len(told(config, "bill_reminder")) == 1
    statuses = {key: r.status for key, r in reminders(config).items()}
    assert statuses["bill:bill-1:30_days_before"] == "sent"
    assert statuses["bill:bill-1:overdue"] == "cancelled"


def test_an_unpaid_bill_is_told_overdue_the_morning_after_its_due_day(instances, mall_clock):
    config = instances.config
    mall_clock.moment = wib(2027, 8, 30, 12)  # too late for the 30- and 7-day reminders
    instances(1)
    publish(config, "regional_tax", "bill_issued", BILL)
    eventually(lambda: len(reminders(config)) == 1)  # the overdue notice only
    mall_clock.moment = wib(2027, 9, 1, 9, 1)
    eventually(lambda: told(config, "bill_overdue"))
    (overdue,) = told(config, "bill_overdue")
    assert overdue.essential and overdue.subject.startswith("Lewat jatuh tempo")


def test_a_permit_is_reminded_thirty_seven_and_one_day_before_it_expires(instances, mall_clock):
    config = instances.config
    instances(1)
    permit = {
        "permit_id": "permit-1",
        "number": "PBG-3314-2027-0001",
        "permit_type": "PBG",
        "holder_id": "person-siti",
        "valid_until": "2027-03-31",
    }
    publish(config, "licensing", "permit_issued", permit)
    eventually(lambda: len(reminders(config)) == 3)
    assert {key: r.due_at.date() for key, r in reminders(config).items()} == {
        "permit:permit-1:30_days_before": date(2027, 3, 1),
        "permit:permit-1:7_days_before": date(2027, 3, 24),
        "permit:permit-1:1_days_before": date(2027, 3, 30),
    }
    mall_clock.moment = wib(2027, 3, 24, 9, 30)  # the 30- and the 7-day reminder are due
    eventually(lambda: len(told(config, "permit_expiring")) == 2)
    expired = {"permit_id": "permit-1", "number": "PBG-3314-2027-0001", "holder_id": "person-siti"}
    publish(config, "licensing", "permit_expired", expired)
    eventually(lambda: told(config, "permit_expired"))
    assert reminders(config)["permit:permit-1:1_days_before"].status == "cancelled"


def test_reminders_done_with_are_pruned_after_the_retention_period(instances, mall_clock):
    config = instances.config
    (container,) = instances(1)
    with session_for(config["DATABASE_URL"]) as db, db.begin():
        for key, status, day in [
            ("old-sent", "sent", 1),
            ("old-cancelled", "cancelled", 1),
            ("old-scheduled", "scheduled", 1),  # never sent yet: kept, however old
            ("recent-sent", "sent", 3),
        ]:
            db.add(
                Reminder(
                    key=f"booking:x:{key}",
                    subject_key="booking:x",
                    kind="booking_reminder",
                    person_id="person-siti",
                    due_at=wib(2026, 12, 28 + day, 9),
                    status=status,
                    values={},
                )
            )
    mall_clock.moment = wib(2027, 1, 6, 12)  # 8 days after the old ones, 6 after the recent
    with entrypoint_hook(container, "prune_reminders") as prune:
        prune()
    assert sorted(reminders(config)) == ["booking:x:old-scheduled", "booking:x:recent-sent"]
