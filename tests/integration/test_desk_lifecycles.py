"""The module desk runs a module's own lifecycle (real RabbitMQ, SQLite and PostgreSQL): a
clock per step from the table's service levels, parties of another agency than the
module's, an overdue step announced once for the agency that owes it, and a step the mall
takes by itself when its time ends. The probe is a small complaint-like module."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import DeclarativeBase

from chassis.actor import AGENCY_ADMIN, VERIFIER
from chassis.calendar import CalendarDayMixin
from chassis.database import Database, InboxMixin, OutboxMixin, ReplyMixin, make_engine, utcnow
from chassis.errors import Forbidden, InvalidInput, NotFound
from chassis.module import TIMED_OUT, ApplicationMixin, MallModule
from chassis.steps import StepMixin
from contracts import modules as wire
from desk.deadlines import add_working_days
from desk.lifecycle import APPLICANT, Action, Lifecycle
from tests.conftest import _create_postgres_database, _drop_postgres_database
from tests.integration.helpers import rows, rpc_to

OFFICER, RESPONDER = "officer", "responder"
CASES = Lifecycle(
    kind="probe_case",
    start="received",
    actions=(
        Action("verify", frozenset({"received"}), "dispositioned", OFFICER),
        Action("answer", frozenset({"dispositioned"}), "answered", RESPONDER),
        Action("confirm", frozenset({"answered"}), "done", APPLICANT),
        Action("reopen", frozenset({"answered"}), "dispositioned", APPLICANT),
        Action("close_unconfirmed", frozenset({"answered"}), "done", OFFICER),
    ),
    parties={OFFICER: frozenset({AGENCY_ADMIN}), RESPONDER: frozenset({VERIFIER, AGENCY_ADMIN})},
    clock_running=frozenset({"received", "dispositioned", "answered"}),
    closed="closed",
    service_levels={"received": 3, "dispositioned": 5, "answered": 5},
    timeouts={"answered": "close_unconfirmed"},
)
MANIFEST = {
    "module": "desk_probe",
    "version": "1.0",
    "agency": {"code": "mpp", "name_id": "Mal Pelayanan Publik", "name_en": "Public Service Mall"},
    "services": [
        {
            "code": "case",
            "name_id": "Pengaduan",
            "name_en": "Complaint",
            "description_id": "Pengaduan tentang layanan mal.",
            "description_en": "A complaint about a service of the mall.",
            "life_events": [],
            "form": [
                {
                    "name": "agency",
                    "type": "text",
                    "label_id": "Instansi",
                    "label_en": "Agency",
                    "min": 2,
                    "max": 40,
                }
            ],
            "required_documents": [],
            "fee": 0,
            "service_level_days": 30,
        }
    ],
}


class Base(DeclarativeBase):
    pass


class Outbox(OutboxMixin, Base):
    pass


class Inbox(InboxMixin, Base):
    pass


class Replies(ReplyMixin, Base):
    pass


class Case(ApplicationMixin, Base):
    pass


class CaseStep(StepMixin, Base):
    pass


class Day(CalendarDayMixin, Base):
    __tablename__ = "calendar_days"


class ProbeModule(MallModule):
    name = "desk_probe"
    manifest = wire.Manifest().load(MANIFEST)
    db = Database(Outbox, Inbox, Replies)
    applications = Case
    steps = CaseStep
    calendar_model = Day
    lifecycle = CASES

    def route(self, service, form, assessment):
        return form["agency"]  # the agency that answers

    def agency_of(self, application, party):
        if party == OFFICER:
            return "mpp"  # the mall's own complaint officers
        return application.routed_to if application is not None else None


CITIZEN = {"id": "account-siti", "role": "citizen", "agency": None, "person_id": "person-siti"}
MALL_OFFICER = {"id": "mpp-1", "role": "agency_admin", "agency": "mpp"}
DINKES = {"id": "dinkes-1", "role": "verifier", "agency": "dinkes"}
DISDUK = {"id": "disduk-1", "role": "verifier", "agency": "disdukcapil"}


@pytest.fixture
def probe(container_factory, rabbit_config, db_backend, tmp_path):
    """The probe module on a fresh database of its tables (it has no migrations)."""
    postgres = db_backend == "postgresql"
    url = _create_postgres_database() if postgres else f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    config = {**rabbit_config, "DATABASE_URL": url}
    container_factory(ProbeModule, config).start()
    yield config
    if postgres:
        _drop_postgres_database(url)


def act(config, actor, case_id, action, note=None):
    with rpc_to("desk_probe", config, actor=actor) as probe:
        return probe.act(case_id, {"action": action, "note": note})


def file_case(config):
    with rpc_to("desk_probe", config, actor=CITIZEN) as probe:
        return probe.submit_application({"service": "case", "form": {"agency": "dinkes"}})


def events(config, event_type):
    found = rows(config["DATABASE_URL"], select(Outbox).where(Outbox.event_type == event_type))
    return [e.payload["data"] for e in found]


def set_due(config, case_id, moment):
    engine = make_engine(config["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(update(Case).where(Case.id == case_id).values(due_at=moment))
    engine.dispose()


def test_each_step_has_its_own_clock_and_its_own_party(probe):
    case = file_case(probe)
    filed_at = utcnow()
    assert case["status"] == "received"
    assert case["due_at"] == add_working_days(filed_at, 3, frozenset()).isoformat()  # not 30
    assert case["routed_to"] == "dinkes"
    with pytest.raises(Forbidden):  # the answering agency may not verify
        act(probe, DINKES, case["id"], "verify")
    verified = act(probe, MALL_OFFICER, case["id"], "verify")
    assert verified["status"] == "dispositioned"
    assert verified["due_at"] == add_working_days(utcnow(), 5, frozenset()).isoformat()
    with pytest.raises(NotFound):  # another agency's officer does not even see it
        act(probe, DISDUK, case["id"], "answer")
    with rpc_to("desk_probe", probe, actor=DINKES) as dinkes:
        assert [c["id"] for c in dinkes.worklist()] == [case["id"]]
        assert dinkes.get_application(case["id"])["allowed_actions"] == ["answer"]
    with rpc_to("desk_probe", probe, actor=DISDUK) as disduk:
        assert disduk.worklist() == []
    answered = act(probe, DINKES, case["id"], "answer")
    assert answered["allowed_actions"] == []  # hers now: confirm or reopen
    with rpc_to("desk_probe", probe, actor=CITIZEN) as siti:
        assert siti.get_application(case["id"])["allowed_actions"] == ["confirm", "reopen"]
    with pytest.raises(InvalidInput) as unknown:
        act(probe, CITIZEN, case["id"], "approve")  # the decision table's, not this one's
    assert unknown.value.code == "unknown_action"


def test_a_late_step_is_announced_once_for_the_agency_that_owes_it(probe):
    case = file_case(probe)
    act(probe, MALL_OFFICER, case["id"], "verify")
    set_due(probe, case["id"], utcnow() - timedelta(hours=1))
    with rpc_to("desk_probe", probe) as desk:
        assert desk.sweep() == 1
        assert desk.sweep() == 0  # once, whichever instance sweeps
    [late] = events(probe, "application_overdue")
    assert (late["agency"], late["status"]) == ("dinkes", "dispositioned")
    act(probe, DINKES, case["id"], "answer")
    act(probe, CITIZEN, case["id"], "reopen")  # a new step: a new clock, told again if late
    set_due(probe, case["id"], utcnow() - timedelta(hours=1))
    with rpc_to("desk_probe", probe) as desk:
        assert desk.sweep() == 1
    assert len(events(probe, "application_overdue")) == 2


def test_an_unconfirmed_answer_closes_by_itself_when_its_time_ends(probe):
    case = file_case(probe)
    act(probe, MALL_OFFICER, case["id"], "verify")
    act(probe, DINKES, case["id"], "answer")
    set_due(probe, case["id"], utcnow() - timedelta(minutes=1))
    with rpc_to("desk_probe", probe) as desk:
        assert desk.sweep() == 0  # no overdue announcement: the mall's own step instead
        desk.sweep()
    with rpc_to("desk_probe", probe, actor=CITIZEN) as siti:
        closed = siti.get_application(case["id"])
    assert closed["status"] == "done"
    assert [(s["status"], s["note"]) for s in closed["history"]][-1] == ("done", TIMED_OUT)
    changes = [e["status"] for e in events(probe, "application_status_changed")]
    assert changes.count("done") == 1  # taken once
    assert events(probe, "application_overdue") == []
