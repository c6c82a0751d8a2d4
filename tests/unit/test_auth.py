"""Access tokens: only a token we signed, for us, still fresh, names an actor."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chassis.actor import Actor
from gateway.app import create_app
from gateway.auth import actor_from_token, issue_token

REGISTRAR = Actor(id="staff-1", role="registrar", agency="disdukcapil")


class RecordingRpc:
    def __init__(self):
        self.calls = []

    def call(self, service, method, *args, context=None, timeout=None, **kwargs):
        self.calls.append({"method": method, "args": args, "context": context})
        return {"id": args[0] if args else None}


@pytest.fixture
def app():
    app = create_app({"JWT_SECRET": "unit-test-secret"})
    app.extensions["rpc_client"] = RecordingRpc()
    return app


def claims(config, **overrides):
    now = datetime.now(UTC)
    base = {
        "sub": "staff-1",
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


def test_a_token_we_issued_names_its_actor(app):
    token = issue_token(app.config, REGISTRAR)
    assert actor_from_token(app.config, token) == REGISTRAR


def test_the_actor_of_a_valid_token_travels_to_the_service(app):
    response = get_resident(app, issue_token(app.config, REGISTRAR))
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
        "garbage": "not.a.token",
    }


@pytest.mark.parametrize(
    "kind",
    ["alg none", "wrong key", "expired", "wrong audience", "wrong issuer", "no expiry", "garbage"],
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
    token = issue_token(app.config, REGISTRAR)
    response = app.test_client().post(
        "/api/v1/births",
        headers={"Authorization": f"Bearer {token}"},
        json={"full_name": "", "sex": "X", "birth_date": "yesterday"},
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {"full_name", "sex", "birth_date", "birth_place", "mother_id"} <= set(fields)
    assert app.extensions["rpc_client"].calls == []
