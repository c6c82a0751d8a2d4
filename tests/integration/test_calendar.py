"""One calendar for the mall: the catalog owns it, mall administrators keep it, the queue
refuses bookings on its days and licensing skips them in working-day deadlines; replicas
follow ``calendar_changed`` events in order and heal from a full refresh (real RabbitMQ,
the catalog's real outbox relay, SQLite and PostgreSQL)."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from chassis.actor import Actor
from chassis.clock import MALL_TIME
from chassis.errors import Forbidden, InvalidInput
from chassis.rpc_client import RpcClient
from contracts.calendar_2026_2027 import DAYS
from contracts.events import envelope
from desk import deadlines
from gateway.app import create_app
from scripts.demo_data import PERMIT_TYPES, QUEUE_SETUP, seed
from services.catalog.models import CalendarChange, OutboxEvent
from services.catalog.service import CatalogService
from services.civil_registry.service import CivilRegistryService
from services.licensing.models import CalendarDay as LicensingDay
from services.licensing.service import LicensingService
from services.queue.models import Booking, Holiday
from services.queue.models import OutboxEvent as QueueOutbox
from services.queue.service import QueueService
from tests.accounts import bearer
from tests.documents import pdf
from tests.integration.helpers import publish_event, rows, rpc_to, session_for
from tests.integration.test_bookings import next_working_day_at
from tests.polling import eventually

SHIPPED = frozenset(date.fromisoformat(day) for day, *_ in DAYS)
MALL_ADMIN = {"id": "admin-1", "role": "mall_admin", "agency": "mpp"}
NOT_ADMINS = [
    None,  # anonymous
    {"id": "c-1", "role": "citizen", "person_id": "person-1"},
    {"id": "desk-1", "role": "counter_officer", "agency": "disdukcapil"},
    {"id": "dukcapil-admin", "role": "agency_admin", "agency": "disdukcapil"},
    {"id": "manager-1", "role": "mall_manager", "agency": "mpp"},
]
SITI = {"nik": "3314015708900001", "full_name": "Siti Rahayu", "birth_date": "1990-08-17"}
SEDEKAH_BUMI = {
    "kind": "regional_holiday",
    "name_id": "Hari Jadi Kabupaten Sragen",
    "name_en": "Sragen Regency Day",
    "region": "3314",
}


@pytest.fixture
def catalog(container_factory, service_config):
    config = service_config("catalog")
    config["container"] = container_factory(CatalogService, config)
    config["container"].start()
    return config


@pytest.fixture
def queue(container_factory, service_config):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    config["container"] = container_factory(QueueService, config)
    return config


@pytest.fixture
def licensing(container_factory, service_config, tmp_path):
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident({**SITI, "sex": "F"})
    config = service_config(
        "licensing", DOCUMENT_STORE=str(tmp_path / "documents"), MAX_DOCUMENT_BYTES=10_000
    )
    seed(config["DATABASE_URL"], PERMIT_TYPES)
    config["container"] = container_factory(LicensingService, config)
    config["citizen"] = {"id": "c-siti", "role": "citizen", "person_id": siti["id"]}
    return config


def book(queue, starts_at: datetime, n: int = 1) -> dict:
    citizen = {"id": f"c-{n}", "role": "citizen", "person_id": f"person-{n}"}
    with rpc_to("queue", queue, actor=citizen) as phone:
        return phone.book({"service_code": "population", "starts_at": starts_at.isoformat()})


def submit_permit_application(licensing) -> datetime:
    """Submit a PBG application (28 working days, checked by a verifier): its deadline."""
    from chassis.storage import LocalDocumentStore

    store = LocalDocumentStore(licensing["DOCUMENT_STORE"], licensing["MAX_DOCUMENT_BYTES"])
    with rpc_to("licensing", licensing, actor=licensing["citizen"]) as desk:
        draft = desk.create_application(
            {
                "permit_type": "PBG",
                "applicant_nik": SITI["nik"],
                "applicant_name": SITI["full_name"],
                "applicant_birth_date": SITI["birth_date"],
            }
        )
        for kind in ("ktp", "land_certificate", "building_plan"):
            stored = store.put(pdf(kind))
            desk.attach_document(
                draft["id"],
                {
                    "kind": kind,
                    "sha256": stored.sha256,
                    "size": stored.size,
                    "content_type": stored.content_type,
                    "filename": f"{kind}.pdf",
                },
            )
        submitted = desk.act(draft["id"], {"action": "submit", "note": None})
    return datetime.fromisoformat(submitted["due_at"])


def replica_version(url: str, model, day: date) -> int | None:
    found = rows(url, select(model.version).where(model.day == day, model.removed.is_(False)))
    return found[0] if found else None


# --- the shipped calendar -----------------------------------------------------------------


@pytest.mark.parametrize(
    "day, name",
    [
        (date(2026, 12, 24), "Cuti bersama Kelahiran Yesus Kristus"),
        (date(2026, 12, 25), "Kelahiran Yesus Kristus / Christmas Day"),
        (date(2027, 1, 1), "Tahun Baru 2027 Masehi / New Year's Day 2027"),
        (date(2027, 3, 10), "Idulfitri 1448 H (perkiraan)"),
        (date(2027, 8, 17), "Independence Day"),
    ],
)
def test_national_holidays_and_collective_leave_cannot_be_booked(
    container_factory, service_config, day, name
):
    # the queue's clock is set before the first of these days, whatever the day of the run
    queue = service_config("queue", CLOCK_STARTS_AT="2026-12-01T08:00:00+07:00")
    seed(queue["DATABASE_URL"], QUEUE_SETUP)
    container_factory(QueueService, queue).start()
    with pytest.raises(InvalidInput, match="closed on") as refused:
        book(queue, datetime.combine(day, time(9), MALL_TIME))
    assert name in refused.value.fields["starts_at"][0]
    with rpc_to("queue", queue, actor=None) as public:
        assert public.open_slots({"service_code": "population", "day": day.isoformat()}) == []


def test_the_catalog_ships_2026_from_the_decree_and_2027_with_its_estimates_marked(catalog):
    with rpc_to("catalog", catalog, actor=None) as public:
        year_2026 = public.list_calendar_days({"year": 2026})
        year_2027 = public.list_calendar_days({"year": 2027})
        march = public.list_calendar_days({"from": "2026-03-18", "to": "2026-03-24"})
    kinds = [d["kind"] for d in year_2026]
    assert (kinds.count("national_holiday"), kinds.count("collective_leave")) == (17, 8)
    assert not any(d["provisional"] for d in year_2026)
    assert len(year_2027) == 17 and {d["version"] for d in year_2027} == {1}
    estimated = {d["day"] for d in year_2027 if d["provisional"]}
    assert {"2027-03-10", "2027-03-11", "2027-05-16"} <= estimated  # Eid al-Fitr, al-Adha
    assert "2027-12-25" not in estimated and "2027-01-01" not in estimated
    assert [d["day"][-2:] for d in march] == ["18", "19", "20", "21", "22", "23", "24"]


# --- a mall administrator's change reaches the queue and licensing --------------------------


def test_a_regional_holiday_set_by_the_mall_admin_closes_the_queue_and_moves_deadlines(
    catalog, queue, licensing, relay_process
):
    queue["container"].start()
    licensing["container"].start()
    slot = next_working_day_at(9)
    day = slot.date()
    before = submit_permit_application(licensing)
    booked = book(queue, slot)
    assert booked["status"] == "booked"  # open so far

    relay_process("catalog", {k: v for k, v in catalog.items() if k != "container"})
    with rpc_to("catalog", catalog, actor=MALL_ADMIN) as admin:
        changed = admin.set_calendar_day(day.isoformat(), SEDEKAH_BUMI)
    assert (changed["version"], changed["region"], changed["removed"]) == (1, "3314", False)
    eventually(lambda: replica_version(queue["DATABASE_URL"], Holiday, day) == 1)
    eventually(lambda: replica_version(licensing["DATABASE_URL"], LicensingDay, day) == 1)
    # the booking made for that day is cancelled, and its holder told why
    with session_for(queue["DATABASE_URL"]) as session:
        assert session.get(Booking, booked["id"]).status == "cancelled"
    cancelled = [
        e.payload["data"]
        for e in rows(queue["DATABASE_URL"], select(QueueOutbox))
        if e.event_type == "booking_cancelled"
    ]
    assert [(c["booking_id"], c["closed_day"]) for c in cancelled] == [
        (booked["id"], {"id": "Hari Jadi Kabupaten Sragen", "en": "Sragen Regency Day"})
    ]

    with pytest.raises(InvalidInput, match="Hari Jadi Kabupaten Sragen / Sragen Regency Day"):
        book(queue, slot.replace(hour=10), n=2)
    after = submit_permit_application(licensing)
    moment = datetime.now(MALL_TIME)
    assert before == deadlines.add_working_days(moment, 28, SHIPPED)
    assert after == deadlines.add_working_days(moment, 28, SHIPPED | {day})
    assert after.date() > before.date()  # one working day later

    with rpc_to("catalog", catalog, actor=MALL_ADMIN) as admin:
        reopened = admin.remove_calendar_day(day.isoformat())
    assert (reopened["version"], reopened["removed"]) == (2, True)
    eventually(lambda: replica_version(queue["DATABASE_URL"], Holiday, day) is None)
    assert book(queue, slot.replace(hour=10), n=3)["status"] == "booked"
    trail = rows(catalog["DATABASE_URL"], select(CalendarChange).order_by(CalendarChange.id))
    assert [(c.action, c.version, c.actor_id) for c in trail] == [
        ("set", 1, "admin-1"),
        ("remove", 2, "admin-1"),
    ]


@pytest.mark.parametrize("actor", NOT_ADMINS, ids=lambda a: a["role"] if a else "anonymous")
def test_only_a_mall_admin_changes_the_calendar(catalog, actor):
    with rpc_to("catalog", catalog, actor=actor) as caller:
        with pytest.raises(Forbidden):
            caller.set_calendar_day("2026-12-31", SEDEKAH_BUMI)
        with pytest.raises(Forbidden):
            caller.remove_calendar_day("2026-12-25")
    assert rows(catalog["DATABASE_URL"], select(OutboxEvent)) == []
    assert rows(catalog["DATABASE_URL"], select(CalendarChange)) == []


def test_a_change_is_checked(catalog):
    with rpc_to("catalog", catalog, actor=MALL_ADMIN) as admin:
        with pytest.raises(InvalidInput) as no_region:
            admin.set_calendar_day("2026-12-31", {**SEDEKAH_BUMI, "region": None})
        assert "region" in no_region.value.fields
        with pytest.raises(InvalidInput) as not_a_day:
            admin.set_calendar_day("2026-02-30", SEDEKAH_BUMI)
        assert "day" in not_a_day.value.fields
        with pytest.raises(InvalidInput):
            admin.set_calendar_day("2026-12-31", {**SEDEKAH_BUMI, "kind": "party"})


# --- replicas: in order, once, and healed by the refresh -------------------------------------


def test_replicas_apply_only_newer_versions_once(catalog, queue):
    queue["container"].start()
    day = date(2027, 2, 1)

    def changed(version: int, removed: bool = False) -> dict:
        state = {**SEDEKAH_BUMI, "day": day.isoformat(), "version": version, "removed": removed}
        state["provisional"] = False
        return envelope("catalog", "calendar_changed", state, None)

    newest, older, removal = changed(3), changed(2), changed(1, removed=True)
    for event in (newest, older, removal, newest):  # late, reordered and repeated
        publish_event(catalog, event)
    eventually(lambda: replica_version(queue["DATABASE_URL"], Holiday, day) == 3)
    publish_event(catalog, changed(4, removed=True))
    eventually(lambda: replica_version(queue["DATABASE_URL"], Holiday, day) is None)
    publish_event(catalog, changed(3))  # an old state cannot bring the day back
    publish_event(catalog, changed(5))
    eventually(lambda: replica_version(queue["DATABASE_URL"], Holiday, day) == 5)


def test_a_replica_that_missed_the_events_heals_from_the_full_refresh(catalog, queue):
    day = next_working_day_at(9).date()
    with rpc_to("catalog", catalog, actor=MALL_ADMIN) as admin:  # no relay: never published
        admin.set_calendar_day(day.isoformat(), SEDEKAH_BUMI)
        admin.remove_calendar_day("2026-12-25")
    queue["container"].start()  # refreshes on start
    eventually(lambda: replica_version(queue["DATABASE_URL"], Holiday, day) == 1)
    with session_for(queue["DATABASE_URL"]) as session:
        christmas = session.get(Holiday, date(2026, 12, 25))
        assert (christmas.removed, christmas.version) == (True, 2)


# --- the HTTP routes -------------------------------------------------------------------------


@pytest.fixture
def api(catalog, database_url_factory):
    app = create_app(
        {
            "AMQP_URI": catalog["AMQP_URI"],
            "JWT_SECRET": "calendar-integration-secret-of-32-bytes",
            "DATABASE_URL": database_url_factory("gateway"),
        }
    )
    client = RpcClient(catalog["AMQP_URI"], timeout=15)
    app.extensions["rpc_client"] = client
    yield app
    client.close()


def test_anyone_reads_the_calendar_and_only_a_mall_admin_changes_it_over_http(api, catalog):
    http = api.test_client()
    listed = http.get("/api/v1/calendar", query_string={"year": 2027})
    assert listed.status_code == 200 and len(listed.get_json()["items"]) == 17
    ranged = http.get("/api/v1/calendar?from=2026-12-24&to=2026-12-31").get_json()["items"]
    assert [d["day"] for d in ranged] == ["2026-12-24", "2026-12-25"]
    assert http.get("/api/v1/calendar?year=nineteen").status_code == 422

    assert http.put("/api/v1/calendar/2026-12-31", json=SEDEKAH_BUMI).status_code == 401
    for actor in NOT_ADMINS[1:]:
        headers = bearer(api, Actor(**actor))
        put = http.put("/api/v1/calendar/2026-12-31", json=SEDEKAH_BUMI, headers=headers)
        delete = http.delete("/api/v1/calendar/2026-12-25", headers=headers)
        assert (put.status_code, delete.status_code) == (403, 403), actor["role"]
    assert rows(catalog["DATABASE_URL"], select(OutboxEvent)) == []
    manager = bearer(api, Actor(**NOT_ADMINS[-1]))
    for actor in NOT_ADMINS[1:]:
        logged = http.get(
            "/api/v1/audit-entries", headers=manager, query_string={"actor_id": actor["id"]}
        ).get_json()["items"]
        tried = [e for e in logged if "/calendar/" in e["action"]]
        assert sorted((e["action"], e["target"], e["allowed"]) for e in tried) == [
            ("DELETE /api/v1/calendar/<day>", "2026-12-25", False),
            ("PUT /api/v1/calendar/<day>", "2026-12-31", False),
        ], actor["role"]

    admin = bearer(api, Actor(**MALL_ADMIN))
    bad = http.put("/api/v1/calendar/2026-12-31", json={"kind": "party"}, headers=admin)
    assert bad.status_code == 422 and "name_id" in bad.get_json()["error"]["fields"]
    set_day = http.put("/api/v1/calendar/2026-12-31", json=SEDEKAH_BUMI, headers=admin)
    assert set_day.status_code == 200 and set_day.get_json()["version"] == 1
    removed = http.delete("/api/v1/calendar/2026-12-31", headers=admin)
    assert removed.status_code == 200 and removed.get_json()["removed"] is True
    assert http.delete("/api/v1/calendar/2026-12-31", headers=admin).status_code == 404
    assert (
        http.put("/api/v1/calendar/31-12-2026", json=SEDEKAH_BUMI, headers=admin).status_code == 422
    )
    [event_1, event_2] = rows(catalog["DATABASE_URL"], select(OutboxEvent).order_by(OutboxEvent.id))
    assert (event_1.event_type, event_1.payload["data"]["version"]) == ("calendar_changed", 1)
    assert event_2.payload["data"]["removed"] is True


def test_the_mall_admin_keeps_the_calendar_on_its_page(api, catalog):
    http = api.test_client()
    admin = bearer(api, Actor(**MALL_ADMIN))
    manager = bearer(api, Actor(**NOT_ADMINS[-1]))
    page = http.get("/manager/calendar?year=2026", headers=admin)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Kelahiran Yesus Kristus" in text and text.count("<tr data-day=") == 25
    form = {"day": "2026-12-31", **SEDEKAH_BUMI}
    saved = http.post("/manager/calendar", data=form, headers=admin)
    assert saved.status_code == 303
    assert "Hari Jadi Kabupaten Sragen" in http.get(saved.location, headers=admin).get_data(
        as_text=True
    )
    refused = http.post("/manager/calendar", data={**form, "region": ""}, headers=admin)
    assert refused.status_code == 422 and 'id="e-region"' in refused.get_data(as_text=True)

    assert http.get("/manager/calendar", headers=manager).status_code == 200  # reads only
    assert "Simpan" not in http.get("/manager/calendar", headers=manager).get_data(as_text=True)
    removal = {"day": "2026-12-31"}
    assert http.post("/manager/calendar/removal", data=removal, headers=manager).status_code == 403
    desk = bearer(api, Actor(**NOT_ADMINS[2]))
    assert http.get("/manager/calendar", headers=desk).status_code == 403
    removed = http.post("/manager/calendar/removal", data=removal, headers=admin)
    assert removed.status_code == 303
    versions = [
        e.payload["data"]["version"] for e in rows(catalog["DATABASE_URL"], select(OutboxEvent))
    ]
    assert versions == [1, 2]


def test_the_queue_keeps_its_own_holidays_when_it_becomes_a_replica(database_url_factory):
    from alembic import command
    from sqlalchemy import text

    from chassis.database import make_engine
    from chassis.migrate import alembic_config, upgrade

    url = database_url_factory("queue")
    command.downgrade(alembic_config("queue", url), "0005")
    engine = make_engine(url)
    with engine.begin() as conn:  # the 0005 schema: a day and a name
        conn.execute(text("DELETE FROM holidays"))  # the downgrade kept the shipped days
        for day, name in ((date(2026, 12, 25), "Natal"), (date(2026, 11, 30), "Hari lokal")):
            conn.execute(
                text("INSERT INTO holidays (day, name) VALUES (:d, :n)"), {"d": day, "n": name}
            )
    engine.dispose()
    upgrade("queue", url)
    with session_for(url) as session:
        kept = {h.day: (h.name_id, h.kind, h.version) for h in session.scalars(select(Holiday))}
    assert kept[date(2026, 12, 25)] == ("Natal", "national_holiday", 1)
    assert kept[date(2026, 11, 30)] == ("Hari lokal", "national_holiday", 1)
    assert kept[date(2027, 1, 1)] == ("Tahun Baru 2027 Masehi", "national_holiday", 1)
    assert len(kept) == len(SHIPPED) + 1
