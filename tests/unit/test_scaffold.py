"""``mall new-module``: the module it writes, and the names it refuses."""

import importlib
import subprocess
import sys
import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from chassis import scaffold
from chassis.database import OutboxMixin, make_engine
from chassis.migrate import alembic_config, upgrade
from chassis.module import MallModule, load_manifest
from chassis.relay import outbox_model
from tests.conftest import ROOT

PLACEHOLDERS = ("mpp_template", "MppTemplate", "MPP_TEMPLATE", "Mpp Template")


def unique_name() -> str:
    return f"aid_{uuid.uuid4().int % 10**8:08d}"


@pytest.fixture
def made(tmp_path, monkeypatch):
    """A module written into a temporary folder, importable as a top-level package."""
    name = unique_name()
    target = scaffold.new_module(name, agency="dinsos", into=tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, target
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]


def test_the_module_has_service_models_manifest_migrations_config_tests_and_readme(made):
    name, target = made
    written = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()}
    assert written == {
        "__init__.py",
        "service.py",
        "models.py",
        "manifest.yaml",
        "config.yaml",
        "README.md",
        "migrations/env.py",
        "migrations/script.py.mako",
        "migrations/versions/0001_initial.py",
        "migrations/versions/0002_application_steps.py",
        "migrations/versions/0003_tracking_hash.py",
        "tests/__init__.py",
        "tests/conftest.py",
        f"tests/test_{name}.py",
    }
    for path in target.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert not [p for p in PLACEHOLDERS if p in text], path


def test_the_names_are_the_modules_in_code_and_config(made):
    name, target = made
    camel = name.replace("_", " ").title().replace(" ", "")
    assert (
        f'class {camel}Service(MallModule):\n    name = "{name}"'
        in (target / "service.py").read_text()
    )
    config = (target / "config.yaml").read_text()
    assert f"DATABASE_URL: ${{{name.upper()}_DATABASE_URL:sqlite:///var/{name}.sqlite3}}" in config
    assert "AMQP_URI: ${AMQP_URI:" in config


def test_the_code_imports_its_own_files_relatively(made):
    name, target = made
    service = (target / "service.py").read_text()
    assert "from .models import (\n    Application,\n    CalendarDay," in service
    for path in target.rglob("*.py"):
        assert f"import {name}" not in path.read_text()
        assert f"from {name}" not in path.read_text()
        assert "from services" not in path.read_text()


def test_the_manifest_passes_the_contract_with_the_agency_and_a_derived_prefix(made):
    name, target = made
    manifest = load_manifest(target / "manifest.yaml")
    assert manifest["module"] == name
    assert manifest["agency"]["code"] == "dinsos"
    assert manifest["agency"]["name_id"] and manifest["agency"]["name_en"]
    [service] = manifest["services"]
    assert service["code"] == name
    assert service["name_id"] != service["name_en"]
    assert service["queue"]["prefix"] == "AI"  # aid_<hex>: one word that starts with a letter
    assert service["service_level_days"] == 14
    assert [f["name"] for f in service["form"]] == [
        "full_name",
        "household_size",
        "purpose",
        "previous_number",
    ]


def test_the_service_is_a_mall_module_that_loads_its_manifest_and_models(made):
    name, target = made
    service = importlib.import_module(f"{name}.service")
    models = importlib.import_module(f"{name}.models")
    cls = getattr(service, f"{name.replace('_', ' ').title().replace(' ', '')}Service")
    assert issubclass(cls, MallModule)
    assert cls.name == name
    assert cls.manifest == load_manifest(target / "manifest.yaml")
    assert cls.applications is models.Application
    assert cls.db.outbox is models.OutboxEvent and cls.db.inbox is models.ProcessedEvent
    assert cls.db.replies is models.RecordedReply
    assert cls.calendar_model is models.CalendarDay


def test_the_migration_builds_exactly_the_tables_of_the_models(made, tmp_path):
    name, _ = made
    url = f"sqlite:///{tmp_path / 'module'}.sqlite3"
    upgrade(name, url)
    models = importlib.import_module(f"{name}.models")
    engine = make_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), models.Base.metadata)
    assert differences == []
    assert set(inspect(engine).get_table_names()) == {
        "alembic_version",
        "applications",
        "application_steps",
        "calendar_days",
        "recorded_replies",
        "inbox",
        "outbox",
    }
    command.downgrade(alembic_config(name, url), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("social_aid", "SA"), ("pajak", "PA"), ("a_b_c_d", "ABC"), ("kb_2026_x", "KX")],
)
def test_the_queue_prefix_comes_from_the_name(name, expected):
    assert scaffold.derived_prefix(name) == expected


def test_a_prefix_given_is_the_one_in_the_manifest(tmp_path):
    name = unique_name()
    target = scaffold.new_module(name, into=tmp_path, prefix="BPM")
    manifest = load_manifest(target / "manifest.yaml")
    assert manifest["services"][0]["queue"]["prefix"] == "BPM"
    assert manifest["agency"]["code"] == name  # the agency defaults to the name


@pytest.mark.parametrize("name", ["ab", "a_very_long_module_name_of_30c"])
def test_the_generated_code_passes_the_malls_lint_and_format(tmp_path, name):
    assert len(name) <= 30
    target = scaffold.new_module(name, agency=f"{name}_agency_x", into=tmp_path)
    ruff = [str(ROOT / ".venv" / "bin" / "ruff")]
    options = [
        *("--config", str(ROOT / "pyproject.toml")),
        # as in the mall's tree (services/), where the chassis is first-party
        *("--config", "lint.isort.known-first-party = ['chassis', 'contracts']"),
        str(target),
    ]
    lint = subprocess.run([*ruff, "check", *options], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    style = subprocess.run([*ruff, "format", "--check", *options], capture_output=True, text=True)
    assert style.returncode == 0, style.stdout


def test_the_command_writes_the_module_and_says_how_to_run_it(tmp_path, capsys):
    name = unique_name()
    assert scaffold.main(["new-module", name, "--agency", "bpom", "--into", str(tmp_path)]) == 0
    assert (tmp_path / name / "service.py").is_file()
    out = capsys.readouterr().out
    assert f"--config {tmp_path / name}/config.yaml {name}.service:" in out
    assert f"PYTHONPATH={tmp_path}" in out
    relay = f"chassis.relay {name} --outbox {name}.models:OutboxEvent"
    assert f"{relay} --config {tmp_path / name}/config.yaml" in out


def test_the_relay_it_names_loads_the_modules_outbox_from_outside_the_mall(tmp_path, monkeypatch):
    name = unique_name()
    scaffold.new_module(name, into=tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    command = scaffold.relay_command(tmp_path / name, name).split()
    model = outbox_model(command[command.index("--outbox") + 1])
    assert issubclass(model, OutboxMixin) and model.__module__ == f"{name}.models"


def test_a_module_in_the_malls_tree_names_its_outbox_under_services():
    command = scaffold.relay_command(scaffold.SERVICES / "arsip_daerah", "arsip_daerah")
    assert "--outbox services.arsip_daerah.models:OutboxEvent" in command


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Social_aid", "invalid module name"),
        ("9lives", "invalid module name"),
        ("x", "invalid module name"),
        ("social-aid", "invalid module name"),
        ("a" * 31, "invalid module name"),
        ("queue", "standard library"),
        ("json", "standard library"),
        ("class", "keyword"),
        ("licensing", "already a service of the mall"),
        ("chassis", "already a folder of the mall"),
        ("yaml", "clash with the installed module yaml"),
    ],
)
def test_a_bad_name_is_refused_with_exit_code_2_and_nothing_written(name, reason, tmp_path, capsys):
    with pytest.raises(SystemExit) as refused:
        scaffold.main(["new-module", name, "--into", str(tmp_path)])
    assert refused.value.code == 2
    assert reason in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_refused_and_left_alone(tmp_path, capsys):
    name = unique_name()
    (tmp_path / name).mkdir()
    (tmp_path / name / "mine.txt").write_text("keep")
    with pytest.raises(SystemExit) as refused:
        scaffold.main(["new-module", name, "--into", str(tmp_path)])
    assert refused.value.code == 2
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / name).iterdir()] == ["mine.txt"]


@pytest.mark.parametrize(
    ("option", "reason"),
    [
        (["--agency", "Dinsos"], "invalid agency code"),
        (["--agency", "x"], "invalid agency code"),
        (["--prefix", "sa"], "invalid queue prefix"),
        (["--prefix", "ABCD"], "invalid queue prefix"),
    ],
)
def test_a_bad_agency_or_prefix_is_refused(option, reason, tmp_path, capsys):
    with pytest.raises(SystemExit) as refused:
        scaffold.main(["new-module", unique_name(), *option, "--into", str(tmp_path)])
    assert refused.value.code == 2
    assert reason in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_migrate_finds_a_module_made_elsewhere_and_its_config(made, tmp_path, monkeypatch):
    from chassis.migrate import main as migrate

    name, target = made
    url = f"sqlite:///{tmp_path / 'made.sqlite3'}"
    monkeypatch.setenv(f"{name.upper()}_DATABASE_URL", url)
    migrate([name])  # no --config: the module's own config.yaml
    assert "applications" in inspect(make_engine(url)).get_table_names()
