"""Notifications per second, from events to delivered mail, and the delay of each.

    python -m bench.notifications [--db sqlite|postgresql] [--instances N] [--events K]

Starts what it measures: a fresh RabbitMQ vhost, a fresh notifications database with K
citizens who gave an email (half Indonesian, half English), the SMTP sink
(``scripts.mail_sink``) as a process, and N ``nameko run`` instances of the service. It
publishes K ``permit_issued`` events as licensing's relay would, waits until every mail is
in the sink's folder, checks each was sent once, and prints notifications per second (first
event published to last mail delivered) and the delay from each event's publication to its
delivery (p50/p99). In the same run it prints the baselines of the two hops the service sits
between: the same events through the broker to a bare kombu consumer, and the same number
of mails written to the sink with smtplib on one connection.
"""

import argparse
import smtplib
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import yaml
from kombu import Connection, Consumer, Producer, Queue
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select

from bench.mall import Broker, _consumers, free_port, postgres_database, spawn
from chassis.database import make_engine, session_factory
from chassis.migrate import upgrade
from contracts.events import envelope
from services.notifications.models import Delivery, Notification, Recipient

HANDLER_QUEUE = "evt-licensing-permit_issued--notifications.on_permit_issued"
POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def seed(url: str, count: int) -> list[str]:
    people = [f"bench-{n:05d}" for n in range(count)]
    engine = make_engine(url)
    with session_factory(engine, "bench")() as session, session.begin():
        for n, person in enumerate(people):
            session.add(
                Recipient(
                    person_id=person,
                    email=f"{person}@example.id",
                    language="id" if n % 2 else "en",
                    channels=["email"],
                )
            )
    engine.dispose()
    return people


def delivered(url: str) -> list[tuple[str, datetime | None, str]]:
    engine = make_engine(url)
    with session_factory(engine, "bench")() as session:
        found = session.execute(
            select(Notification.event_id, Delivery.delivered_at, Delivery.status).join(
                Delivery, Delivery.notification_id == Notification.id
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in found]


def percentile(values: list[float], percent: int) -> float:
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[percent - 1]


def run(args, stack: ExitStack) -> bool:
    work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-notify-")))
    broker = Broker(args.amqp_uri, None, prefix="bench-notify")
    amqp_uri = stack.enter_context(broker.vhost())
    if args.db == "postgresql":
        url = stack.enter_context(postgres_database(args.postgres_url))
    else:
        url = f"sqlite:///{work / 'notifications.sqlite3'}"
    upgrade("notifications", url)
    people = seed(url, args.events)
    port, mail = free_port(), work / "mail"
    log = stack.enter_context(open(work / "processes.log", "w"))  # noqa: SIM115
    spawn(
        stack,
        [sys.executable, "-m", "scripts.mail_sink", "--port", str(port), "--directory", str(mail)],
        {},
        log,
    )
    config = {
        "AMQP_URI": amqp_uri,
        "DATABASE_URL": url,
        "SMTP_URL": f"smtp://127.0.0.1:{port}",
        "PUBLIC_BASE_URL": "https://mpp.example.go.id",
        "max_workers": 10,
    }
    (work / "notifications.yaml").write_text(yaml.safe_dump(config))
    nameko = str(Path(sys.executable).parent / "nameko")
    command = [nameko, "run", "--config", str(work / "notifications.yaml")]
    command.append("services.notifications.service:NotificationsService")
    for _ in range(args.instances):
        spawn(stack, command, {"PATH": str(Path(sys.executable).parent)}, log)
    conn = stack.enter_context(Connection(amqp_uri))
    deadline = time.monotonic() + 60
    while _consumers(conn, HANDLER_QUEUE) < args.instances:
        if time.monotonic() > deadline:
            print(f"the instances did not start; see {work / 'processes.log'}")
            return False
        time.sleep(0.2)

    exchange = get_event_exchange("licensing", config)  # as licensing's relay declares it
    producer = Producer(conn.channel(), exchange=exchange)
    published: dict[str, float] = {}
    started = time.time()
    for n, person in enumerate(people):
        data = {
            "permit_id": str(uuid.uuid4()),
            "number": f"NIB-3314-2027-{n:05d}",
            "permit_type": "NIB",
            "holder_id": person,
            "valid_until": None,
        }
        event = envelope("licensing", "permit_issued", data, None)
        published[event["event_id"]] = time.time()
        producer.publish(event, routing_key="permit_issued", serializer="json", declare=[exchange])
    deadline = time.monotonic() + args.timeout
    while len(list(mail.glob("*.eml"))) < args.events and time.monotonic() < deadline:
        time.sleep(0.2)
    rows = delivered(url)
    mails = len(list(mail.glob("*.eml")))
    done = [(e, at) for e, at, status in rows if status == "delivered" and at is not None]
    delays = [(at.timestamp() - published[e]) * 1000 for e, at in done if e in published]
    ok = len(done) == args.events and mails == args.events
    last = max(at.timestamp() for _, at in done) if done else started
    print(
        f"notifications: {args.instances} instance(s), {args.db}, {args.events} permit_issued "
        f"events, email to a local SMTP sink"
    )
    print(f"  delivered {len(done)}/{args.events}, mails in the sink {mails} (sent once each)")
    sessions = mail / "sessions.log"  # the sink's: a line "<peer> ehlo" per connection
    lines = sessions.read_text().splitlines() if sessions.exists() else []
    if connections := sum(line.endswith(" ehlo") for line in lines):
        print(f"  SMTP connections: {connections} ({mails / connections:.1f} mails each)")
    if len(delays) >= 2:
        rate = len(done) / (last - started)
        print(f"  {rate:.1f} notifications/s (first event published to last mail delivered)")
        print(
            f"  event to delivered mail: p50 {percentile(delays, 50):.0f} ms, "
            f"p99 {percentile(delays, 99):.0f} ms, max {max(delays):.0f} ms"
        )
    baseline(conn, exchange, port, args.events)
    return ok


def baseline(conn: Connection, exchange, port: int, count: int) -> None:
    """The raw hops in this run: events through the broker, mails through SMTP."""
    queue = Queue(f"bench-baseline-{uuid.uuid4().hex[:8]}", exchange, "bench_baseline")
    queue = queue(conn.default_channel)
    queue.declare()
    received: list[float] = []
    with Consumer(
        conn,
        [queue],
        callbacks=[lambda body, message: (received.append(time.time()), message.ack())],
    ):
        producer = Producer(conn.channel(), exchange=exchange)
        started = time.time()
        for n in range(count):
            producer.publish({"n": n, "at": time.time()}, routing_key="bench_baseline")
        deadline = time.monotonic() + 60
        while len(received) < count and time.monotonic() < deadline:
            conn.drain_events(timeout=1)
    queue.delete()
    if received:
        print(
            f"  baseline, broker: {len(received) / (max(received) - started):.0f} events/s "
            "(published to a bare kombu consumer)"
        )
    started = time.time()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for n in range(count):
            smtp.sendmail(
                "bench@mpp.localhost", [f"baseline-{n}@example.id"], f"Subject: {n}\r\n\r\nbaseline"
            )
    print(
        f"  baseline, SMTP: {count / (time.time() - started):.0f} mails/s (smtplib, one connection)"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--amqp-uri", default="pyamqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        ok = run(args, stack)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
