"""Faults under load, against the whole mall started as users start it (``scripts/run-mall``,
every process under supervisord) on a RabbitMQ node of its own, on SQLite and PostgreSQL:
broker restarts, and kill -9 of the queue service, its relay and a gateway worker.
Counted by request id: nothing lost, nothing done twice, no event undelivered.

    .venv/bin/pytest -m fault        # these alone
"""

import os
import queue
import signal
import threading

import pytest
import requests

from bench.broker import PrivateBroker
from bench.faults import RunningMall, fault_run
from tests.conftest import _create_postgres_database, _drop_postgres_database
from tests.e2e.conftest import bearer_headers
from tests.polling import eventually

pytestmark = pytest.mark.fault


@pytest.fixture(scope="module")
def broker():
    with PrivateBroker() as node:
        yield node


@pytest.fixture(params=["sqlite", "postgresql"])
def mall(request, broker, tmp_path):
    created = []

    def postgres(_variable: str) -> str:
        created.append(_create_postgres_database())
        return created[-1]

    database_of = postgres if request.param == "postgresql" else None
    running = RunningMall(broker.amqp_uri, tmp_path, database_of)
    try:
        yield running.start()
    finally:
        running.stop()
        for url in created:
            _drop_postgres_database(url)


def tickets_now(mall: RunningMall, count: int) -> list[int]:
    """Statuses of ``count`` requests sent once each, no retry."""
    return [
        requests.post(
            f"{mall.base_url}/api/v1/tickets", json={"service_code": "tax"}, timeout=15
        ).status_code
        for _ in range(count)
    ]


def module_available(mall: RunningMall, name: str) -> bool:
    answer = requests.get(f"{mall.base_url}/api/v1/modules/{name}", timeout=10)
    return answer.ok and answer.json()["available"]


def test_broker_restarts_under_load_lose_nothing_and_need_no_process_restart(broker, mall):
    report = fault_run(broker, mall, "broker", duration=32, every=8, threads=3)
    print("\n".join(report.lines()))
    assert report.answered == report.requests > 100
    assert (report.lost, report.duplicated, report.events_undelivered) == (0, 0, 0)
    assert report.events_committed >= report.answered
    assert "500" not in report.failed_tries  # while the broker is away: 503, never 500
    assert len(report.recoveries) == 3  # stop_app/start_app twice, then the whole node
    assert all(r is not None and r < 15 for r in report.recoveries), report.recoveries
    assert report.processes_exited == 0
    assert tickets_now(mall, 20) == [201] * 20  # after recovery, every request succeeds
    # the social aid module's announcements got through again: the catalog lists it
    eventually(lambda: module_available(mall, "social_aid"), timeout=45, interval=1)


def test_kill_9_under_load_loses_nothing_and_does_nothing_twice(broker, mall):
    report = fault_run(broker, mall, "kill", duration=28, every=4, threads=3)
    print("\n".join(report.lines()))
    assert report.answered == report.requests > 100
    assert (report.lost, report.duplicated, report.events_undelivered) == (0, 0, 0)
    assert len(report.recoveries) == 6  # the queue service, its relay, a gateway worker, twice
    assert report.processes_exited >= 4  # the queue service and its relay, twice each
    assert all(r is not None and r < 15 for r in report.recoveries), report.recoveries
    assert tickets_now(mall, 10) == [201] * 10


@pytest.mark.parametrize("mall", ["sqlite"], indirect=True)  # no database at stake here
def test_every_process_killed_is_restarted_and_the_mall_is_healthy_again(mall):
    programs = ["civil_registry", "licensing", "catalog", "social_aid"]
    programs += ["civil_registry_relay", "licensing_relay", "gateway"]
    before = {program: mall.pid(program) for program in programs}
    for pid in before.values():
        os.kill(pid, signal.SIGKILL)

    def restarted() -> bool:
        try:
            return all(mall.pid(p) not in (0, before[p]) for p in programs)
        except ValueError:  # supervisorctl has no pid yet
            return False

    eventually(restarted, timeout=60, interval=0.5)
    mall.wait_healthy(90)
    assert tickets_now(mall, 3) == [201] * 3


@pytest.mark.parametrize("mall", ["sqlite"], indirect=True)
def test_the_display_board_feed_comes_back_after_a_broker_restart(broker, mall):
    base = mall.base_url
    stream = requests.get(f"{base}/api/v1/display/stream", stream=True, timeout=(5, 120))
    frames: queue.Queue = queue.Queue()

    def read() -> None:
        try:
            for line in stream.iter_lines(decode_unicode=True):
                frames.put(line)
        except requests.RequestException:
            pass  # the mall stopped: the stream ends with it

    threading.Thread(target=read, daemon=True).start()
    assert frames.get(timeout=10) == ": connected"
    broker.restart_app()
    mall.wait_healthy(60)
    # the board's worker has its feed queue again (a live feed misses calls made before)
    eventually(lambda: any(q.startswith("display-") for q in broker.queue_names()), 30, 0.5)
    officer = bearer_headers(base, "counter_officer")
    ticket = requests.post(
        f"{base}/api/v1/tickets", json={"service_code": "population"}, timeout=15
    ).json()
    for action in ("open", "call-next"):
        answer = requests.post(
            f"{base}/api/v1/counters/loket-1/{action}", headers=officer, timeout=15
        )
        assert answer.status_code == 200, answer.text
    while not (line := frames.get(timeout=30)).startswith("data: "):
        pass
    assert ticket["label"] in line
