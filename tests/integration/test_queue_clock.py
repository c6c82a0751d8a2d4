"""The queue's day comes from its injected clock (``chassis.now.Clock``), so a test sets
it: the midnight reset of the series, and a booking's check-in window (SQLite,
PostgreSQL)."""

from datetime import date, datetime, timedelta

import pytest
from nameko.testing.services import replace_dependencies

from chassis.errors import Conflict
from scripts.demo_data import QUEUE_SETUP, seed
from services.queue.models import Booking
from services.queue.service import QueueService
from tests.integration.helpers import SetClock, rpc_to, session_for, wib

DESK = {"id": "desk-1", "role": "counter_officer", "agency": "disdukcapil"}
MONDAY = date(2030, 1, 7)  # a day the real clock is not at


def at(day: date, hour: int, minute: int) -> datetime:
    return wib(day.year, day.month, day.day, hour, minute)


def test_the_series_starts_again_at_midnight_mall_time(container_factory, service_config):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    clock = SetClock(at(MONDAY, 23, 58))
    container = container_factory(QueueService, config)
    replace_dependencies(container, clock=clock)
    container.start()
    with rpc_to("queue", config, actor=DESK) as desk:
        evening = [desk.issue_ticket({"service_code": "population"}) for _ in range(2)]
        clock.moment = at(MONDAY + timedelta(days=1), 0, 1)
        morning = desk.issue_ticket({"service_code": "population"})
        waiting = {line["code"]: line["waiting"] for line in desk.list_service_lines()}
        desk.open_counter("loket-1")
        called = desk.call_next("loket-1")
    assert [(t["label"], t["day"]) for t in evening] == [
        ("A-001", "2030-01-07"),
        ("A-002", "2030-01-07"),
    ]
    assert (morning["label"], morning["day"]) == ("A-001", "2030-01-08")
    assert morning["issued_at"] == "2030-01-08T00:01:00+07:00"
    assert waiting["population"] == 1  # yesterday's tickets are not in today's line
    assert called["id"] == morning["id"]


@pytest.fixture
def queue_at_the_mall_on_monday(container_factory, service_config):
    """The queue's clock started through its config at 08:50 WIB that Monday."""
    config = service_config("queue", CLOCK_STARTS_AT=at(MONDAY, 8, 50).isoformat())
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    with session_for(config["DATABASE_URL"]) as session, session.begin():
        for code, hour in (("NINEOCLK", 9), ("ELEVENOC", 11)):
            session.add(
                Booking(
                    code=code,
                    service_code="population",
                    person_id=f"person-{hour}",
                    day=MONDAY,
                    starts_at=at(MONDAY, hour, 0),
                )
            )
    container_factory(QueueService, config).start()
    return config


def test_a_booking_is_checked_in_within_its_window_on_the_clocks_day(
    queue_at_the_mall_on_monday,
):
    with rpc_to("queue", queue_at_the_mall_on_monday, actor=None) as kiosk:
        ticket = kiosk.check_in({"code": "NINEOCLK"})
        with pytest.raises(Conflict, match="check-in opens 60 minutes before the slot"):
            kiosk.check_in({"code": "ELEVENOC"})
    assert (ticket["day"], ticket["priority"], ticket["label"]) == (
        "2030-01-07",
        "booking",
        "A-001",
    )
    assert ticket["arrived_at"] == "2030-01-07T09:00:00+07:00"
    assert ticket["issued_at"].startswith("2030-01-07T08:5")
