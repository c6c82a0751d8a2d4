"""The outbox relay: publishes recorded events, marking each sent after the broker confirms.

Run one per service, as its own process, told which model is the service's outbox:

    python -m chassis.relay civil_registry --outbox services.civil_registry.models:OutboxEvent \
        [--config config/civil_registry.yaml]

The relay imports no service by itself: the outbox is named as ``module:Class`` (any model
with ``OutboxMixin``), so a module outside ``services/`` has its relay too.

A crash after the publish and before the mark re-sends the event later; consumers are
idempotent, so that costs nothing. Several relays may run: on PostgreSQL each claims its
batch with ``FOR UPDATE SKIP LOCKED``, on SQLite ``BEGIN IMMEDIATE`` serialises them.
"""

import argparse
import importlib
import logging
import signal
import threading

from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select

from chassis import logs
from chassis.config import config_path, load_config
from chassis.database import OutboxMixin, make_engine, session_factory, utcnow
from chassis.probe import heartbeat_file

log = logging.getLogger("mpp.relay")
MAX_BACKOFF_S = 5.0


class OutboxRelay:
    def __init__(self, service_name: str, config: dict, outbox, batch_size: int = 100):
        self.service_name, self.outbox, self.batch_size = service_name, outbox, batch_size
        self.engine = make_engine(config["DATABASE_URL"])
        self.sessions = session_factory(self.engine, service_name, outbox)
        self.exchange = get_event_exchange(service_name, config)
        self.publisher = Publisher(
            config["AMQP_URI"],
            use_confirms=True,
            declare=[self.exchange],
            # fail a poll quickly while the broker is away; the loop retries with backoff
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.4},
        )

    def relay_once(self) -> int:
        """Publish one batch of pending events; return how many were sent."""
        outbox = self.outbox
        with self.sessions() as session, session.begin():
            pending = session.scalars(
                select(outbox)
                .where(outbox.published_at.is_(None))
                .order_by(outbox.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            for event in pending:
                self.publisher.publish(
                    event.payload,
                    exchange=self.exchange,
                    routing_key=event.event_type,
                    headers=event.headers,
                    message_id=event.event_id,
                )
                event.published_at = utcnow()
                log.info(
                    "published %s %s",
                    event.event_type,
                    event.event_id,
                    extra={"correlation_id": event.payload.get("correlation_id")},
                )
        return len(pending)

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Poll until ``stop``; while the broker or the database is away, wait a little
        longer after each failure (up to ``MAX_BACKOFF_S``) and log once per outage."""
        heartbeat = heartbeat_file(self.service_name)
        failures = 0
        while not stop.is_set():
            try:
                sent = self.relay_once()
            except Exception as exc:
                failures += 1
                if failures == 1:
                    log.warning("relay of %s failed (%r); retrying", self.service_name, exc)
                stop.wait(min(MAX_BACKOFF_S, interval * 2**failures))
                continue
            if failures:
                log.info("relay of %s resumed after %d failed polls", self.service_name, failures)
                failures = 0
            heartbeat.touch()
            if sent < self.batch_size:
                stop.wait(interval)
        self.engine.dispose()


def outbox_model(reference: str):
    """The model named by ``package.module:Class``, checked to be an outbox."""
    module_name, _, class_name = reference.partition(":")
    if not module_name or not class_name:
        raise argparse.ArgumentTypeError(f"{reference!r} is not module:Class")
    try:
        model = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise argparse.ArgumentTypeError(f"cannot load {reference}: {exc}") from None
    if not isinstance(model, type) or not issubclass(model, OutboxMixin):
        raise argparse.ArgumentTypeError(f"{reference} is not an outbox model (OutboxMixin)")
    return model


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Publish a service's outbox to RabbitMQ.")
    parser.add_argument("service", help="the service whose events these are, e.g. queue")
    parser.add_argument(
        "--outbox",
        required=True,
        type=outbox_model,
        metavar="MODULE:CLASS",
        help="the service's outbox model, e.g. services.queue.models:OutboxEvent",
    )
    parser.add_argument("--config", help="YAML config (default: config/<service>.yaml)")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between polls")
    args = parser.parse_args(argv)

    logs.configure()
    config = load_config(args.config or config_path(args.service))
    relay = OutboxRelay(args.service, config, args.outbox)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    log.info("outbox relay of %s started", args.service)
    relay.run(stop, args.interval)


if __name__ == "__main__":
    main()
