"""The one table from remote errors to HTTP, and the JSON error body.

Every error leaves the gateway as ``{"error": {"code", "reason", "params", "message",
"fields"}}``: ``code`` is the kind (``conflict``, ``forbidden``, ...) that decides the status,
``reason`` the service's refusal code (``slot_full``; the kind again where there is none more
precise) with the values its text names in ``params``, ``message`` that text in English. A
fault that is not in the table becomes a plain 500 and its details stay in the log.
"""

import logging

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from chassis.errors import MallError, showable
from chassis.rpc_client import BrokerUnavailable, RemoteError, RpcTimeout
from contracts.refusals import REFUSALS

log = logging.getLogger("mpp.gateway")
# seconds a client should wait before trying again when the broker is away
BROKER_RETRY_AFTER = 5

# remote exception type -> (HTTP status, error code)
REMOTE_ERRORS = {
    "InvalidInput": (422, "invalid_input"),
    "NotFound": (404, "not_found"),
    "Conflict": (409, "conflict"),
    "Forbidden": (403, "forbidden"),
    "UnknownService": (503, "service_unavailable"),
    "Unavailable": (503, "service_unavailable"),
    "MethodNotFound": (501, "not_implemented"),
    "IncorrectSignature": (400, "bad_request"),
}


class MallJSONProvider(DefaultJSONProvider):
    """JSON as the mall answers it: UTF-8 text as it is (not ``\\u`` escapes), and never a
    crash on a lone UTF-16 surrogate a client sent (an error body may name the field it was
    in): one can't be written as UTF-8, so it is shown as U+FFFD."""

    ensure_ascii = False

    def dumps(self, obj, **kwargs) -> str:
        return _lone_surrogates_shown(super().dumps(obj, **kwargs))


def _lone_surrogates_shown(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        # json.dumps escapes the control characters itself, so only surrogates are left
        return showable(text)


def error_response(
    status: int,
    code: str,
    message: str,
    fields: dict | None = None,
    reason: str | None = None,
    params: dict | None = None,
):
    body = {
        "error": {
            "code": code,
            "reason": reason or code,
            "params": params or {},
            "message": message,
            "fields": fields or {},
        }
    }
    return jsonify(body), status


def http_error(error: HTTPException):
    code = (error.name or "error").lower().replace(" ", "_")
    body, status = error_response(error.code or 500, code, error.description or error.name)
    for name, value in error.get_headers():  # e.g. Allow on 405
        if name.lower() != "content-type":
            body.headers[name] = value
    return body, status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(RemoteError)
    def remote(error: RemoteError):
        if error.exc_type not in REMOTE_ERRORS:
            log.error("unexpected remote error %s", error)
            return error_response(500, "internal_error", "internal error")
        status, code = REMOTE_ERRORS[error.exc_type]
        reason = error.code if error.code in REFUSALS else code
        return error_response(status, code, error.message, error.fields, reason, error.params)

    @app.errorhandler(MallError)
    def refused(error: MallError):  # raised by the gateway itself (accounts, audit)
        status, code = REMOTE_ERRORS[type(error).__name__]
        reason = error.code if error.code in REFUSALS else code
        return error_response(status, code, error.message, error.fields, reason, error.params)

    @app.errorhandler(BrokerUnavailable)
    def broker_unavailable(error: BrokerUnavailable):
        log.warning("broker unavailable: %s", error)
        body, status = error_response(
            503, "broker_unavailable", "the mall is reconnecting to its message broker; try again"
        )
        body.headers["Retry-After"] = str(BROKER_RETRY_AFTER)
        return body, status

    @app.errorhandler(RpcTimeout)
    def timeout(error: RpcTimeout):
        log.warning("rpc timeout: %s", error)
        return error_response(504, "timeout", "a service did not answer in time")

    @app.errorhandler(ValidationError)
    def invalid(error: ValidationError):
        fields = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        return error_response(422, "invalid_input", "invalid input", fields)

    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "internal error")
