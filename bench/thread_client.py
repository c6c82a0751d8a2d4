"""Plain-thread clients: the gateway's ``RpcClient`` (one shared by all threads, as in a
gateway worker) and ``RawClient`` (one connection per thread). Prints one JSON line a result.
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial

from bench import harness
from bench.raw_echo import RawClient
from gateway.rpc import RpcClient


@contextmanager
def raw_caller(amqp_uri: str, service: str) -> Iterator[harness.Call]:
    with RawClient(amqp_uri, service, harness.CALL_TIMEOUT) as client:
        yield client.call


def main() -> None:
    args = harness.worker_args(__doc__)
    servers = args.servers.split(",")
    for server in servers:
        harness.run_both("raw kombu", server, partial(raw_caller, args.amqp_uri, server), args)
    client = RpcClient(args.amqp_uri, harness.CALL_TIMEOUT)
    try:
        for server in servers:
            shared = partial(nullcontext, partial(client.call, server, "echo"))
            harness.run_both("gateway RpcClient", server, shared, args)
    finally:
        client.close()


if __name__ == "__main__":
    main()
