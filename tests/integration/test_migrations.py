"""Each service's migrations build exactly the schema its models describe, on both backends."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from chassis.database import make_engine
from chassis.migrate import alembic_config

SERVICES = [
    "civil_registry",
    "licensing",
    "queue",
    "catalog",
    "social_aid",
    "notifications",
    "regional_tax",
    "gateway",
]
MODELS = {"gateway": "gateway.identity.models"}


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_the_models(service, database_url_factory):
    url = database_url_factory(service)  # migrated to head
    models = importlib.import_module(MODELS.get(service, f"services.{service}.models"))
    metadata = models.Base.metadata
    engine = make_engine(url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert differences == []


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_go_down_to_an_empty_database(service, database_url_factory):
    from alembic import command

    url = database_url_factory(service)
    command.downgrade(alembic_config(service, url), "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
