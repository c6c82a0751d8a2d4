"""200 citizens booking the same 50 seats at once, across three queue instances: exactly
50 succeed and the others are told the slot is full (SQLite, PostgreSQL)."""

from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, update

from chassis.rpc_client import RemoteError, RpcClient, RpcTimeout
from scripts.demo_data import QUEUE_SETUP, seed
from services.queue.models import Booking, ServiceLine
from tests.integration.helpers import session_for
from tests.integration.test_bookings import next_working_day_at
from tests.polling import eventually

SEATS, CITIZENS = 50, 200


def test_two_hundred_concurrent_bookings_fill_fifty_seats_exactly(
    service_config, service_processes
):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    with session_for(config["DATABASE_URL"]) as session, session.begin():
        session.execute(
            update(ServiceLine).where(ServiceLine.code == "population").values(slot_capacity=SEATS)
        )
    service_processes("queue", "QueueService", config, count=3)
    client = RpcClient(config["AMQP_URI"], timeout=60)
    slot = next_working_day_at(9).isoformat()

    def up():
        try:
            return client.call("queue", "health", timeout=1)
        except (RpcTimeout, RemoteError):
            return None

    def book(n: int) -> str:
        context = {"actor": {"id": f"c-{n}", "role": "citizen", "person_id": f"person-{n}"}}
        try:
            client.call(
                "queue", "book", {"service_code": "population", "starts_at": slot}, context=context
            )
            return "booked"
        except RemoteError as refused:
            return f"{refused.exc_type}: {refused.message}"

    try:
        eventually(up, timeout=30)
        with ThreadPoolExecutor(max_workers=40) as pool:
            outcomes = Tally(pool.map(book, range(CITIZENS)))
    finally:
        client.close()

    assert outcomes == {
        "booked": SEATS,
        "Conflict: slot full: choose another time": CITIZENS - SEATS,
    }
    with session_for(config["DATABASE_URL"]) as session:
        assert session.scalar(select(func.count()).select_from(Booking)) == SEATS
