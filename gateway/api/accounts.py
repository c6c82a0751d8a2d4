"""Accounts and sign-in: citizens sign up, everyone signs in and out, administrators
create staff. Sign-up is checked against the civil registry; passwords are argon2id.
"""

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, g, jsonify, request
from marshmallow import Schema, ValidationError

from contracts import refusals
from contracts.refusals.accounts import IDENTITY_MISMATCH
from gateway.api.requests import json_body, query_args
from gateway.auth import issue_token, signed_in
from gateway.errors import error_response
from gateway.identity import accounts, passwords, sessions, store, throttle
from gateway.identity import schemas as http
from gateway.identity.accounts import actor_of
from gateway.rpc import call

bp = Blueprint("accounts", __name__, url_prefix="/api/v1")
WRONG_CREDENTIALS = "wrong_credentials"  # the refusal code


def now() -> datetime:
    return datetime.now(UTC)


def loaded(schema: Schema) -> dict:
    """The JSON body loaded by ``schema`` (422 with field errors)."""
    return schema.load(json_body())


def config(name: str):
    return current_app.config[name]


def database():
    return store.transaction(config("DATABASE_URL"))


def cost() -> tuple[int, int]:
    return int(config("PASSWORD_MEMORY_KIB")), int(config("PASSWORD_TIME_COST"))


def hasher():
    return _hasher(*cost())


@functools.cache
def _hasher(memory: int, time_cost: int):
    return passwords.hasher({"PASSWORD_MEMORY_KIB": memory, "PASSWORD_TIME_COST": time_cost})


@functools.cache
def _decoy(memory: int, time_cost: int) -> str:
    """A hash to check unknown logins against, so they take as long as known ones."""
    return _hasher(memory, time_cost).hash("no account has this password")


def limits(login: str | None = None) -> list[throttle.Limit]:
    """The windows an attempt counts in (OWASP's authentication cheat sheet): its account
    from its address, its account from anywhere (a much higher ceiling, so that a stranger
    cannot lock the owner out from elsewhere), and its address across accounts."""
    address = request.remote_addr
    found = [throttle.Limit(f"address:{address}", int(config("ADDRESS_FAILURES")))]
    if login is not None:
        found[:0] = [
            throttle.Limit(f"pair:{login}@{address}", int(config("ACCOUNT_FAILURES"))),
            throttle.Limit(f"account:{login}", int(config("ACCOUNT_CEILING_FAILURES"))),
        ]
    return found


@bp.app_errorhandler(throttle.Throttled)
def throttled(refusal: throttle.Throttled):
    response, status = error_response(429, "too_many_attempts", str(refusal))
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response, status


def reserve_failure(found: list[throttle.Limit]) -> datetime:
    """Count this attempt as failed until it succeeds (committed at once)."""
    with database() as db:
        return throttle.reserve(db, found, now(), int(config("SIGN_IN_WINDOW_SECONDS")))


def throttled_check(check: Callable[[], dict], found_nothing: Callable[[dict], bool]) -> dict:
    """A public check of a document (``check()``), refused with 429 once this address has
    asked after too many documents that do not exist (wrong numbers or check codes), so
    that codes cannot be guessed at full speed. Like a sign-in, a check reserves a failure
    first and gives it back when it found the document (or could not answer)."""
    found = [
        throttle.Limit(f"verification:{request.remote_addr}", int(config("VERIFICATION_FAILURES")))
    ]
    seconds = int(config("VERIFICATION_WINDOW_SECONDS"))
    with database() as db:
        window = throttle.reserve(db, found, now(), seconds, "checks of unknown documents")
    answer = None
    try:
        answer = check()
        return answer
    finally:
        if answer is None or not found_nothing(answer):
            with database() as db:
                throttle.release(db, found, window)


def tokens(account, session, refresh_token: str, status: int = 200):
    body = {
        "access_token": issue_token(current_app.config, actor_of(account), session.id),
        "token_type": "Bearer",
        "expires_in": int(config("ACCESS_TOKEN_MINUTES")) * 60,
        "refresh_token": refresh_token,
        "refresh_expires_at": session.expires_at,
        "account": account,
    }
    return jsonify(http.Tokens().dump(body)), status


def open_session(db, account):
    lifetime = timedelta(hours=float(config("REFRESH_TOKEN_HOURS")))
    return sessions.open_session(db, account, now(), lifetime, request.remote_addr)


class WrongCredentials(Exception):
    """No active account has this login and password (which of the two is not said)."""


def sign_up_citizen(data: dict):
    """A citizen's new account and its first session, once the civil registry agrees that
    NIK, full name and birth date are one living resident's (422 otherwise)."""
    if problems := passwords.weaknesses(data["password"], data["nik"], data["full_name"]):
        raise ValidationError({"password": problems})
    found = limits()
    window = reserve_failure(found)  # guessing identities is throttled like guessing passwords
    question = {k: data[k] for k in ("nik", "full_name")} | {
        "birth_date": data["birth_date"].isoformat()
    }
    answer = call("civil_registry", "verify_identity", question)
    if not answer["verified"] or not answer["alive"]:
        raise ValidationError({"nik": [IDENTITY_MISMATCH]})
    password_hash = hasher().hash(data["password"])
    with database() as db:
        throttle.release(db, found, window)
        account = accounts.add_citizen(
            db, data["nik"], data["full_name"], answer["person_id"], password_hash, now()
        )
        session, refresh_token = open_session(db, account)
    return account, session, refresh_token


def check_sign_in(data: dict):
    """The account of a login and password and a new session (WrongCredentials otherwise)."""
    login = data["login"].strip().casefold()
    found = limits(login)
    window = reserve_failure(found)
    with database() as db:
        account = accounts.find(db, login)
    stored = account.password_hash if account else _decoy(*cost())
    right = passwords.verify(hasher(), stored, data["password"])
    if right and account is not None and account.closed_reason is not None:
        with database() as db:  # told only to whoever knows the password
            throttle.release(db, found, window)
        raise sessions.AccountClosed()
    if not (right and account is not None and account.active):
        raise WrongCredentials()
    with database() as db:
        throttle.release(db, found, window)
        account = db.merge(account)
        if hasher().check_needs_rehash(account.password_hash):
            account.password_hash = hasher().hash(data["password"])
        session, refresh_token = open_session(db, account)
    return account, session, refresh_token


@bp.post("/accounts")
def sign_up():
    """Sign up as a citizen: NIK, full name and birth date as the civil registry has them.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: gateway.identity.schemas.SignUp
      responses:
        201:
          content:
            application/json:
              schema: gateway.identity.schemas.Tokens
        409: Conflict
        429: TooManyAttempts
    """
    account, session, refresh_token = sign_up_citizen(loaded(http.SignUp()))
    return tokens(account, session, refresh_token, 201)


@bp.post("/sessions")
def sign_in():
    """Sign in with NIK (citizens) or username (staff) and password: access + refresh token.

    403 `account_holder_deceased`: the account was closed when its holder's death was
    registered (said only to whoever gives the right password).
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: gateway.identity.schemas.SignIn
      responses:
        201:
          content:
            application/json:
              schema: gateway.identity.schemas.Tokens
        403: Forbidden
        429: TooManyAttempts
      x-gateway-errors: [401, 500]
    """
    try:
        account, session, refresh_token = check_sign_in(loaded(http.SignIn()))
    except WrongCredentials:
        return error_response(
            401, "unauthorized", refusals.text(WRONG_CREDENTIALS), reason=WRONG_CREDENTIALS
        )
    except sessions.AccountClosed as closed:
        return error_response(403, closed.code, str(closed))
    g.actor = actor_of(account)  # so that a staff sign-in is in the audit log
    return tokens(account, session, refresh_token, 201)


@bp.post("/sessions/refresh")
def refresh():
    """A new access token (and a new refresh token) for a live session.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: gateway.identity.schemas.Refresh
      responses:
        200:
          content:
            application/json:
              schema: gateway.identity.schemas.Tokens
      x-gateway-errors: [401, 500]
    """
    data = loaded(http.Refresh())
    ended = None
    with database() as db:
        try:
            session, account, refresh_token = sessions.rotate(db, data["refresh_token"], now())
        except sessions.SessionEnded as err:
            ended = err  # leave the block normally: a revocation it made must commit
    if ended is not None:
        return error_response(401, ended.code, str(ended))
    return tokens(account, session, refresh_token)


@bp.delete("/sessions/current")
@signed_in
def sign_out():
    """Sign out: the session's refresh token and access tokens stop working at once.
    ---
    delete:
      responses:
        204: {description: signed out}
      x-gateway-errors: [401, 500]
    """
    with database() as db:
        sessions.revoke(db, g.session_id, now())
    return "", 204


@bp.get("/me")
@signed_in
def me():
    """The signed-in account.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema: gateway.identity.schemas.AccountView
      x-gateway-errors: [401, 500]
    """
    with database() as db:
        account = db.get(accounts.Account, g.actor.id)
    return jsonify(http.AccountView().dump(account))


def agencies_for(role: str | None, agency: str | None) -> accounts.Agencies:
    """The agencies a staff account may be given, asked of the catalog (503 while it is
    away) before the transaction, when an agency is given for an agency role."""
    if not agency or role in accounts.MALL_ROLES:
        return lambda: []  # nothing to check: the mall's own staff, or no agency given
    known = [found["code"] for found in call("catalog", "list_agencies")]
    return lambda: known


@bp.post("/staff")
@signed_in
def create_staff():
    """Create a staff account (mall administrators; agency administrators for their agency).
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: gateway.identity.schemas.NewStaff
      responses:
        201:
          content:
            application/json:
              schema: gateway.identity.schemas.AccountView
        403: Forbidden
        409: Conflict
      x-gateway-errors: [401, 500]
    """
    data = loaded(http.NewStaff())
    if problems := passwords.weaknesses(data["password"], data["username"], data["full_name"]):
        raise ValidationError({"password": problems})
    password_hash = hasher().hash(data["password"])
    agencies = agencies_for(data["role"], data.get("agency"))
    with database() as db:
        account = accounts.add_staff(db, g.actor, data, password_hash, now(), agencies)
    return jsonify(http.AccountView().dump(account)), 201


@bp.get("/staff")
@signed_in
def list_staff():
    """Staff accounts, of one agency or all (administrators).
    ---
    get:
      parameters:
      - {in: query, schema: gateway.identity.schemas.StaffQuery}
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: gateway.identity.schemas.AccountView}
        403: Forbidden
      x-gateway-errors: [401, 500]
    """
    query = http.StaffQuery().load(query_args(http.StaffQuery()))
    with database() as db:
        found = accounts.list_staff(db, g.actor, query["agency"])
    return jsonify({"items": http.AccountView(many=True).dump(found)})


@bp.patch("/staff/<account_id>")
@signed_in
def change_staff(account_id: str):
    """Change a staff account's role, agency, standing or password; ends its sessions.
    ---
    patch:
      requestBody:
        required: true
        content:
          application/json:
            schema: gateway.identity.schemas.StaffChange
      responses:
        200:
          content:
            application/json:
              schema: gateway.identity.schemas.AccountView
        403: Forbidden
        409: Conflict
      x-gateway-errors: [401, 500]
    """
    changes = loaded(http.StaffChange())
    if "password" in changes:
        password = changes.pop("password")
        if problems := passwords.weaknesses(password):
            raise ValidationError({"password": problems})
        changes["password_hash"] = hasher().hash(password)
    agencies = agencies_for(changes.get("role"), changes.get("agency"))
    with database() as db:
        account = accounts.update_staff(db, g.actor, account_id, changes, now(), agencies)
    return jsonify(http.AccountView().dump(account))
