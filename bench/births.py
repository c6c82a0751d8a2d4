"""Birth registrations per second through the whole mall: HTTP, gateway, RabbitMQ, registry.

What is measured: the time from sending ``POST /api/v1/births`` (a registrar's bearer token,
a child of one mother born today) to holding the ``201`` reply, made ``--births`` times one
after another (sequential, one thread) and ``--concurrent-births`` times over
``--concurrency`` threads (concurrent), each thread with its own ``requests.Session`` (a
kept-alive connection). Latency percentiles are per request; throughput is births / wall time.

Each birth crosses everything a real one does: gunicorn's gthread worker checks the token
and the body, calls ``civil_registry.register_birth`` over RabbitMQ (a confirmed, persistent
publish), and the nameko service, in one transaction, allocates the NIK serial and the
certificate number (sequence rows that all births of the region and day update), writes the
child, the family membership, the certificate, the audit entry and the outbox event, commits
and replies. The outbox relay publishes the events alongside, as it does in production.

How to read it: the sequential p50 is the cost of one birth with nothing else going on; the
concurrent rows show how far the mall scales when births queue. If the concurrent throughput
is barely above 1000 / sequential p50, births are serialised somewhere (the sequence rows,
SQLite's single writer, one eventlet hub blocked by a synchronous database driver); then the
concurrent p50 grows with ``--concurrency`` while births/s stays put. ``--instances`` adds
nameko processes (competing consumers) to see whether the service is the limit. Everything
(the client included) shares the machine's cores, so figures are for comparing runs on one
machine, not capacity planning.

The CPU table says where the time goes: CPU milliseconds per birth of this process (the
HTTP client), the gunicorn master and workers, the registry's nameko processes, the outbox
relay and the rest of the machine (RabbitMQ, PostgreSQL, the kernel; read from /proc, so
Linux only), and how busy all cores were. A nameko process runs Python on one core, so a
registry at 10 ms per birth cannot pass about 100 births/s per instance, however many
threads call it; a machine near 100 % busy is the limit whatever the processes.

The run checks its result: every response must be 201, every NIK and certificate number
distinct, the family card must list every child, and the outbox must drain; anything else
is reported and the exit status is 1.

The mall is started the way users start it, as separate processes configured by environment
variables: a fresh RabbitMQ vhost made through the management API, a fresh database
(``--db sqlite``: a temporary file; ``--db postgresql``: a new database ``mpp_bench_<hex>``),
``python -m chassis.migrate civil_registry``, ``--instances`` times ``nameko run`` of the
registry, its outbox relay and gunicorn on a free port, with a random ``JWT_SECRET``.
Processes, vhost, database and temporary files are removed on exit, error, Ctrl-C or
SIGTERM (``bench.mall``, shared with ``bench.applications``). Run from the project root:
``.venv/bin/python -m bench.births``.
"""

import argparse
import sys
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests

from bench.harness import summarise
from bench.mall import (
    REQUEST_TIMEOUT,
    REST_FOOTNOTE,
    CpuMeter,
    Mall,
    add_mall_arguments,
    body,
    cpu_table,
    created,
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
from chassis.clock import today
from chassis.config import config_path, load_config

SERVICE = "civil_registry"
MOTHER = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
}
FAMILY_CARD = {"number": "3314010101200001", "address": "Jl. Sukowati 1, Sragen"}
BIRTH_PLACE = "RSUD Sragen"
MAX_BIRTHS = 9000  # NIK serials are 0001-9999 per region, birth date and sex


@dataclass
class Phase:
    """The outcome of one mode: per-request latency (s), status and body, and wall time."""

    mode: str
    threads: int
    latencies: list[float] = field(default_factory=list)
    outcomes: list[tuple[int, Any]] = field(default_factory=list)  # (status, body or error)
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process, "machine"

    @property
    def created(self) -> list[dict]:
        return [body for status, body in self.outcomes if status == 201]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    return guarded_main(lambda stack: run(stack, args, started))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.births", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--births", type=two_or_more, default=300, help="sequential births")
    parser.add_argument(
        "--concurrent-births", type=two_or_more, default=600, help="concurrent births in all"
    )
    parser.add_argument("--concurrency", type=positive, default=16, help="concurrent threads")
    parser.add_argument(
        "--warmup", type=non_negative, default=10, help="untimed births before the first phase"
    )
    add_mall_arguments(
        parser, db_help="registry database", instances_help="nameko run processes of the registry"
    )
    args = parser.parse_args(argv)
    total = args.warmup + args.births + args.concurrent_births
    if total > MAX_BIRTHS:
        parser.error(
            f"{total} births asked for (warm-up {args.warmup} + {args.births} sequential +"
            f" {args.concurrent_births} concurrent); at most {MAX_BIRTHS} fit in one run: all"
            " children share a region and a birth date, whose NIK serials run 0001-9999"
        )
    return args


def run(stack: ExitStack, args: argparse.Namespace, started: float) -> tuple[str, bool]:
    """Start the mall, register the births, check them; return the report and whether ok."""
    mall = start_mall(stack, args, {SERVICE: args.instances}, "births")
    base = mall.base
    say(f"mall up after {time.monotonic() - started:.1f} s, gateway at {base}")

    token = mall.token(Actor(id="bench-registrar", role="registrar", agency="disdukcapil"))
    mother_id, card_id = set_up_family(base, token)

    born = today()  # the mall's day (Asia/Jakarta): a later birth date would be refused
    meter = CpuMeter(
        {
            "gateway": mall.pids("gateway"),
            "registry": mall.pids(f"{SERVICE}."),
            "relay": mall.pids(f"{SERVICE}_relay"),
        }
    )
    phases = []
    if args.warmup:
        births(base, token, mother_id, born, "warm-up", args.warmup, 1, 0, meter)
        mall.check_alive()
    for mode, count, threads, first in (
        ("sequential", args.births, 1, args.warmup),
        ("concurrent", args.concurrent_births, args.concurrency, args.warmup + args.births),
    ):
        phase = births(base, token, mother_id, born, mode, count, threads, first, meter)
        phases.append(phase)
        mall.check_alive()
        stats = summarise(phase.latencies, phase.wall)
        say(
            f"{mode:<10} {threads:>3} threads  p50 {stats['p50_ms']:7.2f} ms"
            f"  p99 {stats['p99_ms']:7.2f} ms  {stats['throughput']:6.1f} births/s"
        )
    checks, ok = verify(phases, args, base, token, card_id, mall.database_urls[SERVICE])
    header = describe(args, mall, time.monotonic() - started)
    return report(header, phases, checks), ok


# --- the births -------------------------------------------------------------------------


def set_up_family(base: str, token: str) -> tuple[str, str]:
    """Register the mother and her family card over HTTP; return their ids."""
    with session(token) as http:
        mother = created(http.post(f"{base}/api/v1/residents", json=MOTHER, timeout=30))
        card = {**FAMILY_CARD, "head_id": mother["id"]}
        family = created(http.post(f"{base}/api/v1/family-cards", json=card, timeout=30))
    return mother["id"], family["id"]


def births(
    base: str,
    token: str,
    mother_id: str,
    born: date,
    mode: str,
    count: int,
    threads: int,
    first: int,
    meter: CpuMeter,
) -> Phase:
    """POST ``count`` births over ``threads`` threads, each with its own session, after a
    common start line; numbered from ``first`` so children's names stay unique."""
    url = f"{base}/api/v1/births"

    def birth(http: requests.Session, n: int) -> tuple[float, tuple[int, Any]]:
        n += first
        payload = {
            "full_name": f"Bayi {n + 1}",
            "sex": "FM"[n % 2],
            "birth_date": born.isoformat(),
            "birth_place": BIRTH_PLACE,
            "mother_id": mother_id,
        }
        began = time.perf_counter()
        try:
            response = http.post(url, json=payload, timeout=REQUEST_TIMEOUT)
            outcome = (response.status_code, body(response))
        except requests.RequestException as exc:
            outcome = (0, f"{type(exc).__name__}: {exc}")
        return time.perf_counter() - began, outcome

    load = run_load(
        count,
        threads,
        lambda: session(token),
        f"{base}/api/v1/residents/{mother_id}",
        birth,
        meter,
        f"{mode} births",
    )
    phase = Phase(mode, threads, wall=load.wall, cpu=load.cpu)
    for latency, outcome in load.results:
        phase.latencies.append(latency)
        phase.outcomes.append(outcome)
    return phase


# --- checks and report --------------------------------------------------------------------


def verify(
    phases: list[Phase],
    args: argparse.Namespace,
    base: str,
    token: str,
    card_id: str,
    database_url: str,
) -> tuple[list[str], bool]:
    """Check every birth of the timed phases plus the mall's state; return lines and ok."""
    sent = sum(len(p.outcomes) for p in phases) + args.warmup
    created = [body for p in phases for body in p.created]
    niks = {body["child"]["nik"] for body in created}
    numbers = {body["certificate"]["number"] for body in created}
    lines = [
        f"responses: {len(created)} of {sent - args.warmup} timed births 201;"
        f" {len(niks)} distinct NIKs, {len(numbers)} distinct certificate numbers"
    ]
    ok = len(created) == len(niks) == len(numbers) == sent - args.warmup
    failures = Counter(
        (status, error_text(body)) for p in phases for status, body in p.outcomes if status != 201
    )
    for (status, error), times in failures.most_common(5):
        lines.append(f"  error ×{times}: {status or 'no response'} {error}")
    if len(failures) > 5:
        lines.append(f"  ... and {len(failures) - 5} other kinds of error")

    with session(token) as http:
        response = http.get(f"{base}/api/v1/family-cards/{card_id}", timeout=60)
    children = sum(m["relationship"] == "child" for m in body(response).get("members", []))
    expected = len(created) + args.warmup
    ok &= children == expected
    lines.append(f"family card: {children} children listed (expected {expected}, warm-up included)")

    total, pending, waited = drain_outbox(database_url)
    ok &= pending == 0
    if pending:
        lines.append(f"outbox: {pending} of {total} events still unpublished after {waited:.0f} s")
    else:
        lines.append(f"outbox: all {total} events published ({waited:.1f} s after the last birth)")
    return lines, ok


def describe(args: argparse.Namespace, mall: Mall, elapsed: float) -> str:
    """The header: what ran where, with which versions."""
    gateway = load_config(config_path("gateway"))  # read as the children read it
    service = load_config(config_path(SERVICE))
    database = database_description(args.db, mall.database_urls[SERVICE])
    return "\n".join(
        [
            f"Births through the gateway: POST /api/v1/births; whole run {elapsed:.0f} s",
            platform_line(mall),
            f"database: {database}; registry: {args.instances} instance(s) of nameko run,"
            f" max_workers {service['max_workers']}; gateway: gunicorn gthread"
            f" {gateway['WORKERS']} workers × {gateway['THREADS']} threads",
            f"sequential: {args.births} births, 1 thread; concurrent: {args.concurrent_births}"
            f" births, {args.concurrency} threads; {args.warmup} untimed warm-up births first",
        ]
    )


def report(header: str, phases: list[Phase], checks: list[str]) -> str:
    lines = [
        "",
        header,
        "",
        f"{'mode':<11} {'threads':>7} {'births':>7} {'201':>6} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'max ms':>8} {'births/s':>9}",
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
        f"concurrent/sequential births/s: ×{rates['concurrent'] / rates['sequential']:.2f}"
    )
    if all(phase.cpu for phase in phases):
        roles = ("client", "gateway", "registry", "relay")
        lines += cpu_table(
            "birth", roles, [(p.mode, len(p.outcomes), p.cpu, p.wall) for p in phases]
        )
        lines.append(REST_FOOTNOTE)
    lines += ["", *checks]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
