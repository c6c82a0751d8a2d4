"""Three queue instances, 24 counters calling at once over 2,000 tickets: every ticket is
called exactly once and served (SQLite and PostgreSQL)."""

from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from chassis.database import utcnow
from chassis.rpc_client import RemoteError, RpcClient, RpcTimeout
from scripts.demo_data import AGENCIES, SERVICE_LINES, seed
from services.queue import domain
from services.queue.models import Counter, OutboxEvent, Ticket
from tests.integration.helpers import rows, session_for
from tests.polling import eventually

TICKETS, COUNTERS = 2000, 24


def test_every_ticket_is_called_exactly_once_by_concurrent_counters(
    service_config, service_processes
):
    config = service_config("queue")
    seed(
        config["DATABASE_URL"],
        AGENCIES
        + SERVICE_LINES
        + [
            Counter(id=f"c{n}", number=100 + n, agency="disdukcapil", services=["population"])
            for n in range(COUNTERS)
        ],
    )
    start, day = utcnow(), domain.service_day(utcnow())
    with session_for(config["DATABASE_URL"]) as session, session.begin():
        session.add_all(
            Ticket(
                service_code="population",
                day=day,
                number=n,
                label=f"A-{n:03d}",
                arrived_at=start + timedelta(milliseconds=n),
                priority="elderly" if n % 7 == 0 else None,
            )
            for n in range(1, TICKETS + 1)
        )
    service_processes("queue", "QueueService", config, count=3)
    client = RpcClient(config["AMQP_URI"], timeout=60)

    def up():
        try:
            return client.call("queue", "health", timeout=1)
        except (RpcTimeout, RemoteError):
            return None

    def work_counter(n: int) -> list[str]:
        context = {
            "actor": {"id": f"officer-{n}", "role": "counter_officer", "agency": "disdukcapil"}
        }
        client.call("queue", "open_counter", f"c{n}", context=context)
        served = []
        while True:
            try:
                ticket = client.call("queue", "call_next", f"c{n}", context=context)
            except RemoteError as nobody:
                assert nobody.exc_type == "NotFound", nobody
                return served
            client.call("queue", "finish", f"c{n}", {"outcome": "served"}, context=context)
            served.append(ticket["id"])

    try:
        eventually(up, timeout=30)
        with ThreadPoolExecutor(max_workers=COUNTERS) as pool:
            per_counter = list(pool.map(work_counter, range(COUNTERS)))
    finally:
        client.close()

    served = [ticket for counter in per_counter for ticket in counter]
    assert len(served) == TICKETS and len(set(served)) == TICKETS
    assert sum(1 for counter in per_counter if counter) > 1  # the work was shared
    calls = Tally(
        e.payload["data"]["ticket_id"]
        for e in rows(
            config["DATABASE_URL"],
            select(OutboxEvent).where(OutboxEvent.event_type == "ticket_called"),
        )
    )
    assert len(calls) == TICKETS and set(calls.values()) == {1}
    with session_for(config["DATABASE_URL"]) as session:
        statuses = dict(
            session.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all()
        )
    assert statuses == {"done": TICKETS}
