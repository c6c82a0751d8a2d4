"""Who is calling: short-lived JWT access tokens carrying the actor.

Verification fixes the algorithm (HS256) and requires ``exp``, ``iat``, ``sub``, ``aud``
and ``iss``, so unsigned (alg "none"), foreign-key, expired and misaddressed tokens all
fail. The actor in a valid token travels to the services as nameko context data, and the
services check it again.

Staff tokens can be issued by an operator until sign-in exists:

    python -m gateway.auth issue --id staff-1 --role registrar --agency disdukcapil
"""

import argparse
import logging
import os
from datetime import UTC, datetime, timedelta
from functools import wraps

import jwt
from flask import current_app, g, request

from chassis.actor import Actor
from chassis.config import config_path, load_config
from gateway.errors import error_response

ALGORITHM = "HS256"
DEV_SECRET = "dev-only-secret-change-me"
log = logging.getLogger("mpp.gateway.auth")


class InvalidToken(Exception):
    """The bearer token is missing a claim, expired, forged or addressed elsewhere."""


def issue_token(config: dict, actor: Actor, minutes: int | None = None) -> str:
    now = datetime.now(UTC)
    lifetime = timedelta(minutes=minutes or int(config["ACCESS_TOKEN_MINUTES"]))
    claims = {
        "sub": actor.id,
        "role": actor.role,
        "agency": actor.agency,
        "person_id": actor.person_id,
        "iat": now,
        "exp": now + lifetime,
        "iss": config["JWT_ISSUER"],
        "aud": config["JWT_AUDIENCE"],
    }
    return jwt.encode(claims, config["JWT_SECRET"], algorithm=ALGORITHM)


def actor_from_token(config: dict, token: str) -> Actor:
    try:
        claims = jwt.decode(
            token,
            config["JWT_SECRET"],
            algorithms=[ALGORITHM],
            audience=config["JWT_AUDIENCE"],
            issuer=config["JWT_ISSUER"],
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as err:
        raise InvalidToken(str(err)) from None
    return Actor(
        id=claims["sub"],
        role=claims.get("role"),
        agency=claims.get("agency"),
        person_id=claims.get("person_id"),
    )


def authenticate():
    """``before_request``: the actor of a valid bearer token, or anonymous; 401 otherwise."""
    g.actor = Actor()
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return error_response(401, "unauthorized", "use: Authorization: Bearer <token>")
    try:
        g.actor = actor_from_token(current_app.config, token.strip())
    except InvalidToken as err:
        return error_response(401, "unauthorized", f"invalid token: {err}")
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Issue an access token (operators only).")
    parser.add_argument("action", choices=["issue"])
    parser.add_argument("--id", required=True)
    parser.add_argument("--role", required=True)
    parser.add_argument("--agency")
    parser.add_argument("--person-id")
    parser.add_argument("--minutes", type=int, help="lifetime (default ACCESS_TOKEN_MINUTES)")
    args = parser.parse_args(argv)
    config = load_config(os.environ.get("GATEWAY_CONFIG", config_path("gateway")))
    actor = Actor(id=args.id, role=args.role, agency=args.agency, person_id=args.person_id)
    print(issue_token(config, actor, args.minutes))


if __name__ == "__main__":
    main()
