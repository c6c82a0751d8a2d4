"""The gateway's RPC client, and the calls a route makes with it on behalf of its request.

One client per worker process, created after fork on first use. Blueprints import ``call``
and ``call_together`` from here, never from ``gateway.app``, which only assembles the app.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import current_app, g

from chassis import logs
from chassis.actor import CONTEXT_KEY as ACTOR_KEY
from chassis.rpc_client import BrokerUnavailable, RemoteError, RpcClient, RpcTimeout
from gateway import idempotency

__all__ = [
    "BrokerUnavailable",
    "RemoteError",
    "RpcClient",
    "RpcTimeout",
    "call",
    "call_together",
    "request_context",
    "rpc",
    "rpc_client",
]

_clients: dict[tuple[int, str], RpcClient] = {}
_clients_lock = threading.Lock()


def rpc_client(amqp_uri: str, timeout: float) -> RpcClient:
    """The client of this process for ``amqp_uri``, created on first use after fork."""
    key = (os.getpid(), amqp_uri)
    with _clients_lock:
        if key not in _clients:
            for inherited in [k for k in _clients if k[0] != key[0]]:
                del _clients[inherited]  # a parent process's: unusable here
            _clients[key] = RpcClient(amqp_uri, timeout)
        return _clients[key]


def rpc() -> RpcClient:
    """This worker process's RPC client (or one given in ``app.extensions``, for tests)."""
    if "rpc_client" in current_app.extensions:
        return current_app.extensions["rpc_client"]
    return rpc_client(current_app.config["AMQP_URI"], float(current_app.config["RPC_TIMEOUT"]))


def request_context() -> dict:
    """The nameko context data that travels with every call made for this request."""
    context = {logs.CONTEXT_KEY: g.get("correlation_id")}
    actor = g.get("actor")
    if actor is not None and actor.id is not None:
        context[ACTOR_KEY] = actor.as_context()
    return context


def call(service: str, method: str, *args, **kwargs):
    """Call a service on behalf of the current request."""
    context = idempotency.next_call_context(request_context())
    return rpc().call(service, method, *args, context=context, **kwargs)


def call_together(calls: list[tuple]) -> list:
    """Several independent calls ``(service, method, *args)`` on behalf of the current
    request, made at once: the answers in order (the first failure is raised)."""
    if not calls:
        return []
    client, context = rpc(), request_context()
    contexts = [idempotency.next_call_context(context) for _ in calls]  # ids in call order
    with ThreadPoolExecutor(max_workers=min(8, len(calls))) as pool:
        asked = [
            pool.submit(client.call, s, m, *args, context=each)
            for (s, m, *args), each in zip(calls, contexts, strict=True)
        ]
        return [answer.result() for answer in asked]
