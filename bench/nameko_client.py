"""nameko's standalone ``ClusterRpcProxy`` under eventlet, one proxy per green thread (a proxy
is not safe to share). Prints one JSON line a result.
"""

import eventlet

eventlet.monkey_patch()

from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from functools import partial  # noqa: E402

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from bench import harness  # noqa: E402


@contextmanager
def proxy_caller(amqp_uri: str, service: str) -> Iterator[harness.Call]:
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=harness.CALL_TIMEOUT) as cluster:
        yield cluster[service].echo


def main() -> None:
    args = harness.worker_args(__doc__)
    for server in args.servers.split(","):
        opener = partial(proxy_caller, args.amqp_uri, server)
        harness.run_both("nameko ClusterRpcProxy", server, opener, args)


if __name__ == "__main__":
    main()
