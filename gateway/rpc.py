"""The gateway's RPC client: one per worker process, created after fork on first use."""

import os
import threading

from chassis.rpc_client import RemoteError, RpcClient, RpcTimeout

__all__ = ["RemoteError", "RpcClient", "RpcTimeout", "rpc_client"]

_clients: dict[int, RpcClient] = {}
_clients_lock = threading.Lock()


def rpc_client(amqp_uri: str, timeout: float) -> RpcClient:
    """The client of this process, created on first use after fork."""
    pid = os.getpid()
    with _clients_lock:
        if pid not in _clients:
            _clients.clear()  # inherited from a parent process: unusable here
            _clients[pid] = RpcClient(amqp_uri, timeout)
        return _clients[pid]
