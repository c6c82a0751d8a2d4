"""Generic module routes: the form is checked against the module's manifest, an absent
module answers 503, and the call goes to the module's own service."""

import pytest

from chassis.actor import Actor
from chassis.errors import NotFound
from gateway.app import create_app
from tests.accounts import bearer
from tests.unit.test_gateway import FakeRpc

MANIFEST = {
    "module": "social_aid",
    "version": "1",
    "agency": {"code": "dinsos", "name_id": "Dinas Sosial", "name_en": "Social affairs office"},
    "services": [
        {
            "code": "bantuan",
            "name_id": "Bantuan sosial",
            "name_en": "Social aid",
            "service_level_days": 14,
            "form": [
                {"name": "income", "type": "integer", "min": 0, "label_id": "x", "label_en": "y"},
                {
                    "name": "need",
                    "type": "choice",
                    "choices": ["health", "food"],
                    "label_id": "x",
                    "label_en": "y",
                },
            ],
        }
    ],
}
CITIZEN = Actor(id="c-1", role="citizen", person_id="p-1")


def catalog_module(name: str) -> dict:
    if name not in ("social_aid", "sleepy"):
        raise NotFound(f"no module {name}")
    return {"manifest": MANIFEST, "available": name == "social_aid", "last_seen": None}


@pytest.fixture
def rpc():
    return FakeRpc(
        {
            ("catalog", "module"): catalog_module,
            ("social_aid", "submit_application"): lambda body: {"id": "a-1", **body},
        }
    )


@pytest.fixture
def app(rpc, gateway_database):
    app = create_app({"DATABASE_URL": gateway_database})
    app.extensions["rpc_client"] = rpc
    return app


def apply(app, module, body):
    return app.test_client().post(
        f"/api/v1/modules/{module}/applications", json=body, headers=bearer(app, CITIZEN)
    )


def test_a_valid_form_goes_to_the_module_with_the_actor(app, rpc):
    body = {"service": "bantuan", "form": {"income": 900000, "need": "food"}}
    response = apply(app, "social_aid", body)
    assert response.status_code == 201
    call = rpc.calls[-1]
    assert (call["service"], call["method"], call["args"]) == (
        "social_aid",
        "submit_application",
        (body,),
    )
    assert call["context"]["actor"]["person_id"] == "p-1"


def test_form_errors_come_from_the_manifest_and_nothing_is_sent(app, rpc):
    response = apply(
        app, "social_aid", {"service": "bantuan", "form": {"income": -5, "need": "car", "x": 1}}
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]["form"]
    assert set(fields) == {"income", "need", "x"}
    assert [c["method"] for c in rpc.calls] == ["module"]


def test_an_unknown_service_of_the_module_is_named(app):
    response = apply(app, "social_aid", {"service": "lottery", "form": {}})
    assert response.status_code == 422
    assert "bantuan" in response.get_json()["error"]["fields"]["service"][0]


def test_a_module_that_stopped_announcing_is_503_in_both_languages(app, rpc):
    response = apply(app, "sleepy", {"service": "bantuan", "form": {}})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "module_unavailable"
    assert "not available" in error["message"] and "tidak tersedia" in error["message"]
    assert response.headers["Retry-After"]


@pytest.mark.parametrize("module", ["nothing_here", "Bad-Name"])
def test_an_unknown_or_malformed_module_is_404(app, module):
    assert apply(app, module, {"service": "bantuan", "form": {}}).status_code == 404
