"""Fixtures shared by the suite: databases on SQLite and PostgreSQL, service configs.

Database tests run twice, once per backend (``db_backend``). PostgreSQL databases are
created fresh per test from ``TEST_POSTGRES_URL`` (default: the local server, trust auth)
and dropped afterwards.
"""

import os
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from chassis.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
FAST_RETRIES = [100, 200]


def _create_postgres_database() -> str:
    name = f"mpp_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_backend(request):
    return request.param


@pytest.fixture
def database_url_factory(db_backend, tmp_path):
    """Make a migrated, empty database for a service on the current backend."""
    created = []

    def make(service: str) -> str:
        if db_backend == "sqlite":
            url = f"sqlite:///{tmp_path / service}.sqlite3"
        else:
            url = _create_postgres_database()
            created.append(url)
        upgrade(service, url)
        return url

    yield make
    for url in created:
        _drop_postgres_database(url)


@pytest.fixture
def gateway_database(tmp_path):
    """A migrated SQLite database for the gateway's accounts, sessions and audit log."""
    url = f"sqlite:///{tmp_path / 'gateway'}.sqlite3"
    upgrade("gateway", url)
    return url


@pytest.fixture
def service_config(rabbit_config, database_url_factory):
    """nameko config of a service: the test's vhost, a fresh database, fast retries."""

    def make(service: str, **extra) -> dict:
        return {
            **rabbit_config,
            "DATABASE_URL": database_url_factory(service),
            "EVENT_RETRY_DELAYS_MS": FAST_RETRIES,
            **extra,
        }

    return make


@pytest.fixture
def write_config(tmp_path):
    """Write a config dict as YAML, for processes started with ``--config``."""

    def write(name: str, config: dict) -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(config))
        return path

    return write


def relay_command(service: str) -> list[str]:
    """The outbox relay of ``service`` as the Procfile starts it, with this interpreter."""
    from scripts.supervise import read_procfile

    command = shlex.split(read_procfile(ROOT / "Procfile")[f"{service}_relay"])
    assert command[0] == "python", command
    return [sys.executable, *command[1:]]


@pytest.fixture
def relay_process(write_config):
    """Start the real outbox relay of a service as its own process, with the command of
    its Procfile line (a test config and a short poll interval added)."""
    started = []

    def start(service: str, config: dict) -> subprocess.Popen:
        path = write_config(f"{service}-relay", config)
        process = subprocess.Popen(
            [*relay_command(service), "--config", str(path), "--interval", "0.05"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()


@pytest.fixture
def service_processes(write_config, tmp_path):
    """Start ``count`` real instances of a service (``nameko run``), competing consumers."""
    started = []

    def start(service: str, cls: str, config: dict, count: int) -> list[subprocess.Popen]:
        path = write_config(f"{service}-instances", config)
        for n in range(count):
            log = open(tmp_path / f"{service}-{n}.log", "w")  # noqa: SIM115 (closed below)
            process = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "nameko"),
                    "run",
                    "--config",
                    str(path),
                    f"services.{service}.service:{cls}",
                ],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append((process, log))
        return [process for process, _ in started]

    yield start
    for process, log in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
