"""The social aid module over the real RabbitMQ, on SQLite and PostgreSQL, beside the real
civil registry: one application, checked against the registry as the applicant, routed
to the program of the household's need, decided by the social affairs office."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kombu import Connection, Queue
from nameko.events import event_handler
from nameko.standalone.events import get_event_exchange
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import inspect, select

from chassis.database import make_engine, utcnow
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from chassis.migrate import alembic_config, upgrade
from chassis.module import ANNOUNCE_SECONDS, load_manifest
from contracts import modules
from contracts.calendar_2026_2027 import DAYS as CALENDAR
from contracts.events import envelope
from desk.deadlines import add_working_days
from services.civil_registry.service import CivilRegistryService
from services.social_aid.models import Application, Base, OutboxEvent, Step
from services.social_aid.service import SocialAidService
from tests.integration.helpers import in_mall_time, publish_event, rows, rpc_to
from tests.polling import eventually

RULES = {"REGENCY_CODE": "3314", "POVERTY_LINE_PER_PERSON": 500_000}
DINSOS = {"id": "dinsos-verifier-1", "role": "verifier", "agency": "dinsos"}
DINSOS_HEAD = {"id": "dinsos-admin-1", "role": "agency_admin", "agency": "dinsos"}
DINSOS_COUNTER = {"id": "dinsos-loket-1", "role": "counter_officer", "agency": "dinsos"}
DINKES = {"id": "dinkes-verifier-1", "role": "verifier", "agency": "dinkes"}
FORM = {
    "household_income": 1_200_000,
    "need": "health",
    "description": "Suami sakit sejak Maret dan tidak bisa bekerja.",
}
ALL_PROGRAMS = ["jamkesda", "school_aid", "rastra", "rtlh", "disability_aid"]


def person(nik: str, full_name: str, birth_date: str, sex: str) -> dict:
    return {"nik": nik, "full_name": full_name, "birth_date": birth_date, "sex": sex}


def citizen(resident: dict) -> dict:
    return {"id": f"account-{resident['id']}", "role": "citizen", "person_id": resident["id"]}


@pytest.fixture
def mall(container_factory, service_config):
    """The registry and the module, and a family in Sragen whose grandmother has died."""
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    config = service_config("social_aid", **RULES)
    container = container_factory(SocialAidService, config)
    container.start()
    with rpc_to("civil_registry", registry) as civil:
        budi = civil.register_resident(
            person("3314010203850002", "Budi Santoso", "1985-03-02", "M")
        )
        card = civil.create_family_card(
            {
                "number": "3314012001200001",
                "address": "Dukuh Soko RT 02, Plupuh",
                "head_id": budi["id"],
            }
        )
        on_card = {"family_card_id": card["id"]}
        siti = civil.register_resident(
            {
                **person("3314015708900001", "Siti Rahayu", "1990-08-17", "F"),
                **on_card,
                "relationship": "spouse",
            }
        )
        civil.register_resident(
            {
                **person("3314015001150003", "Dewi Lestari", "2015-01-10", "F"),
                **on_card,
                "relationship": "child",
            }
        )
        sri = civil.register_resident(
            {
                **person("3314014306500004", "Sri Wahyuni", "1950-06-03", "F"),
                **on_card,
                "relationship": "parent",
            }
        )
        civil.register_death({"resident_id": sri["id"], "died_on": "2025-12-01"})
    return {
        "config": config,
        "container": container,
        "registry": registry,
        "siti": citizen(siti),
        "budi": citizen(budi),
        "sri": citizen(sri),
    }


def apply(mall, actor: dict, form: dict = FORM, service: str = "bantuan_sosial") -> dict:
    with rpc_to("social_aid", mall["config"], actor=actor) as social_aid:
        return social_aid.submit_application({"service": service, "form": form})


def act(mall, actor: dict, application_id: str, action: str, note: str | None = None) -> dict:
    with rpc_to("social_aid", mall["config"], actor=actor) as social_aid:
        return social_aid.act(application_id, {"action": action, "note": note})


def stored(mall) -> list:
    return rows(mall["config"]["DATABASE_URL"], select(Application))


def test_one_application_is_routed_to_the_program_of_its_need_and_decided_by_dinsos(mall):
    application = apply(mall, mall["siti"])
    assert application["status"] == "submitted"
    assert application["applicant_id"] == mall["siti"]["person_id"]
    # the household is the family card's living members: the grandmother has died
    assert application["assessment"] == {
        "need": "health",
        "region_code": "331401",
        "household_size": 3,
        "household_income": 1_200_000,
        "income_per_person": 400_000,
        "poverty_line_per_person": 500_000,
        "welfare": "poor",
        "eligible_programs": application["assessment"]["eligible_programs"],
    }
    assert [p["code"] for p in application["assessment"]["eligible_programs"]] == ALL_PROGRAMS
    assert application["routed_to"] == "jamkesda"
    # 14 working days on the mall's calendar as shipped, as the manifest promises
    created = datetime.fromisoformat(application["created_at"])
    days_off = frozenset(date.fromisoformat(day) for day, *_ in CALENDAR)
    assert datetime.fromisoformat(application["due_at"]) == add_working_days(created, 14, days_off)
    assert application["working_days_left"] == 14

    with rpc_to("social_aid", mall["config"], actor=DINSOS) as social_aid:
        assert [a["id"] for a in social_aid.worklist()] == [application["id"]]
    act(mall, DINSOS, application["id"], "review", "kunjungan rumah dijadwalkan")
    decided = act(mall, DINSOS_HEAD, application["id"], "approve", "terdaftar di Jamkesda")
    assert decided["status"] == "approved" and decided["allowed_actions"] == []

    with rpc_to("social_aid", mall["config"], actor=mall["siti"]) as social_aid:
        seen = social_aid.get_application(application["id"])
        mine = social_aid.my_applications()
    assert seen["status"] == "approved"
    assert [(s["status"], s["actor_role"], s["note"]) for s in seen["history"]] == [
        ("submitted", "citizen", None),
        ("in_review", "verifier", "kunjungan rumah dijadwalkan"),
        ("approved", "agency_admin", "terdaftar di Jamkesda"),
    ]
    assert in_mall_time(seen["created_at"], seen["due_at"], *[s["at"] for s in seen["history"]])
    assert [a["id"] for a in mine] == [application["id"]]
    with rpc_to("social_aid", mall["config"], actor=DINSOS) as social_aid:
        assert social_aid.worklist() == []


def test_every_step_is_an_event_and_a_rejection_needs_a_reason(mall):
    application = apply(mall, mall["siti"])
    assert application["allowed_actions"] == ["withdraw"]  # the applicant's one step
    with pytest.raises(InvalidInput) as no_reason:
        act(mall, DINSOS, application["id"], "reject", "   ")
    assert "note" in no_reason.value.fields
    reviewed = act(mall, DINSOS, application["id"], "review")
    assert reviewed["allowed_actions"] == ["approve", "reject"]
    with rpc_to("social_aid", mall["config"], actor=mall["siti"]) as social_aid:
        assert social_aid.get_application(application["id"])["allowed_actions"] == ["withdraw"]
    act(mall, DINSOS_HEAD, application["id"], "reject", "penghasilan di atas batas")
    recorded = rows(mall["config"]["DATABASE_URL"], select(OutboxEvent).order_by(OutboxEvent.id))
    assert [(e.event_type, e.payload["data"].get("status")) for e in recorded] == [
        ("application_submitted", None),
        ("application_status_changed", "in_review"),
        ("application_status_changed", "rejected"),
    ]
    assert {e.payload["source"] for e in recorded} == {"social_aid"}
    rejected = recorded[-1].payload["data"]
    assert (rejected["previous_status"], rejected["reason"]) == (
        "in_review",
        "penghasilan di atas batas",
    )
    assert recorded[0].payload["data"]["due_at"] == application["due_at"]
    assert recorded[0].payload["data"]["agency"] == "dinsos"  # its inbox is told


def test_the_applicant_alone_withdraws_an_undecided_application_and_it_leaves_the_worklist(
    mall,
):
    application = apply(mall, mall["siti"])
    act(mall, DINSOS, application["id"], "review")
    with pytest.raises(Forbidden) as officer:
        act(mall, DINSOS, application["id"], "withdraw")
    assert officer.value.code == "only_the_applicant"
    with pytest.raises(NotFound):  # another citizen does not learn it exists
        act(mall, mall["budi"], application["id"], "withdraw")
    withdrawn = act(mall, mall["siti"], application["id"], "withdraw")
    assert (withdrawn["status"], withdrawn["allowed_actions"]) == ("withdrawn", [])
    assert withdrawn["history"][-1]["actor_role"] == "citizen"
    with rpc_to("social_aid", mall["config"], actor=DINSOS) as social_aid:
        assert social_aid.worklist() == []
    with pytest.raises(Conflict) as again:
        act(mall, mall["siti"], application["id"], "withdraw")
    assert again.value.code == "application_closed"
    recorded = rows(mall["config"]["DATABASE_URL"], select(OutboxEvent).order_by(OutboxEvent.id))
    assert [e.payload["data"].get("status") for e in recorded][-1] == "withdrawn"


def test_a_household_above_the_near_poor_line_goes_to_a_social_workers_review(mall):
    # 3 living members, 2,000,000: 666,666 a person, above 120 % of the 500,000 line
    application = apply(mall, mall["budi"], {**FORM, "household_income": 2_000_000, "need": "food"})
    assert application["assessment"]["welfare"] == "above_near_poor_line"
    assert application["assessment"]["eligible_programs"] == []
    assert application["routed_to"] == "case_review"
    assert application["status"] == "submitted"  # an officer still decides


def test_a_deceased_applicant_is_refused_with_the_date_of_death(mall):
    with pytest.raises(Conflict, match="deceased on 2025-12-01") as refused:
        apply(mall, mall["sri"])
    assert refused.value.fields == {"applicant": ["registered as deceased on 2025-12-01"]}
    assert stored(mall) == []


def test_a_resident_whose_family_card_is_in_another_regency_is_refused(mall):
    with rpc_to("civil_registry", mall["registry"]) as civil:
        rina = civil.register_resident(
            person("3314014504920005", "Rina Marlina", "1992-04-05", "F")
        )
        civil.create_family_card(
            {"number": "3372011505200001", "address": "Jl. Slamet Riyadi 1", "head_id": rina["id"]}
        )
    with pytest.raises(Conflict, match=r"Kota Surakarta \(3372\)") as refused:
        apply(mall, citizen(rina))
    assert refused.value.fields == {
        "family_card": ["registered in Kota Surakarta (3372), not in regency 3314"]
    }
    assert stored(mall) == []


def test_a_resident_on_no_family_card_or_unknown_to_the_registry_is_refused(mall):
    with rpc_to("civil_registry", mall["registry"]) as civil:
        alone = civil.register_resident(
            person("3314010101800006", "Joko Susilo", "1980-01-01", "M")
        )
    with pytest.raises(Conflict, match="no family card"):
        apply(mall, citizen(alone))
    stranger = {"id": "account-x", "role": "citizen", "person_id": "no-such-resident"}
    with pytest.raises(Conflict, match="not in the civil registry"):
        apply(mall, stranger)
    assert stored(mall) == []


def test_no_one_but_the_applicant_and_dinsos_reads_an_application(mall):
    application = apply(mall, mall["siti"])
    # not even her husband, on the same family card; nor another agency's officer
    for intruder in (mall["budi"], DINKES, None):
        with (
            rpc_to("social_aid", mall["config"], actor=intruder) as social_aid,
            pytest.raises(NotFound),
        ):
            social_aid.get_application(application["id"])
    with rpc_to("social_aid", mall["config"], actor=mall["budi"]) as social_aid:
        assert social_aid.my_applications() == []
    with rpc_to("social_aid", mall["config"], actor=DINSOS) as social_aid:
        assert social_aid.get_application(application["id"])["routed_to"] == "jamkesda"


def test_only_deciding_officers_of_dinsos_act_on_an_application(mall):
    application = apply(mall, mall["siti"])
    for outsider in (DINKES, DINSOS_COUNTER, mall["siti"]):
        with pytest.raises(Forbidden, match="only officers of dinsos decide"):
            act(mall, outsider, application["id"], "approve")
    with (
        rpc_to("social_aid", mall["config"], actor=DINKES) as social_aid,
        pytest.raises(Forbidden),
    ):
        social_aid.worklist()
    act(mall, DINSOS, application["id"], "reject", "tidak memenuhi syarat")
    with pytest.raises(Conflict, match="cannot approve an application that is rejected") as illegal:
        act(mall, DINSOS, application["id"], "approve")
    assert illegal.value.fields == {"allowed_actions": []}
    [row] = stored(mall)
    steps = rows(mall["config"]["DATABASE_URL"], select(Step).where(Step.application_id == row.id))
    assert row.status == "rejected" and len(steps) == 2


def test_a_death_closes_the_applicants_open_applications_once(mall):
    open_one = apply(mall, mall["siti"])
    decided = apply(mall, mall["budi"])
    act(mall, DINSOS, decided["id"], "reject", "tidak memenuhi syarat")
    in_review = apply(mall, mall["budi"])
    act(mall, DINSOS, in_review["id"], "review")
    with rpc_to("civil_registry", mall["registry"]) as civil:
        for who in ("siti", "budi"):
            civil.register_death({"resident_id": mall[who]["person_id"], "died_on": "2026-11-01"})
    deaths = [
        envelope(
            "civil_registry",
            "person_died",
            {"person_id": mall[who]["person_id"], "died_on": "2026-11-01"},
            None,
        )
        for who in ("siti", "budi")
    ]
    for died in deaths + deaths:  # each delivered twice: the second time changes nothing
        with entrypoint_waiter(mall["container"], "on_person_died"):
            publish_event(mall["config"], died)

    with rpc_to("social_aid", mall["config"], actor=DINSOS) as social_aid:
        closed = social_aid.get_application(open_one["id"])
        reviewed = social_aid.get_application(in_review["id"])
        rejected = social_aid.get_application(decided["id"])
        assert social_aid.worklist() == []
    for application in (closed, reviewed):
        assert (application["status"], application["allowed_actions"]) == ("closed", [])
        last = application["history"][-1]
        assert (last["status"], last["note"], last["actor_role"]) == (
            "closed",
            "applicant deceased",
            "system",
        )
    assert [step["status"] for step in closed["history"]] == ["submitted", "closed"]
    assert rejected["status"] == "rejected" and len(rejected["history"]) == 2
    announced = rows(mall["config"]["DATABASE_URL"], select(OutboxEvent))
    closures = [e.payload["data"] for e in announced if e.event_type == "application_closed"]
    assert sorted((c["application_id"], c["previous_status"]) for c in closures) == sorted(
        [(open_one["id"], "submitted"), (in_review["id"], "in_review")]
    )
    assert {c["reason"] for c in closures} == {"applicant deceased"}


def test_an_event_of_the_module_is_published_by_its_relay_started_as_the_procfile_starts_it(
    mall, relay_process
):
    """The module records application_closed in its outbox; its relay publishes it, on the
    module's exchange and (bound to it when the module started) on the shared one of every
    module's applications."""
    application = apply(mall, mall["siti"])
    exchange = get_event_exchange("social_aid", mall["config"])
    listener = Queue("test-application-closed", exchange=exchange, routing_key="application_closed")
    shared = Queue(
        "test-module-applications",
        exchange=get_event_exchange(modules.APPLICATIONS, mall["config"]),
        routing_key="application_closed",
    )
    with Connection(mall["config"]["AMQP_URI"]) as conn:
        listener(conn.default_channel).declare()
        shared(conn.default_channel).declare()
        with rpc_to("civil_registry", mall["registry"]) as civil:
            civil.register_death(
                {"resident_id": mall["siti"]["person_id"], "died_on": "2026-11-01"}
            )
        died = {"person_id": mall["siti"]["person_id"], "died_on": "2026-11-01"}
        with entrypoint_waiter(mall["container"], "on_person_died"):
            publish_event(mall["config"], envelope("civil_registry", "person_died", died, None))
        [recorded] = [
            event
            for event in rows(mall["config"]["DATABASE_URL"], select(OutboxEvent))
            if event.event_type == "application_closed"
        ]
        assert recorded.published_at is None  # no relay yet: nothing is published

        relay_process("social_aid", mall["config"])
        bound = listener(conn.default_channel)
        message = eventually(lambda: bound.get(no_ack=True))
        assert message.payload["event_id"] == recorded.event_id
        assert message.payload["source"] == "social_aid"
        also = eventually(lambda: shared(conn.default_channel).get(no_ack=True))
        assert also.payload["event_id"] == recorded.event_id
        assert message.payload["data"]["application_id"] == application["id"]
        assert eventually(
            lambda: (
                rows(
                    mall["config"]["DATABASE_URL"],
                    select(OutboxEvent).where(OutboxEvent.event_id == recorded.event_id),
                )[0].published_at
            )
        )
        assert bound.get(no_ack=True) is None  # published once


def test_the_form_is_checked_against_the_manifest_with_an_error_per_field(mall):
    form = {
        "household_income": -5,
        "need": "car",
        "description": "short",
        "phone": "0812345678",
        "pets": 2,
    }
    with pytest.raises(InvalidInput) as invalid:
        apply(mall, mall["siti"], form)
    assert set(invalid.value.fields) == {"household_income", "need", "description", "pets"}
    assert invalid.value.fields["pets"] == ["Unknown field."]
    with pytest.raises(InvalidInput) as missing:
        apply(mall, mall["siti"], {"description": FORM["description"]})
    assert set(missing.value.fields) == {"household_income", "need"}  # phone is optional
    with pytest.raises(InvalidInput) as unknown_service:
        apply(mall, mall["siti"], service="bantuan_modal")
    assert unknown_service.value.fields == {"service": ["social_aid offers no bantuan_modal"]}
    with pytest.raises(Forbidden):
        apply(mall, DINSOS)  # citizens apply for themselves
    assert stored(mall) == []


class ModuleListener:
    name = "module_listener"

    @event_handler(modules.SOURCE, "module_announced")
    def on_module_announced(self, message: dict) -> dict:
        return message


def test_the_module_announces_its_manifest_on_the_modules_exchange_when_it_starts(
    container_factory, rabbit_config, tmp_path
):
    url = f"sqlite:///{tmp_path / 'social_aid'}.sqlite3"
    upgrade("social_aid", url)
    listener = container_factory(ModuleListener, rabbit_config)
    listener.start()
    module = container_factory(SocialAidService, {**rabbit_config, "DATABASE_URL": url, **RULES})
    with entrypoint_waiter(listener, "on_module_announced", timeout=5) as result:
        module.start()
    message = result.get()
    assert (message["source"], message["event_type"]) == ("modules", "module_announced")
    announced = modules.ModuleAnnounced().load(message["data"])
    assert announced["interval_seconds"] == ANNOUNCE_SECONDS
    assert announced["manifest"] == load_manifest(
        Path(__file__).parents[2] / "services" / "social_aid" / "manifest.yaml"
    )
    manifest = announced["manifest"]
    assert (manifest["module"], manifest["agency"]["code"]) == ("social_aid", "dinsos")
    [service] = manifest["services"]
    assert (service["code"], service["fee"], service["queue"]) == (
        "bantuan_sosial",
        0,
        {"prefix": "S", "counters": 2},
    )


def test_a_module_with_a_bad_regency_in_its_config_does_not_start(
    container_factory, rabbit_config, tmp_path
):
    url = f"sqlite:///{tmp_path / 'social_aid'}.sqlite3"
    upgrade("social_aid", url)
    config = {**rabbit_config, "DATABASE_URL": url, **RULES, "REGENCY_CODE": "Sragen"}
    with pytest.raises(ValueError, match="REGENCY_CODE"):
        container_factory(SocialAidService, config).start()


def test_migrations_build_the_models_schema_and_go_down_to_an_empty_database(
    database_url_factory,
):
    url = database_url_factory("social_aid")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    command.downgrade(alembic_config("social_aid", url), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_an_application_past_its_service_level_is_announced_overdue_once(mall):
    late, decided, on_time = (apply(mall, mall["siti"]) for _ in range(3))
    act(mall, DINSOS, decided["id"], "reject", "penghasilan di atas batas")
    engine = make_engine(mall["config"]["DATABASE_URL"])
    with engine.begin() as connection:  # their service level ended yesterday
        connection.execute(
            Application.__table__.update()
            .where(Application.id.in_([late["id"], decided["id"]]))
            .values(due_at=utcnow() - timedelta(days=1))
        )
    engine.dispose()
    with rpc_to("social_aid", mall["config"]) as social_aid:
        assert social_aid.sweep() == 1
        assert social_aid.sweep() == 0  # told once, whichever instance sweeps
    [overdue] = rows(
        mall["config"]["DATABASE_URL"],
        select(OutboxEvent).where(OutboxEvent.event_type == "application_overdue"),
    )
    assert overdue.payload["data"]["application_id"] == late["id"] != on_time["id"]
    assert overdue.payload["data"]["agency"] == "dinsos"
