"""Health probes for container orchestrators (docker compose healthchecks).

    python -m chassis.probe service queue   # the service answers its health RPC with "ok"
    python -m chassis.probe relay queue     # the service's outbox relay polled recently

Exit status 0 when healthy, 1 otherwise, with the reason on stderr.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from chassis.config import config_path, load_config
from chassis.rpc_client import RpcClient

RELAY_STALE_AFTER_S = 30


def heartbeat_file(service_name: str) -> Path:
    """Touched by the outbox relay after every poll."""
    return Path(tempfile.gettempdir()) / f"mpp-relay-{service_name}.heartbeat"


def probe_service(service: str, amqp_uri: str, timeout: float = 5) -> str | None:
    client = RpcClient(amqp_uri, timeout)
    try:
        report = client.call(service, "health")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return None if report.get("status") == "ok" else json.dumps(report)


def probe_relay(service: str) -> str | None:
    path = heartbeat_file(service)
    if not path.exists():
        return "relay has not polled yet"
    age = time.time() - path.stat().st_mtime
    return None if age < RELAY_STALE_AFTER_S else f"last poll {age:.0f}s ago"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Probe a service or its outbox relay.")
    parser.add_argument("kind", choices=["service", "relay"])
    parser.add_argument("service", help="service package under services/, e.g. queue")
    parser.add_argument("--config", help="YAML config (default: config/<service>.yaml)")
    args = parser.parse_args(argv)
    if args.kind == "service":
        amqp_uri = load_config(args.config or config_path(args.service))["AMQP_URI"]
        problem = probe_service(args.service, amqp_uri)
    else:
        problem = probe_relay(args.service)
    if problem:
        print(f"{args.kind} {args.service} unhealthy: {problem}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
