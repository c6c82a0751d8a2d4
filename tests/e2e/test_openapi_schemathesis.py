"""The running mall against its own OpenAPI document: schemathesis generates requests for
every operation of ``/api/v1/openapi.json`` (requests that fit the document, and requests
that break it) and checks that no answer is a 5xx and that every answer is documented: its
status code, content type, headers and body.

Signed-in operations are called by the roles that work in their area (and by citizens), so
requests get past the door and into the services' own checks. Hypothesis is derandomized:
the same requests every run.
"""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.app import create_app
from gateway.openapi import build_spec
from tests.e2e.conftest import bearer_headers, wait_until_announced, wait_until_healthy

EXAMPLES = 20  # per operation, caller and mode
# tag -> roles that call the signed-in operations of that area (anyone calls the others)
CALLERS = {
    "registry": ["registrar", "citizen"],
    "licensing": ["citizen", "verifier"],
    "queue": ["counter_officer", "citizen"],
}
OTHERS = ["citizen"]
MODULES = ("social_aid", "regional_tax", "complaints")  # the agency modules the demo mall plugs in
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# The display stream never ends: it is tested in tests/integration/test_gateway_queue.py.
ENDLESS = {("GET", "/api/v1/display/stream")}


def documented_operations() -> dict[tuple[str, str], dict]:
    """Every operation the gateway describes, as this code builds it: (method, path) -> it."""
    paths = build_spec(create_app())["paths"]
    return {(m.upper(), path): op for path, item in paths.items() for m, op in item.items()}


def runs_of(operations: dict[tuple[str, str], dict]) -> list:
    """(method, path, caller, mode) for every operation; invalid requests where there is a
    body or a query to break (a path parameter can't be left empty in a URL)."""
    runs = []
    for (method, path), operation in sorted(operations.items()):
        if (method, path) in ENDLESS:
            continue
        signed_in = operation["security"] == [{"bearerAuth": []}]
        tags = operation.get("tags", [])
        callers = [c for tag in tags for c in CALLERS.get(tag, OTHERS)] if signed_in else [None]
        negatable = "requestBody" in operation or any(
            p["in"] == "query" for p in operation.get("parameters", [])
        )
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negatable else [])
        runs += [(method, path, caller, mode) for caller in callers for mode in modes]
    return runs


OPERATIONS = documented_operations()
RUNS = runs_of(OPERATIONS)


@pytest.fixture(scope="module")
def mall_api(mall):
    """The OpenAPI document as the running gateway serves it."""
    base, _, _ = mall
    wait_until_healthy(base)
    for module in MODULES:  # the modules' requests should reach the modules
        wait_until_announced(base, module)
    loaded = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    loaded.config.update(base_url=base, request_timeout=15)
    # unknown query parameters are ignored, as HTTP APIs do; tokens come from ``signed_in``
    loaded.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
    return loaded


@pytest.fixture(scope="module")
def mall_env(mall_env):
    """Generated sign-ins fail by the hundred: throttling them is tested elsewhere."""
    limits = ("ACCOUNT_FAILURES", "ACCOUNT_CEILING_FAILURES", "ADDRESS_FAILURES")
    limits += ("VERIFICATION_FAILURES",)
    return {**mall_env, **dict.fromkeys(limits, "1000000")}


def test_the_served_document_describes_the_operations_tested_here(mall):
    base, _, _ = mall
    wait_until_healthy(base)
    paths = requests.get(f"{base}/api/v1/openapi.json", timeout=10).json()["paths"]
    served = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert served == set(OPERATIONS)
    assert {(method, path) for method, path, _, _ in RUNS} == served - ENDLESS


@pytest.mark.parametrize(
    ("method", "path", "caller", "mode"),
    RUNS,
    ids=[f"{m} {p} {c or 'anyone'} {mode.value}" for m, p, c, mode in RUNS],
)
def test_the_operation_answers_as_documented_and_never_with_a_server_error(
    mall, mall_api, method, path, caller, mode
):
    operation = mall_api[path][method]
    base, _, _ = mall
    headers = bearer_headers(base, caller) if caller else {}  # its own session: may sign out
    # invalid input must be refused, except a body that a route may do without: the counter
    # actions take one only when finishing or transferring, and ignore it otherwise
    body = OPERATIONS[(method, path)].get("requestBody")
    optional_body = body is not None and not body.get("required", False)
    refuses = mode is GenerationMode.NEGATIVE and not optional_body
    checks = CHECKS + ([negative_data_rejection] if refuses else [])

    strategy = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE:  # the document's examples too: they name real things
        strategy = st.one_of(*operation.get_strategies_from_examples(), strategy)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case):
        response = case.call(headers=headers)
        case.validate_response(response, headers=headers, checks=checks)

    answers_as_documented()
