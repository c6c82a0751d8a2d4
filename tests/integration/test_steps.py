"""Licensing and every agency module keep an application's steps one way (SQLite and
PostgreSQL): rows of one shape (``chassis.steps.StepMixin``), each written by
``take_step`` with its ``application_status_changed`` event in one transaction, and a
module's JSON history of before copied into those rows, in order, by its migration."""

import importlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import JSON, String, column, inspect, select, table

from chassis.database import UTCDateTime, make_engine, session_factory, utcnow
from chassis.errors import InvalidInput
from chassis.migrate import alembic_config, upgrade
from chassis.steps import StepMixin, steps_of, take_step

MODULES = ("social_aid", "regional_tax", "complaints")
# the step tables as the migrations build them, licensing's under its name of before
STEP_TABLES = {"licensing": "application_transitions"} | {m: "application_steps" for m in MODULES}
# the revision each module's history was JSON at, and the columns of its own it must fill
BEFORE_STEPS = {"social_aid": "0004", "regional_tax": "0003", "complaints": "0001"}
OWN_COLUMNS = {
    "complaints": {
        "category": "service",
        "object_kind": "agency",
        "anonymous": False,
        "confidential": False,
        "supporters": 0,
    }
}


def shape(url: str, name: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        found = inspect(engine)
        columns = [
            (c["name"], type(c["type"]).__name__, c["nullable"]) for c in found.get_columns(name)
        ]
        keys = [
            (k["constrained_columns"], k["referred_table"]) for k in found.get_foreign_keys(name)
        ]
        return sorted(columns) + keys
    finally:
        engine.dispose()


def test_licensing_and_every_module_store_their_steps_in_one_table_shape(database_url_factory):
    shapes = {
        service: shape(database_url_factory(service), name) for service, name in STEP_TABLES.items()
    }
    assert (
        shapes["licensing"]
        == shapes["social_aid"]
        == shapes["regional_tax"]
        == shapes["complaints"]
    )
    assert [name for name, _, _ in shapes["licensing"][:9]] == sorted(
        [
            "id",
            "application_id",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "actor_role",
            "note",
            "at",
        ]
    )
    for service in STEP_TABLES:
        models = importlib.import_module(f"services.{service}.models")
        step = models.Transition if service == "licensing" else models.Step
        assert issubclass(step, StepMixin)


def licensing_application(session):
    from services.licensing.models import Application, PermitType, Transition

    session.add(
        PermitType(
            code="SIP",
            name_id="Izin",
            name_en="Permit",
            agency="dpmptsp",
            sla_working_days=5,
            risk_level="low",
        )
    )
    session.flush()  # the permit type first: no relationship tells the session the order
    application = Application(
        permit_type="SIP", agency="dpmptsp", applicant_id="person-1", status="submitted"
    )
    return application, Transition, {"applicant_id": "person-1"}


def module_application(session):
    importlib.import_module("services.social_aid.service")  # registers the module's events
    from services.social_aid.models import Application, Step

    application = Application(
        id=str(uuid.uuid4()),
        service="bantuan_sosial",
        applicant_id="person-1",
        status="submitted",
        form={},
        assessment={},
        due_at=utcnow() + timedelta(days=14),
    )
    return application, Step, {"service": "bantuan_sosial"}


@pytest.mark.parametrize(
    ("service", "make"), [("licensing", licensing_application), ("social_aid", module_application)]
)
def test_a_step_commits_with_its_event_and_an_event_refused_leaves_no_step(
    service, make, database_url_factory
):
    models = importlib.import_module(f"services.{service}.models")
    engine = make_engine(database_url_factory(service))
    session = session_factory(engine, service, outbox=models.OutboxEvent)()
    with session.begin():
        application, step_model, fields = make(session)
        session.add(application)
        session.flush()
        take_step(
            session,
            step_model,
            application,
            "approve",
            "approved",
            "v-1",
            "verifier",
            "ok",
            **fields,
        )
    with pytest.raises(InvalidInput), session.begin():  # the contract knows no colour
        take_step(
            session,
            step_model,
            application,
            "revoke",
            "revoked",
            "v-1",
            "verifier",
            None,
            colour="red",
            **fields,
        )
    session.expire_all()
    with session.begin():
        [step] = steps_of(session, step_model, application.id)
        assert (step.action, step.from_status, step.to_status, step.note) == (
            "approve",
            "submitted",
            "approved",
            "ok",
        )
        assert session.get(type(application), application.id).status == "approved"
        [event] = session.scalars(select(models.OutboxEvent)).all()
        assert event.event_type == "application_status_changed"
        expected = {
            "application_id": application.id,
            "status": "approved",
            "previous_status": "submitted",
            "reason": "ok",
            **fields,
        }
        assert event.payload["data"].items() >= expected.items()  # and the contract's defaults
    session.close()
    engine.dispose()


@pytest.mark.parametrize("module", MODULES)
def test_a_modules_json_history_becomes_its_steps_in_order_and_comes_back_down(
    module, database_url_factory
):
    url = database_url_factory(module)
    command.downgrade(alembic_config(module, url), BEFORE_STEPS[module])
    submitted = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    history = [
        {"status": "submitted", "actor_id": "account-1", "actor_role": "citizen", "note": None},
        {"status": "in_review", "actor_id": "officer-1", "actor_role": "verifier", "note": None},
        {"status": "rejected", "actor_id": "officer-1", "actor_role": "verifier", "note": "no"},
    ]
    history = [
        {**step, "at": (submitted + timedelta(hours=n)).isoformat()}
        for n, step in enumerate(history)
    ]
    engine = make_engine(url)
    applications = inspect(engine).get_columns("applications")
    assert "history" in [c["name"] for c in applications]
    values = {
        "id": "a-1",
        "service": "bantuan_sosial",
        "applicant_id": "person-1",
        "status": "rejected",
        "form": {},
        "assessment": {},
        "created_at": submitted,
        "due_at": submitted + timedelta(days=14),
        "history": history,
        **OWN_COLUMNS.get(module, {}),
    }
    types = {"form": JSON, "assessment": JSON, "history": JSON, "created_at": UTCDateTime()}
    types["due_at"] = UTCDateTime()
    old = table("applications", *(column(name, types.get(name)) for name in values))
    with engine.begin() as connection:
        connection.execute(old.insert().values(**values))
        connection.execute(old.insert().values(**{**values, "id": "a-2", "history": history[:1]}))
    engine.dispose()

    upgrade(module, url)
    models = importlib.import_module(f"services.{module}.models")
    engine = make_engine(url)
    assert "history" not in [c["name"] for c in inspect(engine).get_columns("applications")]
    with session_factory(engine, module)() as session:
        steps = steps_of(session, models.Step, "a-1")
        assert [(s.action, s.from_status, s.to_status) for s in steps] == [
            ("submit", None, "submitted"),
            ("in_review", "submitted", "in_review"),
            ("rejected", "in_review", "rejected"),
        ]
        assert [(s.actor_id, s.actor_role, s.note, s.at) for s in steps] == [
            (h["actor_id"], h["actor_role"], h["note"], datetime.fromisoformat(h["at"]))
            for h in history
        ]
        assert len(steps_of(session, models.Step, "a-2")) == 1
    engine.dispose()

    command.downgrade(alembic_config(module, url), BEFORE_STEPS[module])
    engine = make_engine(url)
    back = table("applications", column("id", String), column("history", JSON))
    with engine.connect() as connection:
        restored = dict(connection.execute(select(back.c.id, back.c.history)).all())
    engine.dispose()
    assert restored == {"a-1": history, "a-2": history[:1]}


def test_a_module_without_a_step_model_is_refused_when_its_class_is_made():
    from chassis.module import MallModule

    with pytest.raises(TypeError, match="needs steps = a model with chassis.steps.StepMixin"):
        type("OldModule", (MallModule,), {"name": "old_module"})
