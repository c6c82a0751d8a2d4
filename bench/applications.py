"""Permit applications per second through the whole mall: draft, upload, submit, issued.

What is measured: one citizen's whole online application for a business identity number
(NIB, low risk, free), timed as one unit and per step, each step an HTTP request to the
gateway with the citizen's bearer token:

    create      POST /api/v1/applications                  (JSON)       expect 201
    upload ktp  POST /api/v1/applications/<id>/documents   (multipart)  expect 201
    submit      POST /api/v1/applications/<id>/actions     submit       expect 200, "issued"

(one upload step per document the permit type requires; the NIB needs only the KTP). Each
upload is a fresh ``--document-kb`` PDF (one page and an attached file of random bytes, made
before the clock starts), so every file is new to the store. The flow runs ``--applications`` times
one after another (sequential, one thread) and ``--concurrent-applications`` times over
``--concurrency`` threads (concurrent), each thread with its own ``requests.Session`` (a
kept-alive connection). Step latencies are per request; "whole flow" is the time from the
first request's start to the last reply, of flows that completed; submissions/s is issued
applications / wall time of the mode.

What each step crosses: **create** is the gateway's RPC to ``licensing.create_application``,
which first asks ``civil_registry.verify_identity`` over RabbitMQ (a second RPC hop) and
then writes the draft and its event. **upload** is the multipart body read by a gunicorn
thread, sniffed, hashed and written (fsync) into the content-addressed store on local disk,
then ``licensing.attach_document`` (the store is checked for the file, the reference
written). **submit** is ``licensing.act``: the application row locked, the checklist
checked, four transitions (submit, start verification and approval of a low-risk type,
issue), the yearly permit number drawn from one sequence row that every NIB issuance
updates, the permit and seven outbox events written, all in one transaction.

How to read it: the sequential rows are the cost of one application with nothing else going
on; their step p50s say which step is dear. If the concurrent submissions/s is barely above
1000 / sequential whole-flow p50, applications are serialised somewhere (SQLite's single
writer, the permit-number sequence row, one eventlet hub blocked by a synchronous database
driver, a single licensing process's CPU); then the concurrent p50s grow with
``--concurrency`` while submissions/s stays put. Compare the concurrent step p50s to see
where applications queue. ``--instances`` adds licensing processes (competing consumers;
the registry keeps one) to see whether the licensing service is the limit. Everything
(the client included) shares the machine's cores, so figures are for comparing runs on one
machine, not capacity planning.

The CPU table says where the time goes: CPU milliseconds per application of this process
(the HTTP client), the gunicorn master and workers, the licensing and registry nameko
processes, both outbox relays and the rest of the machine (RabbitMQ, PostgreSQL, the
kernel; read from /proc, so Linux only), and how busy all cores were. A nameko process runs
Python on one core: a licensing process at 35 ms per application cannot pass about 30
applications/s, however many threads call it.

The run checks its result: every step must answer its expected status and every
application end "issued"; the citizen's permit list (``GET /api/v1/permits``) must hold
exactly the permits the submissions named, with distinct, gapless numbers; a sample of
``GET /api/v1/permits/<id>`` must agree with it; the document store must hold one file per
upload; both outboxes must drain. Anything else is reported and the exit status is 1.

The mall is started as users start it (``bench.mall``, shared with ``bench.births``): a
fresh RabbitMQ vhost, fresh databases for the registry and licensing (``--db sqlite``:
temporary files; ``--db postgresql``: new databases ``mpp_bench_<hex>``), both migrated,
the registry, ``--instances`` licensing processes, both outbox relays and gunicorn on a free
port, configured by environment variables only (``DOCUMENT_STORE`` a temporary directory
shared by gateway and licensing, a random ``JWT_SECRET``). The permit types are seeded
(``scripts.demo_data``) and the applicant is registered over HTTP by a registrar.
Processes, vhost, databases and temporary files are removed on exit, error, Ctrl-C or
SIGTERM. Run from the project root: ``.venv/bin/python -m bench.applications``.
"""

import argparse
import random
import re
import sys
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.documents import fresh_pdf
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
from chassis.config import config_path, load_config
from scripts.demo_data import PERMIT_TYPES, seed

PERMIT_TYPE = next(t for t in PERMIT_TYPES if t.code == "NIB")
APPLICANT = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
}
SERVICES = ("civil_registry", "licensing")
SAMPLE_PERMITS = 20  # permits read one by one at the end
EVENTS_PER_APPLICATION = 7  # created, submitted, 4 status changes, permit issued


@dataclass
class Flow:
    """One application: each step's latency (s) and status, and how it ended."""

    steps: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)  # 0: no response
    total: float = 0.0
    failure: str | None = None  # the first step that went wrong, with status and error
    application_id: str | None = None
    final_status: str | None = None
    permit_id: str | None = None

    @property
    def issued(self) -> bool:
        return self.failure is None and self.final_status == "issued" and bool(self.permit_id)


@dataclass
class Phase:
    """The flows of one mode, its wall time and the CPU the mall spent meanwhile."""

    mode: str
    threads: int
    flows: list[Flow] = field(default_factory=list)
    wall: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by process, "machine"

    @property
    def issued(self) -> list[Flow]:
        return [flow for flow in self.flows if flow.issued]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    return guarded_main(lambda stack: run(stack, args, started))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.applications", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument(
        "--applications", type=two_or_more, default=100, help="sequential applications"
    )
    parser.add_argument(
        "--concurrent-applications",
        type=two_or_more,
        default=300,
        help="concurrent applications in all",
    )
    parser.add_argument("--concurrency", type=positive, default=16, help="concurrent threads")
    parser.add_argument(
        "--warmup",
        type=non_negative,
        default=10,
        help="untimed applications before the first phase",
    )
    parser.add_argument(
        "--document-kb", type=positive, default=50, help="size of each uploaded PDF, in KiB"
    )
    add_mall_arguments(
        parser,
        db_help="registry and licensing databases",
        instances_help="nameko run processes of licensing (the registry runs one)",
    )
    args = parser.parse_args(argv)
    if args.document_kb * 1024 > int(load_config(config_path("gateway"))["MAX_DOCUMENT_BYTES"]):
        parser.error("--document-kb is above the gateway's MAX_DOCUMENT_BYTES")
    return args


def run(stack: ExitStack, args: argparse.Namespace, started: float) -> tuple[str, bool]:
    """Start the mall, make the applications, check them; return the report and whether ok."""
    services = {"civil_registry": 1, "licensing": args.instances}
    mall = start_mall(
        stack,
        args,
        services,
        "applications",
        lambda workdir: {"DOCUMENT_STORE": str(workdir / "documents")},  # gateway and licensing
    )
    store = Path(mall.env["DOCUMENT_STORE"])
    base = mall.base
    seed(mall.database_urls["licensing"], PERMIT_TYPES)
    registrar = mall.token(Actor(id="bench-registrar", role="registrar", agency="disdukcapil"))
    with session(registrar) as http:
        person = created(http.post(f"{base}/api/v1/residents", json=APPLICANT, timeout=30))
    token = mall.token(Actor(id="bench-citizen", role="citizen", person_id=person["id"]))
    say(f"mall up after {time.monotonic() - started:.1f} s, gateway at {base}, store {store}")

    meter = CpuMeter(
        {
            "gateway": mall.pids("gateway"),
            "licensing": mall.pids("licensing."),
            "registry": mall.pids("civil_registry."),
            "relays": mall.pids("licensing_relay", "civil_registry_relay"),
        }
    )
    size = args.document_kb * 1024
    warmup = None
    if args.warmup:
        warmup = applications(base, token, "warm-up", args.warmup, 1, size, meter)
        mall.check_alive()
    phases = []
    for mode, count, threads in (
        ("sequential", args.applications, 1),
        ("concurrent", args.concurrent_applications, args.concurrency),
    ):
        phase = applications(base, token, mode, count, threads, size, meter)
        phases.append(phase)
        mall.check_alive()
        flows = _stats([f.total for f in phase.issued], phase.wall)
        say(
            f"{mode:<10} {threads:>3} threads  flow p50 {_ms(flows, 'p50_ms')} ms"
            f"  p99 {_ms(flows, 'p99_ms')} ms  {len(phase.issued) / phase.wall:6.1f} submissions/s"
        )
    checks, ok = verify(phases, warmup, mall, token, store)
    header = describe(args, mall, time.monotonic() - started)
    return report(header, phases, checks), ok


# --- the applications ---------------------------------------------------------------------


def steps() -> list[str]:
    return ["create", *(f"upload {kind}" for kind in PERMIT_TYPE.required_documents), "submit"]


EXPECTED = {"create": 201, "upload": 201, "submit": 200}  # by step, uploads of any kind


def expected(step: str) -> int:
    return EXPECTED[step.split()[0]]


def apply(http: requests.Session, base: str, documents: dict[str, bytes], n: int) -> Flow:
    """One citizen's application from draft to issued; stops at the first unexpected reply."""
    flow = Flow()

    def step(name: str, path: str, **kwargs: Any) -> Any:
        """POST ``path`` as step ``name``: its reply's body if as expected, else None."""
        began = time.perf_counter()
        try:
            response = http.post(f"{base}{path}", timeout=REQUEST_TIMEOUT, **kwargs)
            status, answer = response.status_code, body(response)
        except requests.RequestException as exc:
            status, answer = 0, f"{type(exc).__name__}: {exc}"
        flow.steps[name] = time.perf_counter() - began
        flow.statuses[name] = status
        if status != expected(name):
            flow.failure = f"{name}: {status or 'no response'} {error_text(answer)}"
            return None
        return answer

    draft = {
        "permit_type": PERMIT_TYPE.code,
        "applicant_nik": APPLICANT["nik"],
        "applicant_name": APPLICANT["full_name"],
        "applicant_birth_date": APPLICANT["birth_date"],
    }
    began = time.perf_counter()
    try:
        if (answer := step("create", "/api/v1/applications", json=draft)) is None:
            return flow
        flow.application_id = answer["id"]
        path = f"/api/v1/applications/{flow.application_id}"
        for kind, content in documents.items():
            upload = {"file": (f"{kind}-{n}.pdf", content, "application/pdf")}
            if (
                step(f"upload {kind}", f"{path}/documents", files=upload, data={"kind": kind})
                is None
            ):
                return flow
        if (answer := step("submit", f"{path}/actions", json={"action": "submit"})) is None:
            return flow
        flow.final_status, flow.permit_id = answer.get("status"), answer.get("permit_id")
        if not flow.issued:
            flow.failure = f"submit: application {flow.final_status}, permit {flow.permit_id}"
        return flow
    finally:
        flow.total = time.perf_counter() - began


def make_documents(size: int) -> dict[str, bytes]:
    """A fresh PDF of ``size`` bytes for each required document: no two uploads alike."""
    return {kind: fresh_pdf(size) for kind in PERMIT_TYPE.required_documents}


def applications(
    base: str, token: str, mode: str, count: int, threads: int, size: int, meter: CpuMeter
) -> Phase:
    """Make ``count`` applications over ``threads`` threads, each with its own session,
    after a common start line."""

    def application(http: requests.Session, n: int) -> Flow:
        documents = make_documents(size)
        return apply(http, base, documents, n)

    load = run_load(
        count,
        threads,
        lambda: session(token),
        f"{base}/api/v1/permit-types",
        application,
        meter,
        f"{mode} applications",
    )
    return Phase(mode, threads, load.results, load.wall, load.cpu)


# --- checks and report --------------------------------------------------------------------


def verify(
    phases: list[Phase], warmup: Phase | None, mall: Mall, token: str, store: Path
) -> tuple[list[str], bool]:
    """Check every application of the run (warm-up included) and the mall's state."""
    lines, ok = [], True
    timed = [flow for phase in phases for flow in phase.flows]
    every = timed + (warmup.flows if warmup else [])
    for name in steps():
        made = [flow.statuses[name] for flow in timed if name in flow.statuses]
        right = sum(status == expected(name) for status in made)
        lines.append(
            f"{name}: {right} of {len(timed)} timed applications answered {expected(name)}"
        )
        ok &= right == len(timed)
    issued = [flow for flow in every if flow.issued]
    application_ids = {flow.application_id for flow in every if flow.application_id}
    permit_ids = {flow.permit_id for flow in issued}
    lines.append(
        f"issued: {sum(f.issued for f in timed)} of {len(timed)} timed applications"
        f" ({len(every)} with warm-up); {len(application_ids)} distinct application ids,"
        f" {len(permit_ids)} distinct permit ids"
    )
    ok &= len(issued) == len(every) == len(application_ids) == len(permit_ids)
    failures = Counter(flow.failure for flow in every if flow.failure)
    for failure, times in failures.most_common(5):
        lines.append(f"  error ×{times}: {failure}")
    if len(failures) > 5:
        lines.append(f"  ... and {len(failures) - 5} other kinds of error")

    with session(token) as http:
        response = http.get(f"{mall.base}/api/v1/permits", timeout=60)
        permits = body(response).get("items", []) if response.status_code == 200 else []
        listed = {permit["id"]: permit for permit in permits}
        numbers = sorted(permit["number"] for permit in permits)
        serials = sorted(int(m.group(1)) for n in numbers if (m := re.search(r"/(\d+)$", n)))
        gapless = serials == list(range(1, len(serials) + 1))
        good = (
            response.status_code == 200
            and set(listed) == permit_ids
            and len(set(numbers)) == len(permits) == len(issued)
            and gapless
            and all(p["status"] == "active" for p in permits)
            and {p["application_id"] for p in permits} <= application_ids
        )
        ok &= good
        span = f"{numbers[0]} … {numbers[-1]}" if numbers else "none"
        lines.append(
            f"GET /api/v1/permits: {response.status_code}, {len(permits)} permits"
            f" ({len(set(numbers))} distinct numbers, {span},"
            f" {'gapless' if gapless else 'with gaps'}); the submissions named"
            f" {len(permit_ids)}: {'same set' if set(listed) == permit_ids else 'DIFFERENT'}"
        )
        sample = random.sample(sorted(listed), min(SAMPLE_PERMITS, len(listed)))
        agree = 0
        for permit_id in sample:
            one = http.get(f"{mall.base}/api/v1/permits/{permit_id}", timeout=30)
            agree += one.status_code == 200 and body(one) == listed[permit_id]
        ok &= agree == len(sample)
        lines.append(f"GET /api/v1/permits/<id>: {agree} of {len(sample)} sampled agree")

    files = sum(1 for f in store.rglob("*") if f.is_file() and len(f.name) == 64)
    uploads = sum(
        status == 201
        for flow in every
        for n, status in flow.statuses.items()
        if n.startswith("upload")
    )
    ok &= files == uploads
    lines.append(f"document store: {files} files for {uploads} uploads")

    for service in SERVICES:
        total, pending, waited = drain_outbox(mall.database_urls[service])
        ok &= pending == 0
        if service == "licensing" and total != EVENTS_PER_APPLICATION * len(issued):
            ok = False
            lines.append(
                f"licensing outbox: {total} events, expected {EVENTS_PER_APPLICATION} for each"
                f" of {len(issued)} issued applications"
            )
        if pending:
            lines.append(
                f"{service} outbox: {pending} of {total} events still unpublished"
                f" after {waited:.0f} s"
            )
        else:
            lines.append(
                f"{service} outbox: all {total} events published"
                f" ({waited:.1f} s after the last application)"
            )
    return lines, ok


def describe(args: argparse.Namespace, mall: Mall, elapsed: float) -> str:
    """The header: what ran where, with which versions."""
    gateway = load_config(config_path("gateway"))  # read as the children read it
    licensing = load_config(config_path("licensing"))
    registry = load_config(config_path("civil_registry"))
    database = database_description(args.db, mall.database_urls["licensing"])
    flow = ", ".join(steps())
    return "\n".join(
        [
            f"Permit applications through the gateway: {PERMIT_TYPE.code} ({flow});"
            f" whole run {elapsed:.0f} s",
            platform_line(mall),
            f"database: {database}, one per service; licensing: {args.instances} instance(s)"
            f" of nameko run, max_workers {licensing['max_workers']}; registry: 1 instance,"
            f" max_workers {registry['max_workers']}; gateway: gunicorn gthread"
            f" {gateway['WORKERS']} workers × {gateway['THREADS']} threads",
            f"documents: {args.document_kb} KiB PDF per upload, multipart, stored on local disk"
            f" (temp dir, fsync)",
            f"sequential: {args.applications} applications, 1 thread; concurrent:"
            f" {args.concurrent_applications} applications, {args.concurrency} threads;"
            f" {args.warmup} untimed warm-up applications first",
        ]
    )


def report(header: str, phases: list[Phase], checks: list[str]) -> str:
    lines = [
        "",
        header,
        "",
        f"{'mode':<11} {'threads':>7} {'step':<12} {'requests':>8} {'ok':>6}"
        f" {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    for phase in phases:
        for name in steps():
            made = [flow for flow in phase.flows if name in flow.steps]
            right = sum(flow.statuses[name] == expected(name) for flow in made)
            stats = _stats([flow.steps[name] for flow in made], phase.wall)
            lines.append(_row(phase, name, len(made), right, stats))
        stats = _stats([flow.total for flow in phase.issued], phase.wall)
        lines.append(_row(phase, "whole flow", len(phase.flows), len(phase.issued), stats))
    lines += [
        "",
        f"{'mode':<11} {'threads':>7} {'applications':>12} {'issued':>7} {'wall s':>7}"
        f" {'submissions/s':>14} {'requests/s':>11}",
    ]
    rates = {}
    for phase in phases:
        rates[phase.mode] = len(phase.issued) / phase.wall
        requests_ = sum(len(flow.steps) for flow in phase.flows)
        lines.append(
            f"{phase.mode:<11} {phase.threads:>7} {len(phase.flows):>12}"
            f" {len(phase.issued):>7} {phase.wall:7.1f} {rates[phase.mode]:14.1f}"
            f" {requests_ / phase.wall:11.1f}"
        )
    if rates.get("sequential"):
        lines.append(
            f"concurrent/sequential submissions/s: ×{rates['concurrent'] / rates['sequential']:.2f}"
        )
    if all(phase.cpu for phase in phases):
        roles = ("client", "gateway", "licensing", "registry", "relays")
        lines += cpu_table(
            "application", roles, [(p.mode, len(p.flows), p.cpu, p.wall) for p in phases], width=9
        )
        lines.append(REST_FOOTNOTE)
    lines += ["", *checks]
    return "\n".join(lines)


def _row(phase: Phase, step: str, requests_: int, right: int, stats: dict | None) -> str:
    return (
        f"{phase.mode:<11} {phase.threads:>7} {step:<12} {requests_:>8} {right:>6}"
        f" {_ms(stats, 'p50_ms'):>8} {_ms(stats, 'p99_ms'):>8} {_ms(stats, 'max_ms'):>8}"
    )


def _stats(latencies: list[float], wall: float) -> dict | None:
    return summarise(latencies, wall) if len(latencies) >= 2 else None


def _ms(stats: dict | None, key: str) -> str:
    return f"{stats[key]:.2f}" if stats else "-"


if __name__ == "__main__":
    sys.exit(main())
