"""One effect per Idempotency-Key, and per RPC call id, against the real services
(SQLite, PostgreSQL): tickets, bookings, applications, payments and births, sent twice
one after another and many times at once."""

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from kombu import Connection, Queue
from sqlalchemy import func, select

from bench.broker import free_port
from chassis.actor import Actor
from chassis.database import CALL_ID_KEY
from chassis.rpc_client import RPC_EXCHANGE, RpcClient
from gateway.app import create_app
from gateway.idempotency import HEADER, REPLAYED_HEADER
from gateway.identity import store
from gateway.identity.models import IdempotentRequest
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.catalog.service import CatalogService
from services.civil_registry.models import Resident
from services.civil_registry.service import CivilRegistryService
from services.licensing.models import Application, Payment
from services.licensing.service import LicensingService
from services.queue.models import Booking, RecordedReply, Ticket
from services.queue.service import QueueService
from tests.accounts import bearer
from tests.integration.helpers import rpc_to, session_for
from tests.integration.test_authorization_matrix import SITI, SITI_CARD
from tests.integration.test_bookings import next_working_day_at
from tests.polling import eventually

REGISTRAR = Actor(id="registrar-1", role="registrar", agency="disdukcapil")
CASHIER = Actor(id="cashier-1", role="cashier", agency="dpupr")


@dataclass
class Mall:
    app: object
    urls: dict
    siti: str  # her resident id
    client: RpcClient

    def count(self, service: str, model, *where) -> int:
        with session_for(self.urls[service]) as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def mall(container_factory, service_config, database_url_factory):
    registry, licensing = service_config("civil_registry"), service_config("licensing")
    queue = service_config("queue")
    seed(licensing["DATABASE_URL"], PERMIT_TYPES)
    seed(queue["DATABASE_URL"], QUEUE_SETUP)
    for service, config in [
        (CivilRegistryService, registry),
        (LicensingService, licensing),
        (QueueService, queue),
        (CatalogService, service_config("catalog")),  # the portal's home lists its lines
    ]:
        container_factory(service, config).start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(SITI)["id"]
        civil.create_family_card({**SITI_CARD, "head_id": siti})  # where her child goes
    app = create_app(
        {
            "AMQP_URI": registry["AMQP_URI"],
            "JWT_SECRET": "idempotency-test-secret-of-32-bytes!",
            "DATABASE_URL": database_url_factory("gateway"),
        }
    )
    client = RpcClient(registry["AMQP_URI"], timeout=20)
    app.extensions["rpc_client"] = client
    urls = {
        "civil_registry": registry["DATABASE_URL"],
        "licensing": licensing["DATABASE_URL"],
        "queue": queue["DATABASE_URL"],
    }
    yield Mall(app, urls, siti, client)
    client.close()


def siti_headers(mall: Mall) -> dict:
    return bearer(mall.app, Actor(id="siti-account", role="citizen", person_id=mall.siti))


def draft_application(mall: Mall, headers: dict) -> str:
    draft = {
        "permit_type": "PBG",
        "applicant_nik": SITI["nik"],
        "applicant_name": SITI["full_name"],
        "applicant_birth_date": SITI["birth_date"],
    }
    made = mall.app.test_client().post("/api/v1/applications", headers=headers, json=draft)
    assert made.status_code == 201, made.get_data(as_text=True)
    return made.get_json()["id"]


# what each command is: (method, path, body, headers) and how to count its effect
def ticket(mall):
    body = {"service_code": "population"}
    return ("/api/v1/tickets", body, {}, lambda: mall.count("queue", Ticket))


def booking(mall):
    body = {"service_code": "population", "starts_at": next_working_day_at(10).isoformat()}
    return ("/api/v1/bookings", body, siti_headers(mall), lambda: mall.count("queue", Booking))


def application(mall):
    body = {
        "permit_type": "PBG",
        "applicant_nik": SITI["nik"],
        "applicant_name": SITI["full_name"],
        "applicant_birth_date": SITI["birth_date"],
    }
    headers = siti_headers(mall)
    return ("/api/v1/applications", body, headers, lambda: mall.count("licensing", Application))


def payment(mall):
    application_id = draft_application(mall, siti_headers(mall))
    body = {"amount": 500000, "receipt_reference": "KW-2026-000777"}
    path = f"/api/v1/applications/{application_id}/payment"
    return (path, body, bearer(mall.app, CASHIER), lambda: mall.count("licensing", Payment))


def birth(mall):
    body = {
        "full_name": "Putri Rahayu",
        "sex": "F",
        "birth_date": "2026-11-30",
        "birth_place": "Sragen",
        "mother_id": mall.siti,
    }
    count = lambda: mall.count("civil_registry", Resident, Resident.full_name == "Putri Rahayu")  # noqa: E731
    return ("/api/v1/births", body, bearer(mall.app, REGISTRAR), count)


COMMANDS = [ticket, booking, application, payment, birth]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
def test_a_command_sent_again_with_its_key_is_done_once_and_answered_the_same(mall, command):
    path, body, headers, effects = command(mall)
    before = effects()
    keyed = {**headers, HEADER: f"key-{command.__name__}-1"}
    http = mall.app.test_client()
    first = http.post(path, json=body, headers=keyed)
    assert first.status_code in (200, 201), first.get_data(as_text=True)
    again = http.post(path, json=body, headers=keyed)
    assert (again.status_code, again.get_data()) == (first.status_code, first.get_data())
    assert again.headers[REPLAYED_HEADER] == "true" and REPLAYED_HEADER not in first.headers
    assert effects() == before + 1


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
def test_a_command_sent_many_times_at_once_with_one_key_is_done_once(mall, command):
    path, body, headers, effects = command(mall)
    before = effects()
    keyed = {**headers, HEADER: f"key-{command.__name__}-at-once"}

    def send(_):
        answer = mall.app.test_client().post(path, json=body, headers=keyed)
        return answer.status_code, answer.get_data()

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = set(pool.map(send, range(6)))
    assert len(answers) == 1, answers
    [(status, _)] = answers
    assert status in (200, 201)
    assert effects() == before + 1


def test_without_a_key_a_repeated_command_is_done_again(mall):
    """The control: what the key prevents does happen without one."""
    _, body, _, effects = ticket(mall)
    http = mall.app.test_client()
    first = http.post("/api/v1/tickets", json=body)
    second = http.post("/api/v1/tickets", json=body)
    assert first.get_json()["label"] != second.get_json()["label"]
    assert effects() == 2


def test_the_same_key_with_another_body_is_refused_and_does_nothing(mall):
    http, keyed = mall.app.test_client(), {HEADER: "key-reused"}
    assert http.post("/api/v1/tickets", json={"service_code": "population"}, headers=keyed)
    other = http.post("/api/v1/tickets", json={"service_code": "tax"}, headers=keyed)
    assert other.status_code == 422
    assert HEADER in other.get_json()["error"]["fields"]
    assert mall.count("queue", Ticket) == 1
    # the same body written otherwise (spacing, order of keys) is the same request
    same = http.post(
        "/api/v1/tickets",
        data='{ "service_code" :  "population" }',
        content_type="application/json",
        headers=keyed,
    )
    assert same.status_code == 201 and same.headers[REPLAYED_HEADER] == "true"


def test_a_key_belongs_to_its_caller(mall):
    """Another caller with the same key gets an answer of her own, never the first one's."""
    _, body, siti, effects = booking(mall)
    http = mall.app.test_client()
    hers = http.post("/api/v1/bookings", json=body, headers={**siti, HEADER: "shared"})
    assert hers.status_code == 201
    stranger = http.post(
        "/api/v1/tickets", json={"service_code": "tax"}, headers={HEADER: "shared"}
    )
    assert stranger.status_code == 201
    assert hers.get_json()["code"] not in stranger.get_data(as_text=True)
    assert REPLAYED_HEADER not in stranger.headers


def test_an_invalid_key_is_a_clear_400(mall):
    http = mall.app.test_client()
    answer = http.post("/api/v1/tickets", json={"service_code": "tax"}, headers={HEADER: "x" * 256})
    assert answer.status_code == 400 and HEADER in answer.get_json()["error"]["fields"]
    assert mall.count("queue", Ticket) == 0


def test_a_try_that_failed_with_a_5xx_gives_its_key_back(mall):
    """A first try that ended in 503 (the broker away, for the gateway worker that took it)
    keeps no answer: the next try with the key runs, instead of being told the failure."""
    nowhere = f"pyamqp://guest:guest@127.0.0.1:{free_port()}//"
    away = create_app({**mall.app.config, "AMQP_URI": nowhere})
    away.extensions["rpc_client"] = RpcClient(nowhere, timeout=5)
    keyed, body = {HEADER: "key-after-failure"}, {"service_code": "tax"}
    failed = away.test_client().post("/api/v1/tickets", json=body, headers=keyed)
    assert failed.status_code == 503
    with store.transaction(mall.app.config["DATABASE_URL"]) as db:
        assert db.scalars(select(IdempotentRequest)).all() == []
    again = mall.app.test_client().post("/api/v1/tickets", json=body, headers=keyed)
    assert again.status_code == 201 and REPLAYED_HEADER not in again.headers
    assert mall.count("queue", Ticket) == 1
    away.extensions["rpc_client"].close()


def test_a_call_repeated_with_its_call_id_is_answered_from_the_recorded_reply(mall):
    """What a redelivered request or a retried key meets in the service: the reply of the
    first run, from the service's own database, and no second effect."""
    context = {CALL_ID_KEY: "call-1"}
    first = mall.client.call("queue", "issue_ticket", {"service_code": "tax"}, context=context)
    again = mall.client.call("queue", "issue_ticket", {"service_code": "tax"}, context=context)
    assert again == first
    assert mall.count("queue", Ticket) == 1
    assert mall.count("queue", RecordedReply) == 1
    other = mall.client.call("queue", "issue_ticket", {"service_code": "tax"})
    assert other["label"] != first["label"]
    # reading changes nothing and records nothing
    mall.client.call("queue", "health", context={CALL_ID_KEY: "call-2"})
    assert mall.count("queue", RecordedReply) == 2  # the first call's and ``other``'s


def test_a_redelivered_request_is_answered_from_the_recorded_reply(mall):
    """RabbitMQ delivers a request again when its worker died after the commit and before
    the ack: the same message, the same correlation id. Sent twice here, it is done once."""
    replies = Queue(
        f"rpc.reply-test-{uuid.uuid4().hex}",
        exchange=RPC_EXCHANGE,
        exclusive=True,
        auto_delete=True,
    )
    replies.routing_key = replies.name
    amqp_uri = mall.app.config["AMQP_URI"]
    with Connection(amqp_uri) as conn:
        bound = replies(conn.default_channel)
        bound.declare()
        producer = conn.Producer()
        for _ in range(2):  # one message, delivered twice
            producer.publish(
                {"args": [{"service_code": "tax"}], "kwargs": {}},
                exchange=RPC_EXCHANGE,
                routing_key="queue.issue_ticket",
                reply_to=replies.name,
                correlation_id="the-one-delivery",
                serializer="json",
            )
        answers = [eventually(lambda: bound.get(no_ack=True)).payload for _ in range(2)]
    assert answers[0] == answers[1] and answers[0]["error"] is None
    assert mall.count("queue", Ticket) == 1


def test_a_form_of_the_pages_sent_twice_does_one_thing(mall):
    """Each form carries its own key: a double tap or a resent form takes one ticket."""
    http = mall.app.test_client()
    keys = re.findall(r'name="idempotency_key" value="([0-9a-f]{32})"', http.get("/").text)
    assert keys and len(set(keys)) == len(keys)  # one per form
    form = {"service_code": "tax", "idempotency_key": keys[0]}
    first, again = http.post("/tickets", data=form), http.post("/tickets", data=form)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert mall.count("queue", Ticket) == 1
    fresh = re.findall(r'name="idempotency_key" value="([0-9a-f]{32})"', http.get("/").text)
    assert not set(fresh) & set(keys)  # the next page's forms are new actions
