"""The HTTP gateway: the mall's only HTTP entry, run by gunicorn with gthread workers.
This module only assembles the app; the calls routes make live in ``gateway.rpc``.

gunicorn --config gateway/gunicorn.conf.py "gateway.app:create_app()"
"""

import logging
import os
import uuid

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from chassis import logs
from chassis.config import config_path, load_config
from gateway import idempotency
from gateway.api.requests import no_bad_text_in_path, refuse_bad_text
from gateway.auth import authenticate, signing_secret
from gateway.bodies import DrainUnreadBody, max_body_bytes, refuse_oversized_body
from gateway.errors import MallJSONProvider, register_error_handlers
from gateway.identity import passwords

REQUEST_ID_HEADER = "X-Request-ID"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)  # the pages bring their own (gateway/web)
    app.config.update(load_config(os.environ.get("GATEWAY_CONFIG", config_path("gateway"))))
    app.config.update(config or {})
    app.json = MallJSONProvider(app)
    logging.getLogger("mpp").setLevel(app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def correlate():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        valid = (
            8 <= len(incoming) <= 64 and incoming.isascii() and incoming.replace("-", "").isalnum()
        )
        g.correlation_id = incoming if valid else uuid.uuid4().hex
        logs.set_correlation_id(g.correlation_id)

    @app.after_request
    def tag(response):
        response.headers[REQUEST_ID_HEADER] = g.get("correlation_id", "")
        return response

    app.url_value_preprocessor(no_bad_text_in_path)  # a NUL in a path names nothing: 404
    app.before_request(refuse_oversized_body)  # 413 on any route, before a byte is read
    app.before_request(refuse_bad_text)  # query strings and forms, before anyone reads them
    app.before_request(authenticate)
    app.before_request(idempotency.claim)  # after authenticate: keys are the caller's own
    app.after_request(idempotency.settle)
    register_error_handlers(app)
    app.config["JWT_SECRET"] = signing_secret(app.config)  # production: set, long enough
    passwords.hasher(app.config)  # refuse to start with a cost below the floor
    if proxies := int(app.config.get("TRUSTED_PROXIES", 0)):
        # the client's address (throttling, audit), and the scheme and host it asked for
        # (secure cookies, same-origin forms), are the ones the trusted proxy saw
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    # uploads larger than a document may be are refused before they are read (413)
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes(app.config)
    # what a route left unread of a body is drained, so the next request on a kept-alive
    # connection is answered (gateway.bodies)
    app.wsgi_app = DrainUnreadBody(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])
    from gateway.api import (
        accounts,
        audit,
        catalog,
        docs,
        health,
        licensing,
        modules,
        notifications,
        queue,
        regional_tax,
        registry,
    )

    areas = (
        health,
        accounts,
        audit,
        catalog,
        queue,
        registry,
        licensing,
        modules,
        regional_tax,
        notifications,
    )
    for area in (*areas, docs):
        app.register_blueprint(area.bp)
    from gateway import web

    web.register(app)
    return app
