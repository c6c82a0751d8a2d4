"""The authorization matrix: every gateway route whose path takes an id, tried by two
intruders on one citizen's objects, against the real services (SQLite, PostgreSQL).

Siti owns one of everything: her resident record, her family card, certificates, a draft
application, an issued permit, a booking, a ticket she took while signed in (served, not
yet rated), her gateway account, and a counter of her agency that is mid-service. Citizen
Budi and a counter officer of bapenda then try every id route with a valid body. Each try
must be refused (403 or 404) without a trace of Siti in the reply, leave her objects as
they were, and be written to the audit log as a denial.
"""

import io
import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from chassis.actor import Actor
from chassis.rpc_client import RpcClient
from gateway.api.queue import COUNTER_ACTIONS
from gateway.app import create_app
from gateway.identity.models import Account
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.catalog.service import CatalogService
from services.civil_registry.service import CivilRegistryService
from services.complaints.service import ComplaintsService
from services.licensing.service import LicensingService
from services.notifications.service import NotificationsService
from services.queue.models import Rating, Ticket
from services.queue.service import QueueService
from services.regional_tax.service import RegionalTaxService
from services.social_aid.service import SocialAidService
from tests.accounts import bearer
from tests.documents import pdf
from tests.integration.helpers import rows, rpc_to, session_for
from tests.integration.test_bookings import next_working_day_at
from tests.polling import eventually

SITI = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
    "birth_place": "Sragen",
}
JOKO = {  # her husband
    "nik": "3314011205880003",
    "full_name": "Joko Prasetyo",
    "birth_date": "1988-05-12",
    "sex": "M",
}
BUDI = {  # the intruding citizen
    "nik": "3314010203850002",
    "full_name": "Budi Santoso",
    "birth_date": "1985-03-02",
    "sex": "M",
}
SITI_CARD = {"number": "3314010101200001", "address": "Jl. Sukowati 17, Kalijambe"}
BUDI_CARD = {"number": "3314010101200002", "address": "Jl. Plupuh 2, Kalijambe"}
PDF = pdf("ktp")
REFUSED = {403, 404}
# counter actions the view dispatches by name besides COUNTER_ACTIONS
COUNTER_ACTIONS_WITH_BODY = {"finish", "transfer", "release"}
MALL_MANAGER = Actor(id="manager-1", role="mall_manager", agency="mpp")
DUKCAPIL_OFFICER = Actor(id="officer-dukcapil", role="counter_officer", agency="disdukcapil")
BAPENDA_OFFICER = Actor(id="intruder-bapenda", role="counter_officer", agency="bapenda")
TAX_OFFICE = Actor(id="tax-office-1", role="verifier", agency="bapenda")
SITI_TAX_OBJECT = "NOP 33.14.010.001.002-0031.0 Jl. Sukowati 17"
SITI_COMPLAINT = "Petugas loket 1 membentak saya saat menanyakan berkas."


@dataclass
class Belongings:
    """Siti's objects, her headers, and everything of hers no one else may read."""

    headers: dict
    account: str
    resident: str
    family_card: str
    application: str
    permit: str
    booking: str
    ticket: str
    counter: str
    other_card: str  # Budi's: a valid target for a move
    aid: str  # her social aid application (a module's)
    bill: str  # her property tax bill (the regional_tax module's)
    complaint: str  # her anonymous complaint (the complaints module's), not yet verified
    notification: str  # the notification of her issued permit, unread
    secrets: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


@dataclass
class Mall:
    app: object
    siti: Belongings
    intruders: dict[str, Actor]
    registry: dict
    queue: dict
    gateway_url: str


@pytest.fixture
def mall(container_factory, service_config, database_url_factory, relay_process, tmp_path):
    store = {"DOCUMENT_STORE": str(tmp_path / "documents"), "MAX_DOCUMENT_BYTES": 4096}
    registry = service_config("civil_registry")
    licensing = service_config("licensing", **store)
    queue = service_config("queue")
    seed(licensing["DATABASE_URL"], PERMIT_TYPES)
    seed(queue["DATABASE_URL"], QUEUE_SETUP)
    container_factory(CivilRegistryService, registry).start()
    container_factory(LicensingService, licensing).start()
    container_factory(QueueService, queue).start()
    container_factory(CatalogService, service_config("catalog")).start()
    container_factory(
        SocialAidService,
        service_config("social_aid", REGENCY_CODE="3314", POVERTY_LINE_PER_PERSON=550000),
    ).start()
    container_factory(RegionalTaxService, service_config("regional_tax")).start()
    container_factory(ComplaintsService, service_config("complaints")).start()
    container_factory(NotificationsService, service_config("notifications")).start()
    relay_process("licensing", licensing)  # her permit's events make her notifications
    gateway_url = database_url_factory("gateway")
    app = create_app(
        {
            "AMQP_URI": registry["AMQP_URI"],
            "JWT_SECRET": "authorization-matrix-secret-of-32-bytes",
            "PUBLIC_BASE_URL": "https://mpp.example.go.id",
            "DATABASE_URL": gateway_url,
            **store,
        }
    )
    client = RpcClient(registry["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    siti, budi_id = belongings(app, registry)
    intruders = {
        "citizen Budi": Actor(id="intruder-citizen", role="citizen", person_id=budi_id),
        "officer of bapenda": BAPENDA_OFFICER,
    }
    yield Mall(app, siti, intruders, registry, queue, gateway_url)
    client.close()


def belongings(app, registry: dict) -> tuple[Belongings, str]:
    """Give Siti one of everything (through the registry and the gateway, as in life)."""
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(SITI)
        joko = civil.register_resident(JOKO)
        budi = civil.register_resident(BUDI)
        card = civil.create_family_card({**SITI_CARD, "head_id": siti["id"]})
        other_card = civil.create_family_card({**BUDI_CARD, "head_id": budi["id"]})
        marriage = civil.register_marriage(
            {
                "first_spouse_id": siti["id"],
                "second_spouse_id": joko["id"],
                "married_on": "2015-06-20",
            }
        )
        birth = civil.register_birth(
            {
                "full_name": "Ayu Lestari",
                "sex": "F",
                "birth_date": "2024-02-03",
                "birth_place": "Sragen",
                "mother_id": siti["id"],
                "father_id": joko["id"],
            }
        )
    account = Actor(id="siti-account", role="citizen", person_id=siti["id"])
    mine = bearer(app, account)
    http = app.test_client()

    def made(response, status: int = 201) -> dict:
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()

    def apply(permit_type: str) -> str:
        draft = {
            "permit_type": permit_type,
            "applicant_nik": SITI["nik"],
            "applicant_name": SITI["full_name"],
            "applicant_birth_date": SITI["birth_date"],
        }
        return made(http.post("/api/v1/applications", headers=mine, json=draft))["id"]

    nib = apply("NIB")
    made(http.post(f"/api/v1/applications/{nib}/documents", headers=mine, **upload()))
    submitted = made(
        http.post(f"/api/v1/applications/{nib}/actions", headers=mine, json={"action": "submit"}),
        200,
    )
    assert submitted["status"] == "issued"
    permit = made(http.get(f"/api/v1/permits/{submitted['permit_id']}", headers=mine), 200)
    draft = apply("PBG")  # a fee, so a payment recorded by mistake would be accepted
    slot = next_working_day_at(9).isoformat()
    booking = made(
        http.post(
            "/api/v1/bookings", headers=mine, json={"service_code": "population", "starts_at": slot}
        )
    )
    ticket = made(http.post("/api/v1/tickets", headers=mine, json={"service_code": "population"}))
    assert ticket["person_id"] == siti["id"]

    # her ticket is served and finished, so a rating would be accepted; then a walk-in is
    # called to the counter, so every counter action would have something to act on
    desk = bearer(app, DUKCAPIL_OFFICER)
    for action, body in [("open", None), ("call-next", None), ("start", None)]:
        made(http.post(f"/api/v1/counters/loket-1/{action}", headers=desk, json=body), 200)
    finished = http.post(
        "/api/v1/counters/loket-1/finish", headers=desk, json={"outcome": "KTP printed"}
    )
    assert made(finished, 200)["id"] == ticket["id"]
    walk_in = made(http.post("/api/v1/tickets", json={"service_code": "population"}))
    called = made(http.post("/api/v1/counters/loket-1/call-next", headers=desk), 200)
    assert called["id"] == walk_in["id"]

    def listed():
        found = http.get("/api/v1/modules/social_aid")
        return found.status_code == 200 and found.get_json()["available"]

    eventually(listed, timeout=20)
    aid = made(
        http.post(
            "/api/v1/modules/social_aid/applications",
            headers=mine,
            json={
                "service": "bantuan_sosial",
                "form": {
                    "household_income": 400000,
                    "need": "food",
                    "description": "Suami sakit, tidak bekerja sejak Juni",
                },
            },
        )
    )

    def tax_listed():
        found = http.get("/api/v1/modules/regional_tax")
        return found.status_code == 200 and found.get_json()["available"]

    eventually(tax_listed, timeout=20)
    roll = f"nik,tax_kind,object,district,amount,due_on\n{SITI['nik']},pbb_p2,{SITI_TAX_OBJECT},"
    made(
        http.post(
            "/api/v1/modules/regional_tax/bills/imports",
            headers=bearer(app, TAX_OFFICE),
            json={"csv_text": roll + "Kalijambe,150000,2026-12-31\n"},
        ),
        200,
    )
    [bill] = made(http.get("/api/v1/modules/regional_tax/bills/mine", headers=mine), 200)["items"]

    def complaints_listed():
        found = http.get("/api/v1/modules/complaints")
        return found.status_code == 200 and found.get_json()["available"]

    eventually(complaints_listed, timeout=20)
    complaint = made(
        http.post(
            "/api/v1/modules/complaints/applications",
            headers=mine,
            json={
                "service": "complaint",
                "form": {
                    "category": "staff_conduct",
                    "text": SITI_COMPLAINT,
                    "object_kind": "counter",
                    "object_id": "loket-1",
                    "anonymous": True,
                },
            },
        )
    )

    def told() -> dict | None:
        found = http.get("/api/v1/notifications", headers=mine).get_json()
        return next((n for n in found["items"] if n["kind"] == "permit_issued"), None)

    notification = eventually(told, timeout=20)
    assert notification["read_at"] is None and permit["number"] in notification["body"]

    child = birth["child"]
    secrets = [
        SITI_TAX_OBJECT,
        SITI_COMPLAINT,
        "Suami sakit, tidak bekerja sejak Juni",
        SITI["nik"],
        SITI["full_name"],
        SITI["birth_date"],
        SITI_CARD["number"],
        SITI_CARD["address"],
        JOKO["nik"],
        JOKO["full_name"],
        child["nik"],
        child["full_name"],
        marriage["certificate"]["number"],
        marriage["certificate"]["check_code"],
        birth["certificate"]["number"],
        birth["certificate"]["check_code"],
        permit["number"],
        booking["code"],
        ticket["label"],
    ]
    belonging = Belongings(
        headers=mine,
        account=account.id,
        resident=siti["id"],
        family_card=card["id"],
        application=draft,
        permit=permit["id"],
        booking=booking["id"],
        ticket=ticket["id"],
        counter="loket-1",
        other_card=other_card["id"],
        aid=aid["id"],
        bill=bill["id"],
        complaint=complaint["id"],
        notification=notification["id"],
        secrets=secrets,
        ids=[siti["id"], card["id"], joko["id"], child["id"], draft, nib, permit["id"]]
        + [booking["id"], ticket["id"], account.id, aid["id"], bill["id"], notification["id"]]
        + [complaint["id"]],
    )
    return belonging, budi["id"]


def upload() -> dict:
    """A KTP scan as multipart form data (a fresh stream for every request)."""
    return {
        "data": {"kind": "ktp", "file": (io.BytesIO(PDF), "ktp.pdf")},
        "content_type": "multipart/form-data",
    }


# --- the matrix ----------------------------------------------------------------------

Attempt = tuple[dict, dict]  # path arguments, test-client keyword arguments


def matrix(siti: Belongings) -> dict[tuple[str, str], list[Attempt]]:
    """(method, rule) -> the tries on Siti's objects, each with a body that would pass."""
    later = next_working_day_at(10).isoformat()  # same day as her booking: a valid move
    counter_bodies = {
        "finish": {"json": {"outcome": "served by an intruder"}},
        "transfer": {"json": {"to_service": "tax"}},
        "release": {"json": {"reason": "released by an intruder"}},
    }
    counter_actions = sorted(set(COUNTER_ACTIONS) | COUNTER_ACTIONS_WITH_BODY)
    v1 = "/api/v1"
    return {
        ("GET", f"{v1}/residents/<resident_id>"): [({"resident_id": siti.resident}, {})],
        ("PATCH", f"{v1}/residents/<resident_id>"): [
            (
                {"resident_id": siti.resident},
                {"json": {"changes": {"full_name": "Siti Palsu"}, "reason": "taken over"}},
            )
        ],
        ("GET", f"{v1}/residents/<resident_id>/audit-trail"): [
            ({"resident_id": siti.resident}, {})
        ],
        ("GET", f"{v1}/residents/<resident_id>/certificates"): [
            ({"resident_id": siti.resident}, {})
        ],
        ("POST", f"{v1}/residents/<resident_id>/moves"): [
            (
                {"resident_id": siti.resident},
                {"json": {"family_card_id": siti.other_card, "relationship": "other"}},
            )
        ],
        ("GET", f"{v1}/family-cards/<family_card_id>"): [
            ({"family_card_id": siti.family_card}, {})
        ],
        ("GET", f"{v1}/applications/<application_id>"): [
            ({"application_id": siti.application}, {})
        ],
        ("POST", f"{v1}/applications/<application_id>/documents"): [
            ({"application_id": siti.application}, upload())
        ],
        ("POST", f"{v1}/applications/<application_id>/actions"): [
            ({"application_id": siti.application}, {"json": {"action": "withdraw"}})
        ],
        ("POST", f"{v1}/applications/<application_id>/payment"): [
            (
                {"application_id": siti.application},
                {"json": {"amount": 500000, "receipt_reference": "KWT-INTRUDER-1"}},
            )
        ],
        ("GET", f"{v1}/permits/<permit_id>"): [({"permit_id": siti.permit}, {})],
        ("GET", f"{v1}/permits/<permit_id>/printable"): [({"permit_id": siti.permit}, {})],
        ("POST", f"{v1}/permits/<permit_id>/renewal"): [({"permit_id": siti.permit}, {})],
        ("POST", f"{v1}/permits/<permit_id>/revocation"): [
            ({"permit_id": siti.permit}, {"json": {"reason": "revoked by an intruder"}})
        ],
        ("POST", f"{v1}/bookings/<booking_id>/cancellation"): [({"booking_id": siti.booking}, {})],
        ("POST", f"{v1}/bookings/<booking_id>/reschedule"): [
            ({"booking_id": siti.booking}, {"json": {"starts_at": later}})
        ],
        ("GET", f"{v1}/bookings/<booking_id>/qr.svg"): [({"booking_id": siti.booking}, {})],
        ("GET", f"{v1}/tickets/<ticket_id>"): [({"ticket_id": siti.ticket}, {})],
        ("POST", f"{v1}/tickets/<ticket_id>/cancellation"): [({"ticket_id": siti.ticket}, {})],
        ("POST", f"{v1}/tickets/<ticket_id>/rating"): [
            ({"ticket_id": siti.ticket}, {"json": {"elements": [4] * 9}})
        ],
        ("POST", f"{v1}/counters/<counter_id>/<action>"): [
            ({"counter_id": siti.counter, "action": a}, counter_bodies.get(a, {}))
            for a in counter_actions
        ],
        ("POST", f"{v1}/notifications/<notification_id>/read"): [
            ({"notification_id": siti.notification}, {})
        ],
        ("PATCH", f"{v1}/staff/<account_id>"): [
            ({"account_id": siti.account}, {"json": {"active": False}})
        ],
        ("GET", f"{v1}/modules/<module>/applications/<application_id>"): [
            ({"module": "social_aid", "application_id": siti.aid}, {}),
            ({"module": "complaints", "application_id": siti.complaint}, {}),
        ],
        ("POST", f"{v1}/modules/<module>/applications/<application_id>/actions"): [
            (
                {"module": "social_aid", "application_id": siti.aid},
                {"json": {"action": "approve", "note": "approved by an intruder"}},
            ),
            (
                {"module": "social_aid", "application_id": siti.aid},
                {"json": {"action": "withdraw"}},
            ),
            (
                {"module": "complaints", "application_id": siti.complaint},
                {"json": {"action": "verify"}},
            ),
        ],
        ("POST", f"{v1}/modules/<module>/applications/<application_id>/operations/<operation>"): [
            (
                {"module": "complaints", "application_id": siti.complaint, "operation": "voice"},
                {},
            )
        ],
        ("GET", f"{v1}/modules/regional_tax/bills/<bill_id>"): [({"bill_id": siti.bill}, {})],
        ("POST", f"{v1}/modules/regional_tax/bills/<bill_id>/payment"): [
            (
                {"bill_id": siti.bill},
                {"json": {"amount": 150000, "receipt_reference": "BPD-INTRUDER-1"}},
            )
        ],
    }


# GET routes of Siti's objects that are not for her to read
NOT_FOR_THE_OWNER = {("GET", "/api/v1/residents/<resident_id>/audit-trail")}


def id_routes(app) -> set[tuple[str, str]]:
    """Every (method, rule) of the API whose path names an object (an ``..._id``); a path
    that names only a module (``/modules/<module>/applications``: mine) names no one's."""
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if any(a.endswith("_id") for a in rule.arguments) and rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def target(rule: str, values: dict) -> str:
    """The id the audit log names: the last ``..._id`` of the path."""
    return values[[a for a in arguments(rule) if a.endswith("_id")][-1]]


def arguments(rule: str) -> list[str]:
    return re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule)


def path_of(rule: str, values: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule)


def send(http, method: str, rule: str, values: dict, headers: dict, request: dict):
    return http.open(path_of(rule, values), method=method, headers=headers, **request)


# --- what Siti has, seen by her and by the services --------------------------------------


def state_of(mall: Mall) -> dict:
    """Everything an intruder could change, as Siti (and a registrar, and the tables) see it."""
    http, siti = mall.app.test_client(), mall.siti
    reads = {
        "resident": f"/api/v1/residents/{siti.resident}",
        "family card": f"/api/v1/family-cards/{siti.family_card}",
        "certificates": f"/api/v1/residents/{siti.resident}/certificates",
        "application": f"/api/v1/applications/{siti.application}",
        "applications": "/api/v1/applications",
        "permit": f"/api/v1/permits/{siti.permit}",
        "bookings": "/api/v1/bookings",
        "ticket": f"/api/v1/tickets/{siti.ticket}",
        "account": "/api/v1/me",  # 401 if her sessions were ended
        "counters": "/api/v1/counters",
        "notifications": "/api/v1/notifications?per_page=100",
    }
    state = {}
    for name, url in reads.items():
        response = http.get(url, headers=siti.headers)
        assert response.status_code == 200, (name, response.get_data(as_text=True))
        state[name] = response.get_json()
    # her permit's notification (others of hers may still be arriving from its events)
    items = state.pop("notifications")["items"]
    state["notification"] = next(n for n in items if n["id"] == siti.notification)
    with rpc_to("civil_registry", mall.registry) as civil:
        state["audit trail"] = civil.audit_trail(siti.resident)
    state["ratings"] = rows(mall.queue["DATABASE_URL"], select(Rating.ticket_id))
    tickets = select(Ticket.id, Ticket.status, Ticket.calls).order_by(Ticket.id)
    with session_for(mall.queue["DATABASE_URL"]) as session:
        state["tickets"] = [tuple(row) for row in session.execute(tickets)]
    state["account active"] = rows(
        mall.gateway_url, select(Account.active).where(Account.id == siti.account)
    )
    return state


def as_she_left_them(state: dict) -> None:
    """Her objects as she left them: the facts an intruder's success would change."""
    assert state["resident"]["nik"] == SITI["nik"]
    assert state["resident"]["full_name"] == SITI["full_name"]
    assert state["resident"]["family_card_id"] == state["family card"]["id"]
    assert {m["full_name"] for m in state["family card"]["members"]} == {
        "Siti Rahayu",
        "Ayu Lestari",
    }
    assert [c["kind"] for c in state["certificates"]["items"]] == ["marriage"]
    assert [e["action"] for e in state["audit trail"]] == [
        "registered",
        "moved",
        "marriage_registered",
    ]
    assert (state["application"]["status"], state["application"]["documents"]) == ("draft", [])
    assert not state["application"]["paid"]
    assert state["permit"]["status"] == "active"
    assert [b["status"] for b in state["bookings"]["items"]] == ["booked"]
    assert state["ticket"]["ticket"]["status"] == "done"
    assert state["ratings"] == []
    assert state["account"]["active"] is True and state["account active"] == [True]
    loket_1 = next(c for c in state["counters"]["items"] if c["id"] == "loket-1")
    assert (loket_1["status"], loket_1["officer_id"]) == ("open", DUKCAPIL_OFFICER.id)
    assert loket_1["current_ticket"]["status"] == "called"
    assert sorted(t[1:] for t in state["tickets"]) == [("called", 1), ("done", 1)]
    assert state["notification"]["read_at"] is None  # no one marked it read


def test_every_id_route_of_the_api_is_in_the_matrix():
    """A new route with an id in its path fails here until the matrix tries it."""
    app = create_app({"JWT_SECRET": "authorization-matrix-secret-of-32-bytes"})
    placeholder = Belongings(
        **{
            name: f"{name}-id"
            for name in Belongings.__dataclass_fields__
            if name not in ("secrets", "ids")
        }
    )
    tried = matrix(placeholder)
    assert set(tried) == id_routes(app)
    counter_actions = {
        values["action"] for values, _ in tried[("POST", "/api/v1/counters/<counter_id>/<action>")]
    }
    assert counter_actions == set(COUNTER_ACTIONS) | COUNTER_ACTIONS_WITH_BODY


def test_the_owner_reads_each_of_her_objects(mall):
    """The positive control: refusals below are not an artefact of a broken set-up."""
    http, siti = mall.app.test_client(), mall.siti
    own_reads = [
        (rule, tries)
        for (method, rule), tries in matrix(siti).items()
        if method == "GET" and (method, rule) not in NOT_FOR_THE_OWNER
    ]
    assert len(own_reads) == 10
    for rule, tries in own_reads:
        for values, request in tries:
            response = send(http, "GET", rule, values, siti.headers, request)
            assert response.status_code == 200, (rule, response.get_data(as_text=True))
    as_she_left_them(state_of(mall))


def test_intruders_are_refused_on_every_id_route_learn_nothing_change_nothing_and_are_audited(
    mall,
):
    http, siti = mall.app.test_client(), mall.siti
    missing = id_routes(mall.app) - set(matrix(siti))
    assert not missing, f"id routes the matrix does not try: {sorted(missing)}"
    before = state_of(mall)
    problems, tries = [], {name: [] for name in mall.intruders}
    for name, intruder in mall.intruders.items():
        headers = bearer(mall.app, intruder)
        for (method, rule), attempts in sorted(matrix(siti).items()):  # fresh upload streams
            for values, request in attempts:
                response = send(http, method, rule, values, headers, request)
                where = f"{name}: {method} {path_of(rule, values)} -> {response.status_code}"
                tries[name].append((f"{method} {rule}", target(rule, values), response.status_code))
                if response.status_code not in REFUSED:
                    problems.append(f"{where} {response.get_data(as_text=True)[:200]}")
                body = response.get_data(as_text=True)
                shown = [s for s in siti.secrets if s in body]
                shown += [i for i in siti.ids if i in body and i not in values.values()]
                if shown:
                    problems.append(f"{where} shows {shown}")
    assert not problems, "\n".join(problems)
    aid = http.get(f"/api/v1/modules/social_aid/applications/{siti.aid}", headers=siti.headers)
    assert (aid.get_json()["status"], len(aid.get_json()["history"])) == ("submitted", 1)
    bill = http.get(f"/api/v1/modules/regional_tax/bills/{siti.bill}", headers=siti.headers)
    assert bill.get_json()["status"] != "paid"
    path = f"/api/v1/modules/complaints/applications/{siti.complaint}"
    complaint = http.get(path, headers=siti.headers).get_json()
    assert (complaint["status"], complaint["supporters"]) == ("received", 0)
    after = state_of(mall)
    as_she_left_them(after)
    assert after == before

    manager = bearer(mall.app, MALL_MANAGER)
    for name, intruder in mall.intruders.items():
        logged = http.get(
            "/api/v1/audit-entries",
            headers=manager,
            query_string={"actor_id": intruder.id, "per_page": 200},
        ).get_json()["items"]
        assert sorted((e["action"], e["target"], e["status"]) for e in logged) == sorted(
            tries[name]
        ), name
        assert {(e["allowed"], e["actor_role"], e["actor_agency"]) for e in logged} == {
            (False, intruder.role, intruder.agency)
        }
    every_try = sum(len(attempts) for attempts in matrix(siti).values())
    assert [len(made) for made in tries.values()] == [every_try] * len(mall.intruders)
