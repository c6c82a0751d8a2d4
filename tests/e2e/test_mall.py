"""The whole mall started the way a user starts it (``scripts/run-mall``: migrations, demo
data, supervisord running every nameko service, outbox relay and gunicorn), spoken to over HTTP."""

import os
import signal
import subprocess
import uuid
from pathlib import Path

import requests

from tests.e2e.conftest import get_json
from tests.polling import eventually


def test_health_lists_the_services_healthy(mall):
    base, _, _ = mall
    response = eventually(  # a busy machine starts a dozen processes slowly
        lambda: (r := get_json(f"{base}/health")) is not None and r.status_code == 200 and r,
        timeout=90,
    )
    services = response.json()["services"]
    assert sorted(services) == ["catalog", "civil_registry", "licensing", "notifications", "queue"]
    assert {s["status"] for s in services.values()} == {"ok"}


def test_a_ticket_is_issued_and_read_back_over_http(mall):
    base, _, _ = mall
    eventually(lambda: (r := get_json(f"{base}/health")) is not None and r.ok, timeout=30)
    lines = requests.get(f"{base}/api/v1/service-lines", timeout=10).json()["items"]
    assert "population" in {line["code"] for line in lines}  # demo data was loaded
    created = requests.post(
        f"{base}/api/v1/tickets", json={"service_code": "population"}, timeout=10
    )
    assert created.status_code == 201
    ticket = created.json()
    assert ticket["label"].startswith("A-")
    assert ticket.pop("cancel_code")  # shown once, when the ticket is issued
    read = requests.get(f"{base}/api/v1/tickets/{ticket['id']}", timeout=10)
    assert read.json()["ticket"] == ticket and read.json()["position"] >= 1


def test_errors_reach_the_client_as_json_without_internals(mall):
    base, _, _ = mall
    eventually(lambda: (r := get_json(f"{base}/health")) is not None and r.ok, timeout=30)
    missing = requests.get(f"{base}/api/v1/tickets/{uuid.uuid4()}", timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    invalid = requests.post(f"{base}/api/v1/tickets", json={"service_code": ""}, timeout=10)
    assert invalid.status_code == 422
    assert "service_code" in invalid.json()["error"]["fields"]
    not_json = requests.post(f"{base}/api/v1/tickets", data="x", timeout=10)
    assert not_json.status_code == 400
    assert "Traceback" not in missing.text + invalid.text + not_json.text


def test_the_request_id_follows_the_call_into_the_service_and_its_event(mall):
    base, log_path, _ = mall
    eventually(lambda: (r := get_json(f"{base}/health")) is not None and r.ok, timeout=30)
    request_id = f"e2e{uuid.uuid4().hex}"
    response = requests.post(
        f"{base}/api/v1/tickets",
        json={"service_code": "tax"},
        headers={"X-Request-ID": request_id},
        timeout=10,
    )
    assert response.headers["X-Request-ID"] == request_id

    def traced(process_name: str, text: str) -> bool:
        return any(
            request_id in line and f'"process": "{process_name}"' in line and text in line
            for line in log_path.read_text().splitlines()
        )

    assert eventually(lambda: traced("queue", "issued C-"), timeout=10)
    assert eventually(lambda: traced("queue_relay", "published ticket_issued"), timeout=10)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (supervisord starts each in a process group of its own)."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    children = {int(child) for child in found.split()}
    return children.union(*(descendants(child) for child in children))


def running(pid: int) -> bool:
    try:  # a zombie has stopped; only its parent has not read its exit status yet
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_ctrl_c_stops_every_process(mall):
    base, _, process = mall
    eventually(lambda: (r := get_json(f"{base}/health")) is not None and r.ok, timeout=30)
    below = descendants(process.pid)
    assert len(below) >= 9  # every Procfile process, and gunicorn's workers
    os.kill(process.pid, signal.SIGINT)  # what Ctrl-C in its terminal does
    assert process.wait(timeout=40) is not None
    assert {pid for pid in below if running(pid)} == set()
    assert get_json(f"{base}/health") is None
