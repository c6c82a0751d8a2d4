"""Fault run: the whole mall (``scripts/run-mall``) under a load of walk-in tickets while
its broker restarts or its processes are killed, counted by request id.

    .venv/bin/python -m bench.faults --fault broker --duration 60 --every 15
    .venv/bin/python -m bench.faults --fault kill --duration 60 --every 5

The mall runs on a RabbitMQ node of its own (``bench.broker``), so the machine's broker is
left alone. Each client thread takes one ticket after another, each with its own
``X-Request-ID`` and ``Idempotency-Key``, and tries a request again (same id, same key)
until it is answered, as a phone app would. Printed: requests, answered, failed tries by
status, lost (answered, but no such ticket), duplicated (a request id with two tickets),
events undelivered (committed in the outbox, never received), and the time from each
fault to the first success after it.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select

from bench.broker import PrivateBroker, free_port
from chassis.config import CONFIG_DIR, environment_variables
from chassis.database import make_engine, session_factory
from scripts.supervise import GROUP

ROOT = Path(__file__).resolve().parent.parent
KILL_TARGETS = ("queue", "queue_relay", "gateway worker")
RECORDED_REPLY = "from its recorded reply"  # what chassis.database logs for a repeat


def database_variables() -> set[str]:
    """Every ``*_DATABASE_URL`` a config of the mall reads (one per service, the gateway's)."""
    return {
        name
        for path in CONFIG_DIR.glob("*.yaml")
        for name in environment_variables(path)
        if name.endswith("_DATABASE_URL")
    }


def sqlite_file(var: Path, variable: str) -> str:
    return f"sqlite:///{var}/{variable.removesuffix('_DATABASE_URL').lower()}.sqlite3"


class RunningMall:
    """``scripts/run-mall`` with its databases in ``var`` and its broker at ``amqp_uri``."""

    def __init__(self, amqp_uri: str, var: Path, database_of=None):
        """``database_of(variable)`` gives the URL of each ``*_DATABASE_URL`` (SQLite files
        in ``var`` by default)."""
        self.var = var
        database_of = database_of or (lambda name: sqlite_file(var, name))
        databases = {name: database_of(name) for name in database_variables()}
        self.port = free_port()
        self.env = {
            **os.environ,
            **databases,
            "AMQP_URI": amqp_uri,
            "GATEWAY_PORT": str(self.port),
            "DOCUMENT_STORE": str(var / "documents"),
            "MPP_RUN_DIR": str(var),
            "DEMO_ALWAYS_OPEN": "1",
        }
        self.queue_database = databases["QUEUE_DATABASE_URL"]
        self.log_path = var / "mall.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> "RunningMall":
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [str(ROOT / "scripts" / "run-mall")],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_healthy(timeout)
        return self

    def healthy(self) -> bool:
        try:
            return requests.get(f"{self.base_url}/health", timeout=5).ok
        except requests.RequestException:
            return False

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the mall was not healthy within {timeout}s")
            if self.process.poll() is not None:
                raise RuntimeError(f"run-mall exited; see {self.log_path}")
            time.sleep(0.2)

    def pid(self, program: str) -> int:
        if program == "gateway worker":
            found = subprocess.run(
                ["pgrep", "-P", str(self.pid("gateway"))], capture_output=True, text=True
            ).stdout.split()
            return int(random.choice(found))
        answer = subprocess.run(
            [
                str(Path(sys.executable).with_name("supervisorctl")),
                "-c",
                str(self.var / "supervisord.conf"),
                "pid",
                f"{GROUP}:{program}",
            ],
            capture_output=True,
            text=True,
        )
        return int(answer.stdout.strip())

    def kill(self, program: str) -> None:
        os.kill(self.pid(program), signal.SIGKILL)

    def log_count(self, text: str) -> int:
        return sum(1 for line in self.log_path.read_text().splitlines() if text in line)

    def exits(self) -> list[str]:
        """supervisord's lines about programs that exited (each was restarted)."""
        return [line for line in self.log_path.read_text().splitlines() if "exited: " in line]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class EventListener:
    """A durable queue bound to every event of the queue service, declared before the load."""

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.queue = Queue(
            f"fault-run-{uuid.uuid4().hex[:8]}",
            exchange=get_event_exchange("queue", {}),
            routing_key="#",
            durable=True,
        )
        with Connection(amqp_uri) as conn:
            self.queue(conn.default_channel).declare()
        self.received: set[str] = set()

    def drain(self) -> set[str]:
        with Connection(self.amqp_uri) as conn:
            bound = self.queue(conn.default_channel)
            while (message := bound.get(no_ack=True)) is not None:
                self.received.add(message.payload["event_id"])
        return self.received


@dataclass
class Load:
    """Client threads taking tickets; every request is tried until it is answered."""

    base_url: str
    threads: int = 4
    grace: float = 60.0  # after the run, how long an unanswered request keeps trying
    attempts: list[tuple[float, float, str]] = field(default_factory=list)  # sent, done, outcome
    answered: dict[str, str] = field(default_factory=dict)  # request id -> ticket id
    requested: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, stop: threading.Event) -> None:
        workers = [threading.Thread(target=self._client, args=(stop,)) for _ in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def _client(self, stop: threading.Event) -> None:
        http = requests.Session()
        while not stop.is_set():
            request_id = uuid.uuid4().hex
            with self.lock:
                self.requested.append(request_id)
            give_up = None
            while True:
                outcome = self._try(http, request_id)
                if outcome == "201":
                    break
                if stop.is_set():
                    give_up = give_up or time.monotonic() + self.grace
                    if time.monotonic() > give_up:
                        break
                time.sleep(0.2)

    def _try(self, http: requests.Session, request_id: str) -> str:
        headers = {"X-Request-ID": request_id, "Idempotency-Key": request_id}
        sent = time.monotonic()
        try:
            answer = http.post(
                f"{self.base_url}/api/v1/tickets",
                json={"service_code": "population"},
                headers=headers,
                timeout=20,
            )
            outcome = str(answer.status_code)
        except requests.RequestException as exc:
            outcome, answer = type(exc).__name__, None
        with self.lock:
            self.attempts.append((sent, time.monotonic(), outcome))
            if outcome == "201":
                self.answered[request_id] = answer.json()["id"]
        return outcome


@dataclass
class Report:
    requests: int
    answered: int
    failed_tries: dict[str, int]
    unanswered: int
    lost: int
    duplicated: int
    events_committed: int
    events_undelivered: int
    recoveries: list[float | None]
    processes_exited: int
    answered_from_recorded_replies: int  # repeats a service did not run again

    def lines(self) -> list[str]:
        recovered = [f"{r:.1f}s" if r is not None else "never" for r in self.recoveries]
        return [
            f"requests            {self.requests}",
            f"answered            {self.answered}",
            f"failed tries        {dict(sorted(self.failed_tries.items())) or 0}",
            f"never answered      {self.unanswered}",
            f"lost                {self.lost}",
            f"duplicated          {self.duplicated}",
            f"events committed    {self.events_committed}",
            f"events undelivered  {self.events_undelivered}",
            f"fault -> success    {', '.join(recovered) or '-'}",
            f"processes restarted {self.processes_exited}",
            f"repeats not run again (answered from recorded replies) "
            f"{self.answered_from_recorded_replies}",
        ]


def tickets_and_events(mall: RunningMall) -> tuple[set[str], dict[str, int], set[str], int]:
    """Ticket ids, ticket_issued events per request id, all committed event ids, and how
    many are not yet published."""
    from services.queue.models import OutboxEvent, Ticket

    engine = make_engine(mall.queue_database)
    try:
        with session_factory(engine, "fault-run")() as db:
            tickets = set(db.scalars(select(Ticket.id)).all())
            events = db.scalars(select(OutboxEvent)).all()
    finally:
        engine.dispose()
    issued = Counter(
        e.payload.get("correlation_id") for e in events if e.event_type == "ticket_issued"
    )
    pending = sum(1 for e in events if e.published_at is None)
    return tickets, issued, {e.event_id for e in events}, pending


def fault_run(
    broker: PrivateBroker,
    mall: RunningMall,
    fault: str,
    duration: float,
    every: float,
    threads: int = 4,
) -> Report:
    """Load the mall for ``duration`` seconds with a fault every ``every`` seconds."""
    listener = EventListener(broker.amqp_uri)
    load, stop = Load(mall.base_url, threads), threading.Event()
    loader = threading.Thread(target=load.run, args=(stop,))
    exits_before, replayed_before = len(mall.exits()), mall.log_count(RECORDED_REPLY)
    loader.start()
    recovered_from: list[float] = []  # when each fault was over (the broker back)
    started = time.monotonic()
    for number in range(int(duration // every) - 1):  # each fault has ``every`` s of load after it
        time.sleep(max(0.0, started + (number + 1) * every - time.monotonic() - 1))
        if fault == "broker":
            if number % 3 == 2:
                broker.restart_server()
            else:
                broker.restart_app()
        else:
            mall.kill(KILL_TARGETS[number % len(KILL_TARGETS)])
        recovered_from.append(time.monotonic())
    # the load goes on for ``every`` s after the last fault is over (a whole broker node
    # takes some 13 s to stop and start again), so that its recovery is measured too
    ends = max(started + duration, recovered_from[-1] + every if recovered_from else 0.0)
    time.sleep(max(0.0, ends - time.monotonic()))
    stop.set()
    loader.join()
    mall.wait_healthy(60)

    deadline = time.monotonic() + 60
    while True:  # every committed event published by the relay, then received
        tickets, issued, committed, pending = tickets_and_events(mall)
        received = listener.drain()
        if (not pending and committed <= received) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    # recovery: from the end of a fault to the first answer of a try sent after it
    successes = sorted((done, sent) for sent, done, outcome in load.attempts if outcome == "201")
    recoveries = [
        next((done - over for done, sent in successes if sent >= over), None)
        for over in recovered_from
    ]
    return Report(
        requests=len(load.requested),
        answered=len(load.answered),
        failed_tries=dict(Counter(o for _, _, o in load.attempts if o != "201")),
        unanswered=len(set(load.requested) - set(load.answered)),
        lost=sum(1 for ticket in load.answered.values() if ticket not in tickets),
        duplicated=sum(1 for rid in load.requested if issued.get(rid, 0) > 1),
        events_committed=len(committed),
        events_undelivered=len(committed - received),
        recoveries=recoveries,
        processes_exited=len(mall.exits()) - exits_before,
        answered_from_recorded_replies=mall.log_count(RECORDED_REPLY) - replayed_before,
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fault", choices=["broker", "kill"], default="broker")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--every", type=float, default=15)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    var = Path(tempfile.mkdtemp(prefix="mpp-fault-run-"))
    with PrivateBroker() as broker:
        mall = RunningMall(broker.amqp_uri, var).start()
        try:
            report = fault_run(broker, mall, args.fault, args.duration, args.every, args.threads)
        finally:
            mall.stop()
    what = "broker restarts" if args.fault == "broker" else "kill -9 of " + ", ".join(KILL_TARGETS)
    print(
        f"fault run: {what}, every {args.every:g}s for {args.duration:g}s, "
        f"{args.threads} client threads (logs: {var})"
    )
    print(json.dumps(report.__dict__) if args.json else "\n".join(report.lines()))


if __name__ == "__main__":
    main()
