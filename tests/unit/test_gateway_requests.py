"""Reading requests in the gateway: what is refused before any service is asked."""

import pytest

from gateway.app import create_app


class Recorder:
    """An RPC client that records calls and answers every one with an empty object."""

    def __init__(self):
        self.calls = []

    def call(self, service, method, *args, **kwargs):
        self.calls.append((service, method, args))
        return {}


@pytest.fixture
def rpc():
    return Recorder()


@pytest.fixture
def http(rpc, monkeypatch):
    monkeypatch.delenv("GATEWAY_CONFIG", raising=False)
    app = create_app()
    app.extensions["rpc_client"] = rpc
    return app.test_client()


def fields(response) -> dict:
    assert response.status_code == 422
    return response.get_json()["error"]["fields"]


def test_a_query_parameter_given_twice_is_refused_as_ambiguous(http, rpc):
    answer = http.get("/api/v1/satisfaction?scope=service&key=tax&key=population")
    assert fields(answer) == {"key": ["give this parameter once"]}
    assert rpc.calls == []
    once = http.get("/api/v1/satisfaction?scope=service&key=tax")
    assert once.status_code == 200
    assert rpc.calls == [("queue", "satisfaction", ("service", "tax"))]


def test_unknown_query_parameters_are_ignored(http, rpc):
    assert http.get("/api/v1/satisfaction?scope=service&key=tax&_=1").status_code == 200


def test_a_nul_character_anywhere_in_a_body_is_refused_with_its_field(http, rpc):
    nested = {"changes": {"full_name": "Siti\x00"}, "reason": "typo in the name"}
    answer = http.post("/api/v1/tickets", json={"service_code": "tax\x00"})
    assert fields(answer) == {"service_code": ["must not contain a NUL character"]}
    assert http.post("/api/v1/check-ins", json={"code\x00": "x"}).status_code == 422
    assert http.post("/api/v1/tickets/t-1/rating", json=nested).status_code == 422
    assert rpc.calls == []


def test_a_nul_character_in_a_path_finds_nothing(http, rpc):
    answer = http.get("/api/v1/tickets/t%00-1")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_found"
    assert rpc.calls == []
