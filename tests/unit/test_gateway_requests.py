"""Reading requests in the gateway: what is refused before any service is asked."""

import io
import json

import pytest
from gunicorn.util import write_error

from gateway.app import create_app
from gateway.bodies import max_body_bytes
from gateway.worker import MESSAGES, JsonErrorSocket


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


def test_a_body_declared_larger_than_the_mall_takes_is_refused_on_any_route(http, rpc):
    huge = {"CONTENT_LENGTH": str(max_body_bytes({"MAX_DOCUMENT_BYTES": 10485760}) + 1)}
    answer = http.get("/api/v1/satisfaction?scope=service&key=tax", environ_overrides=huge)
    assert answer.status_code == 413
    assert answer.get_json()["error"]["code"] == "request_entity_too_large"
    assert rpc.calls == []


def test_what_a_route_leaves_of_a_body_is_drained_before_it_answers(http, rpc):
    body = io.BytesIO(b"x" * 300_000)
    answer = http.get(
        "/api/v1/satisfaction?scope=service&key=tax",
        input_stream=body,
        environ_overrides={"CONTENT_LENGTH": "300000"},
    )
    assert answer.status_code == 200 and body.read() == b""


def test_an_error_body_naming_a_lone_surrogate_still_encodes(http, rpc):
    answer = http.post("/api/v1/tickets", data='{"\\udc00": 1}', content_type="application/json")
    assert fields(answer) == {"\ufffd": ["must be Unicode text (a lone UTF-16 surrogate is not)"]}


class RecordingSocket:
    def __init__(self):
        self.sent = b""

    def gettimeout(self):
        return None

    def setblocking(self, flag):
        pass

    def sendall(self, data):
        self.sent += data


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [(414, "URI Too Long", "uri_too_long"), (400, "Bad Request", "bad_request")],
)
def test_the_page_gunicorn_writes_for_its_refusals_goes_out_as_the_error_body(status, reason, code):
    sock = RecordingSocket()
    write_error(JsonErrorSocket(sock), status, reason, "Request Line is too large (6036 > 4094)")
    head, _, body = sock.sent.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} {reason}\r\n".encode())
    assert b"Content-Type: application/json" in head and b"Connection: close" in head
    assert json.loads(body)["error"] == {
        "code": code,
        "reason": code,
        "params": {},
        "message": MESSAGES[status],
        "fields": {},
    }
