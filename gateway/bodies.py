"""Request bodies and the kept-alive connection they arrive on.

A client may send a body to a route that takes none (or one the route refuses before
reading it). Its bytes stay on the connection, before the client's next request: gunicorn
drains only 64 KiB of them and then drops the connection without a word, so the next
request on it is lost. The gateway therefore reads what the application left of a body,
up to the largest body the mall takes, before the answer goes out; a body declared larger
is refused with 413 without being read (and ``gateway.worker`` closes that connection
with notice, ``Connection: close``).
"""

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

CHUNK = 64 * 1024
# a form's fields and the multipart envelope around the largest document
FORM_ALLOWANCE = 64 * 1024


def max_body_bytes(config: dict) -> int:
    """The largest request body the gateway takes: a document and the form around it."""
    return int(config["MAX_DOCUMENT_BYTES"]) + FORM_ALLOWANCE


def refuse_oversized_body() -> None:
    """``before_request``: a body declared larger than any the mall takes is refused on
    every route, whether the route reads a body or not."""
    if (request.content_length or 0) > current_app.config["MAX_CONTENT_LENGTH"]:
        raise RequestEntityTooLarge()


class DrainUnreadBody:
    """WSGI middleware: after the application has answered, and before the answer is sent,
    the rest of the request body is read and dropped (at most ``limit`` bytes)."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    def __call__(self, environ, start_response):
        answer = self.app(environ, start_response)
        declared = environ.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit() or int(declared) <= self.limit:
            drain(environ["wsgi.input"], self.limit)
        return answer


def drain(stream, limit: int) -> None:
    left = limit
    while left > 0 and (chunk := stream.read(min(CHUNK, left))):
        left -= len(chunk)
