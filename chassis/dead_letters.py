"""Operator tool for events parked in a service's dead-letter queue.

    python -m chassis.dead_letters queue list
    python -m chassis.dead_letters queue replay [--event-id ID]

Replay sends each parked event back to the queue of the handler that failed it, with its
attempt count reset; the parked copy is removed only after the broker confirms the resend.
"""

import argparse
import json
import sys

from kombu import Connection
from nameko.amqp.publish import Publisher

from chassis.config import config_path, load_config
from chassis.events import (
    ATTEMPTS_HEADER,
    DEFAULT_EXCHANGE,
    ERROR_HEADER,
    QUEUE_HEADER,
    dead_letter_queue,
)


def _parked(bound_queue):
    """Yield every parked message without acking; unacked ones return when the channel closes."""
    while (message := bound_queue.get(no_ack=False)) is not None:
        yield message


def list_dead_letters(amqp_uri: str, service_name: str) -> list[dict]:
    """Describe the parked events of a service, leaving them in place."""
    queue = dead_letter_queue(service_name)
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        bound = queue(channel)
        bound.declare()
        found = []
        for message in _parked(bound):
            event = message.decode()
            found.append(
                {
                    "event_id": event.get("event_id"),
                    "event_type": event.get("event_type"),
                    "source": event.get("source"),
                    "handler_queue": message.headers.get(QUEUE_HEADER),
                    "attempts": message.headers.get(ATTEMPTS_HEADER),
                    "error": message.headers.get(ERROR_HEADER),
                }
            )
        channel.close()
    return found


def replay_dead_letters(amqp_uri: str, service_name: str, event_id: str | None = None) -> int:
    """Send parked events (all, or the one with ``event_id``) back to their handlers."""
    queue = dead_letter_queue(service_name)
    publisher = Publisher(amqp_uri, use_confirms=True)
    replayed = 0
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        bound = queue(channel)
        bound.declare()
        for message in _parked(bound):
            event = message.decode()
            if event_id is not None and event.get("event_id") != event_id:
                continue
            headers = {k: v for k, v in message.headers.items() if not k.startswith("x-")}
            publisher.publish(
                event,
                exchange=DEFAULT_EXCHANGE,
                routing_key=message.headers[QUEUE_HEADER],
                headers=headers,
            )
            message.ack()
            replayed += 1
        channel.close()
    return replayed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="List or replay a service's dead letters.")
    parser.add_argument("service", help="service package under services/, e.g. queue")
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("--event-id", help="replay only this event")
    parser.add_argument("--config", help="YAML config (default: config/<service>.yaml)")
    args = parser.parse_args(argv)
    amqp_uri = load_config(args.config or config_path(args.service))["AMQP_URI"]
    if args.action == "list":
        json.dump(list_dead_letters(amqp_uri, args.service), sys.stdout, indent=2)
        print()
    else:
        print(f"replayed {replay_dead_letters(amqp_uri, args.service, args.event_id)} event(s)")


if __name__ == "__main__":
    main()
