"""The queue gives an announced agency module ticket series and counters, over the real
RabbitMQ, on SQLite and PostgreSQL: once, however often the module announces itself."""

import pytest
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select

from scripts.demo_data import QUEUE_SETUP, seed
from services.queue.models import Agency, Counter, ServiceLine
from services.queue.service import QueueService
from tests.integration.announcements import DINSOS, PKH, announce, manifest, offered
from tests.integration.helpers import FRONT_DESK, rows, rpc_to
from tests.polling import eventually

DINSOS_OFFICER = {"id": "officer-dinsos", "role": "counter_officer", "agency": "dinsos"}
# wants prefix A, which the demo's population line has
CLASHING = offered("lansia", "Bantuan Lansia", "Elderly aid", {"prefix": "A", "counters": 1})


@pytest.fixture
def queue(container_factory, service_config):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    container = container_factory(QueueService, config)
    container.start()
    return config, container


def announced(queue, manifest_: dict) -> None:
    """Publish an announcement and wait until the queue has handled it."""
    config, container = queue
    with entrypoint_waiter(container, "on_module_announced") as handled:
        announce(config, manifest_)
    handled.get()  # raises if the handler failed


def counters_of(config: dict, agency: str) -> list[Counter]:
    return rows(
        config["DATABASE_URL"],
        select(Counter).where(Counter.agency == agency).order_by(Counter.number),
    )


def test_a_module_gets_a_ticket_series_and_counters_that_call_it(queue):
    config, _ = queue
    announced(queue, manifest(services=[PKH, CLASHING]))

    with rpc_to("queue", config, actor=None) as anyone:
        lines = {line["code"]: line for line in anyone.list_service_lines()}
    assert lines["social_aid.pkh"] == {
        "code": "social_aid.pkh",
        "prefix": "S",
        "name_id": "Program Keluarga Harapan",
        "name_en": "Family hope programme",
        "agency": "dinsos",
        "waiting": 0,
    }
    assert "social_aid.lansia" not in lines  # its prefix is the population line's
    assert lines["population"]["prefix"] == "A"
    [agency] = rows(config["DATABASE_URL"], select(Agency).where(Agency.code == "dinsos"))
    assert (agency.name_id, agency.name_en) == (DINSOS["name_id"], DINSOS["name_en"])
    counters = counters_of(config, "dinsos")
    assert [(c.number, c.services, c.status) for c in counters] == [
        (6, ["social_aid.pkh"], "closed"),  # the demo has counters 1-5
        (7, ["social_aid.pkh"], "closed"),
    ]

    with rpc_to("queue", config, actor=FRONT_DESK) as kiosk:
        first = kiosk.issue_ticket({"service_code": "social_aid.pkh"})
        second = kiosk.issue_ticket({"service_code": "social_aid.pkh"})
    assert (first["label"], second["label"]) == ("S-001", "S-002")
    with rpc_to("queue", config, actor=DINSOS_OFFICER) as officer:
        officer.open_counter(counters[1].id)
        assert officer.call_next(counters[1].id)["id"] == first["id"]


def test_announcing_again_changes_nothing(queue):
    config, _ = queue
    announced(queue, manifest())
    lines = rows(config["DATABASE_URL"], select(ServiceLine).order_by(ServiceLine.code))
    counters = [(c.id, c.number, c.services) for c in counters_of(config, "dinsos")]
    assert len(counters) == 2

    for _ in range(3):
        announced(queue, manifest())
    again = rows(config["DATABASE_URL"], select(ServiceLine).order_by(ServiceLine.code))
    assert [(x.code, x.prefix) for x in again] == [(x.code, x.prefix) for x in lines]
    assert [(c.id, c.number, c.services) for c in counters_of(config, "dinsos")] == counters


def test_a_module_of_an_agency_with_counters_adds_its_line_to_them_and_opens_what_is_missing(
    queue,
):
    config, _ = queue
    disdukcapil = {"code": "disdukcapil", "name_id": "Disdukcapil", "name_en": "Civil registry"}
    legalisation = offered(
        "legalisation", "Legalisir Dokumen", "Document legalisation", {"prefix": "L", "counters": 3}
    )
    announced(queue, manifest("legalise", disdukcapil, [legalisation]))

    counters = counters_of(config, "disdukcapil")
    assert [(c.id, c.services) for c in counters] == [
        ("loket-1", ["population", "legalise.legalisation"]),
        ("loket-2", ["population", "legalise.legalisation"]),
        ("loket-6", ["legalise.legalisation"]),
    ]


def test_a_later_version_renames_its_line_and_wants_more_counters(queue):
    config, _ = queue
    announced(queue, manifest())
    renamed = {
        **PKH,
        "name_en": "Family Hope Programme (PKH)",
        "queue": {"prefix": "S", "counters": 3},
    }
    announced(queue, manifest(version="1.1.0", services=[renamed]))

    [line] = rows(
        config["DATABASE_URL"], select(ServiceLine).where(ServiceLine.code == "social_aid.pkh")
    )
    assert (line.prefix, line.name_en) == ("S", "Family Hope Programme (PKH)")
    assert [c.services for c in counters_of(config, "dinsos")] == [["social_aid.pkh"]] * 3


def test_modules_of_one_agency_announced_at_once_to_two_instances_share_one_counter(
    service_config, service_processes, rabbit_config, rabbit_manager
):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    service_processes("queue", "QueueService", config, count=2)
    eventually(lambda: _answers(config), timeout=30)
    modules = [
        manifest(f"aid_{n}", services=[offered("desk", f"Meja {n}", f"Desk {n}", {"prefix": p})])
        for n, p in enumerate("PQRTUV")
    ]
    for module in modules:
        announce(config, module)

    def lines() -> set[str]:
        found = rows(config["DATABASE_URL"], select(ServiceLine.code))
        return {code for code in found if code.startswith("aid_")}

    eventually(lambda: len(lines()) == len(modules), timeout=30)
    # the first set-up opened a counter; every later line went to it
    [counter] = counters_of(config, "dinsos")
    assert sorted(counter.services) == sorted(lines())
    queues = {q["name"] for q in rabbit_manager.get_queues(rabbit_config["vhost"])}
    assert not {q for q in queues if "--retry-" in q or q.endswith(".dead-letters")}


def _answers(config: dict) -> bool:
    try:
        with rpc_to("queue", config, actor=None) as queue:
            return queue.health()["status"] == "ok"
    except Exception:
        return False
