"""A citizen's visit end to end through the mall: open and closed model, and raw RPC.

The visit runs at a constant arrival rate (open model) and at maximum throughput (closed
model), and beside it the raw RPC round trip of ``bench.rpc_roundtrip``.

What is measured: one virtual citizen's visit, seven HTTP requests to the gateway made one
after another, each timed on its own (the operation), and the visit as a whole:

    sign-in   POST /api/v1/sessions {login: NIK, password}             expect 201, tokens
    ticket    POST /api/v1/tickets {service_code}                       expect 201
    booking   POST /api/v1/bookings {service_code, starts_at}           expect 201
    create    POST /api/v1/applications (NIB: low risk, free)           expect 201
    upload    POST /api/v1/applications/<id>/documents (multipart, ktp) expect 201
    submit    POST /api/v1/applications/<id>/actions {action: submit}   expect 200, "issued"
    status    GET /api/v1/applications/<id>                             expect 200, "issued"

Every request after the sign-in carries the access token the sign-in returned. Anything
else is an error (a non-2xx, a 2xx other than the expected one, no response within
``REQUEST_TIMEOUT``, or a body that says otherwise, e.g. a submission not issued), counted
by operation and status; a visit stops at its first error. Latency percentiles are over
every request of the operation, errors included; requests/s is requests / the phase's wall
time.

Visits are handed out in order: visit k is citizen k mod C (C citizen accounts) and takes
seat k of the bookable seats (from tomorrow, day by day, slot by slot, every service line's
seats of the slot, as the queue's opening hours, holidays, slot length and capacity say);
its ticket is for the same service line. As C is at least a day's seats, a citizen never
books one service twice in a day. The upload is a fresh ``--document-kb`` PDF (one page
and an attached file of random bytes) each time, so every file is new to the document store.

The phases, in one run:

1. **RPC baseline** (before the mall starts, on a quiet machine): ``bench.rpc_roundtrip``'s
   own run with fewer calls (``--rpc-calls`` sequential, ``--rpc-concurrent-calls`` over
   16 threads): raw kombu client -> raw kombu server, the gateway's ``RpcClient`` -> a
   nameko service and nameko's ``ClusterRpcProxy`` -> a nameko service, echoing a small
   int. Each operation crosses this round trip as many times as its "RPC hops" say
   (create: gateway -> licensing -> civil registry), plus its own work.
2. **Warm-up**: ``--warmup`` untimed visits over two threads (each gunicorn worker's RPC
   client, the databases' caches).
3. **Open model**: visits arrive at ``--rate`` per second for ``--seconds``, each on a new
   connection, started on schedule whether or not earlier ones have finished (up to
   ``--max-in-flight`` at once); the sign-in is timed from the visit's due time, so a late
   start counts. The report gives the offered and the achieved arrival rate, the start lag
   (how late visits began: near 0 when the client kept up) and how many were in flight at
   most. Below the mall's capacity latencies stay near the unloaded ones; above it visits
   pile up, latencies grow with the run, and what completes per second is the capacity.
4. **Closed model**: ``--threads`` threads, each with a kept-alive connection, make visits
   back to back for ``--seconds``: the throughput is the mall's maximum for this mix at
   that concurrency, the latencies are what that concurrency costs.

Sign-in is deliberately dear: argon2id with ``PASSWORD_MEMORY_KIB`` (19 MiB) and
``PASSWORD_TIME_COST`` (2 passes) per verification. Below each phase, its share: of the
requests, of the summed request time, and of the CPU (one verification timed in this
process, times the sign-ins, against the gateway's and the machine's CPU time).

The CPU table gives CPU milliseconds per visit of this process (the HTTP client), the
gunicorn master and workers, each service's nameko process, the three outbox relays and the
rest of the machine (RabbitMQ, PostgreSQL, the kernel; read from /proc, so Linux only), and
how busy all cores were. Everything shares the machine's cores, so figures are for
comparing runs on one machine, not capacity planning.

The run checks its result: no errors; as many tickets, bookings, permits, sign-in sessions
and stored documents as requests that succeeded (warm-up included); every outbox drained.
Anything else is reported and the exit status is 1.

The mall is started as users start it (``bench.mall``): a fresh RabbitMQ vhost, fresh
databases for the three services and the gateway (``--db sqlite``: temporary files;
``--db postgresql``: new databases ``mpp_bench_<hex>``), each migrated with
``python -m chassis.migrate``, one ``nameko run`` per service, three outbox relays and
gunicorn on a free port. Seeded: the queue's agencies, lines, counters and opening hours
and the permit types (``scripts.demo_data``), the named demo residents and a synthetic
population (``--families``) in the civil registry, and in the gateway's database the demo
accounts and a citizen account for every adult (password ``DEMO_PASSWORD``). Processes,
vhosts, databases and temporary files are removed on exit, error, Ctrl-C or SIGTERM.
Run from the project root:
``.venv/bin/python -m bench.e2e_mix [--db sqlite|postgresql] [--seconds N] [--rate R]
[--threads T]``.
"""

import argparse
import statistics
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, select
from sqlalchemy import text as sql

from bench import rpc_roundtrip
from bench.documents import fresh_pdf
from bench.harness import summarise
from bench.mall import (
    REQUEST_TIMEOUT,
    REST_FOOTNOTE,
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
    run_open,
    say,
    seed_accounts,
    session,
    start_mall,
)
from chassis.clock import MALL_TIME
from chassis.config import config_path, load_config
from chassis.database import make_engine, session_factory
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, RESIDENTS, seed
from services.civil_registry import population
from services.queue.models import Holiday, OpeningHours, ServiceLine

OPERATIONS = ("sign-in", "ticket", "booking", "create", "upload", "submit", "status")
EXPECTED = {
    "sign-in": 201,
    "ticket": 201,
    "booking": 201,
    "create": 201,
    "upload": 201,
    "submit": 200,
    "status": 200,
}
RPC_HOPS = {  # RabbitMQ round trips behind each operation
    "sign-in": 0,
    "ticket": 1,
    "booking": 1,
    "create": 2,  # licensing asks the civil registry
    "upload": 1,
    "submit": 1,
    "status": 1,
}
SERVICES = ("civil_registry", "licensing", "queue")
PERMIT_TYPE = next(t for t in PERMIT_TYPES if t.code == "NIB")
DOCUMENT_KIND = "ktp"
ADULT_AGE = 17  # who gets a citizen account
RPC_ROWS = (  # (client, server) of the baseline shown, in order
    ("raw kombu", "raw kombu"),
    ("gateway RpcClient", "nameko"),
    ("nameko ClusterRpcProxy", "nameko"),
)
GATEWAY_CLIENT = ("gateway RpcClient", "nameko")  # what the gateway really does
ARGON2_SAMPLES = 5
CLOSED_VISITS_CAP = 100_000  # per thread: the closed phase ends by time, not count


@dataclass
class Request:
    operation: str
    status: int  # 0: no response
    seconds: float
    error: str | None = None  # None when as expected; else the status, as reported


@dataclass
class Visit:
    """One citizen's visit: its requests in order and, if one went wrong, what."""

    k: int
    requests: list[Request] = field(default_factory=list)
    failure: str | None = None  # "<operation>: <error> <message>"
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return self.failure is None and len(self.requests) == len(OPERATIONS)


@dataclass
class Phase:
    mode: str
    visits: list[Visit]
    wall: float
    cpu: dict[str, float]
    note: str = ""  # how the load was offered


@dataclass(frozen=True)
class Citizen:
    nik: str
    full_name: str
    birth_date: str


@dataclass(frozen=True)
class Plan:
    """What visit ``k`` does: who, which service line, which seat."""

    k: int
    citizen: Citizen
    service_code: str
    starts_at: datetime


class Visits:
    """Hands out visits in order (thread-safe): visit k is citizen k mod C in seat k."""

    def __init__(self, citizens: list[Citizen], seats: "Seats"):
        self.citizens, self.seats = citizens, seats
        self.lock = threading.Lock()
        self.count = 0

    def next(self) -> Plan:
        with self.lock:
            k, self.count = self.count, self.count + 1
            service_code, starts_at = self.seats.seat(k)
        return Plan(k, self.citizens[k % len(self.citizens)], service_code, starts_at)


class Seats:
    """Bookable seats from ``first_day`` on, in order: day, slot time, service line, seat.

    Read from the queue's database (lines' slot length and capacity, opening hours,
    holidays), so each seat is one the queue accepts."""

    def __init__(self, database_url: str, first_day: date):
        engine = make_engine(database_url)
        try:
            with session_factory(engine, "bench")() as db:
                self.lines = [
                    (line.code, line.slot_minutes, line.slot_capacity)
                    for line in db.scalars(select(ServiceLine).order_by(ServiceLine.prefix))
                ]
                self.hours = {
                    h.weekday: (h.opens, h.closes) for h in db.scalars(select(OpeningHours))
                }
                self.holidays = set(db.scalars(select(Holiday.day).where(~Holiday.removed)))
        finally:
            engine.dispose()
        if not self.lines or not self.hours:
            raise BenchError("the queue has no service lines or no opening hours: seed it first")
        self.day = first_day
        self.taken: list[tuple[str, datetime]] = []

    def seat(self, k: int) -> tuple[str, datetime]:
        while len(self.taken) <= k:
            self.taken += self.of_day(self.day)
            self.day += timedelta(days=1)
        return self.taken[k]

    def of_day(self, day: date) -> list[tuple[str, datetime]]:
        hours = self.hours.get(day.weekday())
        if hours is None or day in self.holidays:
            return []
        opens = datetime.combine(day, hours[0], tzinfo=MALL_TIME)
        closes = datetime.combine(day, hours[1], tzinfo=MALL_TIME)
        seats = []
        for order, (code, minutes, capacity) in enumerate(self.lines):
            starts = opens
            while starts + timedelta(minutes=minutes) <= closes:
                seats += [(starts, order, code)] * capacity
                starts += timedelta(minutes=minutes)
        return [(code, starts) for starts, _, code in sorted(seats, key=lambda s: s[:2])]

    def most_in_a_day(self) -> int:
        week = [self.day + timedelta(days=n) for n in range(7)]
        return max(len(self.of_day(day)) for day in week)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    return guarded_main(lambda stack: run(stack, args, started))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.e2e_mix", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument(
        "--seconds", type=positive, default=40, help="length of each phase (open, closed)"
    )
    parser.add_argument(
        "--rate", type=positive_float, default=3.0, help="visits per second of the open model"
    )
    parser.add_argument("--threads", type=positive, default=8, help="threads of the closed model")
    parser.add_argument(
        "--max-in-flight",
        type=positive,
        default=256,
        help="open model: visits running at once at most (then arrivals start late)",
    )
    parser.add_argument(
        "--warmup", type=non_negative, default=10, help="untimed visits before the phases"
    )
    parser.add_argument(
        "--families",
        type=positive,
        default=400,
        help="synthetic families in the civil registry; each adult gets an account",
    )
    parser.add_argument(
        "--document-kb", type=positive, default=8, help="size of each uploaded PDF, in KiB"
    )
    parser.add_argument(
        "--rpc-calls", type=non_negative, default=300, help="baseline: sequential calls per row"
    )
    parser.add_argument(
        "--rpc-concurrent-calls",
        type=non_negative,
        default=600,
        help="baseline: concurrent calls per row (16 threads); 0 with --rpc-calls 0: no baseline",
    )
    add_mall_arguments(
        parser,
        db_help="every service's database and the gateway's",
        instances_help="nameko run processes of each service",
    )
    args = parser.parse_args(argv)
    if args.document_kb * 1024 > int(load_config(config_path("gateway"))["MAX_DOCUMENT_BYTES"]):
        parser.error("--document-kb is above the gateway's MAX_DOCUMENT_BYTES")
    if (args.rpc_calls == 0) != (args.rpc_concurrent_calls == 0):
        parser.error("--rpc-calls and --rpc-concurrent-calls: both 0 (no baseline) or neither")
    if 0 < min(args.rpc_calls, args.rpc_concurrent_calls) < 2:
        parser.error("the baseline needs at least 2 calls per mode (for percentiles)")
    return args


def positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return number


def run(stack: ExitStack, args: argparse.Namespace, started: float) -> tuple[str, bool]:
    """Measure the RPC baseline, start and seed the mall, run both models, check; report."""
    baseline = rpc_baseline(args)
    if baseline:
        say(f"RPC baseline done after {time.monotonic() - started:.1f} s")
    services = {service: args.instances for service in SERVICES}
    mall = start_mall(
        stack,
        args,
        services,
        "e2e",
        lambda workdir: {"DOCUMENT_STORE": str(workdir / "documents")},  # gateway and licensing
    )
    citizens, password = seed_mall(mall, args.families)
    seats = Seats(mall.database_urls["queue"], datetime.now(MALL_TIME).date() + timedelta(days=1))
    if len(citizens) < seats.most_in_a_day():
        raise BenchError(
            f"{len(citizens)} citizens, fewer than a day's {seats.most_in_a_day()} seats:"
            " raise --families"
        )
    visits = Visits(citizens, seats)
    argon2_ms = argon2_cpu_ms(mall)
    say(
        f"mall up and seeded after {time.monotonic() - started:.1f} s: {len(citizens)} citizen"
        f" accounts; argon2id verification {argon2_ms:.0f} ms CPU here"
    )
    meter = CpuMeter(
        {
            "gateway": mall.pids("gateway"),
            "registry": mall.pids("civil_registry."),
            "licensing": mall.pids("licensing."),
            "queue": mall.pids("queue."),
            "relays": mall.pids(*(f"{service}_relay" for service in SERVICES)),
        }
    )
    size = args.document_kb * 1024

    def visit(http: requests.Session, due: float | None = None) -> Visit:
        return make_visit(http, mall.base, visits.next(), password, size, due)

    warm_url = f"{mall.base}/api/v1/permit-types"
    warmup: list[Visit] = []
    if args.warmup:
        warmup = run_load(
            args.warmup, 2, session, warm_url, lambda http, n: visit(http), meter, "warm-up"
        ).results
        mall.check_alive()

    def open_visit(n: int, due: float) -> Visit:
        with session() as http:  # a citizen's own connection
            return visit(http, due)

    say(f"open model: {args.rate:g} visits/s for {args.seconds} s")
    offered = run_open(args.rate, args.seconds, open_visit, meter, args.max_in_flight)
    mall.check_alive()
    done = [v for v in offered.results if v is not None]
    starts = sorted(n / args.rate + lag for n, lag in enumerate(offered.lags))
    achieved = (len(starts) - 1) / (starts[-1] - starts[0]) if len(starts) > 1 else 0.0
    lags = sorted(lag * 1000 for lag in offered.lags)
    # the window the load was offered in, or longer if the last visits ended after it
    wall = max(offered.wall, len(offered.results) / args.rate)
    note = (
        f"offered {args.rate:g} visits/s for {args.seconds} s ({len(offered.results)} visits);"
        f" achieved {achieved:.2f} visits/s started, start lag p50 {_pct(lags, 50):.1f} ms,"
        f" p99 {_pct(lags, 99):.1f} ms, max {lags[-1]:.1f} ms; at most"
        f" {offered.most_in_flight} in flight; the last ended"
        f" {offered.wall - offered.span:.1f} s after the last arrival"
    )
    open_phase = Phase("open", done, wall, offered.cpu, note)
    say(summary_line(open_phase))

    say(f"closed model: {args.threads} threads for {args.seconds} s")
    closed = run_load(
        args.threads * CLOSED_VISITS_CAP,
        args.threads,
        session,
        warm_url,
        lambda http, n: visit(http),
        meter,
        "closed-model visits",
        seconds=args.seconds,
    )
    mall.check_alive()
    note = f"{args.threads} threads, visits back to back for {args.seconds} s"
    closed_phase = Phase("closed", closed.results, closed.wall, closed.cpu, note)
    say(summary_line(closed_phase))

    phases = [open_phase, closed_phase]
    checks, ok = verify(mall, phases, warmup)
    header = describe(args, mall, len(citizens), time.monotonic() - started)
    return report(header, phases, baseline, argon2_ms, checks), ok


# --- the mall's data ----------------------------------------------------------------------


def seed_mall(mall: Mall, families: int) -> tuple[list[Citizen], str]:
    """The demo data each service needs, a population, and an account for every adult."""
    seed(mall.database_urls["queue"], QUEUE_SETUP)
    seed(mall.database_urls["licensing"], PERMIT_TYPES)
    seed(mall.database_urls["civil_registry"], RESIDENTS)
    people = population.generate(7, families, taken={r.nik for r in RESIDENTS})
    population.load(mall.database_urls["civil_registry"], people)
    today = date.today()
    born_by = date(today.year - ADULT_AGE, today.month, min(today.day, 28))
    adults = [r for r in people.residents if r.birth_date <= born_by and r.status == "alive"]
    password = seed_accounts(mall, adults)
    citizens = [Citizen(r.nik, r.full_name, r.birth_date.isoformat()) for r in adults]
    return citizens, password


def argon2_cpu_ms(mall: Mall) -> float:
    """CPU time of one argon2id verification at the gateway's cost, in this process."""
    from gateway.identity import passwords

    hasher = passwords.hasher(mall.gateway_config())
    stored = hasher.hash("a benchmark's password")
    times = []
    for _ in range(ARGON2_SAMPLES):
        began = time.thread_time()
        hasher.verify(stored, "a benchmark's password")
        times.append(time.thread_time() - began)
    return statistics.median(times) * 1000


@dataclass
class Baseline:
    rows: dict[tuple[str, str, str], dict]  # (client, server, mode) -> bench.rpc_roundtrip row
    threads: int  # of the concurrent mode


def rpc_baseline(args: argparse.Namespace) -> Baseline | None:
    """``bench.rpc_roundtrip``'s own run with this run's counts, or None if not asked."""
    if not args.rpc_calls:
        return None
    argv = ["--calls", str(args.rpc_calls), "--concurrent-calls", str(args.rpc_concurrent_calls)]
    argv += ["--amqp-uri", args.amqp_uri]
    if args.management_url:
        argv += ["--management-url", args.management_url]
    say("RPC baseline (bench.rpc_roundtrip) before the mall starts")
    rpc_args = rpc_roundtrip.parse_args(argv)
    try:
        rows, _broker = rpc_roundtrip.run(rpc_args)
    except rpc_roundtrip.BenchError as exc:
        raise BenchError(f"RPC baseline: {exc}") from exc
    by_pairing = {(r["client"], rpc_roundtrip.SERVERS[r["server"]], r["mode"]): r for r in rows}
    return Baseline(by_pairing, rpc_args.concurrency)


# --- a visit ------------------------------------------------------------------------------


def make_visit(
    http: requests.Session,
    base: str,
    plan: Plan,
    password: str,
    document_size: int,
    due: float | None = None,
) -> Visit:
    """One citizen's visit, request by request; stops at the first unexpected reply.
    ``due`` (open model): when the visit was due to start; the sign-in is timed from it."""
    visit = Visit(plan.k)
    token: str | None = None

    def step(operation: str, method: str, path: str, check=None, began=None, **kwargs) -> Any:
        """Make the request; its body if as expected, else None (and the visit failed)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        began = time.perf_counter() if began is None else began
        try:
            response = http.request(
                method, f"{base}{path}", headers=headers, timeout=REQUEST_TIMEOUT, **kwargs
            )
            status, answer = response.status_code, body(response)
        except requests.RequestException as exc:
            status, answer = 0, f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - began
        error = None
        if status != EXPECTED[operation]:
            error = str(status) if status else f"no response ({answer.split(':')[0]})"
        elif check is not None and (wrong := check(answer)):
            error = f"{status} {wrong}"
        visit.requests.append(Request(operation, status, seconds, error))
        if error is not None:
            visit.failure = f"{operation}: {error} {error_text(answer)}"
            return None
        return answer

    def has(*keys: str):
        return lambda answer: (
            None
            if isinstance(answer, dict) and all(answer.get(k) for k in keys)
            else f"without {', '.join(keys)}"
        )

    def issued(answer: Any) -> str | None:
        status = answer.get("status") if isinstance(answer, dict) else None
        return None if status == "issued" else f"application {status}, not issued"

    citizen = plan.citizen
    first = time.perf_counter() if due is None else due
    try:
        signed_in = step(
            "sign-in",
            "POST",
            "/api/v1/sessions",
            has("access_token"),
            began=first,
            json={"login": citizen.nik, "password": password},
        )
        if signed_in is None:
            return visit
        token = signed_in["access_token"]
        line = {"service_code": plan.service_code}
        if step("ticket", "POST", "/api/v1/tickets", has("id"), json=line) is None:
            return visit
        booking = {**line, "starts_at": plan.starts_at.isoformat()}
        if step("booking", "POST", "/api/v1/bookings", has("code"), json=booking) is None:
            return visit
        draft = {
            "permit_type": PERMIT_TYPE.code,
            "applicant_nik": citizen.nik,
            "applicant_name": citizen.full_name,
            "applicant_birth_date": citizen.birth_date,
        }
        if (
            application := step("create", "POST", "/api/v1/applications", has("id"), json=draft)
        ) is None:
            return visit
        path = f"/api/v1/applications/{application['id']}"
        document = fresh_pdf(document_size)
        upload = {"file": (f"{DOCUMENT_KIND}-{plan.k}.pdf", document, "application/pdf")}
        if (
            step("upload", "POST", f"{path}/documents", files=upload, data={"kind": DOCUMENT_KIND})
            is None
        ):
            return visit
        if step("submit", "POST", f"{path}/actions", issued, json={"action": "submit"}) is None:
            return visit
        step("status", "GET", path, issued)
        return visit
    finally:
        visit.seconds = time.perf_counter() - first


# --- checks and report --------------------------------------------------------------------


def verify(mall: Mall, phases: list[Phase], warmup: list[Visit]) -> tuple[list[str], bool]:
    """No errors; the databases hold what the successful requests made; outboxes drained."""
    lines, ok = [], True
    every = warmup + [visit for phase in phases for visit in phase.visits]
    succeeded = Counter(
        request.operation for visit in every for request in visit.requests if not request.error
    )
    failed = [visit for visit in every if visit.failure]
    ok &= not failed
    lines.append(
        f"visits: {len(every)} ({len(warmup)} warm-up), {sum(v.complete for v in every)}"
        f" complete, {len(failed)} with an error"
    )
    for failure, times in Counter(v.failure for v in failed).most_common(5):
        lines.append(f"  error ×{times}: {failure}")
    counts = {
        ("queue", "tickets"): "ticket",
        ("queue", "bookings"): "booking",
        ("licensing", "applications"): "create",
        ("licensing", "permits"): "submit",
        ("gateway", "sign_in_sessions"): "sign-in",
    }
    found = []
    for (database, table), operation in counts.items():
        url = mall.gateway_database_url if database == "gateway" else mall.database_urls[database]
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(sql(f"SELECT count(*) FROM {table}")).scalar()
        finally:
            engine.dispose()
        ok &= rows == succeeded[operation]
        found.append(f"{table} {rows}/{succeeded[operation]}")
    store = Path(mall.env["DOCUMENT_STORE"])
    files = sum(1 for f in store.rglob("*") if f.is_file() and len(f.name) == 64)
    ok &= files == succeeded["upload"]
    found.append(f"stored documents {files}/{succeeded['upload']}")
    lines.append("rows made / requests that succeeded: " + ", ".join(found))
    for service in SERVICES:
        total, pending, waited = drain_outbox(mall.database_urls[service])
        ok &= pending == 0
        lines.append(
            f"{service} outbox: {total - pending} of {total} events published"
            f" ({waited:.1f} s after the last visit)"
        )
    return lines, ok


def describe(args: argparse.Namespace, mall: Mall, citizens: int, elapsed: float) -> str:
    gateway = load_config(config_path("gateway"))
    workers = {s: load_config(config_path(s))["max_workers"] for s in SERVICES}
    database = database_description(args.db, mall.database_urls["licensing"])
    return "\n".join(
        [
            f"A citizen's visit through the mall ({', '.join(OPERATIONS)}); whole run"
            f" {elapsed:.0f} s",
            platform_line(mall),
            f"database: {database}, one per service and one for the gateway;"
            f" {args.instances} nameko run per service (max_workers "
            + ", ".join(f"{s} {w}" for s, w in workers.items())
            + f"); gateway: gunicorn gthread {gateway['WORKERS']} workers ×"
            f" {gateway['THREADS']} threads",
            f"sign-in: argon2id {gateway['PASSWORD_MEMORY_KIB']} KiB,"
            f" {gateway['PASSWORD_TIME_COST']} passes; {citizens} citizen accounts; upload:"
            f" {args.document_kb} KiB PDF; permit: {PERMIT_TYPE.code} (issued on submission);"
            f" {args.warmup} untimed warm-up visits first",
        ]
    )


def report(
    header: str,
    phases: list[Phase],
    baseline: Baseline | None,
    argon2_ms: float,
    checks: list[str],
) -> str:
    lines = ["", header]
    for phase in phases:
        lines += ["", f"{phase.mode} model: {phase.note}", *phase_table(phase)]
        lines += sign_in_share(phase, argon2_ms)
    if all(phase.cpu for phase in phases):
        roles = ("client", "gateway", "registry", "licensing", "queue", "relays")
        lines += cpu_table(
            "visit",
            roles,
            [(p.mode, max(1, len(p.visits)), p.cpu, p.wall) for p in phases],
            width=9,
        )
        lines.append(REST_FOOTNOTE)
    lines += rpc_tables(phases, baseline)
    lines += ["", *checks]
    return "\n".join(lines)


def phase_table(phase: Phase) -> list[str]:
    lines = [
        f"{'operation':<12} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'max ms':>8} {'errors':>6}"
    ]
    every = [request for visit in phase.visits for request in visit.requests]
    for operation in (*OPERATIONS, "total"):
        made = [r for r in every if operation in ("total", r.operation)]
        if operation == "total":
            lines.append("-" * 63)
        lines.append(_row(operation, made, phase.wall))
    complete = [visit.seconds for visit in phase.visits if visit.complete]
    stats = _stats(complete)
    lines.append(
        f"{'whole visit':<12} {len(complete):>8} {len(complete) / phase.wall:7.2f}"
        f" {_ms(stats, 'p50_ms'):>8} {_ms(stats, 'p99_ms'):>8} {_ms(stats, 'max_ms'):>8}"
        f" {sum(not v.complete for v in phase.visits):>6}"
    )
    errors = Counter((r.operation, r.error) for r in every if r.error)
    if errors:
        lines.append(
            "errors by status: "
            + "; ".join(f"{op} {error} ×{n}" for (op, error), n in sorted(errors.items()))
        )
    return lines


def sign_in_share(phase: Phase, argon2_ms: float) -> list[str]:
    every = [request for visit in phase.visits for request in visit.requests]
    sign_ins = [r for r in every if r.operation == "sign-in"]
    if not every:
        return []
    time_share = sum(r.seconds for r in sign_ins) / max(sum(r.seconds for r in every), 1e-9)
    argon2_s = argon2_ms / 1000 * len(sign_ins)
    cpu = phase.cpu
    parts = [
        f"sign-in share: {len(sign_ins) / len(every):.0%} of the requests,"
        f" {time_share:.0%} of the summed request time"
    ]
    if cpu.get("gateway"):
        parts.append(
            f"argon2id ≈ {argon2_ms:.0f} ms CPU each × {len(sign_ins)} ="
            f" {argon2_s / cpu['gateway']:.0%} of the gateway's CPU time,"
            f" {argon2_s / cpu['machine']:.0%} of the machine's"
        )
    return ["; ".join(parts)]


def rpc_tables(phases: list[Phase], baseline: Baseline | None) -> list[str]:
    if baseline is None:
        return ["", "RPC baseline: not measured (--rpc-calls 0)"]
    threads, rows = baseline.threads, baseline.rows
    lines = [
        "",
        f"RPC baseline (bench.rpc_roundtrip, before the mall started): echo of a small int,"
        f" sequential and concurrent ({threads} threads)",
        f"{'client -> server':<36} {'mode':<11} {'p50 ms':>7} {'p99 ms':>7} {'calls/s':>8}",
    ]
    for mode in ("sequential", "concurrent"):
        for client, server in RPC_ROWS:
            row = rows[(client, server, mode)]
            lines.append(
                f"{client + ' -> ' + server:<36} {mode:<11} {row['p50_ms']:7.2f}"
                f" {row['p99_ms']:7.2f} {row['throughput']:8.0f}"
            )
    seq = rows[(*GATEWAY_CLIENT, "sequential")]["p50_ms"]
    conc = rows[(*GATEWAY_CLIENT, "concurrent")]["p50_ms"]
    lines += [
        "",
        "side by side, p50 ms: each operation and its RPC hops at the gateway RpcClient ->"
        " nameko round trip's p50",
        f"{'operation':<12} {'hops':>4}"
        + "".join(f" {phase.mode + ' p50':>11}" for phase in phases)
        + f" {'hops×seq rt':>12} {'hops×conc rt':>13}",
    ]
    for operation in OPERATIONS:
        p50s = []
        for phase in phases:
            made = [r for v in phase.visits for r in v.requests if r.operation == operation]
            p50s.append(_ms(_stats([r.seconds for r in made]), "p50_ms"))
        hops = RPC_HOPS[operation]
        lines.append(
            f"{operation:<12} {hops:>4}"
            + "".join(f" {p50:>11}" for p50 in p50s)
            + f" {hops * seq:12.2f} {hops * conc:13.2f}"
        )
    return lines


def summary_line(phase: Phase) -> str:
    every = [request.seconds for visit in phase.visits for request in visit.requests]
    stats = _stats(every)
    errors = sum(1 for v in phase.visits for r in v.requests if r.error)
    return (
        f"{phase.mode:<6} {len(phase.visits)} visits, {len(every) / phase.wall:6.1f} requests/s,"
        f" p50 {_ms(stats, 'p50_ms')} ms, p99 {_ms(stats, 'p99_ms')} ms, {errors} errors"
    )


def _row(operation: str, made: list[Request], wall: float) -> str:
    stats = _stats([r.seconds for r in made])
    errors = sum(1 for r in made if r.error)
    return (
        f"{operation:<12} {len(made):>8} {len(made) / wall:7.2f} {_ms(stats, 'p50_ms'):>8}"
        f" {_ms(stats, 'p99_ms'):>8} {_ms(stats, 'max_ms'):>8} {errors:>6}"
    )


def _stats(latencies: list[float]) -> dict | None:
    return summarise(latencies, 1.0) if len(latencies) >= 2 else None


def _ms(stats: dict | None, key: str) -> str:
    return f"{stats[key]:.1f}" if stats else "-"


def _pct(sorted_values: list[float], percent: int) -> float:
    if len(sorted_values) < 2:
        return sorted_values[0] if sorted_values else 0.0
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[percent - 1]


if __name__ == "__main__":
    sys.exit(main())
