"""``Idempotency-Key``: a POST or PATCH sent again with the same key gets the first answer.

The convention of payment APIs. A client makes one key per intended action (a UUID) and
sends it with every try of that action; the web pages put one in every form
(``idempotency_key``), so a double tap or a resent form does one thing.

- The first request with a key claims it (a row in the gateway's database, keyed by the
  caller, so one caller cannot read another's answers) and runs. Its answer (status,
  body, ``Location``) is kept for ``IDEMPOTENCY_HOURS`` (24 by default) and replayed,
  byte for byte, to every later request with the same key and the same body, marked
  ``Idempotent-Replayed: true``.
- The same key with another body (or method, or path) is refused: 422 (a page's form
  changed and sent again is a new request).
- A request that comes while the first is still running waits for its answer; one whose
  first try ended in a 5xx (the broker away, a timeout) runs again, as does one whose
  first try's worker died.
- Every RPC call a keyed request makes carries a call id derived from the key, so when a
  try runs again the services answer what they already did from their recorded replies
  instead of doing it twice (see ``chassis.database.Database``).

Sign-in and refresh are not kept: their answers are credentials.
"""

import hashlib
import json
import os
import re
import socket
import time
from datetime import timedelta

from flask import Response, current_app, g, request
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from chassis.database import CALL_ID_KEY, utcnow
from gateway.errors import error_response
from gateway.identity import store
from gateway.identity.models import IdempotentRequest

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
REPLAYED_HEADER = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PATCH"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NOT_KEPT = frozenset({"accounts.sign_in", "accounts.refresh", "web.sign_in"})
MAX_KEY_LENGTH = 255
WAIT_POLL_S = 0.05
PRUNE_EVERY_S = 600
_last_prune = 0.0


def key_of_request() -> tuple[str | None, bool]:
    """The request's key, and whether it came from a form of the pages."""
    key = request.headers.get(HEADER)
    if key is None and request.mimetype in FORM_TYPES:
        return request.form.get(FORM_FIELD) or None, True
    return key, False


def fingerprint() -> str:
    """What makes two requests "the same": method, path, query and body. A form's body is
    read as its fields and files (a browser sends a resent form with another boundary),
    JSON as its value (spacing and key order do not count)."""
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    if request.mimetype in FORM_TYPES:
        fields = sorted((k, v) for k, v in request.form.items(multi=True) if k != FORM_FIELD)
        digest.update(json.dumps(fields).encode())
        # by field name only: two files under one name must not be compared themselves
        for name, upload in sorted(request.files.items(multi=True), key=lambda f: f[0]):
            digest.update(f"\n{name}:{upload.filename}:".encode())
            digest.update(hashlib.sha256(upload.stream.read()).digest())
            upload.stream.seek(0)
        return digest.hexdigest()
    raw = request.get_data(cache=True)
    try:
        digest.update(json.dumps(json.loads(raw), sort_keys=True).encode())
    except (ValueError, UnicodeDecodeError):
        digest.update(raw)
    return digest.hexdigest()


def call_id_base(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()[:32]


def next_call_context(context: dict) -> dict:
    """``context`` with the id of this request's next RPC call, when it has a key."""
    base = g.get("idempotency_base")
    if base is None:
        return context
    g.idempotency_calls = g.get("idempotency_calls", 0) + 1
    return {**context, CALL_ID_KEY: f"{base}.{g.idempotency_calls}"}


def this_worker() -> str:
    """Who runs a claimed request: host and process (asked each time: workers fork)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _owner_is_dead(owner: str) -> bool:
    """Whether the worker that claimed a key is gone (known only for this machine's)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not re.fullmatch(r"[0-9]+", pid):
        return False  # another machine's worker: only its lease tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        pass
    return False


def replay(row: IdempotentRequest) -> Response:
    response = Response(row.body, status=row.status, content_type=row.content_type)
    if row.location:
        response.headers["Location"] = row.location
    response.headers[REPLAYED_HEADER] = "true"
    return response


def claim():
    """``before_request``, after authentication: replay, refuse, wait, or claim the key."""
    if request.method not in METHODS or request.endpoint in NOT_KEPT:
        return None
    key, from_form = key_of_request()
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        reason = f"1 to {MAX_KEY_LENGTH} printable ASCII characters"
        return error_response(400, "bad_request", "invalid Idempotency-Key", {HEADER: [reason]})
    config = current_app.config
    url = config["DATABASE_URL"]
    scope = g.actor.id or "anonymous"
    mine = fingerprint()
    lease = timedelta(seconds=float(config["IDEMPOTENCY_LEASE_SECONDS"]))
    deadline = time.monotonic() + float(config["IDEMPOTENCY_WAIT_SECONDS"])
    _prune_now_and_then(url, float(config["IDEMPOTENCY_HOURS"]))
    while True:
        now = utcnow()
        try:
            with store.transaction(url) as db:
                row = db.get(IdempotentRequest, (scope, key))
                if row is None:
                    db.add(
                        IdempotentRequest(
                            scope=scope,
                            key=key,
                            fingerprint=mine,
                            owner=this_worker(),
                            claimed_until=now + lease,
                        )
                    )
                    break
                if row.fingerprint != mine:
                    if from_form:  # a form changed and sent again: a new intent
                        return None
                    return error_response(
                        422,
                        "invalid_input",
                        "this Idempotency-Key was used for another request",
                        {HEADER: ["already used with another method, path or body"]},
                    )
                if row.status is not None:
                    return replay(row)
                if row.claimed_until < now or _owner_is_dead(row.owner):
                    taken = db.execute(
                        update(IdempotentRequest)
                        .where(
                            IdempotentRequest.scope == scope,
                            IdempotentRequest.key == key,
                            IdempotentRequest.owner == row.owner,
                            IdempotentRequest.status.is_(None),
                        )
                        .values(owner=this_worker(), claimed_until=now + lease)
                    )
                    if taken.rowcount == 1:
                        break
        except IntegrityError:
            continue  # claimed at this moment by another request: look again
        if time.monotonic() > deadline:
            body, status = error_response(
                409, "conflict", "a request with this Idempotency-Key is still running"
            )
            body.headers["Retry-After"] = "1"
            return body, status
        time.sleep(WAIT_POLL_S)
    g.idempotency = (scope, key)
    g.idempotency_base = call_id_base(scope, key)
    return None


def settle(response: Response) -> Response:
    """``after_request``: keep the answer of a claimed key, or give the claim up on a 5xx
    (a later try runs again, and the services answer what they already did)."""
    claimed = g.pop("idempotency", None)
    if claimed is None:
        return response
    scope, key = claimed
    # still ours: a try that outlived its lease may have been taken over by a retry
    which = (
        IdempotentRequest.scope == scope,
        IdempotentRequest.key == key,
        IdempotentRequest.owner == this_worker(),
    )
    with store.transaction(current_app.config["DATABASE_URL"]) as db:
        if response.status_code >= 500 or response.status_code == 429 or response.is_streamed:
            db.execute(delete(IdempotentRequest).where(*which))
        else:
            db.execute(
                update(IdempotentRequest)
                .where(*which)
                .values(
                    status=response.status_code,
                    body=response.get_data(),
                    content_type=response.content_type,
                    location=response.headers.get("Location"),
                )
            )
    return response


def _prune_now_and_then(url: str, hours: float) -> None:
    """Forget answers older than ``hours``, at most every ``PRUNE_EVERY_S`` per process."""
    global _last_prune
    if time.monotonic() - _last_prune < PRUNE_EVERY_S:
        return
    _last_prune = time.monotonic()
    prune(url, timedelta(hours=hours))


def prune(url: str, older_than: timedelta) -> int:
    """Delete kept answers older than ``older_than``; safe in every worker at once."""
    with store.transaction(url) as db:
        old = delete(IdempotentRequest).where(IdempotentRequest.created_at < utcnow() - older_than)
        return db.execute(old).rowcount
