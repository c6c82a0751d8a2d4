"""Access tokens: only a token we signed, for us, still fresh, of a live session, names an
actor, and the actor is the account's as it is now."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chassis.actor import Actor
from gateway.app import create_app
from gateway.auth import issue_token, verify_token
from gateway.identity import sessions, store
from gateway.identity.models import Account
from tests.accounts import bearer

REGISTRAR = Actor(id="staff-1", role="registrar", agency="disdukcapil")


class RecordingRpc:
    def __init__(self):
        self.calls = []

    def call(self, service, method, *args, context=None, timeout=None, **kwargs):
        self.calls.append({"method": method, "args": args, "context": context})
        return {"id": args[0] if args else None}


@pytest.fixture
def app(gateway_database):
    app = create_app({"JWT_SECRET": "unit-test-secret", "DATABASE_URL": gateway_database})
    app.extensions["rpc_client"] = RecordingRpc()
    return app


def claims(config, **overrides):
    now = datetime.now(UTC)
    base = {
        "sub": "staff-1",
        "sid": "0" * 32,
        "role": "registrar",
        "agency": "disdukcapil",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "iss": config["JWT_ISSUER"],
        "aud": config["JWT_AUDIENCE"],
    }
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def get_resident(app, token: str | None, header: str | None = None):
    headers = {"Authorization": header or f"Bearer {token}"} if (token or header) else {}
    return app.test_client().get("/api/v1/residents/r-1", headers=headers)


def token_of(headers: dict) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def test_a_token_we_issued_names_its_account_and_session(app):
    token = issue_token(app.config, REGISTRAR, "s" * 32)
    claims = verify_token(app.config, token)
    assert (claims["sub"], claims["sid"], claims["role"]) == ("staff-1", "s" * 32, "registrar")


def test_the_actor_of_a_valid_token_travels_to_the_service(app):
    response = get_resident(app, token_of(bearer(app, REGISTRAR)))
    assert response.status_code == 200
    [call] = app.extensions["rpc_client"].calls
    assert call["context"]["actor"] == {
        "id": "staff-1",
        "role": "registrar",
        "agency": "disdukcapil",
        "person_id": None,
    }


def forged(config) -> dict[str, str]:
    unsigned = jwt.encode(claims(config), key=None, algorithm="none")
    return {
        "alg none": unsigned,
        "wrong key": jwt.encode(claims(config), "someone-elses-secret", algorithm="HS256"),
        "expired": jwt.encode(
            claims(config, exp=datetime.now(UTC) - timedelta(seconds=1)),
            config["JWT_SECRET"],
            algorithm="HS256",
        ),
        "wrong audience": jwt.encode(
            claims(config, aud="another-api"), config["JWT_SECRET"], algorithm="HS256"
        ),
        "wrong issuer": jwt.encode(
            claims(config, iss="evil"), config["JWT_SECRET"], algorithm="HS256"
        ),
        "no expiry": jwt.encode(claims(config, exp=None), config["JWT_SECRET"], algorithm="HS256"),
        "no session": jwt.encode(claims(config, sid=None), config["JWT_SECRET"], algorithm="HS256"),
        "unknown session": jwt.encode(claims(config), config["JWT_SECRET"], algorithm="HS256"),
        "garbage": "not.a.token",
    }


@pytest.mark.parametrize(
    "kind",
    [
        "alg none",
        "wrong key",
        "expired",
        "wrong audience",
        "wrong issuer",
        "no expiry",
        "no session",
        "unknown session",
        "garbage",
    ],
)
def test_a_forged_or_stale_token_is_refused_with_401(app, kind):
    response = get_resident(app, forged(app.config)[kind])
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert app.extensions["rpc_client"].calls == []


def test_a_header_that_is_not_a_bearer_token_is_refused(app):
    assert get_resident(app, None, header="Basic dXNlcjpwYXNz").status_code == 401


def test_personal_routes_need_a_signed_in_actor(app):
    response = get_resident(app, None)
    assert response.status_code == 401
    assert app.extensions["rpc_client"].calls == []


def test_certificate_verification_is_public(app):
    response = app.test_client().get(
        "/api/v1/certificates/verification?number=3314-LT-01012026-0001&check_code=ABCD1234"
    )
    assert response.status_code == 200
    [call] = app.extensions["rpc_client"].calls
    assert "actor" not in call["context"]


def test_bad_input_is_refused_at_the_gateway_with_field_reasons(app):
    response = app.test_client().post(
        "/api/v1/births",
        headers=bearer(app, REGISTRAR),
        json={"full_name": "", "sex": "X", "birth_date": "yesterday"},
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"full_name", "sex", "birth_date", "birth_place", "mother_id"} <= set(fields)
    assert app.extensions["rpc_client"].calls == []


def test_a_token_of_a_revoked_session_is_refused(app):
    headers = bearer(app, REGISTRAR)
    sid = verify_token(app.config, token_of(headers))["sid"]
    with store.transaction(app.config["DATABASE_URL"]) as db:
        sessions.revoke(db, sid, datetime.now(UTC))
    assert get_resident(app, token_of(headers)).status_code == 401
    assert app.extensions["rpc_client"].calls == []


def test_a_disabled_account_is_refused_at_once(app):
    headers = bearer(app, REGISTRAR)
    with store.transaction(app.config["DATABASE_URL"]) as db:
        db.get(Account, REGISTRAR.id).active = False
    assert get_resident(app, token_of(headers)).status_code == 401


def test_the_actor_is_the_account_as_it_is_now_not_the_token_claims(app):
    headers = bearer(app, REGISTRAR)
    with store.transaction(app.config["DATABASE_URL"]) as db:
        db.get(Account, REGISTRAR.id).role = "counter_officer"
    assert get_resident(app, token_of(headers)).status_code == 200
    [call] = app.extensions["rpc_client"].calls
    assert call["context"]["actor"]["role"] == "counter_officer"
