"""200 citizens booking the same 50 seats at once, across three queue instances: exactly
50 succeed and the others are told the slot is full; and the first seats of empty slots,
taken at once, are all given (SQLite, PostgreSQL)."""

from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select, update

from chassis.rpc_client import RemoteError, RpcClient, RpcTimeout
from scripts.demo_data import QUEUE_SETUP, seed
from services.queue.models import Booking, ServiceLine
from tests.integration.helpers import session_for
from tests.integration.test_bookings import next_working_day_at
from tests.polling import eventually

SEATS, CITIZENS = 50, 200


def start_queue(service_config, service_processes, capacity: int):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    with session_for(config["DATABASE_URL"]) as session, session.begin():
        session.execute(
            update(ServiceLine)
            .where(ServiceLine.code == "population")
            .values(slot_capacity=capacity)
        )
    service_processes("queue", "QueueService", config, count=3)
    client = RpcClient(config["AMQP_URI"], timeout=60)

    def up():
        try:
            return client.call("queue", "health", timeout=1)
        except (RpcTimeout, RemoteError):
            return None

    eventually(up, timeout=30)
    return config, client


def book(client, n: int, slot: str) -> str:
    context = {"actor": {"id": f"c-{n}", "role": "citizen", "person_id": f"person-{n}"}}
    try:
        client.call(
            "queue", "book", {"service_code": "population", "starts_at": slot}, context=context
        )
        return "booked"
    except RemoteError as refused:
        return f"{refused.exc_type}: {refused.message}"


def test_two_hundred_concurrent_bookings_fill_fifty_seats_exactly(
    service_config, service_processes
):
    config, client = start_queue(service_config, service_processes, SEATS)
    slot = next_working_day_at(9).isoformat()
    try:
        with ThreadPoolExecutor(max_workers=40) as pool:
            outcomes = Tally(pool.map(lambda n: book(client, n, slot), range(CITIZENS)))
    finally:
        client.close()

    assert outcomes == {
        "booked": SEATS,
        "Conflict: slot full: choose another time": CITIZENS - SEATS,
    }
    with session_for(config["DATABASE_URL"]) as session:
        assert session.scalar(select(func.count()).select_from(Booking)) == SEATS


def test_the_first_seats_of_empty_slots_taken_at_once_are_all_given(
    service_config, service_processes
):
    """Five citizens per empty slot, at once: nobody is told "full" while seats remain."""
    _, client = start_queue(service_config, service_processes, capacity=5)
    first = next_working_day_at(9)
    slots = [(first + timedelta(minutes=30 * k)).isoformat() for k in range(12)]  # 09:00-14:30
    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            outcomes = Tally(pool.map(lambda n: book(client, n, slots[n % 12]), range(60)))
    finally:
        client.close()
    assert outcomes == {"booked": 60}
