"""Online bookings of counter slots (SQLite, PostgreSQL)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select, update

from chassis.clock import MALL_TIME, today
from chassis.database import utcnow
from chassis.errors import Conflict, InvalidInput, NotFound
from contracts.calendar_2026_2027 import DAYS as CALENDAR_DAYS
from contracts.events import envelope
from scripts.demo_data import QUEUE_SETUP, seed
from services.queue.models import (
    Booking,
    DeceasedPerson,
    Holiday,
    OutboxEvent,
    PickupInvitation,
    ServiceLine,
    Ticket,
)
from services.queue.service import QueueService
from tests.integration.helpers import publish_event, rows, rpc_to, session_for

SHIPPED_CLOSED_DAYS = frozenset(date.fromisoformat(day) for day, *_ in CALENDAR_DAYS)
DESK = {"id": "desk-1", "role": "counter_officer", "agency": "disdukcapil"}


def citizen(n: int = 1) -> dict:
    return {"id": f"c-{n}", "role": "citizen", "person_id": f"person-{n}"}


def next_working_day_at(hour: int, minute: int = 0) -> datetime:
    day = today() + timedelta(days=1)
    # Monday to Thursday (open until 15:00 in the demo), and not a day the calendar closes
    while day.weekday() >= 4 or day in SHIPPED_CLOSED_DAYS:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), MALL_TIME)


@pytest.fixture
def queue(container_factory, service_config):
    config = service_config("queue", PICKUP_PERMIT_TYPES=["PBG"])
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    with session_for(config["DATABASE_URL"]) as session, session.begin():
        session.execute(
            update(ServiceLine).where(ServiceLine.code == "population").values(slot_capacity=1)
        )
    container = container_factory(QueueService, config)
    container.start()
    config["container"] = container
    return config


def book(queue, who: dict, starts_at: datetime, service: str = "population") -> dict:
    with rpc_to("queue", queue, actor=who) as phone:
        return phone.book({"service_code": service, "starts_at": starts_at.isoformat()})


def test_a_citizen_books_a_slot_once_per_service_and_day(queue):
    slot = next_working_day_at(9)
    booking = book(queue, citizen(1), slot)
    assert booking["status"] == "booked" and len(booking["code"]) == 8
    with pytest.raises(Conflict, match="already have a booking"):
        book(queue, citizen(1), slot + timedelta(minutes=30))
    with pytest.raises(Conflict, match="slot full"):
        book(queue, citizen(2), slot)  # capacity 1
    assert book(queue, citizen(2), slot + timedelta(minutes=30))["status"] == "booked"


def test_a_booking_is_read_by_its_holder_and_its_agencys_staff_and_by_no_one_else(queue):
    booking = book(queue, citizen(1), next_working_day_at(9))
    readers = (citizen(1), DESK, {"id": "m-1", "role": "mall_manager", "agency": None})
    for reader in readers:
        with rpc_to("queue", queue, actor=reader) as them:
            assert them.get_booking(booking["id"]) == booking
    tax_desk = {"id": "desk-4", "role": "counter_officer", "agency": "bapenda"}
    for outsider in (citizen(2), tax_desk, None):
        with rpc_to("queue", queue, actor=outsider) as them, pytest.raises(NotFound):
            them.get_booking(booking["id"])
    with rpc_to("queue", queue, actor=citizen(1)) as phone, pytest.raises(NotFound):
        phone.get_booking("no-such-booking")


@pytest.mark.parametrize(
    "when, reason",
    [
        (lambda: next_working_day_at(7, 30), "outside opening hours"),
        (lambda: next_working_day_at(14, 45), "outside opening hours"),  # would end after 15:00
        (lambda: next_working_day_at(9, 10), "slots start every 30 minutes"),
        (lambda: datetime.now(MALL_TIME) - timedelta(hours=1), "in the past"),
    ],
)
def test_slots_outside_the_rules_are_refused_with_the_reason(queue, when, reason):
    with pytest.raises(InvalidInput, match=reason) as err:
        book(queue, citizen(), when())
    assert "starts_at" in err.value.fields


def test_a_holiday_is_closed(queue):
    slot = next_working_day_at(9)
    with session_for(queue["DATABASE_URL"]) as session, session.begin():
        session.add(Holiday(day=slot.date(), name_id="Hari Raya"))
    with pytest.raises(InvalidInput, match="Hari Raya"):
        book(queue, citizen(), slot)


def test_cancelling_frees_the_seat_and_rescheduling_moves_it(queue):
    slot = next_working_day_at(10)
    booking = book(queue, citizen(1), slot)
    with rpc_to("queue", queue, actor=citizen(1)) as phone:
        moved = phone.reschedule(
            booking["id"], {"starts_at": (slot + timedelta(hours=1)).isoformat()}
        )
        assert moved["starts_at"].startswith(
            (slot + timedelta(hours=1)).astimezone().strftime("%Y-%m-%d")
        )
    assert book(queue, citizen(2), slot)["status"] == "booked"  # the old seat is free
    with rpc_to("queue", queue, actor=citizen(3)) as stranger, pytest.raises(NotFound):
        stranger.cancel_booking(booking["id"])
    with rpc_to("queue", queue, actor=citizen(1)) as phone:
        assert phone.cancel_booking(booking["id"])["status"] == "cancelled"
    assert book(queue, citizen(3), slot + timedelta(hours=1))["status"] == "booked"


def test_a_checked_in_booking_becomes_a_ticket_called_before_earlier_walk_ins(queue):
    with rpc_to("queue", queue, actor=DESK) as desk:
        walk_in = desk.issue_ticket({"service_code": "population"})
    due = Booking(
        code="ABCDEFGH",
        service_code="population",
        person_id="person-9",
        day=today(),
        starts_at=utcnow() - timedelta(minutes=5),
    )
    with session_for(queue["DATABASE_URL"]) as session, session.begin():
        session.add(due)
    with rpc_to("queue", queue, actor=None) as kiosk:
        with pytest.raises(InvalidInput):
            kiosk.check_in({"code": "abc"})
        ticket = kiosk.check_in({"code": "ABCDEFGH"})
        with pytest.raises(Conflict, match="checked_in"):
            kiosk.check_in({"code": "ABCDEFGH"})
    assert ticket["priority"] == "booking" and ticket["person_id"] == "person-9"
    with rpc_to("queue", queue, actor=DESK) as counter:
        counter.open_counter("loket-1")
        assert counter.call_next("loket-1")["id"] == ticket["id"]
    assert walk_in["id"] != ticket["id"]


def test_a_booking_not_checked_in_after_its_grace_period_is_a_no_show(queue):
    with session_for(queue["DATABASE_URL"]) as session, session.begin():
        session.add(
            Booking(
                code="LATELATE",
                service_code="population",
                person_id="p-1",
                day=today(),
                starts_at=utcnow() - timedelta(minutes=30),
            )
        )
        session.add(
            Booking(
                code="SOONSOON",
                service_code="population",
                person_id="p-2",
                day=today(),
                starts_at=utcnow() + timedelta(minutes=30),
            )
        )
    with rpc_to("queue", queue) as clock:
        assert clock.sweep_bookings() == 1
        assert clock.sweep_bookings() == 0
    statuses = {b.code: b.status for b in rows(queue["DATABASE_URL"], select(Booking))}
    assert statuses == {"LATELATE": "no_show", "SOONSOON": "booked"}


def test_events_cancel_a_deceased_persons_bookings_and_invite_permit_pickups(queue):
    booking = book(queue, citizen(1), next_working_day_at(11))
    died = envelope(
        "civil_registry", "person_died", {"person_id": "person-1", "died_on": "2026-11-20"}, None
    )
    issued = [
        envelope(
            "licensing",
            "permit_issued",
            {
                "permit_id": f"permit-{kind}",
                "number": f"{kind}/2026/000001",
                "permit_type": kind,
                "holder_id": "person-2",
                "valid_until": None,
            },
            None,
        )
        for kind in ("PBG", "NIB")
    ]
    container = queue["container"]
    for event in (died, died):
        with entrypoint_waiter(container, "on_person_died"):
            publish_event(queue, event)
    for event in (*issued, issued[0]):
        with entrypoint_waiter(container, "on_permit_issued"):
            publish_event(queue, event)
    [cancelled] = rows(queue["DATABASE_URL"], select(Booking).where(Booking.id == booking["id"]))
    assert (cancelled.status, cancelled.reason) == ("cancelled", "holder deceased")
    invitations = rows(queue["DATABASE_URL"], select(PickupInvitation))
    assert [i.permit_number for i in invitations] == ["PBG/2026/000001"]
    kinds = [e.event_type for e in rows(queue["DATABASE_URL"], select(OutboxEvent))]
    assert kinds.count("booking_cancelled") == 1 and kinds.count("pickup_invited") == 1


WIB = "+07:00"


def test_every_time_in_the_queues_replies_carries_the_mall_offset(queue):
    """SQLite gives moments back in UTC, PostgreSQL in its session's zone: a reply says WIB."""
    slot = next_working_day_at(9, 30)
    booked = book(queue, citizen(1), slot.astimezone(UTC))  # asked for in UTC, even
    with rpc_to("queue", queue, actor=citizen(1)) as phone:
        [listed] = phone.my_bookings()
        moved = phone.reschedule(
            booked["id"], {"starts_at": (slot + timedelta(hours=1)).isoformat()}
        )
        [relisted] = phone.my_bookings()
        slots = phone.open_slots({"service_code": "population", "day": slot.date().isoformat()})
    assert booked["starts_at"] == listed["starts_at"] == slot.isoformat()
    assert moved["starts_at"] == relisted["starts_at"] == (slot + timedelta(hours=1)).isoformat()
    assert slots and {s["starts_at"][-6:] for s in slots} == {WIB}
    with rpc_to("queue", queue, actor=DESK) as desk:
        issued = desk.issue_ticket({"service_code": "population"})
        desk.open_counter("loket-1")
        called = desk.call_next("loket-1")
        [counter] = [c for c in desk.list_counters() if c["id"] == "loket-1"]
        [call] = desk.recent_calls(10)
        place = desk.get_ticket(issued["id"])
    moments = [
        issued["issued_at"],
        issued["arrived_at"],
        called["called_at"],
        counter["current_ticket"]["issued_at"],
        counter["current_ticket"]["called_at"],
        call["called_at"],
        place["ticket"]["issued_at"],
        place["ticket"]["called_at"],
    ]
    assert {m[-6:] for m in moments} == {WIB}, moments
    assert issued["issued_at"] == place["ticket"]["issued_at"]
    assert datetime.fromisoformat(issued["issued_at"]) <= datetime.fromisoformat(call["called_at"])


def test_after_a_death_the_queue_books_and_issues_nothing_in_her_name(queue):
    booking = book(queue, citizen(1), next_working_day_at(11))
    with rpc_to("queue", queue, actor=citizen(1)) as phone:
        ticket = phone.issue_ticket({"service_code": "population"})
    died = {"person_id": "person-1", "died_on": "2026-11-20"}
    container = queue["container"]
    # the same event twice, and the death announced again under another event id
    for event in (envelope("civil_registry", "person_died", died, None),) * 2 + (
        envelope("civil_registry", "person_died", died, None),
    ):
        with entrypoint_waiter(container, "on_person_died"):
            publish_event(queue, event)
    assert [p.person_id for p in rows(queue["DATABASE_URL"], select(DeceasedPerson))] == [
        "person-1"
    ]
    [cancelled] = rows(queue["DATABASE_URL"], select(Booking).where(Booking.id == booking["id"]))
    assert cancelled.status == "cancelled"
    [taken] = rows(queue["DATABASE_URL"], select(Ticket).where(Ticket.id == ticket["id"]))
    assert taken.status == "cancelled"
    with pytest.raises(Conflict, match="recorded as deceased"):
        book(queue, citizen(1), next_working_day_at(13))
    with rpc_to("queue", queue, actor=citizen(1)) as phone:
        with pytest.raises(Conflict, match="recorded as deceased") as refused:
            phone.issue_ticket({"service_code": "population"})
        assert refused.value.fields == {"person_id": ["deceased"]}
    with rpc_to("queue", queue, actor=DESK) as desk:
        with pytest.raises(Conflict, match="recorded as deceased"):
            desk.issue_ticket({"service_code": "population", "person_id": "person-1"})
        assert desk.issue_ticket({"service_code": "population"})["person_id"] is None
    assert book(queue, citizen(2), next_working_day_at(13))["status"] == "booked"  # others
    # a booking made by a request that raced the event is cancelled by the minute's sweep
    slot = next_working_day_at(14)
    with session_for(queue["DATABASE_URL"]) as session, session.begin():
        session.add(
            Booking(
                code="RACE2222",
                service_code="population",
                person_id="person-1",
                day=slot.date(),
                starts_at=slot,
            )
        )
    with rpc_to("queue", queue, actor=None) as system:
        system.sweep_bookings()
    [raced] = rows(queue["DATABASE_URL"], select(Booking).where(Booking.code == "RACE2222"))
    assert (raced.status, raced.reason) == ("cancelled", "holder deceased")


def test_the_booking_created_event_carries_the_slot_in_wib(queue):
    slot = next_working_day_at(10)
    book(queue, citizen(3), slot.astimezone(UTC))
    [created] = [
        e.payload["data"]
        for e in rows(queue["DATABASE_URL"], select(OutboxEvent))
        if e.event_type == "booking_created"
    ]
    assert created["starts_at"] == slot.isoformat()


def test_a_rescheduled_booking_publishes_its_new_slot(queue):
    slot = next_working_day_at(10)
    booking = book(queue, citizen(4), slot.astimezone(UTC))
    later = slot + timedelta(hours=1)
    with rpc_to("queue", queue, actor=citizen(4)) as phone:
        phone.reschedule(booking["id"], {"starts_at": later.isoformat()})
    [moved] = [
        e.payload["data"]
        for e in rows(queue["DATABASE_URL"], select(OutboxEvent))
        if e.event_type == "booking_rescheduled"
    ]
    assert moved == {
        "booking_id": booking["id"],
        "service_code": booking["service_code"],
        "starts_at": later.isoformat(),
        "person_id": citizen(4)["person_id"],
        "service_name": {"id": "Administrasi Kependudukan", "en": "Population administration"},
    }
