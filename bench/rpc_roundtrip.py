"""RPC round trips over the local RabbitMQ: nameko against raw kombu, in one run.

What is measured: the time from sending an echo request (a small int) to holding its reply,
for every pairing of three clients with two servers, each made ``--calls`` times one after
another (sequential, concurrency 1) and ``--concurrent-calls`` times over ``--concurrency``
threads (concurrent). Latency percentiles are per call; throughput is calls / wall time.

- clients: nameko's standalone ``ClusterRpcProxy`` (eventlet, one proxy per green thread),
  the gateway's ``RpcClient`` (plain threads sharing one client, as a gateway worker does),
  and a raw kombu client (one connection per thread; see ``bench.raw_echo``);
- servers: a nameko service (``bench.echo_service`` under ``nameko run``) and a raw kombu
  echo server (``bench.raw_echo``).

Both sides use nameko's wire format and delivery flags everywhere: persistent JSON messages,
publisher confirms, a durable topic exchange and durable request queue, replies routed by
``reply_to``; so the raw pairing is the floor that the broker, the network stack and kombu
set, and the rest is what nameko's machinery adds.

How to read the ratios: ``×raw`` divides a row by the raw client -> raw server row of the
same mode, and "nameko/raw" at the end does so for the nameko service called by nameko's
proxy and by the gateway's client. A p50 ratio of 2.0 means a round trip takes twice as long
as raw kombu's; a throughput ratio of 0.5 means half as many calls per second. The cross
pairings (raw client -> nameko service, nameko clients -> raw server) show roughly which
side a gap comes from; the shares do not add up exactly. One thing to know when reading the
latencies: RabbitMQ confirms a persistent message on a durable queue only once it is on disk
or consumed and acked, so each confirmed request publish returns about when the server has
replied and acked; a round trip therefore always includes the server's whole handling.

Everything runs in a fresh vhost made through the management API and deleted at the end,
with each client and server in its own process; all of them are stopped on exit, error or
Ctrl-C. Run from the project root: ``.venv/bin/python -m bench.rpc_roundtrip``.
"""

import argparse
import base64
import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from amqp.exceptions import ChannelError
from kombu import Connection

from bench.raw_echo import PREFETCH
from bench.raw_echo import SERVICE as RAW_SERVICE

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = {  # module -> client names, in report order
    "bench.thread_client": ("raw kombu", "gateway RpcClient"),
    "bench.nameko_client": ("nameko ClusterRpcProxy",),
}
ECHO_SERVICE = "bench.echo_service:EchoService"
ECHO_NAME = "bench_echo"  # EchoService.name; not imported: nameko would import eventlet here
SERVERS = {RAW_SERVICE: "raw kombu", ECHO_NAME: "nameko"}
STARTUP_TIMEOUT = 30.0  # seconds for a server to consume its queue
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL
PER_CALL_BUDGET = 0.02  # seconds a call may take on average before a client process is killed


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # clean up on SIGTERM as on Ctrl-C
    started = time.monotonic()
    try:
        rows, broker = run(args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; stopped everything and deleted the vhost", file=sys.stderr)
        return 130
    print(report(rows, broker, args, time.monotonic() - started))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=_positive, default=2000, help="sequential calls per row")
    parser.add_argument(
        "--concurrent-calls", type=_positive, default=4000, help="concurrent calls per row"
    )
    parser.add_argument("--concurrency", type=_positive, default=16, help="concurrent threads")
    parser.add_argument(
        "--amqp-uri",
        default="pyamqp://guest:guest@127.0.0.1:5672//",
        help="the broker; the run makes (and deletes) its own vhost there",
    )
    parser.add_argument(
        "--management-url", help="RabbitMQ management API (default: http://<amqp host>:15672)"
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> tuple[list[dict[str, Any]], str]:
    """Start both servers in a fresh vhost, run every client process; return rows and broker."""
    with ExitStack() as stack:
        amqp_uri = stack.enter_context(dedicated_vhost(args.amqp_uri, args.management_url))
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-rpc-")))
        config = workdir / "echo.yaml"  # JSON is YAML
        config.write_text(json.dumps({"AMQP_URI": amqp_uri, "max_workers": PREFETCH}))
        nameko = str(Path(sys.executable).with_name("nameko"))
        servers = {
            ECHO_NAME: [nameko, "run", "--config", str(config), ECHO_SERVICE],
            RAW_SERVICE: [sys.executable, "-m", "bench.raw_echo", "--amqp-uri", amqp_uri],
        }
        for name, command in servers.items():
            log = workdir / f"{name}.log"
            output = stack.enter_context(log.open("w"))
            proc = spawn(stack, command, stdout=output, stderr=subprocess.STDOUT)
            broker = wait_for_consumer(amqp_uri, f"rpc-{name}", proc, log)
        rows = []
        for module in CLIENTS:
            rows += run_clients(stack, module, args, amqp_uri, workdir / f"{module}.log")
        return rows, broker


@contextmanager
def dedicated_vhost(amqp_uri: str, management_url: str | None) -> Iterator[str]:
    """A fresh vhost for the run, deleted with all it holds on exit; yields its AMQP URI."""
    conn = Connection(amqp_uri)
    api = (management_url or f"http://{conn.hostname}:15672").rstrip("/") + "/api"
    token = base64.b64encode(f"{conn.userid}:{conn.password}".encode()).decode()
    vhost = f"bench-rpc-{uuid.uuid4().hex[:8]}"

    def call(method: str, path: str, body: dict[str, str] | None = None) -> None:
        request = urllib.request.Request(
            api + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except OSError as exc:  # URLError, HTTPError, timeouts
            raise BenchError(f"{method} {api}{path}: {exc} (management plugin on?)") from exc

    call("PUT", f"/vhosts/{vhost}")
    try:
        grant = {"configure": ".*", "write": ".*", "read": ".*"}
        call("PUT", f"/permissions/{vhost}/{quote(conn.userid, safe='')}", grant)
        yield conn.clone(virtual_host=vhost).as_uri(include_password=True)
    finally:
        call("DELETE", f"/vhosts/{vhost}")


def spawn(stack: ExitStack, command: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    """Start a child in its own session (Ctrl-C reaches only us) and stop it when leaving."""
    proc = subprocess.Popen(
        command, cwd=ROOT, text=True, start_new_session=True, preexec_fn=_die_with_parent, **kwargs
    )
    stack.callback(_stop, proc)
    return proc


def wait_for_consumer(amqp_uri: str, queue: str, proc: subprocess.Popen[str], log: Path) -> str:
    """Wait until a server consumes ``queue``; return the broker's product and version."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with Connection(amqp_uri, connect_timeout=10) as conn:
        conn.connect()
        while True:
            if proc.poll() is not None:
                raise BenchError(f"the server of {queue} exited:\n{_tail(log)}")
            channel = conn.channel()
            try:
                if channel.queue_declare(queue=queue, passive=True).consumer_count:
                    info = conn.connection.server_properties
                    return f"{info.get('product', 'broker')} {info.get('version', '?')}"
                channel.close()
            except ChannelError:
                pass  # not declared yet; the failed declare closed the channel
            if time.monotonic() > deadline:
                raise BenchError(f"no consumer on {queue} after {STARTUP_TIMEOUT}s:\n{_tail(log)}")
            time.sleep(0.1)


def run_clients(
    stack: ExitStack, module: str, args: argparse.Namespace, amqp_uri: str, log: Path
) -> list[dict[str, Any]]:
    """Run one client process against both servers; collect its JSON lines as they come."""
    calls = len(CLIENTS[module]) * len(SERVERS) * (args.calls + args.concurrent_calls)
    timeout = 60 + PER_CALL_BUDGET * calls
    command = [sys.executable, "-m", module, "--amqp-uri", amqp_uri]
    command += ["--calls", str(args.calls), "--total", str(args.concurrent_calls)]
    command += ["--concurrency", str(args.concurrency), "--servers", ",".join(SERVERS)]
    with log.open("w") as stderr:
        proc = spawn(stack, command, stdout=subprocess.PIPE, stderr=stderr)
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    rows = []
    try:
        for line in _lines(proc.stdout):
            row = json.loads(line)
            rows.append(row)
            print(
                f"  {row['client']:>22} -> {SERVERS[row['server']]:<10} {row['mode']:<10}"
                f" p50 {row['p50_ms']:6.2f} ms  {row['throughput']:7.0f}/s",
                file=sys.stderr,
                flush=True,
            )
        proc.wait()
    finally:
        watchdog.cancel()
        watchdog.join()
    if proc.returncode:
        killed = f" (killed after {timeout:.0f}s)" if proc.returncode == -signal.SIGKILL else ""
        raise BenchError(f"{module} failed{killed}:\n{_tail(log)}")
    return rows


def report(
    rows: list[dict[str, Any]], broker: str, args: argparse.Namespace, elapsed: float
) -> str:
    """The table of every pairing and mode, then the nameko/raw ratios."""
    index = {(r["client"], SERVERS[r["server"]], r["mode"]): r for r in rows}
    clients = [client for names in CLIENTS.values() for client in names]
    lines = [
        "",
        f"RPC round trips: nameko {version('nameko')} / kombu {version('kombu')} on {broker},"
        f" {os.cpu_count()} CPUs; whole run {elapsed:.0f} s",
        f"sequential: {args.calls} calls, 1 thread; concurrent: {args.concurrent_calls} calls,"
        f" {args.concurrency} threads; payload: a small int echoed back",
        "",
        f"{'client':<23} {'server':<10} {'mode':<11} {'p50 ms':>7} {'p99 ms':>7} {'calls/s':>8}"
        f" {'p50 ×raw':>9} {'calls/s ×raw':>13}",
    ]
    for mode in ("sequential", "concurrent"):
        base = index[("raw kombu", "raw kombu", mode)]
        for client in clients:
            for server in SERVERS.values():
                r = index[(client, server, mode)]
                lines.append(
                    f"{client:<23} {server:<10} {mode:<11} {r['p50_ms']:7.2f} {r['p99_ms']:7.2f}"
                    f" {r['throughput']:8.0f} {r['p50_ms'] / base['p50_ms']:9.2f}"
                    f" {r['throughput'] / base['throughput']:13.2f}"
                )
    lines += ["", "nameko/raw (<client> -> nameko service over raw kombu -> raw kombu server):"]
    for mode in ("sequential", "concurrent"):
        raw = index[("raw kombu", "raw kombu", mode)]
        for client in ("nameko ClusterRpcProxy", "gateway RpcClient"):
            row = index[(client, "nameko", mode)]
            lines.append(
                f"  {client:<23} {mode:<11} p50 ×{row['p50_ms'] / raw['p50_ms']:.2f}"
                f" ({row['p50_ms'] - raw['p50_ms']:+.2f} ms)"
                f"  p99 ×{row['p99_ms'] / raw['p99_ms']:.2f}"
                f"  calls/s ×{row['throughput'] / raw['throughput']:.2f}"
            )
    return "\n".join(lines)


def _lines(stream: IO[str] | None) -> Iterator[str]:
    yield from (line for line in stream or () if line.startswith("{"))


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout:
        proc.stdout.close()


def _die_with_parent() -> None:
    """In the child: have Linux SIGTERM it if we die without cleaning up (e.g. SIGKILL)."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


if __name__ == "__main__":
    sys.exit(main())
