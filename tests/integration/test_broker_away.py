"""While the broker cannot be reached: a call fails fast with 503 broker_unavailable and a
Retry-After, never a 500 or a hang, and /health says the broker is what is down."""

import time

import pytest

from bench.broker import free_port
from chassis.rpc_client import BrokerUnavailable, RpcClient
from gateway.app import create_app

NOWHERE = f"pyamqp://guest:guest@127.0.0.1:{free_port()}//"  # nothing listens there


@pytest.fixture
def gateway(gateway_database):
    app = create_app({"AMQP_URI": NOWHERE, "DATABASE_URL": gateway_database, "RPC_TIMEOUT": 10})
    client = RpcClient(NOWHERE, timeout=10)
    app.extensions["rpc_client"] = client
    yield app.test_client()
    client.close()


def test_a_call_without_a_broker_fails_fast_as_broker_unavailable():
    client = RpcClient(NOWHERE, timeout=10)  # no broker is no reason not to start
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable):
        client.call("queue", "health")
    assert time.monotonic() - started < 5  # well inside the call's timeout
    assert client.connected is False
    client.close()


def test_a_request_without_a_broker_is_503_with_retry_after(gateway):
    started = time.monotonic()
    answer = gateway.post("/api/v1/tickets", json={"service_code": "tax"})
    assert time.monotonic() - started < 5
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "broker_unavailable"
    assert int(answer.headers["Retry-After"]) > 0


def test_health_names_the_broker_as_what_is_down(gateway):
    answer = gateway.get("/health")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["broker"] == "unreachable" and body["status"] == "degraded"
    assert {s["reason"] for s in body["services"].values()} == {"broker_unavailable"}


@pytest.mark.parametrize(
    "lang, text", [("id", "Sistem sedang tersambung ulang"), ("en", "Reconnecting")]
)
def test_a_page_without_a_broker_says_so_in_her_language(gateway, lang, text):
    answer = gateway.post(f"/kiosk?lang={lang}", data={"service_code": "tax"})
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert text in answer.get_data(as_text=True)
