"""The complaint desk over the real RabbitMQ, on SQLite and PostgreSQL: a complaint
verified and dispositioned by the mall's complaint officers (agency mpp), answered by the
agency it is sent to, confirmed with a rating or closed when unconfirmed; who sees whom;
the voices of other citizens; the public page."""

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, update

from chassis.database import make_engine, utcnow
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from chassis.migrate import alembic_config
from chassis.module import TIMED_OUT, TOLD_AGENCY, TOLD_MALL
from chassis.rpc_client import RpcClient
from scripts.demo_data import QUEUE_SETUP, seed
from services.complaints.models import Application, Base, OutboxEvent, Supporter
from services.complaints.service import ComplaintsService
from services.licensing.service import LicensingService
from services.queue.service import QueueService
from tests.integration.helpers import rows, rpc_to
from tests.integration.test_bookings import next_working_day_at
from tests.polling import eventually

MALL_OFFICER = {"id": "mpp-admin-1", "role": "agency_admin", "agency": "mpp"}
DINKES = {"id": "dinkes-verifier-1", "role": "verifier", "agency": "dinkes"}
DINKES_HEAD = {"id": "dinkes-admin-1", "role": "agency_admin", "agency": "dinkes"}
DISDUK = {"id": "disduk-verifier-1", "role": "verifier", "agency": "disdukcapil"}
MANAGER = {"id": "manager-1", "role": "mall_manager", "agency": None}
NIK = "3314015708900001"
TEXT = "Antrian di loket 3 sangat lama, menunggu 2 jam tanpa kepastian."


def citizen(name: str) -> dict:
    return {"id": f"account-{name}", "role": "citizen", "agency": None, "person_id": name}


SITI, BUDI, DEWI = citizen("person-siti"), citizen("person-budi"), citizen("person-dewi")


@pytest.fixture
def desk(container_factory, service_config):
    config = service_config("complaints")
    container_factory(ComplaintsService, config).start()
    return config


@pytest.fixture
def mall_desk(container_factory, service_config, tmp_path):
    """The complaint desk with the services that keep what a complaint may name."""
    queue = service_config("queue")
    seed(queue["DATABASE_URL"], QUEUE_SETUP)
    container_factory(QueueService, queue).start()
    licensing = service_config("licensing", DOCUMENT_STORE=str(tmp_path / "documents"))
    container_factory(LicensingService, licensing).start()
    config = service_config("complaints")
    container_factory(ComplaintsService, config).start()
    return {"complaints": config, "queue": queue}


def complain(config, actor=SITI, **form):
    form = {
        "category": "waiting_time",
        "text": TEXT,
        "object_kind": "counter",
        "object_id": "loket-3",
        **form,
    }
    with rpc_to("complaints", config, actor=actor) as complaints:
        return complaints.submit_application({"service": "complaint", "form": form})


def act(config, actor, complaint_id, action, note=None, form=None):
    with rpc_to("complaints", config, actor=actor) as complaints:
        return complaints.act(complaint_id, {"action": action, "note": note, "form": form})


def read(config, actor, complaint_id):
    with rpc_to("complaints", config, actor=actor) as complaints:
        return complaints.get_application(complaint_id)


def sent_to(config, complaint_id, agency="dinkes"):
    act(config, MALL_OFFICER, complaint_id, "verify")
    return act(config, MALL_OFFICER, complaint_id, "disposition", form={"agency": agency})


def events(config, event_type):
    query = select(OutboxEvent).where(OutboxEvent.event_type == event_type)
    return [e.payload["data"] for e in rows(config["DATABASE_URL"], query)]


def set_due(config, complaint_id, moment):
    engine = make_engine(config["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(
            update(Application).where(Application.id == complaint_id).values(due_at=moment)
        )
    engine.dispose()


def test_a_complaint_goes_from_received_to_closed_with_the_citizens_rating(desk):
    complaint = complain(desk)
    assert (complaint["status"], complaint["routed_to"]) == ("received", None)
    assert complaint["allowed_actions"] == []  # hers to wait for
    with rpc_to("complaints", desk, actor=MALL_OFFICER) as mpp:
        assert [c["id"] for c in mpp.worklist()] == [complaint["id"]]
    verified = act(desk, MALL_OFFICER, complaint["id"], "verify")
    assert verified["status"] == "verified"
    assert verified["allowed_actions"] == ["disposition"]
    assert verified["action_forms"]["disposition"][0]["name"] == "agency"
    with pytest.raises(InvalidInput):  # the agency it goes to is required
        act(desk, MALL_OFFICER, complaint["id"], "disposition")
    sent = act(desk, MALL_OFFICER, complaint["id"], "disposition", form={"agency": "dinkes"})
    assert (sent["status"], sent["routed_to"]) == ("dispositioned", "dinkes")
    with rpc_to("complaints", desk, actor=MALL_OFFICER) as mpp:
        assert mpp.worklist() == []  # dinkes owes the next step, not the mall's desk
    followed = act(desk, DINKES, complaint["id"], "follow_up")
    assert followed["status"] == "followed_up"
    with pytest.raises(InvalidInput) as no_answer:
        act(desk, DINKES, complaint["id"], "resolve")
    assert no_answer.value.code == "note_required"
    answer = "Loket 3 kini dibuka dua petugas."
    with pytest.raises(InvalidInput) as no_form:  # an action without a form takes no values
        act(desk, DINKES, complaint["id"], "resolve", answer, form={"rating": 4})
    assert no_form.value.code == "action_takes_no_form"
    resolved = act(desk, DINKES, complaint["id"], "resolve", answer)
    assert resolved["status"] == "resolved"
    assert read(desk, SITI, complaint["id"])["allowed_actions"] == ["confirm", "reopen"]
    with rpc_to("complaints", desk, actor=DINKES) as dinkes:
        assert dinkes.worklist() == []  # hers to confirm or reopen now
    with pytest.raises(InvalidInput):  # a rating is 1..4
        act(desk, SITI, complaint["id"], "confirm", form={"rating": 5})
    closed = act(desk, SITI, complaint["id"], "confirm", form={"rating": 4})
    assert (closed["status"], closed["rating"]) == ("closed", 4)
    [row] = rows(desk["DATABASE_URL"], select(Application))
    assert row.rating == 4 and row.answered_at is not None and row.answered_within_level
    changes = [
        (e["previous_status"], e["status"]) for e in events(desk, "application_status_changed")
    ]
    assert changes == [
        ("received", "verified"),
        ("verified", "dispositioned"),
        ("dispositioned", "followed_up"),
        ("followed_up", "resolved"),
        ("resolved", "closed"),
    ]
    with rpc_to("complaints", desk, actor=MANAGER) as manager:
        figures = {row["agency"]: row for row in manager.agency_figures({})}
    assert figures["dinkes"]["received"] == 1
    assert figures["dinkes"]["within_level_percent"] == 100
    assert figures["dinkes"]["satisfaction_percent"] == 100
    assert (figures["dinkes"]["resolved"], figures["dinkes"]["resolved_within_level"]) == (1, 1)
    assert (figures["dinkes"]["rated"], figures["dinkes"]["mean_rating"]) == (1, 4.0)


def test_a_rejection_needs_a_note_and_only_the_malls_officers_verify(desk):
    complaint = complain(desk)
    with pytest.raises(InvalidInput) as raised:
        act(desk, MALL_OFFICER, complaint["id"], "reject")
    assert raised.value.code == "note_required"
    with pytest.raises(Forbidden):  # an agency's head is not the mall's complaint desk
        act(desk, DINKES_HEAD, complaint["id"], "verify")
    rejected = act(desk, MALL_OFFICER, complaint["id"], "reject", "Bukan pengaduan layanan.")
    assert rejected["status"] == "rejected"
    assert rejected["history"][-1]["note"] == "Bukan pengaduan layanan."
    with pytest.raises(Conflict):
        act(desk, MALL_OFFICER, complaint["id"], "verify")


def test_an_agency_sees_only_what_is_sent_to_it_and_never_who_filed_an_anonymous_one(desk):
    anonymous = complain(desk, anonymous=True)
    confidential = complain(desk, BUDI, confidential=True)
    elsewhere = complain(desk, DEWI)
    for complaint in (anonymous, confidential):
        sent_to(desk, complaint["id"], "dinkes")
    sent_to(desk, elsewhere["id"], "disdukcapil")
    with rpc_to("complaints", desk, actor=DINKES) as dinkes:
        listed = {c["id"]: c for c in dinkes.worklist()}
        with pytest.raises(NotFound):
            dinkes.get_application(elsewhere["id"])
    assert set(listed) == {anonymous["id"], confidential["id"]}
    assert listed[anonymous["id"]]["applicant_id"] is None  # anonymous: nobody at the mall
    assert listed[confidential["id"]]["applicant_id"] is None  # confidential: not the agency
    assert all(step["actor_id"] is None for step in listed[anonymous["id"]]["history"][:1])
    assert read(desk, MALL_OFFICER, anonymous["id"])["applicant_id"] is None
    assert read(desk, MALL_OFFICER, confidential["id"])["applicant_id"] == "person-budi"
    assert read(desk, SITI, anonymous["id"])["applicant_id"] == "person-siti"  # herself
    assert read(desk, DISDUK, elsewhere["id"])["applicant_id"] == "person-dewi"  # ordinary
    with pytest.raises(NotFound):  # another citizen reads it on the public page, if at all
        read(desk, BUDI, anonymous["id"])
    assert read(desk, MANAGER, confidential["id"])["applicant_id"] is None
    assert read(desk, MANAGER, elsewhere["id"])["applicant_id"] == "person-dewi"


def test_a_reopened_complaint_is_the_agencys_again_on_a_clock_of_its_own(desk):
    complaint = complain(desk)
    sent_to(desk, complaint["id"], "dinkes")
    act(desk, DINKES, complaint["id"], "resolve", "Sudah ditindaklanjuti.")
    with pytest.raises(InvalidInput) as raised:
        act(desk, SITI, complaint["id"], "reopen")
    assert raised.value.code == "note_required"
    with pytest.raises(NotFound):  # hers alone: another citizen does not even see it
        act(desk, BUDI, complaint["id"], "reopen", "Belum ada perubahan.")
    reopened = act(desk, SITI, complaint["id"], "reopen", "Antrian masih dua jam.")
    assert reopened["status"] == "reopened"
    assert reopened["working_days_left"] == 5
    with rpc_to("complaints", desk, actor=DINKES) as dinkes:
        assert [c["id"] for c in dinkes.worklist()] == [complaint["id"]]
    [first] = rows(desk["DATABASE_URL"], select(Application))
    act(desk, DINKES, complaint["id"], "resolve", "Loket tambahan dibuka.")
    [again] = rows(desk["DATABASE_URL"], select(Application))
    assert again.answered_at == first.answered_at  # the time to answer counts the first one


def test_a_redisposition_moves_the_complaint_to_another_agency(desk):
    complaint = complain(desk)
    sent_to(desk, complaint["id"], "dinkes")
    with pytest.raises(Conflict):  # already there
        act(desk, MALL_OFFICER, complaint["id"], "redisposition", form={"agency": "dinkes"})
    moved = act(
        desk, MALL_OFFICER, complaint["id"], "redisposition", form={"agency": "disdukcapil"}
    )
    assert (moved["status"], moved["routed_to"]) == ("dispositioned", "disdukcapil")
    with rpc_to("complaints", desk, actor=DINKES) as dinkes:
        assert dinkes.worklist() == []
    with pytest.raises(NotFound):
        act(desk, DINKES, complaint["id"], "follow_up")
    assert act(desk, DISDUK, complaint["id"], "follow_up")["status"] == "followed_up"


def test_a_late_step_is_escalated_once_to_the_agency_that_owes_it(desk):
    unverified, unanswered = complain(desk), complain(desk, BUDI)
    sent_to(desk, unanswered["id"], "dinkes")
    for complaint in (unverified, unanswered):
        set_due(desk, complaint["id"], utcnow() - timedelta(hours=1))
    with rpc_to("complaints", desk) as complaints:
        assert complaints.sweep() == 2
        assert complaints.sweep() == 0  # once
    late = {e["application_id"]: e for e in events(desk, "application_overdue")}
    assert (late[unverified["id"]]["agency"], late[unverified["id"]]["status"]) == (
        "mpp",
        "received",
    )
    assert (late[unanswered["id"]]["agency"], late[unanswered["id"]]["status"]) == (
        "dinkes",
        "dispositioned",
    )


def test_an_unconfirmed_resolution_closes_by_itself_when_its_time_ends(desk):
    complaint = complain(desk)
    sent_to(desk, complaint["id"], "dinkes")
    act(desk, DINKES, complaint["id"], "resolve", "Sudah ditindaklanjuti.")
    set_due(desk, complaint["id"], utcnow() - timedelta(minutes=1))
    with rpc_to("complaints", desk) as complaints:
        assert complaints.sweep() == 0  # not overdue: the mall's own step
        complaints.sweep()
    closed = read(desk, SITI, complaint["id"])
    assert closed["status"] == "closed"
    assert (closed["history"][-1]["status"], closed["history"][-1]["note"]) == (
        "closed",
        TIMED_OUT,
    )
    changes = [e["status"] for e in events(desk, "application_status_changed")]
    assert changes.count("closed") == 1
    assert events(desk, "application_overdue") == []


def test_a_citizen_adds_her_voice_to_a_public_open_complaint_once(desk):
    complaint = complain(desk)
    with rpc_to("complaints", desk, actor=BUDI) as budi:
        with pytest.raises(NotFound):  # not yet verified: not public
            budi.add_voice(complaint["id"])
    sent_to(desk, complaint["id"], "dinkes")
    draft = {
        "category": "waiting_time",
        "text": "Antrian loket 3 lama sekali, menunggu 2 jam.",
        "object_kind": "counter",
        "object_id": "loket-3",
    }
    with rpc_to("complaints", desk, actor=BUDI) as budi:
        assert [c["id"] for c in budi.similar_open(draft)] == [complaint["id"]]
        assert budi.similar_open({**draft, "object_id": "loket-9"}) == []
        assert budi.add_voice(complaint["id"])["supporters"] == 1
        with pytest.raises(Conflict) as again:
            budi.add_voice(complaint["id"])
        assert again.value.code == "complaint_voice_added"
    with rpc_to("complaints", desk, actor=DEWI) as dewi:
        assert dewi.add_voice(complaint["id"])["supporters"] == 2
    with rpc_to("complaints", desk, actor=SITI) as siti:
        with pytest.raises(Conflict):  # her own
            siti.add_voice(complaint["id"])
    with rpc_to("complaints", desk, actor=MALL_OFFICER) as mpp:
        with pytest.raises(Forbidden):
            mpp.add_voice(complaint["id"])
    assert read(desk, SITI, complaint["id"])["supporters"] == 2
    voices = rows(desk["DATABASE_URL"], select(Supporter))
    assert sorted(v.person_id for v in voices) == ["person-budi", "person-dewi"]


def test_the_public_page_hides_anonymous_and_confidential_ones_and_redacts_a_nik(desk):
    ordinary = complain(desk, text=f"Petugas meminta NIK saya {NIK} difotokopi lima kali.")
    hidden = [complain(desk, BUDI, anonymous=True), complain(desk, DEWI, confidential=True)]
    unverified = complain(desk)
    for complaint in (ordinary, *hidden):
        sent_to(desk, complaint["id"], "dinkes")
    act(desk, DINKES, ordinary["id"], "resolve", "Cukup satu fotokopi; petugas sudah ditegur.")
    with rpc_to("complaints", desk, actor=None) as visitor:
        listed = visitor.public_complaints({})
        assert visitor.public_complaints({"agency": "disdukcapil"}) == []
    assert [c["id"] for c in listed] == [ordinary["id"]]
    assert unverified["id"] not in {c["id"] for c in listed}
    [shown] = listed
    assert NIK not in shown["text"] and "[NIK]" in shown["text"]
    assert shown["answer"] == "Cukup satu fotokopi; petugas sudah ditegur."
    assert (shown["status"], shown["agency"]) == ("resolved", "dinkes")
    assert shown["hours_to_answer"] is not None and "applicant_id" not in shown


def test_migrations_build_the_models_schema_and_go_down_to_an_empty_database(
    database_url_factory,
):
    url = database_url_factory("complaints")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert conn.exec_driver_sql("select count(*) from calendar_days").scalar() > 0
    command.downgrade(alembic_config("complaints", url), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_a_step_still_undone_escalates_to_the_malls_managers_once_with_three_instances(
    desk, service_processes
):
    """Three instances whose clocks run 30 days ahead sweep at the same moment: the late
    step tells its agency and then the mall's managers, each once, both on its record."""
    complaint = complain(desk)
    sent_to(desk, complaint["id"], "dinkes")
    ahead = (utcnow() + timedelta(days=30)).isoformat()
    service_processes(
        "complaints", "ComplaintsService", {**desk, "CLOCK_STARTS_AT": ahead}, count=3
    )
    client = RpcClient(desk["AMQP_URI"], timeout=30)

    def sweep(_):
        return client.call("complaints", "sweep", context={"actor": MALL_OFFICER})

    try:
        eventually(lambda: sum(sweep(n) for n in range(6)) > 0 or None, timeout=30)
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(sweep, range(12)))
    finally:
        client.close()
    [overdue] = events(desk, "application_overdue")
    [escalated] = events(desk, "application_escalated")
    assert (overdue["agency"], escalated["agency"], escalated["told"]) == (
        "dinkes",
        "dinkes",
        "mpp",
    )
    notes = [step["note"] for step in read(desk, MALL_OFFICER, complaint["id"])["history"]]
    assert (notes.count(TOLD_AGENCY), notes.count(TOLD_MALL)) == (1, 1)
    assert notes.index(TOLD_AGENCY) < notes.index(TOLD_MALL)


def test_a_step_taken_in_time_is_not_escalated(desk):
    complaint = complain(desk)
    set_due(desk, complaint["id"], utcnow() - timedelta(hours=1))
    with rpc_to("complaints", desk) as complaints:
        assert complaints.sweep() == 1  # late: its agency is told, not yet the managers
    assert events(desk, "application_escalated") == []
    act(desk, MALL_OFFICER, complaint["id"], "verify")
    sent_to_dinkes = act(
        desk, MALL_OFFICER, complaint["id"], "disposition", form={"agency": "dinkes"}
    )
    assert sent_to_dinkes["working_days_left"] >= 4  # a new step, a new clock
    with rpc_to("complaints", desk) as complaints:
        assert complaints.sweep() == 0


QUEUE_DESK = {"id": "desk-1", "role": "counter_officer", "agency": "disdukcapil"}


def ticket_of(queue, actor) -> dict:
    with rpc_to("queue", queue, actor=actor) as kiosk:
        return kiosk.issue_ticket({"service_code": "population"})


def about(mall, kind, object_id, actor=SITI, **form):
    return complain(mall["complaints"], actor, object_kind=kind, object_id=object_id, **form)


def test_a_complaint_about_her_own_ticket_is_accepted_with_what_it_was(mall_desk):
    mine = ticket_of(mall_desk["queue"], SITI)
    walk_in = ticket_of(mall_desk["queue"], None)  # no person: its id is its bearer's claim
    complaint = about(mall_desk, "ticket", mine["id"])
    assert (complaint["status"], complaint["form"]["object_id"]) == ("received", mine["id"])
    assert complaint["assessment"]["object"] == {
        "kind": "ticket",
        "service_code": "population",
        "counter_id": None,
        "day": mine["day"],
    }
    assert about(mall_desk, "ticket", walk_in["id"], BUDI)["status"] == "received"
    [row, _] = rows(mall_desk["complaints"]["DATABASE_URL"], select(Application))
    assert (row.object_kind, row.object_id) == ("ticket", mine["id"])


def test_another_citizens_ticket_is_refused_on_its_id(mall_desk):
    hers = ticket_of(mall_desk["queue"], SITI)
    with pytest.raises(InvalidInput) as refused:
        about(mall_desk, "ticket", hers["id"], BUDI)
    assert refused.value.code == "complaint_object_not_hers"
    assert list(refused.value.fields) == ["object_id"]
    assert rows(mall_desk["complaints"]["DATABASE_URL"], select(Application)) == []


def test_an_unknown_booking_or_application_is_refused_and_her_own_booking_accepted(mall_desk):
    for kind in ("booking", "application"):
        with pytest.raises(InvalidInput) as refused:
            about(mall_desk, kind, "00000000-0000-0000-0000-000000000000")
        assert (refused.value.code, list(refused.value.fields)) == (
            "complaint_object_not_hers",
            ["object_id"],
        )
    with rpc_to("queue", mall_desk["queue"], actor=SITI) as phone:
        slot = next_working_day_at(9).isoformat()
        booking = phone.book({"service_code": "population", "starts_at": slot})
    with pytest.raises(InvalidInput):  # hers alone
        about(mall_desk, "booking", booking["id"], BUDI)
    complaint = about(mall_desk, "booking", booking["id"])
    assert complaint["assessment"]["object"]["service_code"] == "population"


def test_a_complaint_about_a_ticket_booking_or_application_needs_its_id(mall_desk):
    for kind in ("ticket", "booking", "application"):
        with pytest.raises(InvalidInput) as refused:
            about(mall_desk, kind, None)
        assert refused.value.code == "complaint_object_id_needed"
        assert list(refused.value.fields) == ["object_id"]


def test_her_tickets_id_is_kept_from_whoever_may_not_know_who_she_is(mall_desk):
    mine = ticket_of(mall_desk["queue"], SITI)
    config = mall_desk["complaints"]
    anonymous = about(mall_desk, "ticket", mine["id"], anonymous=True)
    public = about(mall_desk, "ticket", mine["id"], category="staff_conduct")
    assert read(config, SITI, anonymous["id"])["form"]["object_id"] == mine["id"]
    assert read(config, MALL_OFFICER, anonymous["id"])["form"]["object_id"] is None
    assert read(config, MALL_OFFICER, anonymous["id"])["assessment"]["object"]["kind"] == "ticket"
    assert read(config, MALL_OFFICER, public["id"])["form"]["object_id"] == mine["id"]
    act(config, MALL_OFFICER, public["id"], "verify")
    with rpc_to("complaints", config) as complaints:
        [listed] = complaints.public_complaints()
    assert (listed["id"], listed["object_kind"], listed["object_id"]) == (
        public["id"],
        "ticket",
        None,
    )


VISITOR = {"id": None, "role": None, "agency": None}  # not signed in


def test_a_visitor_files_a_complaint_and_follows_it_with_her_tracking_code(desk):
    form = {
        "category": "facilities",
        "text": "Toilet lantai dua rusak sejak minggu lalu dan belum diperbaiki.",
        "object_kind": "mall",
        "contact_name": "Warga Sragen",
        "contact": "0812-3456-7890",
    }
    filed = complain(desk, VISITOR, **form)
    code = filed["tracking_code"]
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    assert (filed["applicant_id"], filed["yours"]) == (None, True)
    [submitted] = events(desk, "application_submitted")
    assert submitted["applicant_id"] is None  # no one to tell by account
    [row] = rows(desk["DATABASE_URL"], select(Application))
    assert row.tracking_hash and code not in row.tracking_hash  # only its digest is kept

    with rpc_to("complaints", desk, actor=VISITOR) as anyone:
        with pytest.raises(NotFound):  # without her code it is nobody's to read
            anyone.get_application(filed["id"])
        with pytest.raises(NotFound):
            anyone.get_application(filed["id"], "AAAAA-BBBBB")
        hers = anyone.get_application(filed["id"], code.lower())
    assert hers["yours"] and hers["form"]["contact"] == "0812-3456-7890"
    assert "tracking_code" not in hers  # told once, when she filed it
    officer_view = read(desk, MALL_OFFICER, filed["id"])
    assert (officer_view["yours"], officer_view["form"]["contact_name"]) == (False, "Warga Sragen")

    sent_to(desk, filed["id"], "dinkes")
    act(desk, DINKES, filed["id"], "resolve", "Toilet lantai dua sudah diperbaiki.")
    with rpc_to("complaints", desk, actor=VISITOR) as anyone:
        with pytest.raises(NotFound):  # another visitor, without the code: nothing there
            anyone.act(filed["id"], {"action": "confirm", "form": {"rating": 1}})
        closed = anyone.act(
            filed["id"], {"action": "confirm", "form": {"rating": 3}, "tracking_code": code}
        )
    assert (closed["status"], closed["rating"]) == ("closed", 3)


def test_an_anonymous_visitors_contact_is_kept_from_the_agency(desk):
    filed = complain(desk, VISITOR, anonymous=True, contact="warga@example.org")
    sent_to(desk, filed["id"], "dinkes")
    assert read(desk, DINKES, filed["id"])["form"]["contact"] is None
    assert read(desk, MALL_OFFICER, filed["id"])["form"]["contact"] is None  # anonymous: all
