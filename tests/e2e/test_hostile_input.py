"""The running mall (gunicorn, as ``scripts/run-mall`` starts it) against hostile and odd
input: every operation of its OpenAPI document with deeply nested JSON, lone UTF-16
surrogates, control characters and over-long text in its body, query and path, never
answered with a 5xx and always, when refused, with the mall's JSON error body; and, over
raw sockets, the refusals gunicorn makes itself (414, 431, 400, 413) and request bodies a
route leaves unread on a kept-alive connection.
"""

import json
import socket
from urllib.parse import quote

import pytest
import requests

from tests.e2e.conftest import bearer_headers, wait_until_healthy

# tag -> the role that calls the signed-in operations of that area (a citizen otherwise)
CALLERS = {"registry": "registrar", "licensing": "verifier", "queue": "counter_officer"}
ENDLESS = {("GET", "/api/v1/display/stream")}  # the display stream never ends
DEEP = 100_000  # far beyond any parser's recursion
# hostile text for a path segment or a query value, percent-encoded: NUL, a control
# character, a lone surrogate written as UTF-8 would write it, text 3000 characters long
HOSTILE_SEGMENTS = ["%00", "a%1Bb", "%ED%A0%80", "x" * 3000, quote("[" * 500)]


@pytest.fixture(scope="module")
def mall_env(mall_env):
    """Hostile sign-ins by the dozen: throttling them is tested elsewhere."""
    return {**mall_env, "ACCOUNT_FAILURES": "1000000", "ADDRESS_FAILURES": "1000000"}


@pytest.fixture(scope="module")
def base(mall) -> str:
    url, _, _ = mall
    wait_until_healthy(url, timeout=120)  # migrations first; the machine may be busy
    return url


@pytest.fixture(scope="module")
def port(base) -> int:
    return int(base.rsplit(":", 1)[1])


def assert_error_body(response: requests.Response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        assert response.headers["Content-Type"].startswith("application/json"), where
        error = response.json()["error"]
        assert set(error) == {"code", "reason", "params", "message", "fields"} and error["code"], (
            where
        )


def hostile_bodies(operation: dict) -> list[bytes]:
    """JSON texts (as bytes a client sends) breaking every property of the body schema."""
    schema = (
        operation.get("requestBody", {})
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
    )
    names = set()
    for each in schema.get("oneOf", [schema]):
        names |= set(each.get("properties", {}))
    bodies = [b"[" * DEEP + b"]" * DEEP, json.dumps({"\ud800": 1}).encode()]
    for name in sorted(names) or ["name"]:
        key = json.dumps(name)
        bodies += [
            f'{{{key}: {"[" * DEEP}"x"{"]" * DEEP}}}'.encode(),
            f"{{{key}: {'[' * 30}1{']' * 30}}}".encode(),
            json.dumps({name: "Siti\ud800"}).encode(),  # ensure_ascii: "\ud800" escapes
            json.dumps({name: "Siti\x07"}).encode(),
            json.dumps({name: "x" * 200_000}).encode(),
        ]
    return bodies


def operations(base: str) -> list[tuple[str, str, dict]]:
    paths = requests.get(f"{base}/api/v1/openapi.json", timeout=10).json()["paths"]
    found = [
        (method.upper(), path, operation)
        for path, item in paths.items()
        for method, operation in item.items()
        if (method.upper(), path) not in ENDLESS
    ]
    assert len(found) >= 50  # the whole document
    # signing out ends the caller's session: last
    return sorted(found, key=lambda op: op[:2] == ("DELETE", "/api/v1/sessions/current"))


def filled(path: str, operation: dict, segment: str) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            choices = parameter["schema"].get("enum")
            value = choices[0] if choices else segment
            path = path.replace(f"{{{parameter['name']}}}", value)
    return path


def test_every_operation_refuses_hostile_input_with_the_error_body_never_a_5xx(base):
    signed_in: dict[str, dict] = {}
    checked = 0
    for method, path, operation in operations(base):
        tag = (operation.get("tags") or [""])[0]
        callers = [None]
        if operation.get("security"):
            role = CALLERS.get(tag, "citizen")
            if role not in signed_in:
                signed_in[role] = bearer_headers(base, role)
            callers.append(role)
        queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for caller in callers:
            headers = signed_in.get(caller, {})
            for segment in HOSTILE_SEGMENTS:
                url = f"{base}{filled(path, operation, segment)}"
                answer = requests.request(method, url, headers=headers, timeout=30)
                assert_error_body(answer, f"{method} {path} path {segment[:20]}")
                for name in queries:
                    query = f"{url.split('?')[0]}?{name}={segment}"
                    answer = requests.request(method, query, headers=headers, timeout=30)
                    assert_error_body(answer, f"{method} {path} ?{name}={segment[:20]}")
                checked += 1
            if "requestBody" in operation:
                url = f"{base}{filled(path, operation, 'no-such-thing')}"
                for body in hostile_bodies(operation):
                    answer = requests.request(
                        method,
                        url,
                        data=body,
                        headers={**headers, "Content-Type": "application/json"},
                        timeout=30,
                    )
                    assert_error_body(answer, f"{method} {path} body {body[:40]!r}")
                    checked += 1
    assert checked >= 300


# --- gunicorn's own refusals and kept-alive connections, over a raw socket ---------------


def exchange(port: int, data: bytes, answers: int = 1) -> list[tuple[int, dict, bytes]]:
    """Send ``data`` on one connection; read up to ``answers`` responses (status, headers
    with lower-case names, body), fewer when the server closes the connection first."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(data)
        stream = sock.makefile("rb")
        found = []
        for _ in range(answers):
            status_line = stream.readline()
            if not status_line:
                break
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers.get("content-length", 0)))
            found.append((int(status_line.split()[1]), headers, body))
        return found


def request_bytes(target: str, headers: dict | None = None, body: bytes = b"") -> bytes:
    lines = [f"POST {target} HTTP/1.1" if body else f"GET {target} HTTP/1.1", "Host: mall"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def assert_json_refusal(answer: tuple[int, dict, bytes], status: int, code: str) -> None:
    got, headers, body = answer
    assert got == status, body
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == code


def test_an_over_long_url_is_refused_with_414_and_the_error_body(port):
    (answer,) = exchange(port, request_bytes("/api/v1/residents?name=" + "x" * 6000))
    assert_json_refusal(answer, 414, "uri_too_long")
    assert answer[1]["connection"] == "close"


def test_too_many_or_too_large_headers_are_refused_with_431_and_the_error_body(port):
    many = {f"X-Odd-{i}": "1" for i in range(150)}
    (answer,) = exchange(port, request_bytes("/health", many))
    assert_json_refusal(answer, 431, "request_header_fields_too_large")
    (answer,) = exchange(port, request_bytes("/health", {"X-Odd": "a" * 10_000}))
    assert_json_refusal(answer, 431, "request_header_fields_too_large")


def test_a_request_line_or_header_gunicorn_cannot_read_is_400_with_the_error_body(port):
    for broken in (b"NONSENSE\r\n\r\n", b"GET /health HTTP/1.1\r\nBad Header: 1\r\n\r\n"):
        (answer,) = exchange(port, broken)
        assert_json_refusal(answer, 400, "bad_request")


@pytest.mark.parametrize("size", [100 * 1024, 1024 * 1024, 8 * 1024 * 1024])
def test_a_body_a_route_leaves_unread_does_not_drop_the_next_request(port, size):
    body = b"x" * size
    ignored = request_bytes("/api/v1/service-lines", {"Content-Type": "text/plain"}, body)
    refused = request_bytes("/api/v1/tickets", {"Content-Type": "text/plain"}, body)
    then = request_bytes("/health")
    answers = exchange(port, ignored + refused + then, answers=3)
    assert [status for status, _, _ in answers] == [405, 400, 200]
    assert all(headers.get("connection") != "close" for _, headers, _ in answers)


def test_a_body_larger_than_the_mall_takes_is_refused_with_413_and_the_connection_closed(port):
    head = request_bytes("/api/v1/service-lines").replace(
        b"\r\n\r\n", b"\r\nContent-Length: 50000000\r\n\r\n"
    )
    (answer,) = exchange(port, head + b"x" * 1000, answers=2)  # no second answer: closed
    assert_json_refusal(answer, 413, "request_entity_too_large")
    assert answer[1]["connection"] == "close"
