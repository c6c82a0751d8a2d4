"""A module made by ``mall new-module`` (the real console script) into a folder outside the
mall, migrated with ``chassis.migrate``, started with ``nameko run`` beside the running mall
and used through the gateway, until it stops and the mall calls it unavailable."""

import json
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy import create_engine, text

from chassis.clock import today
from contracts.calendar_2026_2027 import DAYS as CALENDAR
from desk.deadlines import add_working_days
from scripts.demo_data import DEMO_PASSWORD, RESIDENTS
from tests.conftest import ROOT
from tests.e2e.conftest import bearer_headers, get_json, wait_until_healthy
from tests.polling import eventually

BIN = ROOT / ".venv" / "bin"
NAME = "arsip_daerah"  # regional archives: a module the mall has never seen
AGENCY = "disarpus"
CITIZEN = {"login": "3314015708900001", "password": "coba-mpp-2026"}  # demo data
FORM = {"full_name": "Siti Rahayu", "household_size": 4, "purpose": "new"}
UNANNOUNCED = 50  # the catalog gives up on a module after 3 announcements of 10 s are missed


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """The module, written by the console script into a folder of its own."""
    into = tmp_path_factory.mktemp("agency")
    result = subprocess.run(
        [str(BIN / "mall"), "new-module", NAME, "--agency", AGENCY, "--into", str(into)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert f"{NAME}.service:ArsipDaerahService" in result.stdout
    assert f"chassis.relay {NAME} --outbox {NAME}.models:OutboxEvent" in result.stdout
    return into / NAME


@pytest.fixture(scope="module")
def module_env(made, mall_env, mall_var) -> dict:
    return {
        **mall_env,
        "PYTHONPATH": os.pathsep.join([str(made.parent), os.environ.get("PYTHONPATH", "")]),
        f"{NAME.upper()}_DATABASE_URL": f"sqlite:///{mall_var}/{NAME}.sqlite3",
    }


@pytest.fixture(scope="module")
def module(made, module_env, mall_var, mall):
    """The module migrated and running (``nameko run``) beside the mall."""
    config = str(made / "config.yaml")
    migrated = subprocess.run(
        [sys.executable, "-m", "chassis.migrate", NAME, "--config", config],
        cwd=ROOT,
        env=module_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert migrated.returncode == 0, migrated.stderr
    commands = {
        "service": [
            str(BIN / "nameko"),
            "run",
            "--config",
            config,
            f"{NAME}.service:ArsipDaerahService",
        ],
        # the relay the scaffold's next steps name
        "relay": [
            sys.executable,
            "-m",
            "chassis.relay",
            NAME,
            "--outbox",
            f"{NAME}.models:OutboxEvent",
            "--config",
            config,
        ],
    }
    processes = []
    for part, command in commands.items():
        with open(mall_var / f"{NAME}_{part}.log", "w") as log:
            processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=module_env, stdout=log, stderr=subprocess.STDOUT
                )
            )
    try:
        yield processes[0]
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture(scope="module")
def token(mall) -> str:
    base, _, _ = mall
    wait_until_healthy(base)
    response = requests.post(f"{base}/api/v1/sessions", json=CITIZEN, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()["access_token"]


def module_status(base: str) -> dict | None:
    response = get_json(f"{base}/api/v1/modules/{NAME}")
    return response.json() if response is not None and response.status_code == 200 else None


def wait_until_listed(base: str) -> dict:
    """The module's status, once the mall has heard it announce itself."""
    return eventually(
        lambda: (s := module_status(base)) and s["available"] and s, timeout=40, interval=0.5
    )


def apply(base: str, token: str, form: dict) -> requests.Response:
    return requests.post(
        f"{base}/api/v1/modules/{NAME}/applications",
        json={"service": NAME, "form": form},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_the_module_passes_its_own_tests(made):
    result = subprocess.run(
        [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", str(made / "tests")],
        cwd=made.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "5 passed" in result.stdout.splitlines()[-1]


def test_the_mall_lists_the_module_once_it_announces_itself(mall, module, made):
    base, _, _ = mall
    status = wait_until_listed(base)
    manifest = yaml.safe_load((made / "manifest.yaml").read_text())
    assert status["manifest"]["module"] == NAME
    assert status["manifest"]["agency"]["code"] == AGENCY
    assert [s["code"] for s in status["manifest"]["services"]] == [NAME]
    assert status["manifest"]["services"][0]["name_id"] == manifest["services"][0]["name_id"]
    catalog = requests.get(f"{base}/api/v1/catalog", params={"agency": AGENCY}, timeout=10)
    [entry] = [item for item in catalog.json()["items"] if item["kind"] == "module"]
    assert (entry["module"], entry["code"], entry["available"]) == (NAME, NAME, True)


def test_a_citizen_applies_through_the_gateway_and_reads_it_back(mall, module, token):
    base, _, _ = mall
    wait_until_listed(base)
    created = apply(base, token, FORM)
    assert created.status_code == 201, created.text
    application = created.json()
    assert application["module"] == NAME and application["status"] == "submitted"
    assert application["form"] == {**FORM, "previous_number": None}
    read = requests.get(
        f"{base}/api/v1/modules/{NAME}/applications/{application['id']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert read.status_code == 200
    assert read.json() == application


def test_form_errors_name_the_field_whether_the_gateway_or_the_module_finds_them(
    mall, module, token
):
    base, _, _ = mall
    wait_until_listed(base)
    too_small = apply(base, token, {**FORM, "household_size": 0})  # the manifest says 1-30
    assert too_small.status_code == 422
    assert "household_size" in too_small.json()["error"]["fields"]["form"]
    renewal = apply(base, token, {**FORM, "purpose": "renewal"})  # the module's own rule
    assert renewal.status_code == 422
    assert "previous_number" in renewal.json()["error"]["fields"]["form"]


def outbox(module_env) -> list[tuple[str, str | None, bool]]:
    """The module's recorded events: type, new status, whether the relay published it."""
    engine = create_engine(module_env[f"{NAME.upper()}_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT event_type, payload, published_at FROM outbox ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    return [
        (kind, json.loads(payload)["data"].get("status"), published is not None)
        for kind, payload, published in found
    ]


def test_the_desk_gives_a_new_module_working_days_events_office_pages_and_deaths(
    mall, module, made, module_env
):
    """No gateway code names the module: its office page, its steps and clock, its events
    and its reaction to a death all come from ``MallModule``."""
    base, _, _ = mall
    wait_until_listed(base)
    budi = requests.post(
        f"{base}/api/v1/sessions",
        json={"login": RESIDENTS[1].nik, "password": DEMO_PASSWORD},
        timeout=10,
    ).json()
    created = apply(base, budi["access_token"], FORM)
    assert created.status_code == 201, created.text
    application = created.json()
    promised = yaml.safe_load((made / "manifest.yaml").read_text())["services"][0][
        "service_level_days"
    ]
    days_off = frozenset(date.fromisoformat(day) for day, *_ in CALENDAR)
    created_at = datetime.fromisoformat(application["created_at"])
    assert datetime.fromisoformat(application["due_at"]) == add_working_days(
        created_at, promised, days_off
    )
    assert application["working_days_left"] == promised
    assert application["allowed_actions"] == ["withdraw"]  # the applicant's one step

    officer = {"username": "arsip-verifikator", "full_name": "Verifikator Arsip"}
    made_staff = requests.post(
        f"{base}/api/v1/staff",
        headers=bearer_headers(base, "mall_admin"),
        json={**officer, "role": "verifier", "agency": AGENCY, "password": DEMO_PASSWORD},
        timeout=10,
    )
    assert made_staff.status_code == 201, made_staff.text
    signed_in = requests.post(
        f"{base}/api/v1/sessions",
        json={"login": officer["username"], "password": DEMO_PASSWORD},
        timeout=10,
    )
    office = requests.Session()
    office.cookies.set("mpp_token", signed_in.json()["access_token"])
    path = f"{base}/office/modules/{NAME}/applications/{application['id']}"
    page = office.get(path, timeout=10)
    assert page.status_code == 200, page.text
    assert 'data-action="review"' in page.text and 'data-action="reject"' in page.text
    assert "hari kerja" in page.text  # the clock in working days, as the module counts it

    def post(action: str, note: str = "") -> requests.Response:
        form = office.get(path, timeout=10).text
        hidden = dict(re.findall(r'name="(csrf_token|idempotency_key)" value="([^"]+)"', form))
        return office.post(
            f"{path}/actions",
            data={**hidden, "action": action, "note": note},
            allow_redirects=False,
            timeout=10,
        )

    no_reason = post("reject")
    assert no_reason.status_code == 422 and 'id="e-note-reject"' in no_reason.text
    assert post("review").status_code == 303

    died = requests.post(
        f"{base}/api/v1/deaths",
        headers=bearer_headers(base, "registrar"),
        json={"resident_id": budi["account"]["person_id"], "died_on": today().isoformat()},
        timeout=30,
    )
    assert died.status_code == 201, died.text
    staff = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    url = f"{base}/api/v1/modules/{NAME}/applications/{application['id']}"
    closed = eventually(
        lambda: (
            (r := requests.get(url, headers=staff, timeout=10).json())["status"] == "closed" and r
        ),
        timeout=30,
        interval=0.5,
    )
    assert closed["history"][-1]["note"] == "applicant deceased"
    steps = [
        ("application_submitted", None, True),
        ("application_status_changed", "in_review", True),
        ("application_status_changed", "closed", True),
        ("application_closed", "closed", True),
    ]
    mine = eventually(
        lambda: (
            (found := [e for e in outbox(module_env) if e[0] != "module_announced"])
            and all(published for *_, published in found)
            and found
        ),
        timeout=30,
        interval=0.5,
    )
    assert mine[-4:] == steps


def test_a_stopped_module_becomes_unavailable(mall, module, token):
    base, _, _ = mall
    wait_until_listed(base)
    created = apply(base, token, FORM)
    assert created.status_code == 201
    module.terminate()
    assert module.wait(timeout=15) is not None
    url = f"{base}/api/v1/modules/{NAME}/applications/{created.json()['id']}"
    headers = {"Authorization": f"Bearer {token}"}
    # until the catalog gives up, a call waits for the gateway's RPC timeout (504)
    refused = eventually(
        lambda: (
            (r := requests.get(url, headers=headers, timeout=30)).status_code == 503 and r.json()
        ),
        timeout=UNANNOUNCED,
        interval=1,
    )
    assert refused["error"]["code"] == "module_unavailable"
    assert module_status(base)["available"] is False
