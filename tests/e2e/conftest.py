"""The whole mall for end-to-end tests, started the way a user starts it
(``scripts/run-mall``: migrations, demo data, supervisord running every process of the
Procfile)
in a RabbitMQ vhost of its own, with its databases in a temporary folder and the gateway on
a free port."""

import os
import signal
import socket
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

from bench.faults import database_variables, sqlite_file
from scripts.demo_data import DEMO_PASSWORD, RESIDENTS
from tests.conftest import ROOT
from tests.polling import eventually

MANAGEMENT = os.environ.get("TEST_RABBIT_API", "http://127.0.0.1:15672/api")
AUTH = ("guest", "guest")
# role -> the demo account (scripts/demo_data.py) that signs in as it
DEMO_LOGINS = {
    "citizen": RESIDENTS[0].nik,
    "registrar": "registrar",
    "counter_officer": "loket-a",
    "verifier": "verifikator",
    "cashier": "kasir",
    "mall_manager": "manajer",
    "mall_admin": "admin",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, **kwargs):
    """The response, or None while nothing listens or answers in time (the mall starting)."""
    try:
        return requests.get(url, timeout=5, **kwargs)
    except (requests.ConnectionError, requests.Timeout):
        return None


def wait_until_healthy(base: str, timeout: float = 30) -> requests.Response:
    return eventually(
        lambda: (r := get_json(f"{base}/health")) is not None and r.ok and r, timeout=timeout
    )


def wait_until_announced(base: str, module: str, timeout: float = 30) -> None:
    """Until the catalog has heard ``module`` (it announces itself every 10 s; the catalog
    may have started after its first announcement)."""
    eventually(
        lambda: requests.get(f"{base}/api/v1/modules/{module}", timeout=10).ok,
        timeout=timeout,
        interval=0.5,
    )


def bearer_headers(base_url: str, role: str) -> dict:
    """Authorization headers of the demo account of ``role``, signed in at ``base_url``."""
    login = {"login": DEMO_LOGINS[role], "password": DEMO_PASSWORD}
    signed_in = requests.post(f"{base_url}/api/v1/sessions", json=login, timeout=30)
    assert signed_in.status_code == 201, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


@pytest.fixture(scope="module")
def vhost():
    name = f"mpp_e2e_{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/vhosts/{name}", auth=AUTH, timeout=10).raise_for_status()
    requests.put(
        f"{MANAGEMENT}/permissions/{name}/guest",
        auth=AUTH,
        timeout=10,
        json={"configure": ".*", "write": ".*", "read": ".*"},
    ).raise_for_status()
    yield name
    requests.delete(f"{MANAGEMENT}/vhosts/{name}", auth=AUTH, timeout=10)


@pytest.fixture(scope="module")
def mall_var(tmp_path_factory) -> Path:
    """The mall's ``var/``: its SQLite files, documents and combined log."""
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="module")
def mall_env(vhost, mall_var) -> dict:
    """The environment of the mall's processes, for any process that joins them."""
    return mall_environment(vhost, mall_var)


def mall_environment(vhost: str, mall_var: Path) -> dict:
    databases = {variable: sqlite_file(mall_var, variable) for variable in database_variables()}
    return {
        **os.environ,
        **databases,
        "AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}",
        "GATEWAY_PORT": str(free_port()),
        "DOCUMENT_STORE": str(mall_var / "documents"),
        "MPP_RUN_DIR": str(mall_var),  # supervisord's config, socket and pid file
    }


@pytest.fixture(scope="module")
def mall(mall_env, mall_var):
    """Run the mall; yield its base URL, the path of its combined log and its process."""
    log_path = mall_var / "mall.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "run-mall")],
            cwd=ROOT,
            env=mall_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{mall_env['GATEWAY_PORT']}"
    try:
        yield base, log_path, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
