"""The queue's HTTP routes and the live display feed (server-sent events) against the real
service, its outbox relay and RabbitMQ (SQLite, PostgreSQL)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from chassis.actor import Actor
from chassis.database import utcnow
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from scripts.demo_data import QUEUE_SETUP, seed
from services.queue.models import Booking
from services.queue.service import QueueService
from tests.accounts import bearer
from tests.integration.helpers import session_for
from tests.integration.test_bookings import next_working_day_at


@pytest.fixture
def queue_config(service_config):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    return config


@pytest.fixture
def api(container_factory, queue_config, relay_process, database_url_factory):
    config = queue_config
    container_factory(QueueService, config).start()
    relay_process("queue", config)
    app = create_app(
        {
            "AMQP_URI": config["AMQP_URI"],
            "JWT_SECRET": "integration-secret",
            "SSE_KEEPALIVE": 0.5,
            "DATABASE_URL": database_url_factory("gateway"),
        }
    )
    client = RpcClient(config["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    yield app
    client.close()


def officer(app, agency="disdukcapil", officer_id="officer-1") -> dict:
    actor = Actor(id=officer_id, role="counter_officer", agency=agency)
    return bearer(app, actor)


def next_event(frames) -> dict:
    for frame in frames:
        text = frame.decode() if isinstance(frame, bytes) else frame
        if text.startswith("event: call"):
            return json.loads(text.split("data: ", 1)[1])
    raise AssertionError("the stream ended")


def test_a_call_at_a_counter_reaches_the_display_board_live(api):
    http, staff = api.test_client(), officer(api)
    ticket = http.post("/api/v1/tickets", json={"service_code": "population"}).get_json()
    stream = http.get("/api/v1/display/stream", buffered=False)
    assert stream.mimetype == "text/event-stream"
    frames = iter(stream.response)
    assert next(frames) in (": connected\n\n", b": connected\n\n")

    assert http.post("/api/v1/counters/loket-1/open", headers=staff).status_code == 200
    called = http.post("/api/v1/counters/loket-1/call-next", headers=staff).get_json()
    assert called["id"] == ticket["id"]
    assert next_event(frames) == {
        "ticket_id": ticket["id"],
        "label": "A-001",
        "counter_number": 1,
        "service_code": "population",
        "recall": False,
    }
    http.post("/api/v1/counters/loket-1/recall", headers=staff)
    assert next_event(frames)["recall"] is True
    stream.close()

    board = http.get("/api/v1/display/calls").get_json()["items"]
    assert [(c["label"], c["counter_number"]) for c in board] == [("A-001", 1)]


def test_counter_work_over_http_from_ticket_to_rating(api):
    http, staff = api.test_client(), officer(api)
    ticket = http.post("/api/v1/tickets", json={"service_code": "population"}).get_json()
    place = http.get(f"/api/v1/tickets/{ticket['id']}").get_json()
    assert place["position"] == 1
    http.post("/api/v1/counters/loket-1/open", headers=staff)
    http.post("/api/v1/counters/loket-1/call-next", headers=staff)
    http.post("/api/v1/counters/loket-1/start", headers=staff)
    bad = http.post("/api/v1/counters/loket-1/finish", headers=staff, json={})
    assert bad.status_code == 422 and "outcome" in bad.get_json()["error"]["fields"]
    done = http.post(
        "/api/v1/counters/loket-1/finish", headers=staff, json={"outcome": "KTP printed"}
    )
    assert done.get_json()["status"] == "done"
    rated = http.post(f"/api/v1/tickets/{ticket['id']}/rating", json={"elements": [4] * 9})
    assert rated.status_code == 201 and rated.get_json()["index"] == 100.0
    index = http.get("/api/v1/satisfaction?scope=counter&key=loket-1").get_json()
    assert (index["responses"], index["grade"]) == (1, "A")
    stats = http.get("/api/v1/statistics/daily", headers=staff).get_json()
    assert stats["services"]["population"]["served"] == 1


def test_counter_actions_need_the_right_officer(api):
    http = api.test_client()
    assert http.post("/api/v1/counters/loket-1/open").status_code == 401
    foreign = http.post("/api/v1/counters/loket-1/open", headers=officer(api, agency="bpjs"))
    assert foreign.status_code == 403
    unknown = http.post("/api/v1/counters/loket-1/dance", headers=officer(api))
    assert unknown.status_code == 404
    priority = http.post(
        "/api/v1/tickets", json={"service_code": "population", "priority": "elderly"}
    )
    assert priority.status_code == 403  # marked at the desk, by staff


def test_a_citizen_books_online_and_checks_in_with_the_code(api, queue_config):
    http = api.test_client()
    actor = Actor(id="c-1", role="citizen", person_id="person-1")
    phone = bearer(api, actor)
    slot = next_working_day_at(9)
    booked = http.post(
        "/api/v1/bookings",
        headers=phone,
        json={"service_code": "population", "starts_at": slot.isoformat()},
    )
    assert booked.status_code == 201
    booking = booked.get_json()
    naive = http.post(
        "/api/v1/bookings",
        headers=phone,
        json={"service_code": "population", "starts_at": "2030-01-07T09:00:00"},
    )
    assert naive.status_code == 422 and "starts_at" in naive.get_json()["error"]["fields"]
    qr = http.get(f"/api/v1/bookings/{booking['id']}/qr.svg", headers=phone)
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    early = http.post("/api/v1/check-ins", json={"code": booking["code"]})
    assert early.status_code == 409 and "check-in opens" in early.get_json()["error"]["message"]

    with session_for(queue_config["DATABASE_URL"]) as session, session.begin():
        session.execute(update(Booking).values(starts_at=utcnow() - timedelta(minutes=5)))
    ticket = http.post("/api/v1/check-ins", json={"code": booking["code"]})
    assert ticket.status_code == 201 and ticket.get_json()["priority"] == "booking"
    mine = http.get("/api/v1/bookings", headers=phone).get_json()["items"]
    assert [b["status"] for b in mine] == ["checked_in"]


def test_tickets_are_given_up_and_counters_released_over_http(api):
    http, staff = api.test_client(), officer(api)
    ticket = http.post("/api/v1/tickets", json={"service_code": "population"}).get_json()
    no_code = http.post(f"/api/v1/tickets/{ticket['id']}/cancellation")
    assert no_code.status_code == 403 and "cancel_code" in no_code.get_json()["error"]["fields"]
    wrong = http.post(f"/api/v1/tickets/{ticket['id']}/cancellation", json={"cancel_code": 7})
    assert wrong.status_code == 422 and "cancel_code" in wrong.get_json()["error"]["fields"]
    given_up = http.post(
        f"/api/v1/tickets/{ticket['id']}/cancellation", json={"cancel_code": ticket["cancel_code"]}
    )
    assert given_up.status_code == 200 and given_up.get_json()["status"] == "cancelled"

    waiting = http.post("/api/v1/tickets", json={"service_code": "population"}).get_json()
    assert http.post("/api/v1/counters/loket-1/open", headers=staff).status_code == 200
    assert http.post("/api/v1/counters/loket-2/open", headers=staff).status_code == 409
    http.post("/api/v1/counters/loket-1/call-next", headers=staff)
    admin = bearer(api, Actor(id="admin-1", role="agency_admin", agency="disdukcapil"))
    assert (
        http.post(
            "/api/v1/counters/loket-1/release", headers=staff, json={"reason": "x"}
        ).status_code
        == 403
    )
    blank = http.post("/api/v1/counters/loket-1/release", headers=admin, json={})
    assert blank.status_code == 422 and "reason" in blank.get_json()["error"]["fields"]
    released = http.post(
        "/api/v1/counters/loket-1/release", headers=admin, json={"reason": "account disabled"}
    )
    assert released.status_code == 200, released.text
    assert released.get_json()["requeued_ticket_ids"] == [waiting["id"]]
    place = http.get(f"/api/v1/tickets/{waiting['id']}").get_json()
    assert (place["ticket"]["status"], place["position"]) == ("waiting", 1)
