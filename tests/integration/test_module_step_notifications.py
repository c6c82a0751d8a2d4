"""Every step of a module's application, told over the real RabbitMQ (SQLite, PostgreSQL):
the module records it, its outbox relay publishes it, the shared exchange brings it to the
notifications service, which tells the applicant of each step she did not take herself
and the agency that owes the next step, once each."""

from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select, update

from chassis.database import make_engine, utcnow
from chassis.relay import OutboxRelay
from services.civil_registry.service import CivilRegistryService
from services.complaints import models as complaints_models
from services.complaints.models import Application
from services.complaints.service import ComplaintsService
from services.notifications.service import NotificationsService
from services.social_aid import models as social_aid_models
from services.social_aid.service import SocialAidService
from tests.integration.helpers import publish_event, rows, rpc_to

SITI = {"id": "account-siti", "role": "citizen", "agency": None, "person_id": "person-siti"}
MALL_OFFICER = {"id": "mpp-admin-1", "role": "agency_admin", "agency": "mpp"}
DINKES = {"id": "dinkes-verifier-1", "role": "verifier", "agency": "dinkes"}
DINSOS = {"id": "dinsos-verifier-1", "role": "verifier", "agency": "dinsos"}
DINSOS_HEAD = {"id": "dinsos-admin-1", "role": "agency_admin", "agency": "dinsos"}
COMPLAINT = {
    "category": "waiting_time",
    "text": "Antrian di loket 3 sangat lama, menunggu 2 jam tanpa kepastian.",
    "object_kind": "counter",
    "object_id": "loket-3",
}
ANSWER = "Loket 3 kini dibuka dua petugas."
STATUS_CHANGED = "on_module_application_status_changed"


@pytest.fixture
def notifications(container_factory, service_config):
    config = service_config("notifications")
    container = container_factory(NotificationsService, config)
    container.start()
    return {"config": config, "container": container}


@pytest.fixture
def complaints(container_factory, service_config, notifications):
    config = service_config("complaints")
    container_factory(ComplaintsService, config).start()
    relay = OutboxRelay("complaints", config, complaints_models.OutboxEvent)
    yield {"config": config, "relay": relay, "told": notifications}
    relay.engine.dispose()


def relayed(module: dict, handler: str = STATUS_CHANGED) -> None:
    """The module's outbox relay publishes its one new event; wait until it is handled."""
    with entrypoint_waiter(module["told"]["container"], handler, timeout=30):
        assert module["relay"].relay_once() == 1


def inbox_of(module: dict, actor: dict) -> list[dict]:
    """The actor's notifications, the oldest first."""
    with rpc_to("notifications", module["told"]["config"], actor=actor) as proxy:
        return list(reversed(proxy.inbox({"per_page": 50})["items"]))


def complaint_step(complaints, actor, complaint_id, action, note=None, form=None) -> dict:
    with rpc_to("complaints", complaints["config"], actor=actor) as desk:
        done = desk.act(complaint_id, {"action": action, "note": note, "form": form})
    relayed(complaints)
    return done


def test_every_step_of_a_complaint_is_told_to_her_and_the_agency_it_is_sent_to(complaints):
    with rpc_to("complaints", complaints["config"], actor=SITI) as desk:
        complaint = desk.submit_application({"service": "complaint", "form": COMPLAINT})
    relayed(complaints, "on_module_application_submitted")
    cid = complaint["id"]
    complaint_step(complaints, MALL_OFFICER, cid, "verify")
    complaint_step(complaints, MALL_OFFICER, cid, "disposition", form={"agency": "dinkes"})
    complaint_step(complaints, DINKES, cid, "follow_up")
    complaint_step(complaints, DINKES, cid, "resolve", ANSWER)
    complaint_step(complaints, SITI, cid, "confirm", form={"rating": 4})  # her own: not told

    mine = inbox_of(complaints, SITI)
    assert [n["kind"] for n in mine] == ["application_submitted", *["module_step"] * 4]
    assert {n["link"] for n in mine} == {f"/modules/complaints/applications/{cid}"}
    assert [n["subject"] for n in mine[1:]] == [
        "Pengaduan layanan: kini Terverifikasi",
        "Pengaduan layanan: kini Diteruskan ke instansi",
        "Pengaduan layanan: kini Ditindaklanjuti",
        "Pengaduan layanan: kini Dijawab",
    ]
    assert mine[1]["body"] == (
        "Permohonan Anda untuk Pengaduan layanan telah berlanjut. Statusnya kini: Terverifikasi."
    )
    assert mine[4]["body"].endswith(f"Statusnya kini: Dijawab.\n\n{ANSWER}")  # the answer

    (owed,) = inbox_of(complaints, DINKES)  # once, when it was sent there; not its own steps
    assert owed["kind"] == "module_step_awaited"
    assert owed["subject"] == (
        "Menunggu langkah instansi Anda: Pengaduan layanan (Diteruskan ke instansi)"
    )
    assert owed["link"] == f"/office/modules/complaints/applications/{cid}"
    # the complaint desk verified and sent it itself: its inbox has the new complaint only
    assert [n["kind"] for n in inbox_of(complaints, MALL_OFFICER)] == ["application_assigned"]


def test_a_reopened_complaint_is_the_agencys_again_and_a_redelivery_tells_no_one_twice(
    complaints,
):
    with rpc_to("complaints", complaints["config"], actor=SITI) as desk:
        cid = desk.submit_application({"service": "complaint", "form": COMPLAINT})["id"]
    relayed(complaints, "on_module_application_submitted")
    complaint_step(complaints, MALL_OFFICER, cid, "verify")
    complaint_step(complaints, MALL_OFFICER, cid, "disposition", form={"agency": "dinkes"})
    complaint_step(complaints, DINKES, cid, "resolve", ANSWER)
    complaint_step(complaints, SITI, cid, "reopen", "Loket 3 masih dijaga satu petugas.")

    outbox = complaints_models.OutboxEvent
    recorded = rows(complaints["config"]["DATABASE_URL"], select(outbox).order_by(outbox.id))
    steps = [e.payload["data"] for e in recorded if e.event_type == "application_status_changed"]
    assert [(s["status"], s["agency"], s["by_agency"], s["by_applicant"]) for s in steps] == [
        ("verified", "mpp", "mpp", False),
        ("dispositioned", "dinkes", "mpp", False),
        ("resolved", None, "dinkes", False),  # hers to confirm, else it closes by itself
        ("reopened", "dinkes", None, True),
    ]
    assert steps[-1]["status_name"] == {"id": "Dibuka kembali", "en": "Reopened"}

    owed = inbox_of(complaints, DINKES)
    assert [n["subject"] for n in owed] == [
        "Menunggu langkah instansi Anda: Pengaduan layanan (Diteruskan ke instansi)",
        "Menunggu langkah instansi Anda: Pengaduan layanan (Dibuka kembali)",
    ]
    assert owed[1]["body"].endswith("\n\nLoket 3 masih dijaga satu petugas.")  # her reason
    # her own reopening is not told back to her
    assert not any("Dibuka kembali" in n["subject"] for n in inbox_of(complaints, SITI))

    reopened = recorded[-1].payload  # the relay sends it again (a crash before its mark)
    with entrypoint_waiter(complaints["told"]["container"], STATUS_CHANGED, timeout=30):
        publish_event(complaints["config"], reopened)
    assert len(inbox_of(complaints, DINKES)) == 2
    assert len(inbox_of(complaints, SITI)) == 4  # submitted, verified, dispositioned, resolved


@pytest.fixture
def social_aid(container_factory, service_config, notifications):
    """The social aid module beside the real civil registry, and Siti on a family card."""
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    config = service_config("social_aid", REGENCY_CODE="3314", POVERTY_LINE_PER_PERSON=500_000)
    container_factory(SocialAidService, config).start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(
            {
                "nik": "3314015708900001",
                "full_name": "Siti Rahayu",
                "birth_date": "1990-08-17",
                "sex": "F",
            }
        )
        civil.create_family_card(
            {"number": "3314012001200001", "address": "Dukuh Soko", "head_id": siti["id"]}
        )
    relay = OutboxRelay("social_aid", config, social_aid_models.OutboxEvent)
    citizen = {"id": f"account-{siti['id']}", "role": "citizen", "person_id": siti["id"]}
    yield {"config": config, "relay": relay, "told": notifications, "siti": citizen}
    relay.engine.dispose()


def test_social_aid_decisions_are_still_told_as_decisions_and_her_withdrawal_not_at_all(
    social_aid,
):
    form = {"household_income": 1_200_000, "need": "health", "description": "Suami sakit."}
    for action, note in (("approve", "terdaftar di Jamkesda"), ("reject", "di atas batas")):
        with rpc_to("social_aid", social_aid["config"], actor=social_aid["siti"]) as aid:
            application = aid.submit_application({"service": "bantuan_sosial", "form": form})
        relayed(social_aid, "on_module_application_submitted")
        for actor, step in ((DINSOS, "review"), (DINSOS_HEAD, action)):
            with rpc_to("social_aid", social_aid["config"], actor=actor) as aid:
                aid.act(application["id"], {"action": step, "note": note})
            relayed(social_aid)
    with rpc_to("social_aid", social_aid["config"], actor=social_aid["siti"]) as aid:
        withdrawn = aid.submit_application({"service": "bantuan_sosial", "form": form})
    relayed(social_aid, "on_module_application_submitted")
    with rpc_to("social_aid", social_aid["config"], actor=social_aid["siti"]) as aid:
        aid.act(withdrawn["id"], {"action": "withdraw", "note": None})
    relayed(social_aid)

    told = [(n["kind"], n["subject"]) for n in inbox_of(social_aid, social_aid["siti"])]
    reviewed = ("module_step", "Bantuan Sosial Terpadu (satu pintu): kini Sedang ditinjau")
    submitted = told[0]
    assert told == [
        submitted,
        reviewed,
        ("module_decision", "Permohonan Anda disetujui"),
        submitted,
        reviewed,
        ("module_decision", "Permohonan Anda ditolak"),
        submitted,  # and nothing of her own withdrawal
    ]
    # dinsos took every step itself: its inbox has the three new applications only
    assert [n["kind"] for n in inbox_of(social_aid, DINSOS)] == ["application_assigned"] * 3


def test_an_answer_left_unconfirmed_closes_by_itself_and_she_is_told_the_mall_closed_it(
    complaints,
):
    with rpc_to("complaints", complaints["config"], actor=SITI) as desk:
        cid = desk.submit_application({"service": "complaint", "form": COMPLAINT})["id"]
    relayed(complaints, "on_module_application_submitted")
    complaint_step(complaints, MALL_OFFICER, cid, "verify")
    complaint_step(complaints, MALL_OFFICER, cid, "disposition", form={"agency": "dinkes"})
    complaint_step(complaints, DINKES, cid, "resolve", ANSWER)
    engine = make_engine(complaints["config"]["DATABASE_URL"])
    with engine.begin() as connection:  # her time to confirm or reopen has ended
        ended = utcnow() - timedelta(minutes=1)
        connection.execute(update(Application).where(Application.id == cid).values(due_at=ended))
    engine.dispose()
    with rpc_to("complaints", complaints["config"], actor=MALL_OFFICER) as desk:
        desk.sweep()
    relayed(complaints)

    closed = inbox_of(complaints, SITI)[-1]
    assert closed["subject"] == "Pengaduan layanan: kini Selesai"
    assert closed["body"] == (
        "Permohonan Anda untuk Pengaduan layanan telah berlanjut. Statusnya kini: Selesai."
        "\n\nLangkah ini diambil oleh mal secara otomatis."  # no English note of the mall's
    )
    assert len(inbox_of(complaints, DINKES)) == 1  # nobody owes a step of a closed case


def test_a_step_left_undone_is_told_to_its_agency_then_to_the_malls_managers(complaints):
    with rpc_to("complaints", complaints["config"], actor=SITI) as desk:
        cid = desk.submit_application({"service": "complaint", "form": COMPLAINT})["id"]
    relayed(complaints, "on_module_application_submitted")
    complaint_step(complaints, MALL_OFFICER, cid, "verify")
    complaint_step(complaints, MALL_OFFICER, cid, "disposition", form={"agency": "dinkes"})
    engine = make_engine(complaints["config"]["DATABASE_URL"])
    with engine.begin() as connection:  # dinkes' five working days ended two weeks ago
        ended = utcnow() - timedelta(days=14)
        connection.execute(update(Application).where(Application.id == cid).values(due_at=ended))
    engine.dispose()
    with rpc_to("complaints", complaints["config"], actor=MALL_OFFICER) as desk:
        assert desk.sweep() == 2  # the agency's level, then the managers'
    told = complaints["told"]["container"]
    with (
        entrypoint_waiter(told, "on_module_application_overdue", timeout=30),
        entrypoint_waiter(told, "on_module_application_escalated", timeout=30),
    ):
        assert complaints["relay"].relay_once() == 2

    [*_, late] = inbox_of(complaints, DINKES)
    assert late["subject"].startswith("Melewati standar waktu layanan")
    [*_, escalated] = inbox_of(complaints, MALL_OFFICER)  # the mall's inbox (mpp)
    assert escalated["subject"] == "Masih melewati standar waktu layanan: Pengaduan layanan"
    assert "dinkes sudah diberi tahu" in escalated["body"]
