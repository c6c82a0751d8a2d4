"""The Mpp Template module, in a nameko container on the real RabbitMQ (nameko's
``rabbit_config`` gives each test its own vhost; it needs the management plugin) with a
fresh, migrated SQLite database.

    .venv/bin/pytest <this folder>
"""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from nameko.standalone.rpc import ServiceRpcProxy

from chassis.database import make_engine
from chassis.errors import Forbidden, InvalidInput, NotFound
from chassis.migrate import upgrade

from ..models import Base
from ..service import MppTemplateService

MODULE = MppTemplateService.name
AGENCY = MppTemplateService.manifest["agency"]["code"]
SERVICE = MppTemplateService.manifest["services"][0]["code"]
CITIZEN = {"id": "account-1", "role": "citizen", "agency": None, "person_id": "person-1"}
NEIGHBOUR = {"id": "account-2", "role": "citizen", "agency": None, "person_id": "person-2"}
OFFICER = {"id": "staff-1", "role": "verifier", "agency": AGENCY}
FORM = {"full_name": "Siti Rahayu", "household_size": 6, "purpose": "new"}


@pytest.fixture
def database_url(tmp_path):
    url = f"sqlite:///{tmp_path / MODULE}.sqlite3"
    upgrade(MODULE, url)
    return url


@pytest.fixture
def config(rabbit_config, database_url):
    return {**rabbit_config, "DATABASE_URL": database_url}


@pytest.fixture
def module(container_factory, config):
    container = container_factory(MppTemplateService, config)
    container.start()
    return container


def as_actor(actor: dict, config: dict) -> ServiceRpcProxy:
    return ServiceRpcProxy(MODULE, config, context_data={"actor": actor}, timeout=10)


def test_migrations_build_the_tables_of_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_a_citizen_submits_an_application_and_reads_it_back(module, config):
    with as_actor(CITIZEN, config) as desk:
        created = desk.submit_application({"service": SERVICE, "form": FORM})
        assert created["status"] == "submitted"
        assert created["applicant_id"] == CITIZEN["person_id"]
        assert created["form"] == {**FORM, "previous_number": None}
        assert created["routed_to"] == "priority"
        assert desk.get_application(created["id"]) == created
        assert [a["id"] for a in desk.my_applications()] == [created["id"]]


def test_a_renewal_without_the_previous_number_is_refused_with_the_field_named(module, config):
    with as_actor(CITIZEN, config) as desk:
        with pytest.raises(InvalidInput) as refused:
            desk.submit_application({"service": SERVICE, "form": {**FORM, "purpose": "renewal"}})
    assert "previous_number" in refused.value.args[1]["form"]


def test_another_citizen_cannot_read_the_application(module, config):
    with as_actor(CITIZEN, config) as desk:
        created = desk.submit_application({"service": SERVICE, "form": FORM})
    with as_actor(NEIGHBOUR, config) as desk, pytest.raises(NotFound):
        desk.get_application(created["id"])


def test_an_officer_of_the_agency_approves_from_the_worklist(module, config):
    with as_actor(CITIZEN, config) as desk:
        created = desk.submit_application({"service": SERVICE, "form": FORM})
        with pytest.raises(Forbidden):
            desk.act(created["id"], {"action": "approve"})
    with as_actor(OFFICER, config) as desk:
        assert [a["id"] for a in desk.worklist()] == [created["id"]]
        approved = desk.act(created["id"], {"action": "approve", "note": "lengkap"})
    assert approved["status"] == "approved"
    assert [step["status"] for step in approved["history"]] == ["submitted", "approved"]
