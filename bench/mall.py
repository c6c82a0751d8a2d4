"""The mall as the end-to-end benchmarks start it, and everything they share.

``start_mall`` brings up real processes the way users run them (see the Procfile), each
configured by environment variables only: a fresh RabbitMQ vhost made through the management
API, a fresh database per service (``--db sqlite``: a file in a temporary directory;
``--db postgresql``: a new database ``mpp_bench_<hex>``) migrated with
``python -m chassis.migrate``, ``nameko run`` of each service (as many instances as asked),
each service's outbox relay, and gunicorn on a free port with a random ``JWT_SECRET`` and a
fresh database of its own (accounts, sign-in sessions, audit log; ``GATEWAY_DATABASE_URL``,
migrated with ``python -m chassis.migrate gateway``). ``Mall.token`` gives a bearer token of
any actor (an account and a sign-in session written straight into that database);
``seed_accounts`` adds accounts that sign in with a password, as citizens and staff do.
Everything it makes is registered on the caller's ``ExitStack``; ``guarded_main`` runs a
benchmark so that processes, vhost, databases and temporary files go on exit, error, Ctrl-C
or SIGTERM, and a second Ctrl-C cannot cut the cleanup short.

Also here: the HTTP helpers (one ``requests.Session`` per thread, with a bearer token), the
CPU meter reading /proc, the load runners (``run_load``: threads, each making its requests
one after another, a closed model; ``run_open``: jobs started at a constant rate, an open
model), the outbox drain check and small argument validators.
"""

import argparse
import ctypes
import os
import platform
import queue
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import requests
from amqp.exceptions import ChannelError
from kombu import Connection
from sqlalchemy import create_engine
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

from chassis.actor import Actor
from chassis.config import config_path, load_config

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVICE_CLASSES = {  # as in the Procfile
    "civil_registry": "services.civil_registry.service:CivilRegistryService",
    "licensing": "services.licensing.service:LicensingService",
    "queue": "services.queue.service:QueueService",
}
POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
AMQP_URI = "pyamqp://guest:guest@127.0.0.1:5672//"
REQUEST_TIMEOUT = 30.0  # seconds; the gateway answers 504 after its RPC_TIMEOUT (10 s)
STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL of a process group
DRAIN_TIMEOUT = 30.0  # seconds for a relay to publish the last events
TOKEN_MINUTES = 120

T = TypeVar("T")


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


# --- running a benchmark ------------------------------------------------------------------


def guarded_main(run: Callable[[ExitStack], tuple[str, bool]]) -> int:
    """Run ``run(stack)``, clean up the stack whatever happens, print its report; return the
    exit status (0 when the report's checks passed, 1 on failure, 130 on Ctrl-C)."""
    signal.signal(signal.SIGTERM, _interrupt)  # clean up on SIGTERM as on Ctrl-C
    try:
        with ExitStack() as stack:
            try:
                report_text, ok = run(stack)
            finally:
                _shield()  # a second Ctrl-C must not cut the cleanup short
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


def add_mall_arguments(parser: argparse.ArgumentParser, db_help: str, instances_help: str) -> None:
    """The options every end-to-end benchmark takes: database, instances, broker, server."""
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite", help=db_help)
    parser.add_argument("--instances", type=positive, default=1, help=instances_help)
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="server for --db postgresql; the run creates (and drops) its own databases there",
    )
    parser.add_argument(
        "--amqp-uri",
        default=AMQP_URI,
        help="the broker; the run makes (and deletes) its own vhost there",
    )
    parser.add_argument(
        "--management-url", help="RabbitMQ management API (default: http://<amqp host>:15672)"
    )
    parser.add_argument(
        "--startup-timeout", type=float, default=90.0, help="seconds for the mall to be healthy"
    )


# --- the mall's processes ---------------------------------------------------------------


@dataclass
class Mall:
    """A running mall: its gateway's address, the children's environment and processes."""

    base: str
    env: dict[str, str]
    workdir: Path
    broker: "Broker"
    database_urls: dict[str, str]  # service -> URL
    instances: dict[str, int]  # service -> nameko run processes
    gateway_database_url: str  # accounts, sign-in sessions, audit log
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def pids(self, *names: str) -> list[int]:
        """Process (group) ids of the named processes; ``service.`` names every instance."""
        return [
            proc.pid
            for name, proc in self.processes.items()
            if any(name == n or (n.endswith(".") and name.startswith(n)) for n in names)
        ]

    def check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise BenchError(f"{name} exited ({proc.returncode}):\n{tail(self.workdir, name)}")

    def gateway_config(self) -> dict:
        """The gateway's config with this run's secret and database."""
        return {
            **load_config(config_path("gateway")),
            "JWT_SECRET": self.env["JWT_SECRET"],
            "DATABASE_URL": self.gateway_database_url,
        }

    def token(self, actor: Actor, minutes: int = TOKEN_MINUTES) -> str:
        """An access token the gateway accepts: signed with this run's ``JWT_SECRET`` and
        naming a sign-in session of the actor's account, both written into the gateway's
        database (the account on first use, with a password hash that matches nothing)."""
        # Flask, PyJWT and the gateway's models: only when a token is needed
        from gateway.auth import issue_token
        from gateway.identity import sessions, store
        from gateway.identity.models import Account

        now = datetime.now(UTC)
        with store.transaction(self.gateway_database_url) as db:
            account = db.get(Account, actor.id)
            if account is None:
                account = Account(
                    id=actor.id,
                    login=actor.id.casefold(),
                    full_name=f"Benchmark {actor.id}",
                    role=actor.role,
                    agency=actor.agency,
                    person_id=actor.person_id,
                    password_hash="!",  # no password: this account cannot sign in
                    created_at=now,
                )
                db.add(account)
                db.flush()
            session, _ = sessions.open_session(
                db, account, now, timedelta(minutes=minutes), "127.0.0.1"
            )
        return issue_token(self.gateway_config(), actor, session.id, minutes)


def start_mall(
    stack: ExitStack,
    args: argparse.Namespace,
    services: dict[str, int],
    name: str,
    extra_env: Callable[[Path], dict[str, str]] | None = None,
) -> Mall:
    """Start ``services`` (name -> instances), their relays and the gateway; wait until the
    gateway reports each of them healthy. ``name`` (e.g. ``births``) tags vhost and workdir;
    ``extra_env(workdir)`` adds to (or overrides) every child's environment."""
    broker = Broker(args.amqp_uri, args.management_url, f"bench-{name}")
    amqp_uri = stack.enter_context(broker.vhost())
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-{name}-")))
    urls = {}
    for service in [*services, "gateway"]:
        if args.db == "sqlite":
            urls[service] = f"sqlite:///{workdir / service}.sqlite3"
        else:
            urls[service] = stack.enter_context(postgres_database(args.postgres_url))
    gateway_url = urls.pop("gateway")
    stack.callback(_dispose_engine, gateway_url)  # Mall.token's, before the database goes
    port = free_port()
    env = {
        **os.environ,
        **{f"{service.upper()}_DATABASE_URL": url for service, url in urls.items()},
        "GATEWAY_DATABASE_URL": gateway_url,
        "AMQP_URI": amqp_uri,
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "JWT_SECRET": secrets.token_urlsafe(32),
        "HEALTH_TIMEOUT": "1",  # services not started: don't wait 3 s for them
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
        "PYTHONUNBUFFERED": "1",
        "TMPDIR": str(workdir),  # the relays' heartbeat files and gunicorn's go with the run
        "XDG_RUNTIME_DIR": str(workdir),  # gunicorn's control socket: not a running mall's
        **(extra_env(workdir) if extra_env else {}),
    }
    mall = Mall(f"http://127.0.0.1:{port}", env, workdir, broker, urls, dict(services), gateway_url)
    databases = ", ".join(str(make_url(url).database) for url in [*urls.values(), gateway_url])
    say(f"vhost {broker.name}, database {databases}, workdir {workdir}")
    for service in [*services, "gateway"]:
        check_call([sys.executable, "-m", "chassis.migrate", service], env, f"migrating {service}")

    def start(process: str, command: list[str]) -> None:
        with (workdir / f"{process}.log").open("wb") as log:
            mall.processes[process] = spawn(stack, command, env, log)

    for service, instances in services.items():
        for n in range(instances):
            start(
                f"{service}.{n + 1}",
                [str(BIN / "nameko"), "run", "--config", str(config_path(service))]
                + [SERVICE_CLASSES[service]],
            )
        outbox = f"services.{service}.models:OutboxEvent"
        start(
            f"{service}_relay", [sys.executable, "-m", "chassis.relay", service, "--outbox", outbox]
        )
    start(
        "gateway",
        [str(BIN / "gunicorn"), "--config", "gateway/gunicorn.conf.py", "gateway.app:create_app()"],
    )
    wait_until_up(mall, args.startup_timeout)
    return mall


class Broker:
    """The RabbitMQ of ``amqp_uri`` and its management API."""

    def __init__(self, amqp_uri: str, management_url: str | None, prefix: str = "bench"):
        self.conn = Connection(amqp_uri)
        api = management_url or f"http://{self.conn.hostname}:15672"
        self.api = api.rstrip("/") + "/api"
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.auth = (self.conn.userid, self.conn.password)
        self.name = f"{prefix}-{uuid.uuid4().hex[:8]}"
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


def seed_accounts(mall: Mall, citizens: Iterable[Any] = ()) -> str:
    """Write sign-in accounts into the gateway's database: the demo accounts
    (``scripts.demo_data.demo_accounts``: staff and the named citizens) and one citizen
    account per resident of ``citizens`` (civil registry ``Resident`` rows: the NIK is the
    login), all with the password ``DEMO_PASSWORD``, hashed once with the gateway's argon2id
    cost (salt shared: a benchmark's accounts, not anyone's). Returns the password."""
    from gateway.identity.models import Account
    from scripts.demo_data import DEMO_PASSWORD, demo_accounts, seed

    demo = demo_accounts(mall.gateway_config())
    password_hash = demo[0].password_hash
    residents = [
        Account(
            id=f"bench-{resident.nik}",
            login=resident.nik,
            full_name=resident.full_name,
            role="citizen",
            person_id=resident.id,
            password_hash=password_hash,
            active=True,
        )
        for resident in citizens
    ]
    seed(mall.gateway_database_url, demo + residents)
    return DEMO_PASSWORD


def _dispose_engine(url: str) -> None:
    if "gateway.identity.store" in sys.modules:  # Mall.token was used
        sys.modules["gateway.identity.store"].dispose(url)


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


def wait_until_up(mall: Mall, timeout: float) -> None:
    """Wait for every instance to consume, every relay to poll and /health to say ok."""
    deadline = time.monotonic() + timeout
    http = requests.Session()
    http.trust_env = False
    waiting = "the processes"
    with Connection(mall.env["AMQP_URI"], connect_timeout=10) as conn, http:
        while True:
            for name, proc in mall.processes.items():
                if proc.poll() is not None:
                    raise BenchError(
                        f"{name} exited ({proc.returncode}) on start:\n{tail(mall.workdir, name)}"
                    )
            waiting = _waiting_for(mall, conn, http)
            if waiting is None:
                return
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {n}:\n{tail(mall.workdir, n, 8)}" for n in mall.processes)
                raise BenchError(f"still waiting for {waiting} after {timeout:.0f} s\n{logs}")
            time.sleep(0.2)


def _waiting_for(mall: Mall, conn: Connection, http: requests.Session) -> str | None:
    """What the mall is not yet ready with, or None."""
    for service, instances in mall.instances.items():
        consumers = _consumers(conn, f"rpc-{service}")
        if consumers < instances:
            return f"{instances} consumers of rpc-{service} (have {consumers})"
    for service in mall.instances:
        if not (mall.workdir / f"mpp-relay-{service}.heartbeat").exists():  # chassis.probe
            return f"the {service} outbox relay's first poll"
    health = _health(http, mall.base)
    for service in mall.instances:
        status = health.get(service, "?") if isinstance(health, dict) else health
        if status != "ok":
            return f"GET /health to report {service} ok (last: {status})"
    return None


def _consumers(conn: Connection, queue: str) -> int:
    channel = conn.channel()
    try:
        count = channel.queue_declare(queue=queue, passive=True).consumer_count
        channel.close()
        return count
    except ChannelError:
        return 0  # not declared yet; the failed declare closed the channel


def _health(http: requests.Session, base: str) -> dict[str, str] | str:
    """Each service's status in the gateway's /health, or why there is none."""
    try:
        response = http.get(f"{base}/health", timeout=5)
        services = response.json()["services"]
    except (requests.RequestException, ValueError, KeyError) as exc:
        return type(exc).__name__
    return {name: report.get("status") or "?" for name, report in services.items()}


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


def check_call(command: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
        )
    except subprocess.CalledProcessError as exc:
        raise BenchError(f"{what} failed:\n{exc.stderr or exc.stdout}") from exc
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what} took over {exc.timeout:.0f} s") from exc
    return done.stdout


# --- HTTP ---------------------------------------------------------------------------------


@contextmanager
def session(token: str | None = None) -> Iterator[requests.Session]:
    """A kept-alive connection to the gateway, acting as the token's bearer (or anonymous)."""
    with requests.Session() as http:
        http.trust_env = False  # no proxy or .netrc between us and 127.0.0.1
        if token is not None:
            http.headers["Authorization"] = f"Bearer {token}"
        yield http


def created(response: requests.Response) -> dict:
    """The body of a 201 response; anything else stops the run."""
    if response.status_code != 201:
        raise BenchError(
            f"{response.request.method} {response.url}: {response.status_code} {response.text}"
        )
    return response.json()


def body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:200]


def error_text(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return f"{body['error'].get('code')}: {body['error'].get('message')}"
    return str(body)[:160]


# --- measuring and checking ---------------------------------------------------------------


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


@dataclass
class Load(Generic[T]):
    """What ``run_load`` got: each job's result (thread by thread, each in order), the wall
    time from the start line to the last thread's end (s) and the CPU seconds spent meanwhile
    by ``CpuMeter`` role."""

    results: list[T]
    wall: float
    cpu: dict[str, float]


def run_load(
    count: int,
    threads: int,
    connect: Callable[[], AbstractContextManager[requests.Session]],
    warm_url: str,
    job: Callable[[requests.Session, int], T],
    meter: CpuMeter,
    what: str,
    seconds: float | None = None,
) -> Load[T]:
    """Run ``job(http, n)`` for n in 0 .. ``count`` - 1 over ``threads`` threads, each with
    its own session from ``connect()`` and a run of consecutive n's, after a common start
    line; each session GETs ``warm_url`` first, to open its kept-alive connection before the
    clock starts. With ``seconds``, a thread starts no job after that long (``count`` is
    then an upper bound). On Ctrl-C no new job starts; if a thread fails before its jobs, the
    run stops with a ``BenchError`` naming ``what`` (e.g. ``"concurrent births"``)."""
    shares = [count // threads + (i < count % threads) for i in range(threads)]
    starts = [sum(shares[:i]) for i in range(threads)]
    results: list[list[T]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    stop = threading.Event()
    start_line = threading.Barrier(threads + 1, timeout=60)

    def work(index: int) -> None:
        try:
            with connect() as http:
                http.get(warm_url, timeout=REQUEST_TIMEOUT)
                start_line.wait()
                deadline = time.perf_counter() + seconds if seconds else float("inf")
                for n in range(starts[index], starts[index] + shares[index]):
                    if stop.is_set() or time.perf_counter() > deadline:
                        return
                    results[index].append(job(http, n))
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
        wall = time.perf_counter() - began
        used = {k: v - cpu[k] for k, v in meter.sample().items()}
    finally:
        stop.set()  # on Ctrl-C: no new requests while the mall is stopped
    if errors:
        raise BenchError(f"{what} could not start: {errors[0]!r}")
    return Load([result for done in results for result in done], wall, used)


@dataclass
class OpenLoad(Generic[T]):
    """What ``run_open`` got: each arrival's result (in arrival order; None for an arrival
    that never started, on Ctrl-C), by how much each started after it was due (s), the most
    jobs running at once, the arrivals' span (s, first to last due time), the wall time from
    the first arrival to the last job's end (s) and the CPU seconds spent meanwhile."""

    results: list[T | None]
    lags: list[float]
    most_in_flight: int
    span: float
    wall: float
    cpu: dict[str, float]


def run_open(
    rate: float,
    seconds: float,
    job: Callable[[int, float], T],
    meter: CpuMeter,
    max_in_flight: int = 256,
) -> OpenLoad[T]:
    """An open model: arrival n is due ``n / rate`` s after the start, for ``seconds``, and
    starts ``job(n, due)`` (``due`` a ``time.perf_counter()`` value) whether or not earlier
    jobs have finished, so a mall that falls behind sees jobs pile up and their latencies
    include the wait. Each job runs on one of ``max_in_flight`` threads; when all are busy
    an arrival starts late, which ``lags`` shows: a job should time its first request from
    ``due``, not from when it began, so that lateness is counted, not hidden. On Ctrl-C no
    new job starts."""
    count = max(1, round(rate * seconds))
    results: list[T | None] = [None] * count
    lags: list[float] = [0.0] * count
    arrivals: queue.SimpleQueue[tuple[int, float] | None] = queue.SimpleQueue()
    stop = threading.Event()
    lock = threading.Lock()
    in_flight = [0, 0]  # now, most
    errors: list[Exception] = []

    def work() -> None:
        while (arrival := arrivals.get()) is not None:
            n, due = arrival
            if stop.is_set():
                continue
            lags[n] = time.perf_counter() - due
            with lock:
                in_flight[0] += 1
                in_flight[1] = max(in_flight)
            try:
                results[n] = job(n, due)
            except Exception as exc:  # a bug in the job: stop, and say so
                errors.append(exc)
                stop.set()
            finally:
                with lock:
                    in_flight[0] -= 1

    workers = [threading.Thread(target=work, daemon=True) for _ in range(max_in_flight)]
    for worker in workers:
        worker.start()
    try:
        cpu = meter.sample()
        first = time.perf_counter() + 0.01
        for n in range(count):
            if stop.is_set():
                break
            due = first + n / rate
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            arrivals.put((n, due))
        for _ in workers:
            arrivals.put(None)
        for worker in workers:
            worker.join()
        wall = time.perf_counter() - first
        used = {k: v - cpu[k] for k, v in meter.sample().items()}
    finally:
        stop.set()  # on Ctrl-C: no new jobs while the mall is stopped
    if errors:
        raise BenchError(f"a job of the open model failed: {errors[0]!r}") from errors[0]
    return OpenLoad(results, lags, in_flight[1], (count - 1) / rate, wall, used)


def drain_outbox(database_url: str) -> tuple[int, int, float]:
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


def database_description(db: str, database_url: str) -> str:
    """What the database is, with versions, for a report's header."""
    if db == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (temp file, WAL)"
    engine = create_engine(database_url)
    with engine.connect() as conn:
        server = conn.execute(sql("SHOW server_version")).scalar()
    engine.dispose()
    return f"PostgreSQL {server} (psycopg2 {package_version('psycopg2-binary')})"


def platform_line(mall: Mall) -> str:
    """Python, the packages that carry a request, RabbitMQ and the cores, for a header."""
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    packages = ", ".join(
        f"{name} {package_version(name)}"
        for name in ("nameko", "eventlet", "kombu", "gunicorn", "Flask", "SQLAlchemy", "requests")
    )
    return (
        f"Python {platform.python_version()}, {packages}; RabbitMQ {mall.broker.version};"
        f" {cores} CPUs ({usable} usable)"
    )


# --- small things -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def say(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def tail(workdir: Path, name: str, lines: int = 20) -> str:
    try:
        content = (workdir / f"{name}.log").read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(content.splitlines()[-lines:])


def _die_with_parent() -> None:
    """In the child: have Linux SIGTERM it if we die without cleaning up (e.g. SIGKILL)."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _shield() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def two_or_more(value: str) -> int:
    number = int(value)
    if number < 2:
        raise argparse.ArgumentTypeError("must be at least 2 (for percentiles)")
    return number


def non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


REST_FOOTNOTE = (
    "* rest: the machine's CPU time besides ours: RabbitMQ, the database server (when"
    " PostgreSQL), the kernel, anything else running"
)


def cpu_table(
    unit: str, roles: tuple[str, ...], rows: list[tuple[str, int, dict, float]], width: int = 8
) -> list[str]:
    """Report lines: CPU ms per ``unit`` for each role, the rest, and how busy the machine was.

    ``rows`` holds (mode, how many units, CPU seconds by role and "machine", wall seconds).
    """
    label = f"CPU ms per {unit}"
    first = max(len(label), 19) + 1
    lines = [
        "",
        f"{label:<{first}}"
        + "".join(f" {role:>{width}}" for role in roles)
        + f" {'rest*':>8} {'machine busy':>13}",
    ]
    cores = os.cpu_count() or 1
    for mode, count, cpu, wall in rows:
        rest = cpu["machine"] - sum(cpu[role] for role in roles)
        busy = cpu["machine"] / (wall * cores)
        lines.append(
            f"{mode:<{first}}"
            + "".join(f" {cpu[role] * 1000 / count:{width}.2f}" for role in roles)
            + f" {rest * 1000 / count:8.2f} {busy:12.0%} of {cores} CPUs"
        )
    return lines
