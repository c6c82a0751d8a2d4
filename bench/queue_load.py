"""Queue tickets per second, and call-next latency as the line grows, through the whole mall.

What is measured, in one run:

1. **Ticket issuing.** The time from sending ``POST /api/v1/tickets`` with
   ``{"service_code": "population"}`` (anonymous, as the kiosk sends it) to holding the
   ``201``, made ``--tickets`` times one after another (sequential, one thread) and
   ``--concurrent-tickets`` times over ``--concurrency`` threads (concurrent), each thread
   with its own ``requests.Session`` (a kept-alive connection). Latency percentiles are per
   request; throughput is tickets / wall time. Each ticket is what the kiosk gets: gunicorn
   calls ``queue.issue_ticket`` over RabbitMQ, the service draws the number from the day's
   sequence row of the line (one row that every ticket of the line updates), writes the
   ticket and its outbox event and commits; the outbox relay publishes alongside.

2. **Call-next as the line grows.** ``loket-1`` (population) is opened by ``officer-1``
   (``POST /api/v1/counters/loket-1/open``), then for each ``--sizes`` (100, 10,000 and
   100,000 waiting tickets by default) the population line is filled to exactly that many
   waiting tickets, inserted straight into the queue's database in bulk (SQLAlchemy Core
   ``insert(Ticket)``, executemany: today's service day, arrivals 100 ms apart and all
   before the line was first filled (closer together if the mall's day is younger than
   that), about one in seven ``elderly``, numbers from 1,000,000 so they never meet the
   kiosk's). ``POST .../call-next`` then ``POST .../finish {"outcome": "ok"}`` run
   ``--line-warmup`` untimed and ``--calls`` timed times; after each finish one ticket joins
   the back of the line (outside the clock), so every call-next sees exactly that many
   waiting. The kiosk tickets of part 1 are cancelled in the database first: the line is
   only the bulk tickets. A failed request is counted (``errors``), the counter is cleared
   with a finish (a call-next whose reply was lost may have called a ticket) and the run
   goes on; after ``MAX_ERRORS`` in one size the size is given up.

   Per size the report gives call-next's p50/p99/max (HTTP round trip, successful calls
   only), finish's p50, the pick query alone (the exact statement of
   ``QueueService._pick_next``, run ``QUERY_RUNS`` times in this process in a rolled-back
   transaction: the database's share) and CPU ms per call (call-next + finish) of the queue
   process and of the rest of the machine (PostgreSQL's backend is there). Below the
   table, the pick query's SQL and its plan at each size: ``EXPLAIN QUERY PLAN`` on SQLite,
   ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL (after ``ANALYZE tickets``, as autovacuum
   would have done during a day).

How to read it: in part 1, if the concurrent tickets/s is barely above 1000 / sequential p50,
tickets are serialised (the sequence row, SQLite's single writer, one eventlet hub blocked
by a synchronous driver, one nameko process's core); ``--instances`` adds queue processes to
see whether the service is the limit. In part 2, a flat call-next p50 across sizes means
the pick is an index lookup; a p50 that grows with the line means the database reads (and
sorts) every waiting ticket of the line on each call. The plan says which: a ``Sort`` or
``USE TEMP B-TREE FOR ORDER BY`` over all waiting rows is the growth; ``Sort Method`` and
``rows=`` show how much is sorted. "×" is the largest size's p50 over the smallest's.
Everything (the client included) shares the machine's cores, so figures are for comparing
runs on one machine, not capacity planning.

The run checks its result: every ticket 201 with a distinct label and gapless numbers;
every call-next 200 with the ticket that the fairness rule (``services.queue.domain``:
arrived priority tickets first, a regular one after three priority calls in a row, each by
arrival) must call, replayed over the tickets the run inserted; every finish 200; the line
still exactly its size afterwards; the outbox drained with one event per ticket, call and
finish. Anything else is reported and the exit status is 1.

The mall is started as users start it (``bench.mall``, shared with ``bench.births``): a
fresh RabbitMQ vhost, a fresh queue database (``--db sqlite``: a temporary file;
``--db postgresql``: a new database ``mpp_bench_<hex>``) migrated with
``python -m chassis.migrate queue`` and seeded with ``scripts.demo_data.QUEUE_SETUP``,
``--instances`` times ``nameko run`` of the queue service, its outbox relay and gunicorn on
a free port, configured by environment variables only. Processes, vhost, database and
temporary files are removed on exit, error, Ctrl-C or SIGTERM. Run from the project root:
``.venv/bin/python -m bench.queue_load [--db sqlite|postgresql] [--instances N]``.
"""

import argparse
import random
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import requests
from sqlalchemy import Engine, event, func, insert, select, update
from sqlalchemy import text as sql

from bench.harness import summarise
from bench.mall import (
    REQUEST_TIMEOUT,
    BenchError,
    CpuMeter,
    Mall,
    add_mall_arguments,
    body,
    cpu_table,
    database_description,
    drain_outbox,
    error_text,
    guarded_main,
    non_negative,
    platform_line,
    positive,
    run_load,
    say,
    session,
    start_mall,
    two_or_more,
)
from chassis.actor import Actor
from chassis.clock import MALL_TIME
from chassis.config import config_path, load_config
from chassis.database import make_engine, new_id, utcnow
from scripts.demo_data import QUEUE_SETUP, SERVICE_LINES, seed
from services.queue import domain
from services.queue.models import Ticket

SERVICE = "queue"
LINE = "population"
PREFIX = next(line.prefix for line in SERVICE_LINES if line.code == LINE)
COUNTER_ID = "loket-1"
OFFICER = Actor(id="officer-1", role="counter_officer", agency="disdukcapil")
FIRST_BULK_NUMBER = 1_000_000  # far above the kiosk's: (service_code, day, number) stays unique
ELDERLY_SHARE = 1 / 7
ARRIVAL_GAP = timedelta(milliseconds=100)  # between two tickets of the run, at most
QUERY_RUNS = 20  # executions of the pick query alone per size
MAX_ERRORS = 10  # failed requests per size before the size is given up
MAX_SIZE = 1_000_000


@dataclass
class Phase:
    """One mode of ticket issuing: per-request latency (s), status and body, wall time."""

    mode: str
    threads: int
    latencies: list[float] = field(default_factory=list)
    outcomes: list[tuple[int, Any]] = field(default_factory=list)  # (status, body or error)
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process, "machine"

    @property
    def created(self) -> list[dict]:
        return [body for status, body in self.outcomes if status == 201]


@dataclass
class Size:
    """Call-next at one line length: latencies (s), checks, the pick query and its plan."""

    waiting: int
    filled_s: float = 0.0  # bulk insert and, on PostgreSQL, ANALYZE
    inserted: int = 0
    call_next: list[float] = field(default_factory=list)
    finish: list[float] = field(default_factory=list)
    in_order: int = 0  # timed calls that named the ticket the fairness rule expects
    errors: Counter[str] = field(default_factory=Counter)  # failed requests, by kind
    gave_up: bool = False
    called: int = 0  # tickets called (ticket_called events), warm-up included
    finished: int = 0  # tickets finished (ticket_completed events), warm-up included
    query_ms: float = 0.0
    plan: list[str] = field(default_factory=list)
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    line_after: int = -1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    return guarded_main(lambda stack: run(stack, args, started))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.queue_load", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--tickets", type=two_or_more, default=300, help="sequential tickets")
    parser.add_argument(
        "--concurrent-tickets", type=two_or_more, default=600, help="concurrent tickets in all"
    )
    parser.add_argument("--concurrency", type=positive, default=16, help="concurrent threads")
    parser.add_argument(
        "--warmup", type=non_negative, default=10, help="untimed tickets before the first phase"
    )
    parser.add_argument(
        "--sizes",
        type=sizes,
        default=(100, 10_000, 100_000),
        help="waiting tickets in the line, comma-separated, increasing (default 100,10000,100000)",
    )
    parser.add_argument(
        "--calls", type=two_or_more, default=200, help="timed call-next + finish per size"
    )
    parser.add_argument(
        "--line-warmup", type=non_negative, default=5, help="untimed call-next + finish per size"
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the elderly draw")
    add_mall_arguments(
        parser, db_help="queue database", instances_help="nameko run processes of the queue"
    )
    return parser.parse_args(argv)


def sizes(value: str) -> tuple[int, ...]:
    try:
        numbers = tuple(int(part.replace("_", "")) for part in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("comma-separated whole numbers") from None
    if any(n < 1 for n in numbers) or list(numbers) != sorted(set(numbers)):
        raise argparse.ArgumentTypeError("increasing numbers, each at least 1")
    if numbers[-1] > MAX_SIZE:
        raise argparse.ArgumentTypeError(f"at most {MAX_SIZE:,} waiting")
    return numbers


def run(stack: ExitStack, args: argparse.Namespace, started: float) -> tuple[str, bool]:
    """Start the mall, issue tickets, grow the line and call it; return report and ok."""
    mall = start_mall(stack, args, {SERVICE: args.instances}, "queue")
    url = mall.database_urls[SERVICE]
    seed(url, QUEUE_SETUP)
    base = mall.base
    say(f"mall up after {time.monotonic() - started:.1f} s, gateway at {base}")
    meter = CpuMeter(
        {
            "gateway": mall.pids("gateway"),
            "queue": mall.pids(f"{SERVICE}."),
            "relay": mall.pids(f"{SERVICE}_relay"),
        }
    )

    warmup = issue(base, "warm-up", args.warmup, 1, meter) if args.warmup else None
    mall.check_alive()
    phases = []
    for mode, count, threads in (
        ("sequential", args.tickets, 1),
        ("concurrent", args.concurrent_tickets, args.concurrency),
    ):
        phase = issue(base, mode, count, threads, meter)
        phases.append(phase)
        mall.check_alive()
        stats = summarise(phase.latencies, phase.wall)
        say(
            f"{mode:<10} {threads:>3} threads  p50 {stats['p50_ms']:7.2f} ms"
            f"  p99 {stats['p99_ms']:7.2f} ms  {stats['throughput']:6.1f} tickets/s"
        )
    checks, ok = verify_tickets(phases, warmup)

    engine = make_engine(url)  # the service's settings: WAL, BEGIN IMMEDIATE on SQLite
    stack.callback(engine.dispose)
    arrivals = args.sizes[-1] + len(args.sizes) * (args.line_warmup + args.calls)
    line = Line(engine, arrivals, args.seed)
    kiosk_tickets = line.cancel_kiosk_tickets()
    officer = mall.token(OFFICER)
    with session(officer) as http:
        response = http.post(f"{base}/api/v1/counters/{COUNTER_ID}/open", timeout=30)
        if response.status_code != 200:
            raise BenchError(f"opening {COUNTER_ID}: {response.status_code} {response.text}")
        results = []
        for waiting in args.sizes:
            result = call_next_at(http, base, line, waiting, args, meter)
            results.append(result)
            mall.check_alive()
            if result.call_next:
                stats = summarise(result.call_next, result.wall)
                say(
                    f"{waiting:>9,} waiting  call-next p50 {stats['p50_ms']:7.2f} ms"
                    f"  p99 {stats['p99_ms']:7.2f} ms  pick query {result.query_ms:7.2f} ms"
                )
            if result.gave_up:
                break
    line_checks, line_ok = verify_line(results, args)
    tickets = sum(len(p.created) for p in [*phases, *([warmup] if warmup else [])])
    events = tickets + sum(r.called + r.finished for r in results)
    drain_checks, drain_ok = verify_outbox(url, events)
    header = describe(args, mall, time.monotonic() - started, kiosk_tickets)
    text = report(header, phases, results, line.statement, [*checks, *line_checks, *drain_checks])
    return text, ok and line_ok and drain_ok


# --- ticket issuing ---------------------------------------------------------------------


@contextmanager
def kiosk() -> Iterator[requests.Session]:
    """A kept-alive connection without a token, as the ticket kiosk has."""
    with requests.Session() as http:
        http.trust_env = False  # no proxy or .netrc between us and 127.0.0.1
        yield http


def issue(base: str, mode: str, count: int, threads: int, meter: CpuMeter) -> Phase:
    """POST ``count`` tickets over ``threads`` threads, each with its own session, after a
    common start line."""
    url = f"{base}/api/v1/tickets"

    def ticket(http: requests.Session, n: int) -> tuple[float, tuple[int, Any]]:
        began = time.perf_counter()
        outcome = _post(http, url, {"service_code": LINE})
        return time.perf_counter() - began, outcome

    load = run_load(
        count, threads, kiosk, f"{base}/api/v1/counters", ticket, meter, f"{mode} tickets"
    )
    phase = Phase(mode, threads, wall=load.wall, cpu=load.cpu)
    for latency, outcome in load.results:
        phase.latencies.append(latency)
        phase.outcomes.append(outcome)
    return phase


def verify_tickets(phases: list[Phase], warmup: Phase | None) -> tuple[list[str], bool]:
    """Every timed ticket 201; all labels distinct; numbers 1..n without gaps (a fresh day)."""
    timed = sum(len(p.outcomes) for p in phases)
    every = [*phases, *([warmup] if warmup else [])]
    tickets = [body for p in every for body in p.created]
    labels = {t["label"] for t in tickets}
    numbers = sorted(t["number"] for t in tickets)
    right = sum(len(p.created) for p in phases)
    gapless = numbers == list(range(1, len(numbers) + 1))
    ok = right == timed and len(labels) == len(tickets) and gapless
    ok &= all(t["service_code"] == LINE and t["status"] == "waiting" for t in tickets)
    lines = [
        f"tickets: {right} of {timed} timed POST /api/v1/tickets 201; {len(labels)} distinct"
        f" labels of {len(tickets)} tickets (warm-up included), numbers"
        f" {numbers[0] if numbers else '-'}..{numbers[-1] if numbers else '-'}"
        f" {'gapless' if gapless else 'WITH GAPS OR TWINS'}"
    ]
    failures = Counter(
        (status, error_text(body)) for p in phases for status, body in p.outcomes if status != 201
    )
    for (status, error), times in failures.most_common(5):
        lines.append(f"  error ×{times}: {status or 'no response'} {error}")
    return lines, ok


# --- the line -----------------------------------------------------------------------------


class Line:
    """The population line as the run fills it, straight in the database; knows which
    ticket the fairness rule must call next (a replay of ``services.queue.domain``)."""

    def __init__(self, engine: Engine, tickets: int, seed_: int):
        """A line for at most ``tickets`` arrivals, all of them before now, today."""
        now = utcnow()
        self.engine, self.day = engine, domain.service_day(now)
        self.random = random.Random(seed_)
        day_began = datetime.combine(self.day, datetime.min.time(), MALL_TIME)
        self.gap = min(ARRIVAL_GAP, (now - day_began) / (tickets + 1))
        self.first_arrival = now - tickets * self.gap
        self.made = 0
        self.elderly: deque[str] = deque()  # ids by arrival
        self.regular: deque[str] = deque()
        self.streak = 0  # the counter's priority_streak as the service must keep it
        self.statement: tuple[str, Any] | None = None  # the pick query as the driver got it

    def __len__(self) -> int:
        return len(self.elderly) + len(self.regular)

    def cancel_kiosk_tickets(self) -> int:
        """Take part 1's tickets out of the line, so that it holds only the run's."""
        with self.engine.begin() as conn:
            return conn.execute(
                update(Ticket)
                .where(
                    Ticket.status == "waiting",
                    Ticket.service_code == LINE,
                    Ticket.number < FIRST_BULK_NUMBER,
                )
                .values(status="cancelled", outcome="bench: kiosk tickets out of the line")
            ).rowcount

    def add(self, count: int) -> None:
        """``count`` waiting tickets at the back of the line, in one executemany."""
        rows, elderly, regular = [], [], []
        for _ in range(count):
            number = FIRST_BULK_NUMBER + self.made
            arrived = self.first_arrival + self.made * self.gap
            priority = "elderly" if self.random.random() < ELDERLY_SHARE else None
            ticket_id = new_id()
            rows.append(
                {
                    "id": ticket_id,
                    "service_code": LINE,
                    "day": self.day,
                    "number": number,
                    "label": domain.ticket_label(PREFIX, number),
                    "status": "waiting",
                    "priority": priority,
                    "person_id": None,
                    "issued_at": arrived,
                    "arrived_at": arrived,
                    "reserved_counter_id": None,
                    "counter_id": None,
                    "calls": 0,
                }
            )
            (elderly if priority else regular).append(ticket_id)
            self.made += 1
        with self.engine.begin() as conn:
            conn.execute(insert(Ticket), rows)
        self.elderly += elderly
        self.regular += regular

    def expected(self) -> str | None:
        """The ticket the counter must call now."""
        if domain.priority_first(self.streak):
            first, then = self.elderly, self.regular
        else:
            first, then = self.regular, self.elderly
        line = first or then
        return line[0] if line else None

    def called(self, ticket: dict) -> bool:
        """Take the called ticket out of the line; whether it was the expected one."""
        right = ticket.get("id") == self.expected()
        for line in (self.elderly, self.regular):
            if ticket.get("id") in line:
                line.remove(ticket["id"])  # the front, unless the order was wrong
        self.streak = domain.next_streak(self.streak, ticket.get("priority") is not None)
        return right

    def waiting_in_database(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(
                select(func.count()).where(
                    Ticket.status == "waiting", Ticket.service_code == LINE, Ticket.day == self.day
                )
            )

    def probe(self) -> tuple[float, list[str]]:
        """Time the pick query of ``QueueService._pick_next`` alone and explain it."""
        from services.queue.service import QueueService  # nameko: only when needed

        capture = SimpleNamespace(statement=None)

        def keep_first(statement) -> None:
            capture.statement = capture.statement if capture.statement is not None else statement

        capture.scalar = keep_first
        counter = SimpleNamespace(id=COUNTER_ID, services=[LINE], priority_streak=0)
        service = SimpleNamespace(db=capture)
        service._first_waiting = lambda *conditions: QueueService._first_waiting(
            service, *conditions
        )
        QueueService._pick_next(service, counter)  # the first pick: due priority tickets
        query = capture.statement
        seen: list[tuple[str, Any]] = []

        def grab(conn, cursor, statement, parameters, context, executemany) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append((statement, parameters))

        with self.engine.connect() as conn:
            transaction = conn.begin()
            try:
                event.listen(self.engine, "before_cursor_execute", grab)
                try:
                    conn.execute(query).first()
                finally:
                    event.remove(self.engine, "before_cursor_execute", grab)
                began = time.perf_counter()
                for _ in range(QUERY_RUNS):
                    conn.execute(query).first()
                query_ms = (time.perf_counter() - began) * 1000 / QUERY_RUNS
                self.statement = seen[-1]
                plan = explain(conn, *self.statement)
            finally:
                transaction.rollback()  # FOR UPDATE locks, if any, go
        return query_ms, plan


def explain(conn: Any, statement: str, parameters: Any) -> list[str]:
    """The plan of ``statement`` as the driver ran it: SQLite's EXPLAIN QUERY PLAN as a
    tree, PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) as printed."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        depth = {0: -1}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return lines
    return list(
        conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).scalars()
    )


def call_next_at(
    http: requests.Session,
    base: str,
    line: Line,
    waiting: int,
    args: argparse.Namespace,
    meter: CpuMeter,
) -> Size:
    """Fill the line to ``waiting``, then call-next and finish, the line topped up after each."""
    result = Size(waiting)
    began = time.perf_counter()
    result.inserted = waiting - len(line)
    line.add(result.inserted)
    if line.engine.dialect.name == "postgresql":
        with line.engine.begin() as conn:
            conn.execute(sql("ANALYZE tickets"))
    result.filled_s = time.perf_counter() - began
    say(f"{waiting:>9,} waiting  {result.inserted:,} tickets inserted in {result.filled_s:.1f} s")
    result.query_ms, result.plan = line.probe()

    counter = f"{base}/api/v1/counters/{COUNTER_ID}"
    cpu: dict[str, float] = {}
    current: str | None = None  # the ticket at the counter, called and not yet finished
    for n in range(args.line_warmup + args.calls):
        if n == args.line_warmup:
            began, cpu = time.perf_counter(), meter.sample()
        if sum(result.errors.values()) >= MAX_ERRORS:
            result.gave_up = True
            break
        sent = time.perf_counter()
        status, ticket = _post(http, f"{counter}/call-next", None)
        took = time.perf_counter() - sent
        if status == 200:
            current = ticket.get("id")
            result.called += 1
            in_order = line.called(ticket)
            if ticket.get("status") != "called" or ticket.get("counter_id") != COUNTER_ID:
                result.errors[f"call-next answered a ticket {ticket.get('status')}"] += 1
                in_order = False
            sent = time.perf_counter()
            done = _post(http, f"{counter}/finish", {"outcome": "ok"})
            finish_took = time.perf_counter() - sent
            if done[0] == 200 and done[1].get("status") == "done":
                current = None
                result.finished += 1
            else:
                result.errors[f"finish: {done[0] or 'no response'} {error_text(done[1])}"] += 1
                # again: 200 finishes it now, 409 (no current ticket) says the first one did
                if _post(http, f"{counter}/finish", {"outcome": "ok"})[0] in (200, 409):
                    current = None
                    result.finished += 1
            if n >= args.line_warmup:
                result.call_next.append(took)
                result.finish.append(finish_took)
                result.in_order += in_order
        else:
            result.errors[f"call-next: {status or 'no response'} {error_text(ticket)}"] += 1
            # the call may have gone through with its reply lost: finish what the counter has
            status, ticket = _post(http, f"{counter}/finish", {"outcome": "ok"})
            if status == 200:
                result.finished += 1
                if ticket.get("id") != current:  # called by the failed call-next
                    result.called += 1
                    line.called(ticket)
                current = None
        line.add(waiting - len(line))  # newcomers join the back: the next call sees ``waiting``
    if cpu:
        result.wall = time.perf_counter() - began
        result.cpu = {k: v - cpu[k] for k, v in meter.sample().items()}
    result.line_after = line.waiting_in_database()
    return result


def _post(http: requests.Session, url: str, payload: dict | None) -> tuple[int, Any]:
    try:
        response = http.post(url, json=payload, timeout=REQUEST_TIMEOUT)
        return response.status_code, body(response)
    except requests.RequestException as exc:
        return 0, f"{type(exc).__name__}: {exc}"


def verify_line(results: list[Size], args: argparse.Namespace) -> tuple[list[str], bool]:
    lines, ok = [], len(results) == len(args.sizes)
    for result in results:
        timed = len(result.call_next)
        good = (
            not result.errors
            and timed == args.calls
            and result.in_order == timed
            and result.line_after == result.waiting
        )
        ok &= good
        lines.append(
            f"line of {result.waiting:,}: {timed} of {args.calls} timed call-next 200,"
            f" {result.in_order} of them the ticket the fairness rule expects;"
            f" {result.line_after:,} waiting afterwards"
            + (f"; given up after {MAX_ERRORS} failed requests" if result.gave_up else "")
        )
        for error, times in result.errors.most_common(5):
            lines.append(f"  error ×{times}: {error}")
    return lines, ok


def verify_outbox(url: str, expected: int) -> tuple[list[str], bool]:
    total, pending, waited = drain_outbox(url)
    if pending:
        return [f"outbox: {pending} of {total} events unpublished after {waited:.0f} s"], False
    return [
        f"outbox: all {total} events published ({waited:.1f} s after the last request);"
        f" expected {expected} (one per ticket, call and finish)"
    ], total == expected


# --- report -------------------------------------------------------------------------------


def describe(args: argparse.Namespace, mall: Mall, elapsed: float, kiosk_tickets: int) -> str:
    gateway = load_config(config_path("gateway"))  # read as the children read it
    service = load_config(config_path(SERVICE))
    database = database_description(args.db, mall.database_urls[SERVICE])
    return "\n".join(
        [
            f"Queue through the gateway: tickets and call-next; whole run {elapsed:.0f} s",
            platform_line(mall),
            f"database: {database}; queue: {args.instances} instance(s) of nameko run,"
            f" max_workers {service['max_workers']}; gateway: gunicorn gthread"
            f" {gateway['WORKERS']} workers × {gateway['THREADS']} threads",
            f"tickets: {args.tickets} sequential (1 thread), {args.concurrent_tickets} concurrent"
            f" ({args.concurrency} threads), {args.warmup} untimed warm-up first",
            f"line: {', '.join(f'{s:,}' for s in args.sizes)} waiting in {LINE} (bulk-inserted,"
            f" ~1 in 7 elderly); {args.line_warmup} untimed + {args.calls} timed call-next +"
            f" finish at {COUNTER_ID} per size; the {kiosk_tickets} kiosk tickets cancelled first",
        ]
    )


def report(
    header: str,
    phases: list[Phase],
    results: list[Size],
    statement: tuple[str, Any] | None,
    checks: list[str],
) -> str:
    lines = [
        "",
        header,
        "",
        'Ticket issuing: POST /api/v1/tickets {"service_code": "population"}',
        f"{'mode':<11} {'threads':>7} {'tickets':>7} {'201':>6} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'max ms':>8} {'tickets/s':>9}",
    ]
    rates = {}
    for phase in phases:
        stats = summarise(phase.latencies, phase.wall)
        rates[phase.mode] = stats["throughput"]
        lines.append(
            f"{phase.mode:<11} {phase.threads:>7} {len(phase.outcomes):>7}"
            f" {len(phase.created):>6} {stats['p50_ms']:8.2f} {stats['p99_ms']:8.2f}"
            f" {stats['max_ms']:8.2f} {stats['throughput']:9.1f}"
        )
    lines.append(
        f"concurrent/sequential tickets/s: ×{rates['concurrent'] / rates['sequential']:.2f}"
    )
    roles = ("client", "gateway", "queue", "relay")
    if all(phase.cpu for phase in phases):
        lines += cpu_table(
            "ticket", roles, [(p.mode, len(p.outcomes), p.cpu, p.wall) for p in phases]
        )

    lines += [
        "",
        f"Call-next as the line grows: POST /api/v1/counters/{COUNTER_ID}/call-next, then"
        " /finish (CPU: ms per call-next + finish)",
        f"{'waiting':>9} {'calls':>6} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        f" {'finish p50':>10} {'pick query ms':>13} {'CPU queue':>9} {'rest*':>7}",
    ]
    for result in results:
        if len(result.call_next) < 2:
            lines.append(
                f"{result.waiting:>9,} {len(result.call_next):>6}"
                f" {sum(result.errors.values()):>6}  (too few to time)"
            )
            continue
        stats = summarise(result.call_next, result.wall)
        finish = summarise(result.finish, result.wall)
        calls = len(result.call_next)
        queue_cpu = result.cpu.get("queue", 0.0)
        rest = result.cpu.get("machine", 0.0) - sum(result.cpu.get(role, 0.0) for role in roles)
        lines.append(
            f"{result.waiting:>9,} {calls:>6} {sum(result.errors.values()):>6}"
            f" {stats['p50_ms']:8.2f} {stats['p99_ms']:8.2f}"
            f" {stats['max_ms']:8.2f} {finish['p50_ms']:10.2f} {result.query_ms:13.2f}"
            f" {queue_cpu * 1000 / calls:9.2f} {rest * 1000 / calls:7.2f}"
        )
    timed = [r for r in results if len(r.call_next) >= 2]
    if len(timed) >= 2:
        first, last = (summarise(r.call_next, r.wall)["p50_ms"] for r in (timed[0], timed[-1]))
        growth = last / first
        verdict = "flat" if growth < 1.5 else "grows with the line"
        lines.append(
            f"call-next p50 at {timed[-1].waiting:,} waiting / at {timed[0].waiting:,}:"
            f" ×{growth:.2f} ({verdict}); pick query alone ×"
            f"{timed[-1].query_ms / max(timed[0].query_ms, 1e-9):.1f}"
        )
    lines.append(
        "* rest: the machine's CPU time besides client, gateway, queue and relay: RabbitMQ, the"
        " database server (when PostgreSQL), the kernel, anything else running"
    )

    if statement:
        lines += ["", "Pick query of call-next (QueueService._pick_next), as the driver got it:"]
        lines += ["  " + " ".join(statement[0].split()), f"  parameters: {statement[1]}"]
    for result in results:
        if result.plan:
            lines += ["", f"Plan with {result.waiting:,} waiting:"]
            lines += [f"  {row}" for row in result.plan]
    lines += ["", *checks]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
