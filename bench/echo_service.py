"""The nameko side of the benchmark: the smallest possible RPC service.

Run by ``bench.rpc_roundtrip`` as ``nameko run bench.echo_service:EchoService``.
"""

from nameko.rpc import rpc


class EchoService:
    name = "bench_echo"

    @rpc
    def echo(self, value):
        return value
