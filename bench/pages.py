"""Server-rendered pages beside the JSON calls they are built from: what HTML costs.

Each of ``OPS`` is one GET made ``--requests`` times over ``--threads`` threads back to back
(closed model) after ``--warmup`` untimed ones. Pages send the ``mpp_token`` cookie of a
``POST /sign-in`` (demo accounts), JSON calls the same JWT as a bearer token. A page often
makes more RPCs than its JSON call; the CPU table (ms per request per process, /proc) tells
rendering from them. An error is anything but a 200 of the expected content type. The mall
is the Procfile's (``bench.mall``; catalog and social aid started here) with the demo data,
walk-in tickets, ``CALLS`` served and rated at loket-1, one there now and a booking of Siti's
in every line on the first day with slots. ``python -m bench.pages [--db postgresql]``.
"""

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta

import requests

from bench.mall import (
    BIN,
    REQUEST_TIMEOUT,
    REST_FOOTNOTE,
    BenchError,
    CpuMeter,
    Load,
    Mall,
    add_mall_arguments,
    check_call,
    cpu_table,
    created,
    database_description,
    guarded_main,
    non_negative,
    platform_line,
    positive,
    postgres_database,
    run_load,
    say,
    seed_accounts,
    session,
    spawn,
    start_mall,
    two_or_more,
)
from chassis.clock import MALL_TIME
from chassis.config import config_path, load_config
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, RESIDENTS, seed

SERVICES = ("civil_registry", "licensing", "queue")
MORE = {  # in the Procfile, without relays
    "catalog": "services.catalog.service:CatalogService",
    "social_aid": "services.social_aid.service:SocialAidService",
}
COOKIE = "mpp_token"  # gateway.auth.COOKIE
WALK_INS = {"population": 30, "licensing": 6, "tax": 4, "health": 4}
CALLS = 12
SIGN_INS = {"citizen": RESIDENTS[0].nik, "officer": "loket-a", "manager": "manajer"}
RATING = {"elements": [4, 4, 3, 4, 4, 3, 4, 4, 4]}
OPS = [  # name, kind, path ({ticket}: a waiting walk-in ticket, in turn), whose sign-in, RPCs
    ("catalog", "page", "/", None, "2+2"),
    ("catalog", "json", "/api/v1/catalog", None, "1+2"),
    ("ticket", "page", "/tickets/{ticket}", None, "3"),
    ("ticket", "json", "/api/v1/tickets/{ticket}", None, "1"),
    ("visits", "page", "/visits", "citizen", "2"),
    ("visits", "json", "/api/v1/bookings", "citizen", "1"),
    ("board", "page", "/board", None, "2"),
    ("board", "json", "/api/v1/display/calls", None, "1"),
    ("counter", "page", "/counter", "officer", "3"),
    ("counter queue", "page", "/counter/loket-1/queue", "officer", "3"),
    ("manager", "page", "/manager", "manager", "{}+2"),  # 5 + one per agency; catalog's 2
]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = " ".join(["python -m bench.pages", *(sys.argv[1:] if argv is None else argv)])
    return guarded_main(lambda stack: run(stack, args, command, time.monotonic()))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--requests", type=two_or_more, default=200, help="timed, per operation")
    parser.add_argument("--warmup", type=non_negative, default=16, help="untimed, per operation")
    parser.add_argument("--threads", type=positive, default=8, help="threads (closed model)")
    add_mall_arguments(parser, "every service's database and the gateway's", "nameko run each")
    return parser.parse_args(argv)


def run(stack: ExitStack, args: argparse.Namespace, command: str, began: float):
    load_before = os.getloadavg()
    mall = start_whole_mall(stack, args)
    tokens, tickets, agencies, data = seed_mall(mall)
    say(f"mall up and seeded after {time.monotonic() - began:.0f} s: {data}")
    groups = {"gateway": ["gateway"], "queue": ["queue."], "catalog": ["catalog."]}
    groups |= {"licensing": ["licensing."], "registry": ["civil_registry."]}
    groups |= {"aid": ["social_aid."], "relays": [f"{s}_relay" for s in SERVICES]}
    meter = CpuMeter({role: mall.pids(*names) for role, names in groups.items()})
    results = []
    for name, kind, path, who, rpcs in OPS:
        load = measure(mall, kind, path, args, tokens.get(who), tickets, meter)
        results.append(((name, kind, path, rpcs.format(5 + agencies)), load))
        mall.check_alive()
        say(f"{name} {kind}: p50 {percentiles(load)[0]:.1f} ms")
    gateway = load_config(config_path("gateway"))
    header = [
        f"Pages and their JSON calls, closed model: {args.threads} threads, {args.requests}"
        f" requests per operation after {args.warmup} untimed; whole run"
        f" {time.monotonic() - began:.0f} s",
        f"command: {command}",
        platform_line(mall),
        f"database: {database_description(args.db, mall.database_urls['queue'])}; gateway:"
        f" gunicorn gthread {gateway['WORKERS']} workers × {gateway['THREADS']} threads",
        f"data: {data}",
        f"load average (1, 5, 15 min): {fmt(load_before)} before, {fmt(os.getloadavg())}"
        f" after, on {os.cpu_count()} CPUs",
    ]
    failed = any(error for _, load in results for _, error, _ in load.results)
    return report(header, results), not failed


def start_whole_mall(stack: ExitStack, args: argparse.Namespace) -> Mall:
    """``start_mall``'s three services, then catalog and social aid, as the Procfile runs them;
    up when the catalog lists the module's services."""

    def databases(workdir) -> dict[str, str]:
        return {
            f"{service.upper()}_DATABASE_URL": f"sqlite:///{workdir / service}.sqlite3"
            if args.db == "sqlite"
            else stack.enter_context(postgres_database(args.postgres_url))
            for service in MORE
        }

    mall = start_mall(stack, args, dict.fromkeys(SERVICES, 1), "pages", databases)
    for service, cls in MORE.items():
        check_call([sys.executable, "-m", "chassis.migrate", service], mall.env, service)
        with (mall.workdir / f"{service}.1.log").open("wb") as log:
            command = [str(BIN / "nameko"), "run", "--config", str(config_path(service)), cls]
            mall.processes[f"{service}.1"] = spawn(stack, command, mall.env, log)
    deadline = time.monotonic() + args.startup_timeout
    with session() as http:
        while True:
            mall.check_alive()
            answer = http.get(f"{mall.base}/api/v1/catalog", timeout=REQUEST_TIMEOUT)
            if answer.ok and any(e["kind"] == "module" for e in answer.json()["items"]):
                return mall
            if time.monotonic() > deadline:
                raise BenchError(f"no social aid module in the catalog: {answer.text[:200]}")
            time.sleep(0.5)


def seed_mall(mall: Mall) -> tuple[dict[str, str], list[str], int, str]:
    """Demo data, sign-ins, walk-in tickets, calls at loket-1 and Siti's bookings; returns
    the tokens, the waiting tickets, the number of agencies and what was made."""
    seed(mall.database_urls["queue"], QUEUE_SETUP)
    seed(mall.database_urls["licensing"], PERMIT_TYPES)
    seed(mall.database_urls["civil_registry"], RESIDENTS)
    password, base, tokens, waiting = seed_accounts(mall), mall.base, {}, []
    with session() as http:
        for who, login in SIGN_INS.items():
            form = {"login": login, "password": password}
            answer = http.post(f"{base}/sign-in", data=form, allow_redirects=False)
            if answer.status_code != 303 or COOKIE not in answer.cookies:
                raise BenchError(f"signing in {login}: {answer.status_code} {answer.text[:200]}")
            tokens[who] = answer.cookies[COOKIE]
            http.cookies.clear()
        for line, count in WALK_INS.items():
            for _ in range(count):
                ticket = created(http.post(f"{base}/api/v1/tickets", json={"service_code": line}))
                waiting += [ticket["id"]] if line == "population" else []
        with session(tokens["officer"]) as officer:
            counter = f"{base}/api/v1/counters/loket-1"
            ok(officer.post(f"{counter}/open"))
            for n in range(CALLS + 1):  # the last one stays at the counter
                called = ok(officer.post(f"{counter}/call-next"))
                waiting.remove(called["id"])
                if n < CALLS:
                    ok(officer.post(f"{counter}/finish", json={"outcome": "ok"}))
                    created(http.post(f"{base}/api/v1/tickets/{called['id']}/rating", json=RATING))
        lines = ok(http.get(f"{base}/api/v1/service-lines"))["items"]
        catalog = ok(http.get(f"{base}/api/v1/catalog"))["items"]
    with session(tokens["citizen"]) as siti:
        day, booked = datetime.now(MALL_TIME).date(), 0
        while not booked and day < datetime.now(MALL_TIME).date() + timedelta(days=8):
            day += timedelta(days=1)
            for line in lines:
                query = {"service_code": line["code"], "day": day.isoformat()}
                if slots := ok(siti.get(f"{base}/api/v1/slots", params=query))["items"]:
                    booking = {"service_code": line["code"], "starts_at": slots[0]["starts_at"]}
                    created(siti.post(f"{base}/api/v1/bookings", json=booking))
                    booked += 1
    agencies = {e["agency"] for e in [*catalog, *lines] if e.get("agency")}  # manager.agencies_of
    data = (
        f"{sum(WALK_INS.values())} walk-in tickets in {len(WALK_INS)} lines, {CALLS} called,"
        f" finished and rated at loket-1, one there now, {len(waiting)} waiting (the ticket"
        f" pages); {booked} bookings of Siti's on {day}; {len(catalog)} catalog entries,"
        f" {len(lines)} lines, {len(agencies)} agencies"
    )
    return tokens, waiting, len(agencies), data


def ok(answer: requests.Response) -> dict:
    if answer.status_code != 200:
        raise BenchError(f"{answer.url}: {answer.status_code} {answer.text[:200]}")
    return answer.json()


def measure(mall, kind, path, args, token, tickets, meter) -> Load[tuple[float, str | None, int]]:
    """The warm-up, then ``--requests`` GETs over ``--threads`` threads: (s, error, bytes)."""

    def url(n: int) -> str:
        return mall.base + path.format(ticket=tickets[n % len(tickets)])

    @contextmanager
    def connect():
        with session(token if kind == "json" else None) as http:
            if token and kind == "page":
                http.cookies.set(COOKIE, token)  # as the browser sends it
            yield http

    wanted = "text/html" if kind == "page" else "application/json"

    def get(http: requests.Session, n: int) -> tuple[float, str | None, int]:
        began = time.perf_counter()
        try:
            answer = http.get(url(n), timeout=REQUEST_TIMEOUT, allow_redirects=False)
        except requests.RequestException as exc:
            return time.perf_counter() - began, type(exc).__name__, 0
        took, what = time.perf_counter() - began, answer.headers.get("Content-Type", "")
        right = answer.status_code == 200 and what.startswith(wanted)
        return took, None if right else f"{answer.status_code} {what}", len(answer.content)

    if args.warmup:
        run_load(args.warmup, args.threads, connect, url(0), get, meter, f"{path} warm-up")
    return run_load(args.requests, args.threads, connect, url(0), get, meter, path)


def percentiles(load: Load) -> tuple[float, float, float]:
    ms = [took * 1000 for took, _, _ in load.results]
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return cuts[49], cuts[89], cuts[98]


def report(header: list[str], results: list[tuple[tuple, Load]]) -> str:
    lines = ["", *header, ""]
    lines.append(
        f"{'operation':<19} {'path':<25} {'RPCs':>5} {'errors':>6} {'p50 ms':>7} {'p90 ms':>7}"
        f" {'p99 ms':>7} {'req/s':>6} {'bytes':>7}  p50 page/json"
    )
    p50s, errors = {(n, k): percentiles(load)[0] for (n, k, *_), load in results}, []
    for (name, kind, path, rpcs), load in results:
        p50, p90, p99 = percentiles(load)
        failed = [error for _, error, _ in load.results if error]
        errors += [f"{path}: {error}" for error in sorted(set(failed))[:3]]
        ratio = p50 / p50s[name, "json"] if kind == "page" and (name, "json") in p50s else None
        lines.append(
            f"{name + ' ' + kind:<19} {path.replace('{ticket}', '<id>'):<25} {rpcs:>5}"
            f" {len(failed):>6} {p50:7.1f} {p90:7.1f} {p99:7.1f}"
            f" {len(load.results) / load.wall:6.1f} {max(s for _, _, s in load.results):>7,}"
            + (f"  ×{ratio:.2f}" if ratio else "")
        )
    lines.append("RPCs: the gateway's own + those its callees make")
    roles = ("client", "gateway", "queue", "catalog", "licensing", "registry", "aid", "relays")
    rows = [(f"{name} {kind}", len(x.results), x.cpu, x.wall) for (name, kind, *_), x in results]
    lines += cpu_table("request", roles, rows, width=9) if all(x.cpu for _, x in results) else []
    return "\n".join([*lines, REST_FOOTNOTE, *errors])


def fmt(load: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.1f}" for x in load)


if __name__ == "__main__":
    sys.exit(main())
