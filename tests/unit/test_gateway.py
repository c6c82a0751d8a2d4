"""The Flask gateway with a fake RPC client in ``app.extensions["rpc_client"]``."""

import threading

import pytest

from gateway.app import create_app
from gateway.rpc import RemoteError, RpcTimeout

HEALTHY = {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
TICKET = {"id": "t-1", "label": "A-001", "service_code": "ktp", "status": "waiting"}


class FakeRpc:
    """Answers calls from a table of (service, method) -> result, exception or function."""

    def __init__(self, answers: dict | None = None):
        self.answers = dict(answers or {})
        self.calls: list[dict] = []
        self._lock = threading.Lock()

    def call(self, service, method, *args, context=None, timeout=None, **kwargs):
        with self._lock:
            self.calls.append(
                {
                    "service": service,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs,
                    "context": context,
                    "timeout": timeout,
                }
            )
        answer = self.answers[(service, method)]
        if isinstance(answer, BaseException):
            raise answer
        return answer(*args) if callable(answer) else answer


@pytest.fixture
def fake_rpc():
    return FakeRpc()


@pytest.fixture
def app(fake_rpc, monkeypatch, gateway_database):
    monkeypatch.delenv("GATEWAY_CONFIG", raising=False)
    monkeypatch.delenv("HEALTH_TIMEOUT", raising=False)
    app = create_app(
        {"SERVICES": ["civil_registry", "licensing", "queue"], "DATABASE_URL": gateway_database}
    )
    app.extensions["rpc_client"] = fake_rpc
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def answer_health(fake_rpc, **overrides):
    for service in ("civil_registry", "licensing", "queue"):
        report = overrides.get(service, {"service": service, **HEALTHY})
        fake_rpc.answers[(service, "health")] = report


def assert_error_body(response, status: int, code: str):
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "reason", "params", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


# --- happy paths -----------------------------------------------------------------------------


def test_service_lines_are_listed_from_the_queue_service(client, fake_rpc):
    fake_rpc.answers[("queue", "list_service_lines")] = [{"code": "ktp", "prefix": "A"}]
    response = client.get("/api/v1/service-lines")
    assert response.status_code == 200
    assert response.get_json() == {"items": [{"code": "ktp", "prefix": "A"}]}


def test_permit_types_are_listed_from_the_licensing_service(client, fake_rpc):
    fake_rpc.answers[("licensing", "list_permit_types")] = [{"code": "SIUP"}]
    response = client.get("/api/v1/permit-types")
    assert response.get_json() == {"items": [{"code": "SIUP"}]}


def test_issuing_a_ticket_answers_201_with_the_ticket(client, fake_rpc):
    fake_rpc.answers[("queue", "issue_ticket")] = TICKET
    response = client.post("/api/v1/tickets", json={"service_code": "ktp"})
    assert response.status_code == 201
    assert response.get_json() == TICKET
    (call,) = fake_rpc.calls
    assert (call["service"], call["method"]) == ("queue", "issue_ticket")
    assert call["args"] == ({"service_code": "ktp"},)


def test_issuing_a_ticket_passes_only_the_service_code(client, fake_rpc):
    fake_rpc.answers[("queue", "issue_ticket")] = TICKET
    client.post("/api/v1/tickets", json={"service_code": "ktp"})
    assert fake_rpc.calls[0]["args"] == ({"service_code": "ktp"},)


def test_a_ticket_for_someone_else_is_refused_before_any_call(client, fake_rpc):
    response = client.post(
        "/api/v1/tickets", json={"service_code": "ktp", "person_id": "someone-else"}
    )
    assert response.status_code == 422
    assert "person_id" in response.get_json()["error"]["fields"]
    assert fake_rpc.calls == []


def test_a_ticket_is_fetched_by_its_id(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = lambda ticket_id: {**TICKET, "id": ticket_id}
    response = client.get("/api/v1/tickets/t-9")
    assert response.status_code == 200
    assert response.get_json()["id"] == "t-9"


def test_non_ascii_text_is_returned_unescaped(client, fake_rpc):
    fake_rpc.answers[("queue", "list_service_lines")] = [{"name_id": "Perekaman KTP-el – baru"}]
    response = client.get("/api/v1/service-lines")
    assert "–" in response.get_data(as_text=True)


# --- the error table -------------------------------------------------------------------------


def test_invalid_input_is_422_with_the_field_errors(client, fake_rpc):
    fields = {"service_code": ["unknown service"]}
    fake_rpc.answers[("queue", "issue_ticket")] = RemoteError(
        "InvalidInput", "invalid input", ["invalid input", fields]
    )
    response = client.post("/api/v1/tickets", json={"service_code": "zzz"})
    error = assert_error_body(response, 422, "invalid_input")
    assert error == {
        "code": "invalid_input",
        "reason": "invalid_input",
        "params": {},
        "message": "invalid input",
        "fields": fields,
    }


def test_not_found_is_404_with_the_services_message(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = RemoteError(
        "NotFound", "ticket t-404 not found", ["ticket t-404 not found", {}]
    )
    error = assert_error_body(client.get("/api/v1/tickets/t-404"), 404, "not_found")
    assert error["message"] == "ticket t-404 not found"
    assert error["fields"] == {}


def test_conflict_is_409(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = RemoteError(
        "Conflict", "ticket already called", ["ticket already called", {}]
    )
    error = assert_error_body(client.get("/api/v1/tickets/t-1"), 409, "conflict")
    assert error["message"] == "ticket already called"


def test_forbidden_is_403(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = RemoteError("Forbidden", "not yours", ["not yours"])
    assert_error_body(client.get("/api/v1/tickets/t-1"), 403, "forbidden")


def test_a_service_with_no_listener_is_503(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = RemoteError(
        "UnknownService", "queue.get_ticket has no listener"
    )
    assert_error_body(client.get("/api/v1/tickets/t-1"), 503, "service_unavailable")


def test_an_rpc_timeout_is_504(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = RpcTimeout("queue.get_ticket did not answer")
    error = assert_error_body(client.get("/api/v1/tickets/t-1"), 504, "timeout")
    assert error["fields"] == {}


def test_an_unexpected_remote_error_is_a_plain_500_without_its_details(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = RemoteError(
        "OperationalError",
        "(sqlite3.OperationalError) no such column: tickets.secret_column",
        ["Traceback (most recent call last): secret_column"],
    )
    response = client.get("/api/v1/tickets/t-1")
    error = assert_error_body(response, 500, "internal_error")
    assert error == {
        "code": "internal_error",
        "reason": "internal_error",
        "params": {},
        "message": "internal error",
        "fields": {},
    }
    text = response.get_data(as_text=True)
    for leak in ("OperationalError", "secret_column", "Traceback", "sqlite3"):
        assert leak not in text


def test_an_exception_inside_the_gateway_is_a_plain_500_without_its_details(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = KeyError("password-of-the-db")
    response = client.get("/api/v1/tickets/t-1")
    assert_error_body(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "password-of-the-db" not in text and "KeyError" not in text


# --- HTTP errors in the same shape -----------------------------------------------------------


def test_an_unknown_route_is_404_in_the_error_shape(client, fake_rpc):
    error = assert_error_body(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert error["fields"] == {}
    assert fake_rpc.calls == []


def test_a_wrong_method_is_405_in_the_error_shape(client):
    assert_error_body(client.delete("/api/v1/service-lines"), 405, "method_not_allowed")


def test_a_wrong_method_names_the_allowed_methods_in_the_allow_header(client):
    response = client.delete("/api/v1/service-lines")
    assert response.status_code == 405
    assert "GET" in response.headers.get("Allow", "")


def test_issuing_a_ticket_with_a_non_json_body_is_400(client, fake_rpc):
    response = client.post("/api/v1/tickets", data="service_code=ktp")
    error = assert_error_body(response, 400, "bad_request")
    assert error["message"] == "request body must be a JSON object"
    assert fake_rpc.calls == []


def test_issuing_a_ticket_with_malformed_json_is_400(client, fake_rpc):
    response = client.post(
        "/api/v1/tickets", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert_error_body(response, 400, "bad_request")
    assert fake_rpc.calls == []


def test_issuing_a_ticket_with_a_json_array_is_400(client, fake_rpc):
    response = client.post("/api/v1/tickets", json=["ktp"])
    assert_error_body(response, 400, "bad_request")
    assert fake_rpc.calls == []


# --- request ids -----------------------------------------------------------------------------


def test_a_valid_request_id_is_echoed_and_sent_as_the_correlation_id(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = TICKET
    response = client.get("/api/v1/tickets/t-1", headers={"X-Request-ID": "kiosk-7-abc123"})
    assert response.headers["X-Request-ID"] == "kiosk-7-abc123"
    assert fake_rpc.calls[0]["context"] == {"correlation_id": "kiosk-7-abc123"}


def test_a_request_id_is_generated_when_absent_and_sent_as_the_correlation_id(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = TICKET
    response = client.get("/api/v1/tickets/t-1")
    generated = response.headers["X-Request-ID"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert fake_rpc.calls[0]["context"] == {"correlation_id": generated}


def test_each_request_without_an_id_gets_a_different_one(client, fake_rpc):
    fake_rpc.answers[("queue", "get_ticket")] = TICKET
    first = client.get("/api/v1/tickets/t-1").headers["X-Request-ID"]
    second = client.get("/api/v1/tickets/t-1").headers["X-Request-ID"]
    assert first != second


@pytest.mark.parametrize(
    "incoming",
    [
        pytest.param("abc", id="too-short"),
        pytest.param("a" * 65, id="too-long"),
        pytest.param("bad id with spaces", id="spaces"),
        pytest.param("<script>alert(1)</script>", id="markup"),
        pytest.param("--------", id="only-dashes"),
    ],
)
def test_an_invalid_request_id_is_replaced_by_a_generated_one(client, fake_rpc, incoming):
    fake_rpc.answers[("queue", "get_ticket")] = TICKET
    response = client.get("/api/v1/tickets/t-1", headers={"X-Request-ID": incoming})
    generated = response.headers["X-Request-ID"]
    assert generated != incoming
    assert len(generated) == 32
    assert fake_rpc.calls[0]["context"] == {"correlation_id": generated}


def test_error_responses_carry_the_request_id_too(client):
    response = client.get("/nowhere", headers={"X-Request-ID": "trace-0000-1111"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "trace-0000-1111"


# --- health ----------------------------------------------------------------------------------


def test_health_is_200_when_every_service_reports_ok(client, fake_rpc):
    answer_health(fake_rpc)
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"civil_registry", "licensing", "queue"}
    assert body["services"]["queue"]["checks"] == {"database": "ok", "broker": "ok"}


def test_health_asks_every_service_with_the_health_timeout_and_request_id(client, fake_rpc):
    answer_health(fake_rpc)
    client.get("/health", headers={"X-Request-ID": "probe-12345678"})
    assert sorted(call["service"] for call in fake_rpc.calls) == [
        "civil_registry",
        "licensing",
        "queue",
    ]
    for call in fake_rpc.calls:
        assert call["method"] == "health"
        assert call["timeout"] == 3.0
        assert call["context"] == {"correlation_id": "probe-12345678"}


def test_health_is_503_naming_the_service_that_timed_out(client, fake_rpc):
    answer_health(fake_rpc)
    fake_rpc.answers[("licensing", "health")] = RpcTimeout("licensing.health did not answer")
    response = client.get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["services"]["licensing"] == {
        "service": "licensing",
        "status": "unreachable",
        "reason": "timeout",
    }
    assert body["services"]["queue"]["status"] == "ok"


def test_health_is_503_when_a_service_has_no_listener(client, fake_rpc):
    answer_health(fake_rpc)
    fake_rpc.answers[("queue", "health")] = RemoteError("UnknownService", "no listener")
    body = client.get("/health").get_json()
    assert body["services"]["queue"]["reason"] == "UnknownService"


def test_health_is_503_when_a_service_reports_a_failing_check(client, fake_rpc):
    failing = {"service": "civil_registry", "status": "failing", "checks": {"database": "x"}}
    answer_health(fake_rpc, civil_registry=failing)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json()["services"]["civil_registry"] == failing


# --- RemoteError -----------------------------------------------------------------------------


def test_remote_error_fields_are_its_second_argument():
    error = RemoteError("InvalidInput", "invalid input", ["invalid input", {"nik": ["bad"]}])
    assert error.fields == {"nik": ["bad"]}


@pytest.mark.parametrize(
    "remote_args",
    [None, [], ["only a message"], ["message", "not a dict"], ["message", ["a", "list"]]],
)
def test_remote_error_without_a_field_mapping_has_no_fields(remote_args):
    assert RemoteError("ValueError", "boom", remote_args).fields == {}


def test_remote_error_keeps_type_and_message():
    error = RemoteError("NotFound", "resident not found", ["resident not found", {}])
    assert (error.exc_type, error.message) == ("NotFound", "resident not found")
    assert str(error) == "NotFound: resident not found"
