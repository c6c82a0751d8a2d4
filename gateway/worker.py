"""The gateway's gunicorn worker: gunicorn's gthread worker, answering like the mall.

gunicorn refuses some requests itself, before the application sees them: a request line
longer than ``limit_request_line`` (414), too many or too large headers (431), a request
line or header it can't parse (400). It writes those as small HTML pages
(``gunicorn.workers.base.Worker.handle_error`` -> ``gunicorn.util.write_error``); here the
page it wrote is read for its status and sent as the mall's JSON error body instead, so
every answer of the API has one form. Written against gunicorn 27.0.1 (constraints.txt).

It also closes, with notice, a kept-alive connection whose request body can't be drained
(``gateway.bodies``): one declared larger than the mall takes, or one of unknown length.
"""

import json
import os

from gunicorn.workers.gthread import ThreadWorker

from chassis.config import config_path, load_config
from gateway.bodies import max_body_bytes

# what each refusal of gunicorn's says; the code is its reason phrase, as the app's are
MESSAGES = {
    400: "the request line or a header of the request is malformed",
    403: "request forbidden",
    414: "the address (URL) is too long",
    417: "the expectation of the request can't be met",
    431: "the request's headers are too large or too many",
    501: "the request's transfer coding is not supported",
}


def error_page(status: int, reason: str) -> bytes:
    """A whole HTTP response with the mall's error body, closing the connection."""
    code = reason.lower().replace(" ", "_") or "error"
    message = MESSAGES.get(status, "internal error" if status >= 500 else reason.lower())
    error = {"code": code, "reason": code, "params": {}, "message": message, "fields": {}}
    body = json.dumps({"error": error}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class JsonErrorSocket:
    """The client's socket, for ``handle_error`` only: the HTML page gunicorn writes is sent
    as the JSON error body of the same status."""

    def __init__(self, sock):
        self._sock = sock

    def __getattr__(self, name):  # gettimeout, setblocking, ...: the socket's own
        return getattr(self._sock, name)

    def sendall(self, data: bytes) -> None:
        status_line = data.split(b"\r\n", 1)[0].decode("latin-1")  # HTTP/1.1 414 URI Too Long
        _, status, reason = (status_line.split(" ", 2) + ["", ""])[:3]
        self._sock.sendall(error_page(int(status) if status.isdigit() else 500, reason))

    send = sendall


class MallWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        config = load_config(os.environ.get("GATEWAY_CONFIG", config_path("gateway")))
        self.max_body = max_body_bytes(config)

    def handle_request(self, req, conn):
        length = getattr(req.body.reader, "length", None)  # None: chunked, unknown
        if length is None or length > self.max_body:
            # gunicorn drains at most 64 KiB of an unread body before the next request, then
            # drops the connection unannounced: a body the app can't drain (gateway.bodies)
            # is answered with "Connection: close" instead
            req.must_close = True
        return super().handle_request(req, conn)

    def handle_error(self, req, client, addr, exc):
        super().handle_error(req, JsonErrorSocket(client), addr, exc)
