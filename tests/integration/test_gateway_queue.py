"""The queue's HTTP routes and the live display feed (server-sent events) against the real
service, its outbox relay and RabbitMQ (SQLite, PostgreSQL)."""

import json

import pytest

from chassis.actor import Actor
from chassis.rpc_client import RpcClient
from gateway.app import create_app
from gateway.auth import issue_token
from scripts.demo_data import QUEUE_SETUP, seed
from services.queue.service import QueueService


@pytest.fixture
def api(container_factory, service_config, relay_process):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    container_factory(QueueService, config).start()
    relay_process("queue", config)
    app = create_app(
        {"AMQP_URI": config["AMQP_URI"], "JWT_SECRET": "integration-secret", "SSE_KEEPALIVE": 0.5}
    )
    client = RpcClient(config["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    yield app
    client.close()


def officer(app, agency="disdukcapil", officer_id="officer-1") -> dict:
    actor = Actor(id=officer_id, role="counter_officer", agency=agency)
    return {"Authorization": f"Bearer {issue_token(app.config, actor)}"}


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
