"""The gateway's RPC client: one per worker process, created after fork on first use."""

import os
import threading

from chassis.rpc_client import BrokerUnavailable, RemoteError, RpcClient, RpcTimeout

__all__ = ["BrokerUnavailable", "RemoteError", "RpcClient", "RpcTimeout", "rpc_client"]

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
