"""The social aid module runs with the mall (``scripts/run-mall``, the Procfile): it announces
itself, the catalog lists it beside the core services, and the queue gives it a ticket
series and counters, all seen over HTTP."""

import requests

from tests.e2e.conftest import get_json, wait_until_healthy
from tests.polling import eventually

SERVICE_LINE = "social_aid.bantuan_sosial"


def catalog(base: str, **query) -> list[dict] | None:
    response = get_json(f"{base}/api/v1/catalog", params=query)
    return response.json()["items"] if response is not None and response.ok else None


def test_social_aid_is_in_the_catalog_and_at_the_counters(mall):
    base, _, _ = mall
    wait_until_healthy(base)
    found = eventually(
        lambda: [e for e in catalog(base, q="bantuan sosial") or [] if e["kind"] == "module"],
        timeout=40,
        interval=0.5,
    )
    assert [(e["module"], e["code"], e["available"]) for e in found] == [
        ("social_aid", "bantuan_sosial", True)
    ]
    assert found[0]["apply_path"] == "/api/v1/modules/social_aid/applications"
    kinds = {(e["kind"], e["code"]) for e in catalog(base)}
    assert {("permit", "NIB"), ("queue", "population"), ("registry", "birth_certificate")} <= kinds

    lines = eventually(
        lambda: {
            line["code"]: line
            for line in requests.get(f"{base}/api/v1/service-lines", timeout=10).json()["items"]
            if line["code"] == SERVICE_LINE
        },
        timeout=30,
    )
    assert (lines[SERVICE_LINE]["prefix"], lines[SERVICE_LINE]["agency"]) == ("S", "dinsos")
    ticket = requests.post(
        f"{base}/api/v1/tickets", json={"service_code": SERVICE_LINE}, timeout=10
    )
    assert ticket.status_code == 201 and ticket.json()["label"] == "S-001"
    counters = requests.get(f"{base}/api/v1/counters", timeout=10).json()["items"]
    serving = [c for c in counters if SERVICE_LINE in c["services"]]
    assert len(serving) >= 2 and {c["agency"] for c in serving} == {"dinsos"}
