"""docker-compose.yml checked against the code: no Docker engine is needed to read it."""

import re
import shlex

import pytest
import yaml

from chassis.config import config_path, environment_variables
from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
PROCFILE = dict(
    (name.strip(), command.strip())
    for name, command in (
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
)
# the nameko services (core services, the catalog, agency modules) and the outbox relays
SERVICES = sorted(
    name
    for name, command in PROCFILE.items()
    if command.startswith("nameko run") and " services." in command
)
# the gateway: the HTTP gateway and its accounts listener (a nameko service of its own)
GATEWAY = {"gateway", "gateway_accounts"}
RELAYS = sorted(name for name, command in PROCFILE.items() if "chassis.relay" in command)
# processes of ``make run`` only: compose has its own (Mailpit catches the mail there)
LOCAL_ONLY = {"mail_sink"}
COMPOSED = sorted(set(PROCFILE) - LOCAL_ONLY)
PACKAGES = sorted(p.parent.name for p in (ROOT / "services").glob("*/service.py"))


def config_of(process: str) -> str:
    """The config file a Procfile process reads."""
    return "gateway" if process == "gateway" else process.removesuffix("_relay")


def records_events(service: str) -> bool:
    """Whether a service writes events to its outbox (and so needs a relay): by itself, or
    as an agency module (``MallModule`` records ``application_closed`` for every module)."""
    sources = [path.read_text() for path in (ROOT / "services" / service).glob("*.py")]
    return any("record_event(" in text or "(MallModule)" in text for text in sources)


def test_every_service_package_runs_in_the_procfile_and_nothing_else_does():
    assert {"catalog", "social_aid"} <= set(PACKAGES)
    assert SERVICES == PACKAGES
    assert set(PROCFILE) == {*SERVICES, *RELAYS, *GATEWAY, *LOCAL_ONLY}


@pytest.mark.parametrize("service", PACKAGES)
def test_a_service_runs_its_own_class_with_its_own_config(service):
    command = shlex.split(PROCFILE[service])
    assert command[:4] == ["nameko", "run", "--config", f"config/{service}.yaml"]
    assert command[4].startswith(f"services.{service}.service:")


@pytest.mark.parametrize("service", PACKAGES)
def test_a_service_has_an_outbox_relay_exactly_when_it_records_events(service):
    assert (f"{service}_relay" in PROCFILE) == records_events(service)
    if records_events(service):
        assert shlex.split(PROCFILE[f"{service}_relay"]) == [
            "python",
            "-m",
            "chassis.relay",
            service,
            "--outbox",
            f"services.{service}.models:OutboxEvent",
        ]


def test_agency_modules_have_their_relay():
    """social_aid records events only through MallModule (application_closed)."""
    assert records_events("social_aid") and "social_aid_relay" in PROCFILE


@pytest.mark.parametrize("relay", RELAYS)
def test_a_relay_is_told_an_outbox_model_that_exists(relay):
    from chassis.database import OutboxMixin
    from chassis.relay import outbox_model

    command = shlex.split(PROCFILE[relay])
    model = outbox_model(command[command.index("--outbox") + 1])
    assert issubclass(model, OutboxMixin)


def test_compose_has_the_broker_the_database_and_every_process_of_the_procfile():
    assert {"rabbitmq", "postgres"} <= set(COMPOSE)
    assert set(COMPOSED) <= set(COMPOSE)
    assert not LOCAL_ONLY & set(COMPOSE)


@pytest.mark.parametrize("process", COMPOSED)
def test_each_container_runs_the_procfile_command(process):
    assert shlex.split(COMPOSE[process]["command"]) == shlex.split(PROCFILE[process])


@pytest.mark.parametrize("name", sorted(set(COMPOSE) - {"migrate"}))
def test_every_long_running_container_has_a_healthcheck(name):
    assert COMPOSE[name]["healthcheck"]["test"]


@pytest.mark.parametrize("process", COMPOSED)
def test_every_process_is_restarted_when_it_dies(process):
    assert COMPOSE[process]["restart"] == "unless-stopped"


@pytest.mark.parametrize("process", sorted(set(COMPOSED) - {"gateway"}))
def test_a_wedged_service_or_relay_fails_its_healthcheck(process):
    """A service must answer its health RPC; a relay must have polled lately."""
    kind = "relay" if process in RELAYS else "service"
    check = COMPOSE[process]["healthcheck"]["test"]
    assert check[1:] == ["python", "-m", "chassis.probe", kind, config_of(process)]


@pytest.mark.parametrize("process", COMPOSED)
def test_each_container_sets_every_variable_its_config_reads(process):
    wanted = environment_variables(config_path(config_of(process)))
    assert wanted <= set(COMPOSE[process]["environment"])


@pytest.mark.parametrize("service", SERVICES)
def test_services_use_postgres_databases_of_their_own(service):
    url = COMPOSE[service]["environment"][f"{service.upper()}_DATABASE_URL"]
    assert url.startswith("postgresql") and url.endswith(f"/{service}")
    assert f"CREATE DATABASE {service};" in (ROOT / "deploy" / "postgres-init.sql").read_text()


@pytest.mark.parametrize("process", COMPOSED)
def test_processes_wait_for_a_healthy_broker(process):
    assert COMPOSE[process]["depends_on"]["rabbitmq"]["condition"] == "service_healthy"


def migrated(command: str) -> list[str]:
    """What a shell command migrates, in order (``chassis.migrate X`` or a loop over names)."""
    named = [name.strip("'\"") for name in re.findall(r"chassis\.migrate\s+(\S+)", command)]
    if named == ["$service"]:
        loop = re.search(r"for service in ([\w ]+); do", command)
        return loop.group(1).split() if loop else []
    return named


def test_migrations_run_for_every_service_and_the_gateway_before_they_start():
    command = COMPOSE["migrate"]["command"]
    assert set(migrated(command)) == {*SERVICES, "gateway"}
    for process in COMPOSED:
        assert COMPOSE[process]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_run_mall_migrates_every_service_and_the_gateway():
    assert set(migrated((ROOT / "scripts" / "run-mall").read_text())) == {*SERVICES, "gateway"}


def test_the_migrate_container_reads_every_service_database():
    environment = COMPOSE["migrate"]["environment"]
    for service in SERVICES:
        assert (
            environment[f"{service.upper()}_DATABASE_URL"]
            == (COMPOSE[service]["environment"][f"{service.upper()}_DATABASE_URL"])
        )


def test_the_gateway_waits_for_the_core_services_and_the_catalog_but_not_for_modules():
    waits_for = set(COMPOSE["gateway"]["depends_on"])
    assert {"civil_registry", "licensing", "queue", "catalog"} <= waits_for
    assert "social_aid" not in waits_for  # a module plugs in whenever it comes up


def test_the_gateway_keeps_accounts_in_a_postgres_database_of_its_own():
    for name in ("gateway", "gateway_accounts", "migrate"):
        url = COMPOSE[name]["environment"]["GATEWAY_DATABASE_URL"]
        assert url.startswith("postgresql") and url.endswith("/gateway")
    assert "CREATE DATABASE gateway;" in (ROOT / "deploy" / "postgres-init.sql").read_text()


def test_no_demo_accounts_with_a_known_password_in_a_deployment():
    assert COMPOSE["migrate"]["environment"]["DEMO_ACCOUNTS"] == "0"


def test_the_gateway_listens_on_all_interfaces_inside_its_container():
    gateway = COMPOSE["gateway"]
    assert gateway["environment"]["GATEWAY_HOST"] == "0.0.0.0"
    port = gateway["environment"]["GATEWAY_PORT"]
    assert gateway["ports"] == [f"{port}:{port}"]


def test_the_image_holds_every_package_the_commands_import_and_the_pinned_versions():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for folder in ("chassis", "contracts", "services", "gateway", "config", "scripts"):
        assert f"COPY {folder} {folder}" in dockerfile
    assert "-c constraints.txt" in dockerfile


def test_the_gateway_and_licensing_share_the_document_store():
    def mount(name: str) -> set[str]:
        return {v for v in COMPOSE[name].get("volumes", []) if v.endswith("/app/var/documents")}

    assert mount("gateway") and mount("gateway") == mount("licensing")
    for name in ("gateway", "licensing"):
        assert COMPOSE[name]["environment"]["DOCUMENT_STORE"] == "var/documents"


def test_the_gateway_runs_as_production_with_a_jwt_secret_from_the_environment():
    environment = COMPOSE["gateway"]["environment"]
    assert environment["MPP_ENV"] == "production"
    assert environment["JWT_SECRET"].startswith("${JWT_SECRET:?")  # compose refuses without
    assert "dev-only" not in (ROOT / "README.md").read_text()


def test_the_accounts_listener_runs_its_own_class_with_its_own_config_on_the_gateway_database():
    command = shlex.split(PROCFILE["gateway_accounts"])
    assert command == [
        "nameko",
        "run",
        "--config",
        "config/gateway_accounts.yaml",
        "gateway.identity.listener:AccountsListener",
    ]
    environment = COMPOSE["gateway_accounts"]["environment"]
    gateway = COMPOSE["gateway"]["environment"]
    assert environment["GATEWAY_DATABASE_URL"] == gateway["GATEWAY_DATABASE_URL"]


def test_the_accounts_listener_has_an_outbox_relay_on_the_gateway_database():
    """It publishes the weekly record_reads_digest from the gateway's own outbox."""
    assert shlex.split(PROCFILE["gateway_accounts_relay"]) == [
        "python",
        "-m",
        "chassis.relay",
        "gateway_accounts",
        "--outbox",
        "gateway.identity.models:OutboxEvent",
    ]
    relay = COMPOSE["gateway_accounts_relay"]["environment"]
    assert (
        relay["GATEWAY_DATABASE_URL"] == COMPOSE["gateway"]["environment"]["GATEWAY_DATABASE_URL"]
    )


def test_mail_is_caught_by_mailpit_in_compose_and_by_the_sink_under_make_run():
    assert COMPOSE["mailpit"]["image"].startswith("axllent/mailpit")
    assert COMPOSE["notifications"]["environment"]["SMTP_URL"].endswith("smtp://mailpit:1025}")
    assert PROCFILE["mail_sink"] == "python -m scripts.mail_sink"
    assert "MAIL_SINK_PORT" in (ROOT / "scripts" / "run-mall").read_text()
