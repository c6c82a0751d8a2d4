"""Who is calling: short-lived JWT access tokens, each naming its sign-in session.

Verification fixes the algorithm (HS256) and requires ``exp``, ``iat``, ``sub``, ``aud``,
``iss`` and ``sid``, so unsigned (alg "none"), foreign-key, expired and misaddressed tokens
all fail. The session must still be live (not signed out, account not disabled), and the
actor is read from the account, so a change of role or a disabled account takes effect on
the next request. The actor travels to the services as nameko context data, and the
services check it again.
"""

import logging
from datetime import UTC, datetime, timedelta
from functools import wraps

import jwt
from flask import current_app, g, request

from chassis.actor import Actor
from gateway.errors import error_response
from gateway.identity import sessions, store
from gateway.identity.accounts import actor_of

ALGORITHM = "HS256"
DEV_SECRET = "dev-only-secret-change-me"
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
    """``before_request``: the actor of a valid bearer token, or anonymous; 401 otherwise."""
    g.actor, g.session_id = Actor(), None
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return error_response(401, "unauthorized", "use: Authorization: Bearer <token>")
    config = current_app.config
    try:
        claims = verify_token(config, token.strip())
        with store.transaction(config["DATABASE_URL"], read_only=True) as db:
            account = sessions.account_of(db, claims["sid"], datetime.now(UTC))
    except InvalidToken as err:
        return error_response(401, "unauthorized", f"invalid token: {err}")
    except sessions.SessionEnded as err:
        return error_response(401, "unauthorized", f"sign in again: {err}")
    if account.id != claims["sub"]:
        return error_response(401, "unauthorized", "invalid token: session of another account")
    g.actor, g.session_id = actor_of(account), claims["sid"]
    return None


def signed_in(view):
    """Routes for someone signed in; the services decide what that someone may do."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if g.actor.id is None:
            return error_response(401, "unauthorized", "sign in first")
        return view(*args, **kwargs)

    return guarded


def warn_about_dev_secret(config: dict) -> None:
    if config["JWT_SECRET"] == DEV_SECRET:
        log.warning("JWT_SECRET is the development default: set it before going live")
