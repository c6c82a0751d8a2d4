"""The gateway's RPC client against real nameko services: threads, timeouts, context."""

from concurrent.futures import ThreadPoolExecutor

import eventlet
import pytest

from chassis.rpc_client import RemoteError, RpcClient, RpcTimeout
from chassis.service import MallService, rpc


class EchoService(MallService):
    name = "echo"

    @rpc
    def echo(self, value):
        return value

    @rpc
    def whoami(self) -> str:
        return self.correlation_id

    @rpc
    def stall(self, seconds: float) -> None:
        eventlet.sleep(seconds)


@pytest.fixture
def client(container_factory, rabbit_config):
    container_factory(EchoService, rabbit_config).start()
    client = RpcClient(rabbit_config["AMQP_URI"], timeout=10)
    yield client
    client.close()


def test_concurrent_calls_from_many_threads_each_get_their_own_reply(client):
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(lambda i: client.call("echo", "echo", {"n": i}), range(400)))
    assert replies == [{"n": i} for i in range(400)]


def test_the_correlation_id_travels_as_nameko_context_data(client):
    assert client.call("echo", "whoami", context={"correlation_id": "req-42"}) == "req-42"


def test_a_call_without_an_answer_times_out(client):
    with pytest.raises(RpcTimeout):
        client.call("echo", "stall", 2, timeout=0.2)


def test_a_call_to_a_service_nobody_runs_fails_fast_as_unknown(client):
    with pytest.raises(RemoteError) as err:
        client.call("nobody", "anything", timeout=5)
    assert err.value.exc_type == "UnknownService"


def test_a_remote_exception_arrives_with_its_type_and_arguments(client):
    with pytest.raises(RemoteError) as err:
        client.call("echo", "echo")  # missing argument
    assert err.value.exc_type == "IncorrectSignature"
