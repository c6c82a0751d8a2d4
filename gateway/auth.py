"""Who is calling: short-lived JWT access tokens, each naming its sign-in session.

Verification fixes the algorithm (HS256) and requires ``exp``, ``iat``, ``sub``, ``aud``,
``iss`` and ``sid``, so unsigned (alg "none"), foreign-key, expired and misaddressed tokens
all fail. The session must still be live (not signed out, account not disabled), and the
actor is read from the account, so a change of role or a disabled account takes effect on
the next request. The actor travels to the services as nameko context data, and the
services check it again.
"""

import hashlib
import hmac
import logging
import os
import secrets
import tempfile
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path

import jwt
from flask import current_app, g, request

from chassis.actor import Actor
from chassis.errors import Forbidden
from gateway.errors import error_response
from gateway.identity import sessions, store
from gateway.identity.accounts import actor_of

ALGORITHM = "HS256"
COOKIE = "mpp_token"  # the web pages' copy of the access token
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECRET_FILE = "jwt_secret"  # in the run directory, when JWT_SECRET is not set
MIN_SECRET_LENGTH = 32
log = logging.getLogger("mpp.gateway.auth")


class InvalidToken(Exception):
    """The bearer token is missing a claim, expired, forged or addressed elsewhere."""


def issue_token(config: dict, actor: Actor, session_id: str, minutes: int | None = None) -> str:
    now = datetime.now(UTC)
    lifetime = timedelta(minutes=minutes or int(config["ACCESS_TOKEN_MINUTES"]))
    claims = {
        "sub": actor.id,
        "sid": session_id,
        "role": actor.role,
        "agency": actor.agency,
        "iat": now,
        "exp": now + lifetime,
        "iss": config["JWT_ISSUER"],
        "aud": config["JWT_AUDIENCE"],
    }
    return jwt.encode(claims, config["JWT_SECRET"], algorithm=ALGORITHM)


def verify_token(config: dict, token: str) -> dict:
    try:
        return jwt.decode(
            token,
            config["JWT_SECRET"],
            algorithms=[ALGORITHM],
            audience=config["JWT_AUDIENCE"],
            issuer=config["JWT_ISSUER"],
            options={"require": ["exp", "iat", "sub", "aud", "iss", "sid"]},
        )
    except jwt.PyJWTError as err:
        raise InvalidToken(str(err)) from None


def authenticate():
    """``before_request``: the actor of a valid bearer token, or anonymous; 401 otherwise.

    The web pages carry the same token in an HttpOnly cookie instead. A cookie that no
    longer works leaves the visitor anonymous (the page asks her to sign in), and a request
    that changes something must also carry the session's CSRF token, which another site
    cannot read.
    """
    g.actor, g.session_id = Actor(), None
    header = request.headers.get("Authorization", "")
    if not header:
        return _from_cookie(request.cookies.get(COOKIE))
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return error_response(401, "unauthorized", "use: Authorization: Bearer <token>")
    try:
        g.actor, g.session_id = _actor_of(token.strip())
    except sessions.AccountClosed as err:
        return error_response(401, err.code, str(err))
    except (InvalidToken, sessions.SessionEnded) as err:
        return error_response(401, "unauthorized", f"sign in again: {err}")
    return None


def _from_cookie(token: str | None):
    if not token:
        return None
    try:
        actor, session_id = _actor_of(token)
    except (InvalidToken, sessions.SessionEnded):
        g.drop_cookie = True
        return None
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not hmac.compare_digest(sent.encode(), csrf_token(session_id).encode()):
            raise Forbidden("stale_form")
    g.actor, g.session_id = actor, session_id
    return None


def _actor_of(token: str) -> tuple[Actor, str]:
    config = current_app.config
    claims = verify_token(config, token)
    with store.transaction(config["DATABASE_URL"], read_only=True) as db:
        account = sessions.account_of(db, claims["sid"], datetime.now(UTC))
    if account.id != claims["sub"]:
        raise InvalidToken("session of another account")
    return actor_of(account), claims["sid"]


def csrf_token(session_id: str) -> str:
    """The form token of a sign-in session: forms of the session's own pages carry it."""
    key = current_app.config["JWT_SECRET"].encode()
    return hmac.new(key, f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def signed_in(view):
    """Routes for someone signed in; the services decide what that someone may do."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if g.actor.id is None:
            return error_response(401, "unauthorized", "sign in first")
        return view(*args, **kwargs)

    return guarded


class UnsafeConfiguration(RuntimeError):
    """A production gateway was configured without what keeps its tokens unforgeable."""


def signing_secret(config: dict) -> str:
    """The secret that signs access tokens: ``JWT_SECRET``, or else (outside production)
    one generated on the first run and kept in the run directory for the next ones.

    A secret written anywhere public (a README, a default in a config file) would let
    anyone forge a token, so there is no default; production refuses to start without a
    long one of its own.
    """
    secret = str(config.get("JWT_SECRET") or "")
    if str(config.get("ENVIRONMENT") or "").casefold() == "production":
        if len(secret) < MIN_SECRET_LENGTH:
            raise UnsafeConfiguration(
                f"MPP_ENV=production needs JWT_SECRET of at least {MIN_SECRET_LENGTH} "
                "characters (for example: JWT_SECRET=$(openssl rand -hex 32)); the gateway "
                "does not start without it"
            )
        return secret
    if secret:
        if len(secret) < MIN_SECRET_LENGTH:
            log.warning("JWT_SECRET is shorter than %d characters", MIN_SECRET_LENGTH)
        return secret
    return kept_secret(Path(config.get("RUN_DIR") or "var") / SECRET_FILE)


def kept_secret(path: Path) -> str:
    """The secret in ``path`` (mode 0600), made on first use. Several workers start at
    once: each writes a candidate aside and links it into place, and the first link wins,
    so all of them read the same complete secret."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, candidate = tempfile.mkstemp(dir=path.parent, prefix=".jwt_secret.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(candidate, path)
                log.warning("JWT_SECRET is not set: generated one in %s", path)
            except FileExistsError:
                pass  # another worker's secret won
        finally:
            os.unlink(candidate)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # nobody but the mall's own user reads it
    secret = path.read_text().strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise UnsafeConfiguration(f"{path} holds no usable secret: remove it to make a new one")
    return secret
