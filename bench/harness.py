"""Timing shared by the benchmark's client processes: run calls, keep latencies, summarise.

Under eventlet's monkey patching ``threading`` gives green threads, so the same harness
measures nameko's standalone proxies (green threads) and the plain-thread clients.
"""

import argparse
import json
import statistics
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

CALL_TIMEOUT = 10.0  # seconds; every client gives up on a single call after this
WARMUP_CALLS = 20  # per thread, before the clock starts: connections, queues, caches

Call = Callable[[int], Any]
OpenCaller = Callable[[], AbstractContextManager[Call]]


def measure(open_caller: OpenCaller, calls: int, concurrency: int) -> dict[str, float]:
    """Make ``calls`` echo calls spread over ``concurrency`` threads; return the statistics.

    Each thread opens its caller and warms it up before a common start line, so the wall
    time covers round trips only. Any failed call or wrong echo fails the measurement.
    """
    shares = [calls // concurrency + (i < calls % concurrency) for i in range(concurrency)]
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[BaseException] = []
    start_line = threading.Barrier(concurrency + 1, timeout=60)

    def run(index: int) -> None:
        try:
            with open_caller() as call:
                for n in range(WARMUP_CALLS):
                    _check(call, -n)
                start_line.wait()
                out = latencies[index]
                for n in range(shares[index]):
                    value = index * calls + n
                    started = time.perf_counter()
                    result = call(value)
                    out.append(time.perf_counter() - started)
                    _check_result(value, result)
        except threading.BrokenBarrierError:
            pass  # another thread failed first; its error is the one reported
        except BaseException as exc:
            errors.append(exc)
            start_line.abort()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        start_line.wait()
    except threading.BrokenBarrierError:
        pass
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    return summarise([x for out in latencies for x in out], wall)


def summarise(latencies: list[float], wall: float) -> dict[str, float]:
    ms = sorted(x * 1000 for x in latencies)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "calls": len(ms),
        "p50_ms": cuts[49],
        "p99_ms": cuts[98],
        "max_ms": ms[-1],
        "wall_s": wall,
        "throughput": len(ms) / wall,
    }


def _check(call: Call, value: int) -> None:
    _check_result(value, call(value))


def _check_result(value: int, result: Any) -> None:
    if result != value:
        raise AssertionError(f"echo({value!r}) returned {result!r}")


def worker_args(description: str) -> argparse.Namespace:
    """The command line every client process takes from ``bench.rpc_roundtrip``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--amqp-uri", required=True)
    parser.add_argument("--calls", type=int, required=True, help="sequential calls")
    parser.add_argument("--total", type=int, required=True, help="concurrent calls in all")
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--servers", required=True, help="comma-separated service names")
    return parser.parse_args()


def run_both(client: str, server: str, open_caller: OpenCaller, args: argparse.Namespace) -> None:
    """Measure one client against one server, sequential then concurrent; print JSON lines."""
    for mode, calls, concurrency in (
        ("sequential", args.calls, 1),
        ("concurrent", args.total, args.concurrency),
    ):
        stats = measure(open_caller, calls, concurrency)
        row = {"client": client, "server": server, "mode": mode, "concurrency": concurrency}
        print(json.dumps(row | stats), flush=True)
