"""The catalog over the real RabbitMQ, on SQLite and PostgreSQL: modules found from their
announcements beside the core services, expiry, and searches that survive a silent core."""

import time
from datetime import timedelta

import eventlet
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from nameko.testing.services import entrypoint_waiter

from chassis.database import make_engine, utcnow
from chassis.dead_letters import list_dead_letters
from chassis.errors import InvalidInput, NotFound
from chassis.service import rpc
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.catalog.models import Base
from services.catalog.service import CatalogService
from services.licensing.service import LicensingService
from services.queue.service import QueueService
from tests.integration.announcements import PKH, announce, manifest
from tests.integration.helpers import publish_event, rpc_to
from tests.polling import eventually


@pytest.fixture
def mall(container_factory, service_config):
    """Licensing and the queue with the demo data, and the catalog."""
    configs = {name: service_config(name) for name in ("licensing", "queue", "catalog")}
    seed(configs["queue"]["DATABASE_URL"], QUEUE_SETUP)
    seed(configs["licensing"]["DATABASE_URL"], PERMIT_TYPES)
    for cls in (LicensingService, QueueService):
        container_factory(cls, configs[cls.name]).start()
    catalog = container_factory(CatalogService, configs["catalog"])
    catalog.start()
    return configs["catalog"], catalog


def search(config: dict, **query) -> list[dict]:
    with rpc_to("catalog", config, actor=None) as catalog:
        return catalog.search(query)


def module(config: dict, name: str) -> dict:
    with rpc_to("catalog", config, actor=None) as catalog:
        return catalog.module(name)


def keyed(entries: list[dict]) -> dict[tuple[str, str], dict]:
    return {(e["kind"], e["code"]): e for e in entries}


def test_an_announced_module_is_found_beside_the_core_services(mall):
    config, _ = mall
    assert search(config, q="keluarga harapan") == []
    announce(config, manifest())

    found = eventually(lambda: search(config, q="keluarga harapan"))
    pkh = keyed(found)[("module", "pkh")]
    assert pkh["module"] == "social_aid" and pkh["available"] is True
    assert pkh["agency"] == "dinsos" and pkh["life_events"] == ["hardship"]
    assert pkh["apply_path"] == "/api/v1/modules/social_aid/applications"
    # the queue made the module a ticket series; the catalog lists it from the queue
    line = eventually(
        lambda: keyed(search(config, life_event="hardship")).get(("queue", "social_aid.pkh"))
    )
    assert (line["module"], line["agency"], line["apply_path"]) == (
        "social_aid",
        "dinsos",
        "/api/v1/tickets",
    )

    everything = keyed(search(config))
    assert {("permit", p.code) for p in PERMIT_TYPES} <= set(everything)  # from licensing
    assert {("queue", "population"), ("queue", "tax")} <= set(everything)  # from the queue
    assert ("registry", "birth_certificate") in everything  # curated
    assert ("module", "disability_card") in everything
    assert everything[("permit", "NIB")]["life_events"] == ["business"]

    assert set(keyed(search(config, agency="dinsos"))) >= {("module", "pkh")}
    assert ("module", "pkh") not in keyed(search(config, life_event="business"))
    with pytest.raises(InvalidInput) as refused:
        search(config, life_event="holiday")
    assert "life_event" in refused.value.fields


def test_a_silent_module_stays_listed_as_unavailable_until_it_announces_again(mall):
    config, _ = mall
    announce(config, manifest(), interval_seconds=1)
    assert eventually(lambda: search(config, q="cash transfer"))[0]["available"] is True
    assert module(config, "social_aid")["available"] is True

    # three intervals (3 s) without a word
    eventually(lambda: not module(config, "social_aid")["available"], timeout=10)
    [silent] = search(config, q="cash transfer")
    assert (silent["code"], silent["available"]) == ("pkh", False)

    announce(config, manifest(), interval_seconds=1)
    assert eventually(lambda: module(config, "social_aid")["available"])


def test_a_late_or_repeated_announcement_does_not_undo_a_newer_one(mall):
    config, catalog = mall
    with entrypoint_waiter(catalog, "on_module_announced"):
        newer = announce(config, manifest(version="2.0.0"))
    first = module(config, "social_aid")
    assert first["manifest"]["version"] == "2.0.0" and first["interval_seconds"] == 10
    assert first["manifest"]["services"][0]["code"] == PKH["code"]

    stale = utcnow() - timedelta(minutes=1)
    with entrypoint_waiter(catalog, "on_module_announced"):
        announce(config, manifest(version="1.0.0"), interval_seconds=60, occurred_at=stale)
    with entrypoint_waiter(catalog, "on_module_announced"):
        publish_event(config, newer)  # redelivered
    after = module(config, "social_aid")
    assert after == first


def test_an_unknown_module_is_not_found_and_a_malformed_announcement_is_parked(mall):
    config, catalog = mall
    with pytest.raises(NotFound):
        module(config, "social_aid")
    broken = {
        "event_id": "broken-1",
        "event_type": "module_announced",
        "source": "modules",
        "occurred_at": utcnow().isoformat(),
        "correlation_id": None,
        "data": {"manifest": {"module": "Bad Name"}, "interval_seconds": 10},
    }
    publish_event(config, broken)
    # a poison message: parked at once with the reason, never retried, nothing recorded
    [parked] = eventually(lambda: list_dead_letters(config["AMQP_URI"], "catalog"))
    assert parked["event_id"] == "broken-1" and parked["attempts"] == 1
    assert parked["error"].startswith("poison: does not load") and "module" in parked["error"]
    with pytest.raises(NotFound):
        module(config, "Bad Name")


class SlowLicensing:
    """A licensing service that has stopped answering in time."""

    name = "licensing"

    @rpc
    def list_permit_types(self) -> list:
        eventlet.sleep(10)
        return []


def test_a_core_service_that_does_not_answer_is_left_out_of_the_search(
    container_factory, service_config
):
    config = service_config("catalog", CORE_TIMEOUT_SECONDS=0.5)
    container_factory(SlowLicensing, config).start()  # and no queue service at all
    container_factory(CatalogService, config).start()

    started = time.monotonic()
    kinds = {entry["kind"] for entry in search(config)}
    assert time.monotonic() - started < 2.5
    assert kinds == {"registry"}


def test_several_catalog_instances_record_every_module_once_without_a_failed_delivery(
    service_config, service_processes, rabbit_config, rabbit_manager
):
    config = service_config("catalog")
    service_processes("catalog", "CatalogService", config, count=3)
    eventually(lambda: _answers(config), timeout=30)
    names = [f"module_{n}" for n in range(8)]
    for version in range(1, 4):  # three rounds, every module's first one at once
        for name in names:
            announce(config, manifest(module=name, version=f"1.0.{version}"))

    def recorded() -> bool:
        return all(_version(config, name) == "1.0.3" for name in names)

    eventually(recorded, timeout=30)
    queues = {q["name"] for q in rabbit_manager.get_queues(rabbit_config["vhost"])}
    assert not {q for q in queues if "--retry-" in q or q.endswith(".dead-letters")}


def _answers(config: dict) -> bool:
    try:
        with rpc_to("catalog", config, actor=None) as catalog:
            return catalog.health()["status"] == "ok"
    except Exception:
        return False


def _version(config: dict, name: str) -> str | None:
    try:
        return module(config, name)["manifest"]["version"]
    except NotFound:
        return None


def test_migrations_match_the_models(database_url_factory):
    engine = make_engine(database_url_factory("catalog"))
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert differences == []
