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
SIGTERM. Run from the project root: ``.venv/bin/python -m bench.births``.
"""

import argparse
import ctypes
import os
import platform
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from amqp.exceptions import ChannelError
from kombu import Connection
from sqlalchemy import create_engine
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from bench.harness import summarise
from chassis.clock import today
from chassis.config import config_path, load_config

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
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
POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
REQUEST_TIMEOUT = 30.0  # seconds; the gateway answers 504 after its RPC_TIMEOUT (10 s)
STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL of a process group
DRAIN_TIMEOUT = 30.0  # seconds for the relay to publish the last events


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


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
    signal.signal(signal.SIGTERM, _interrupt)  # clean up on SIGTERM as on Ctrl-C
    try:
        report_text, ok = run(args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; stopped every process, removed vhost and database", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
    print(report_text)
    return 0 if ok else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.births", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--births", type=_two_or_more, default=300, help="sequential births")
    parser.add_argument(
        "--concurrent-births", type=_two_or_more, default=600, help="concurrent births in all"
    )
    parser.add_argument("--concurrency", type=_positive, default=16, help="concurrent threads")
    parser.add_argument(
        "--warmup", type=_non_negative, default=10, help="untimed births before the first phase"
    )
    parser.add_argument(
        "--db", choices=["sqlite", "postgresql"], default="sqlite", help="registry database"
    )
    parser.add_argument(
        "--instances", type=_positive, default=1, help="nameko run processes of the registry"
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="server for --db postgresql; the run creates (and drops) its own database there",
    )
    parser.add_argument(
        "--amqp-uri",
        default="pyamqp://guest:guest@127.0.0.1:5672//",
        help="the broker; the run makes (and deletes) its own vhost there",
    )
    parser.add_argument(
        "--management-url", help="RabbitMQ management API (default: http://<amqp host>:15672)"
    )
    parser.add_argument(
        "--startup-timeout", type=float, default=90.0, help="seconds for the mall to be healthy"
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


def run(args: argparse.Namespace) -> tuple[str, bool]:
    """Start the mall, register the births, check them; return the report and whether ok."""
    started = time.monotonic()
    with ExitStack() as stack:
        try:
            return _run(stack, args, started)
        finally:
            _shield()  # a second Ctrl-C must not cut the cleanup short


def _run(stack: ExitStack, args: argparse.Namespace, started: float) -> tuple[str, bool]:
    broker = Broker(args.amqp_uri, args.management_url)
    amqp_uri = stack.enter_context(broker.vhost())
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-births-")))
    if args.db == "sqlite":
        database_url = f"sqlite:///{workdir / SERVICE}.sqlite3"
    else:
        database_url = stack.enter_context(postgres_database(args.postgres_url))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AMQP_URI": amqp_uri,
        "CIVIL_REGISTRY_DATABASE_URL": database_url,
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "JWT_SECRET": secrets.token_urlsafe(32),
        "HEALTH_TIMEOUT": "1",  # licensing and queue are not started: don't wait 3 s for them
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
        "PYTHONUNBUFFERED": "1",
        "TMPDIR": str(workdir),  # the relay's heartbeat file and gunicorn's go with the run
        "XDG_RUNTIME_DIR": str(workdir),  # gunicorn's control socket: not a running mall's
    }
    _say(f"vhost {broker.name}, database {make_url(database_url).database}, workdir {workdir}")
    _check_call([sys.executable, "-m", "chassis.migrate", SERVICE], env, "migration")

    processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, command: list[str]) -> None:
        with (workdir / f"{name}.log").open("wb") as log:
            processes[name] = spawn(stack, command, env, log)

    for n in range(args.instances):
        start(
            f"{SERVICE}.{n + 1}",
            [str(BIN / "nameko"), "run", "--config", str(config_path(SERVICE))]
            + ["services.civil_registry.service:CivilRegistryService"],
        )
    start(f"{SERVICE}_relay", [sys.executable, "-m", "chassis.relay", SERVICE])
    start(
        "gateway",
        [str(BIN / "gunicorn"), "--config", "gateway/gunicorn.conf.py", "gateway.app:create_app()"],
    )
    wait_until_up(base, amqp_uri, args, processes, workdir)
    _say(f"mall up after {time.monotonic() - started:.1f} s, gateway at {base}")

    token = _check_call(
        [sys.executable, "-m", "gateway.auth", "issue", "--id", "bench-registrar"]
        + ["--role", "registrar", "--agency", "disdukcapil", "--minutes", "120"],
        env,
        "issuing a token",
    ).strip()
    mother_id, card_id = set_up_family(base, token)

    def check_alive() -> None:
        for name, proc in processes.items():
            if proc.poll() is not None:
                raise BenchError(f"{name} exited ({proc.returncode}):\n{_tail(workdir, name)}")

    born = today()  # the mall's day (Asia/Jakarta): a later birth date would be refused
    meter = CpuMeter(
        {
            "gateway": [processes["gateway"].pid],
            "registry": [p.pid for n, p in processes.items() if n.startswith(f"{SERVICE}.")],
            "relay": [processes[f"{SERVICE}_relay"].pid],
        }
    )
    phases = []
    if args.warmup:
        births(base, token, mother_id, born, "warm-up", args.warmup, 1, 0, meter)
        check_alive()
    for mode, count, threads, first in (
        ("sequential", args.births, 1, args.warmup),
        ("concurrent", args.concurrent_births, args.concurrency, args.warmup + args.births),
    ):
        phase = births(base, token, mother_id, born, mode, count, threads, first, meter)
        phases.append(phase)
        check_alive()
        stats = summarise(phase.latencies, phase.wall)
        _say(
            f"{mode:<10} {threads:>3} threads  p50 {stats['p50_ms']:7.2f} ms"
            f"  p99 {stats['p99_ms']:7.2f} ms  {stats['throughput']:6.1f} births/s"
        )
    checks, ok = verify(phases, args, base, token, card_id, database_url)
    header = describe(args, broker, database_url, time.monotonic() - started)
    return report(header, phases, checks), ok


# --- the mall's processes ---------------------------------------------------------------


class Broker:
    """The RabbitMQ of ``amqp_uri`` and its management API."""

    def __init__(self, amqp_uri: str, management_url: str | None):
        self.conn = Connection(amqp_uri)
        api = management_url or f"http://{self.conn.hostname}:15672"
        self.api = api.rstrip("/") + "/api"
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.auth = (self.conn.userid, self.conn.password)
        self.name = f"bench-births-{uuid.uuid4().hex[:8]}"
        self.version = "?"

    def call(self, method: str, path: str, body: dict | None = None) -> Any:
        try:
            response = self.http.request(method, self.api + path, json=body, timeout=10)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise BenchError(f"{method} {self.api}{path}: {exc} (management plugin on?)") from exc
        return response.json() if response.content else None

    @contextmanager
    def vhost(self) -> Iterator[str]:
        """A fresh vhost for the run, deleted with all it holds on exit; yields its AMQP URI."""
        self.version = self.call("GET", "/overview").get("rabbitmq_version", "?")
        self.call("PUT", f"/vhosts/{self.name}")
        try:
            grant = {"configure": ".*", "write": ".*", "read": ".*"}
            user = quote(self.conn.userid, safe="")
            self.call("PUT", f"/permissions/{self.name}/{user}", grant)
            yield self.conn.clone(virtual_host=self.name).as_uri(include_password=True)
        finally:
            try:
                self.call("DELETE", f"/vhosts/{self.name}")
            except BenchError as exc:
                print(f"warning: vhost {self.name} left behind: {exc}", file=sys.stderr)
            self.http.close()


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped WITH (FORCE) on exit; yields its URL."""
    name = f"mpp_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sql(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        raise BenchError(f"cannot create database {name} on {server_url}: {exc}") from exc
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            with admin.connect() as conn:
                conn.execute(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as exc:
            print(f"warning: database {name} left behind: {exc}", file=sys.stderr)
        admin.dispose()


def spawn(
    stack: ExitStack, command: list[str], env: dict[str, str], log: Any
) -> subprocess.Popen[bytes]:
    """Start a process in its own session (Ctrl-C reaches only us); stop its group on exit."""
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    stack.callback(_stop, proc)
    return proc


def wait_until_up(
    base: str,
    amqp_uri: str,
    args: argparse.Namespace,
    processes: dict[str, subprocess.Popen[bytes]],
    workdir: Path,
) -> None:
    """Wait for every instance to consume, the relay to poll and /health to say ok."""
    deadline = time.monotonic() + args.startup_timeout
    heartbeat = workdir / f"mpp-relay-{SERVICE}.heartbeat"  # chassis.probe.heartbeat_file
    http = requests.Session()
    http.trust_env = False
    waiting = "the processes"
    with Connection(amqp_uri, connect_timeout=10) as conn, http:
        while True:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    raise BenchError(
                        f"{name} exited ({proc.returncode}) on start:\n{_tail(workdir, name)}"
                    )
            consumers = _consumers(conn, f"rpc-{SERVICE}")
            if consumers < args.instances:
                waiting = f"{args.instances} consumers of rpc-{SERVICE} (have {consumers})"
            elif not heartbeat.exists():
                waiting = "the outbox relay's first poll"
            else:
                health = _health(http, base)
                if health == "ok":
                    return
                waiting = f"GET /health to report {SERVICE} ok (last: {health})"
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {n}:\n{_tail(workdir, n, 8)}" for n in processes)
                raise BenchError(
                    f"still waiting for {waiting} after {args.startup_timeout:.0f} s\n{logs}"
                )
            time.sleep(0.2)


def _consumers(conn: Connection, queue: str) -> int:
    channel = conn.channel()
    try:
        count = channel.queue_declare(queue=queue, passive=True).consumer_count
        channel.close()
        return count
    except ChannelError:
        return 0  # not declared yet; the failed declare closed the channel


def _health(http: requests.Session, base: str) -> str:
    try:
        response = http.get(f"{base}/health", timeout=5)
        report = response.json()["services"][SERVICE]
    except (requests.RequestException, ValueError, KeyError) as exc:
        return type(exc).__name__
    return report.get("status") or "?"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group (gunicorn's workers too), SIGKILL it if it lingers."""
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()


def _signal_group(proc: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(proc.pid, signum)  # start_new_session: the group's id is the child's pid
    except ProcessLookupError:
        pass


def _check_call(command: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
        )
    except subprocess.CalledProcessError as exc:
        raise BenchError(f"{what} failed:\n{exc.stderr or exc.stdout}") from exc
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what} took over {exc.timeout:.0f} s") from exc
    return done.stdout


# --- the births -------------------------------------------------------------------------


def set_up_family(base: str, token: str) -> tuple[str, str]:
    """Register the mother and her family card over HTTP; return their ids."""
    with _session(token) as http:
        mother = _created(http.post(f"{base}/api/v1/residents", json=MOTHER, timeout=30))
        card = {**FAMILY_CARD, "head_id": mother["id"]}
        family = _created(http.post(f"{base}/api/v1/family-cards", json=card, timeout=30))
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
    meter: "CpuMeter",
) -> Phase:
    """POST ``count`` births over ``threads`` threads, each with its own session, after a
    common start line; numbered from ``first`` so children's names stay unique."""
    phase = Phase(mode, threads)
    shares = [count // threads + (i < count % threads) for i in range(threads)]
    starts = [first + sum(shares[:i]) for i in range(threads)]
    results: list[tuple[list[float], list[tuple[int, Any]]]] = [([], []) for _ in range(threads)]
    errors: list[BaseException] = []
    stop = threading.Event()
    start_line = threading.Barrier(threads + 1, timeout=60)
    url = f"{base}/api/v1/births"

    def work(index: int) -> None:
        latencies, outcomes = results[index]
        try:
            with _session(token) as http:
                # open the kept-alive connection before the clock starts
                http.get(f"{base}/api/v1/residents/{mother_id}", timeout=REQUEST_TIMEOUT)
                start_line.wait()
                for n in range(starts[index], starts[index] + shares[index]):
                    if stop.is_set():
                        return
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
                        outcome = (response.status_code, _body(response))
                    except requests.RequestException as exc:
                        outcome = (0, f"{type(exc).__name__}: {exc}")
                    latencies.append(time.perf_counter() - began)
                    outcomes.append(outcome)
        except threading.BrokenBarrierError:
            pass  # another thread failed first; its error is the one reported
        except BaseException as exc:
            errors.append(exc)
            start_line.abort()

    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    try:
        try:
            start_line.wait()
        except threading.BrokenBarrierError:
            pass
        began, cpu = time.perf_counter(), meter.sample()
        for worker in workers:
            worker.join()
        phase.wall = time.perf_counter() - began
        phase.cpu = {k: v - cpu[k] for k, v in meter.sample().items()}
    finally:
        stop.set()  # on Ctrl-C: no new requests while the mall is stopped
    if errors:
        raise BenchError(f"{mode} births could not start: {errors[0]!r}")
    for latencies, outcomes in results:
        phase.latencies += latencies
        phase.outcomes += outcomes
    return phase


@contextmanager
def _session(token: str) -> Iterator[requests.Session]:
    with requests.Session() as http:
        http.trust_env = False  # no proxy or .netrc between us and 127.0.0.1
        http.headers["Authorization"] = f"Bearer {token}"
        yield http


def _created(response: requests.Response) -> dict:
    if response.status_code != 201:
        raise BenchError(
            f"{response.request.method} {response.url}: {response.status_code} {response.text}"
        )
    return response.json()


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:200]


class CpuMeter:
    """CPU time used so far by the mall's process groups, this process (the client) and the
    whole machine, from /proc (Linux; elsewhere nothing is measured)."""

    def __init__(self, groups: dict[str, list[int]]):
        self.groups = groups  # role -> process group ids (each child leads its own group)
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def sample(self) -> dict[str, float]:
        proc = Path("/proc")
        if not (proc / "stat").exists():
            return {}
        by_group: Counter[int] = Counter()
        for stat in proc.glob("[0-9]*/stat"):
            try:  # fields after the command, which may hold spaces and parentheses
                rest = stat.read_text().rsplit(")", 1)[1].split()
                by_group[int(rest[2])] += int(rest[11]) + int(rest[12])  # utime + stime
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
        seconds = {
            role: sum(by_group[g] for g in groups) / self.tick
            for role, groups in self.groups.items()
        }
        own = os.times()
        seconds["client"] = own.user + own.system
        cpu = [int(x) for x in (proc / "stat").read_text().split("\n", 1)[0].split()[1:9]]
        seconds["machine"] = (sum(cpu) - cpu[3] - cpu[4]) / self.tick  # all but idle, iowait
        return seconds


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
        (status, _error_text(body)) for p in phases for status, body in p.outcomes if status != 201
    )
    for (status, error), times in failures.most_common(5):
        lines.append(f"  error ×{times}: {status or 'no response'} {error}")
    if len(failures) > 5:
        lines.append(f"  ... and {len(failures) - 5} other kinds of error")

    with _session(token) as http:
        response = http.get(f"{base}/api/v1/family-cards/{card_id}", timeout=60)
    children = sum(m["relationship"] == "child" for m in _body(response).get("members", []))
    expected = len(created) + args.warmup
    ok &= children == expected
    lines.append(f"family card: {children} children listed (expected {expected}, warm-up included)")

    total, pending, waited = _drain_outbox(database_url)
    ok &= pending == 0
    if pending:
        lines.append(f"outbox: {pending} of {total} events still unpublished after {waited:.0f} s")
    else:
        lines.append(f"outbox: all {total} events published ({waited:.1f} s after the last birth)")
    return lines, ok


def _error_text(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return f"{body['error'].get('code')}: {body['error'].get('message')}"
    return str(body)[:160]


def _drain_outbox(database_url: str) -> tuple[int, int, float]:
    """Wait for the relay to publish every event; return total, still pending and seconds."""
    engine = create_engine(database_url)
    began = time.monotonic()
    query = sql("SELECT count(*), count(*) - count(published_at) FROM outbox")
    try:
        while True:
            with engine.connect() as conn:
                total, pending = conn.execute(query).one()
            waited = time.monotonic() - began
            if not pending or waited > DRAIN_TIMEOUT:
                return total, pending, waited
            time.sleep(0.1)
    finally:
        engine.dispose()


def describe(args: argparse.Namespace, broker: Broker, database_url: str, elapsed: float) -> str:
    """The header: what ran where, with which versions."""
    gateway = load_config(config_path("gateway"))  # read as the children read it
    service = load_config(config_path(SERVICE))
    if args.db == "sqlite":
        database = f"SQLite {sqlite3.sqlite_version} (temp file, WAL)"
    else:
        engine = create_engine(database_url)
        with engine.connect() as conn:
            server = conn.execute(sql("SHOW server_version")).scalar()
        engine.dispose()
        database = f"PostgreSQL {server} (psycopg2 {_version('psycopg2-binary')})"
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    packages = ", ".join(
        f"{name} {_version(name)}"
        for name in ("nameko", "eventlet", "kombu", "gunicorn", "Flask", "SQLAlchemy", "requests")
    )
    return "\n".join(
        [
            f"Births through the gateway: POST /api/v1/births; whole run {elapsed:.0f} s",
            f"Python {platform.python_version()}, {packages}; RabbitMQ {broker.version};"
            f" {cores} CPUs ({usable} usable)",
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
        lines += [
            "",
            f"{'CPU ms per birth':<19}"
            + "".join(f" {role:>8}" for role in roles)
            + f" {'rest*':>8} {'machine busy':>13}",
        ]
        for phase in phases:
            births_ = len(phase.outcomes)
            ours = sum(phase.cpu[role] for role in roles)
            rest = phase.cpu["machine"] - ours
            busy = phase.cpu["machine"] / (phase.wall * (os.cpu_count() or 1))
            lines.append(
                f"{phase.mode:<19}"
                + "".join(f" {phase.cpu[role] * 1000 / births_:8.2f}" for role in roles)
                + f" {rest * 1000 / births_:8.2f} {busy:12.0%}"
                + f" of {os.cpu_count()} CPUs"
            )
        lines.append(
            "* rest: the machine's CPU time besides ours: RabbitMQ, the database server (when"
            " PostgreSQL), the kernel, anything else running"
        )
    lines += ["", *checks]
    return "\n".join(lines)


# --- small things -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def _say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _die_with_parent() -> None:
    """In the child: have Linux SIGTERM it if we die without cleaning up (e.g. SIGKILL)."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _shield() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _tail(workdir: Path, name: str, lines: int = 20) -> str:
    try:
        content = (workdir / f"{name}.log").read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(content.splitlines()[-lines:])


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _two_or_more(value: str) -> int:
    number = int(value)
    if number < 2:
        raise argparse.ArgumentTypeError("must be at least 2 (for percentiles)")
    return number


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


if __name__ == "__main__":
    sys.exit(main())
