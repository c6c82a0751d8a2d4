"""The notifications service turns the mall's events into notifications, once each, in
the recipient's language, and shows each inbox only to its owner (SQLite, PostgreSQL)."""

import pytest
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select

from chassis.errors import Forbidden, InvalidInput, NotFound
from contracts import modules
from contracts.events import envelope
from services.notifications.models import Notification
from services.notifications.service import NotificationsService
from tests.integration.helpers import publish_event, rows, rpc_to

modules.register_module_events("social_aid")  # as the module's base class does, for envelope()

SITI = {"id": "account-siti", "role": "citizen", "agency": None, "person_id": "person-siti"}
BUDI = {"id": "account-budi", "role": "citizen", "agency": None, "person_id": "person-budi"}
VERIFIER = {"id": "staff-v", "role": "verifier", "agency": "dpmptsp", "person_id": None}
OTHER_AGENCY = {"id": "staff-x", "role": "verifier", "agency": "dinkes", "person_id": None}


@pytest.fixture
def notifications(container_factory, service_config):
    config = service_config("notifications", PUBLIC_BASE_URL="https://mpp.example.go.id")
    container = container_factory(NotificationsService, config)
    container.start()
    return {"config": config, "container": container}


def deliver(service, source: str, event_type: str, data: dict, handler: str) -> dict:
    """Publish an event as its relay would and wait until the handler has run (a module's
    on the shared exchange its own is bound to: ``tests/integration/test_social_aid.py``)."""
    event = envelope(source, event_type, data, None)
    shared = modules.APPLICATIONS if handler.startswith("on_module_") else None
    with entrypoint_waiter(service["container"], handler):
        publish_event(service["config"], event, shared)
    return event


def inbox_of(service, actor, **query) -> dict:
    with rpc_to("notifications", service["config"], actor=actor) as proxy:
        return proxy.inbox(query)


PERMIT = {
    "permit_id": "permit-1",
    "number": "PBG-3314-2027-0001",
    "permit_type": "PBG",
    "holder_id": "person-siti",
    "valid_until": "2032-01-04",
}


def test_an_issued_permit_is_in_the_holders_inbox_with_its_number_and_link(notifications):
    deliver(notifications, "licensing", "permit_issued", PERMIT, "on_permit_issued")
    mine = inbox_of(notifications, SITI)
    assert (mine["total"], mine["unread"]) == (1, 1)
    (told,) = mine["items"]
    assert told["kind"] == "permit_issued"
    assert told["subject"] == "Izin PBG-3314-2027-0001 Anda telah terbit"  # Indonesian first
    link = "https://mpp.example.go.id/verify?number=PBG-3314-2027-0001"
    assert told["link"] == link and link in told["body"]
    assert told["read_at"] is None and told["deliveries"] == []  # no channel set yet
    assert inbox_of(notifications, BUDI)["total"] == 0
    assert inbox_of(notifications, VERIFIER)["total"] == 0


def test_an_event_delivered_twice_makes_one_notification(notifications):
    event = deliver(notifications, "licensing", "permit_issued", PERMIT, "on_permit_issued")
    with entrypoint_waiter(notifications["container"], "on_permit_issued"):
        publish_event(notifications["config"], event)
    made = rows(notifications["config"]["DATABASE_URL"], select(Notification))
    assert len(made) == 1


def test_she_is_told_in_the_language_she_chose_on_the_channel_she_gave(notifications):
    with rpc_to("notifications", notifications["config"], actor=SITI) as proxy:
        assert proxy.settings()["language"] == "id"
        settings = proxy.update_settings({"email": "siti@example.id", "language": "en"})
    assert settings["channels"] == ["email"]  # giving an email turns email on
    deliver(notifications, "licensing", "permit_issued", PERMIT, "on_permit_issued")
    (told,) = inbox_of(notifications, SITI)["items"]
    assert told["subject"] == "Your permit PBG-3314-2027-0001 is issued"
    assert told["deliveries"] == [
        {
            "channel": "email",
            "status": "pending",
            "attempts": 0,
            "reason": None,
            "delivered_at": None,
        }
    ]


def test_settings_are_hers_alone_and_a_channel_needs_its_address(notifications):
    with rpc_to("notifications", notifications["config"], actor=SITI) as proxy:
        with pytest.raises(InvalidInput):
            proxy.update_settings({"channels": ["sms"]})
        with pytest.raises(InvalidInput):
            proxy.update_settings({"language": "fr"})
    with rpc_to("notifications", notifications["config"], actor=VERIFIER) as proxy:
        with pytest.raises(Forbidden):
            proxy.settings()
    with rpc_to("notifications", notifications["config"], actor=None) as proxy:
        with pytest.raises(Forbidden):
            proxy.inbox({})


def test_a_submission_goes_to_the_agency_inbox_and_a_revision_to_the_applicant(notifications):
    submitted = {
        "application_id": "app-1",
        "permit_type": "PBG",
        "agency": "dpmptsp",
        "due_at": "2027-01-20T17:00:00+07:00",
        "applicant_id": "person-siti",
    }
    deliver(
        notifications, "licensing", "application_submitted", submitted, "on_application_submitted"
    )
    revision = {
        "application_id": "app-1",
        "status": "revision_requested",
        "previous_status": "in_verification",
        "reason": "Lampirkan gambar denah yang ditandatangani",
        "applicant_id": "person-siti",
    }
    deliver(
        notifications,
        "licensing",
        "application_status_changed",
        revision,
        "on_application_status_changed",
    )
    (assigned,) = inbox_of(notifications, VERIFIER)["items"]
    assert assigned["kind"] == "application_assigned"
    assert assigned["link"] == "/office/applications/app-1"
    assert inbox_of(notifications, OTHER_AGENCY)["total"] == 0
    kinds = [n["kind"] for n in inbox_of(notifications, SITI)["items"]]
    assert sorted(kinds) == ["application_submitted", "revision_requested"]
    page = inbox_of(notifications, SITI, unread_only=True, per_page=1)
    assert (len(page["items"]), page["total"], page["unread"]) == (1, 2, 2)
    mine = inbox_of(notifications, SITI)["items"]
    asked = next(n for n in mine if n["kind"] == "revision_requested")
    assert "Lampirkan gambar denah yang ditandatangani" in asked["body"]
    assert asked["subject"] == "Permohonan Anda perlu diperbaiki"


def test_read_marks_are_the_owners_only(notifications):
    deliver(notifications, "licensing", "permit_issued", PERMIT, "on_permit_issued")
    (told,) = inbox_of(notifications, SITI)["items"]
    with rpc_to("notifications", notifications["config"], actor=BUDI) as budi:
        with pytest.raises(NotFound):
            budi.mark_read(told["id"])
        assert budi.mark_all_read() == {"marked": 0}
    with rpc_to("notifications", notifications["config"], actor=SITI) as siti:
        assert siti.unread_count() == {"unread": 1}
        assert siti.mark_read(told["id"])["read_at"] is not None
        assert siti.unread_count() == {"unread": 0}
        assert siti.mark_all_read() == {"marked": 0}


def test_a_module_decision_and_a_booking_are_told_to_the_person_they_concern(notifications):
    deliver(
        notifications,
        "social_aid",
        "application_submitted",
        {
            "application_id": "aid-1",
            "service": "bansos_pangan",
            "applicant_id": "person-budi",
            "due_at": "2027-01-20T17:00:00+07:00",
            "agency": "dinsos",
            "service_name": {"id": "Bantuan pangan", "en": "Food aid"},
        },
        "on_module_application_submitted",
    )
    deliver(
        notifications,
        "social_aid",
        "application_status_changed",
        {
            "application_id": "aid-1",
            "service": "bansos_pangan",
            "status": "approved",
            "previous_status": "in_review",
            "reason": None,
        },
        "on_module_application_status_changed",
    )
    booking = {
        "booking_id": "booking-1",
        "service_code": "population",
        "starts_at": "2027-01-05T09:00:00+07:00",
        "person_id": "person-budi",
        "service_name": {"id": "Administrasi Kependudukan", "en": "Population administration"},
    }
    deliver(notifications, "queue", "booking_created", booking, "on_booking_created")
    deliver(
        notifications,
        "queue",
        "booking_cancelled",
        {"booking_id": "booking-1", "reason": "cancelled by the holder"},
        "on_booking_cancelled",
    )
    told = {n["kind"]: n for n in inbox_of(notifications, BUDI)["items"]}
    kinds = {"application_submitted", "module_decision", "booking_created", "booking_cancelled"}
    assert set(told) == kinds
    assert told["application_submitted"]["link"] == "/modules/social_aid/applications/aid-1"
    # services by their names in her language, also where a later event names only the id
    assert told["application_submitted"]["subject"] == "Permohonan diterima: Bantuan pangan"
    assert "Administrasi Kependudukan" in told["booking_cancelled"]["body"]
    dinsos = {**VERIFIER, "id": "staff-d", "agency": "dinsos"}
    (assigned,) = inbox_of(notifications, dinsos)["items"]
    assert assigned["kind"] == "application_assigned"
    assert assigned["link"] == "/office/modules/social_aid/applications/aid-1"
    assert inbox_of(notifications, VERIFIER)["total"] == 0  # another agency's
    assert told["module_decision"]["subject"] == "Permohonan Anda disetujui"
    assert "5 Januari 2027, 09:00 WIB" in told["booking_cancelled"]["body"]


def test_a_tax_bill_and_its_payment_are_told(notifications):
    bill = {
        "bill_id": "bill-1",
        "person_id": "person-siti",
        "tax_kind": "pbb_p2",
        "object": "Jl. Sukowati 1",
        "district": "Sragen",
        "amount": 125000,
        "due_on": "2027-08-31",
    }
    deliver(notifications, "regional_tax", "bill_issued", bill, "on_bill_issued")
    paid = {"bill_id": "bill-1", "person_id": "person-siti", "paid_at": "2027-08-01T10:00:00+07:00"}
    deliver(notifications, "regional_tax", "bill_paid", paid, "on_bill_paid")
    told = {n["kind"]: n for n in inbox_of(notifications, SITI)["items"]}
    assert "Rp 125.000" in told["bill_issued"]["body"]
    assert "31 Agustus 2027" in told["bill_issued"]["subject"]
    assert told["bill_paid"]["subject"] == "Tagihan pajak lunas: pajak bumi dan bangunan (PBB-P2)"


def test_a_fee_due_and_its_payment_are_told_with_the_amount_and_the_receipt(notifications):
    with rpc_to("notifications", notifications["config"], actor=SITI) as proxy:
        proxy.update_settings({"language": "en"})
    application = {"application_id": "app-9", "applicant_id": "person-siti", "permit_type": "PBG"}
    due = {**application, "agency": "dpupr", "amount": 500000}
    deliver(notifications, "licensing", "fee_due", due, "on_fee_due")
    paid = {
        **application,
        "amount": 500000,
        "receipt_reference": "KW-2027-0001",
        "paid_at": "2027-01-06T10:30:00+07:00",
    }
    deliver(notifications, "licensing", "fee_paid", paid, "on_fee_paid")
    told = {n["kind"]: n for n in inbox_of(notifications, SITI)["items"]}
    assert told["payment_due"]["subject"] == "Fee due: Rp 500,000 for PBG"
    assert "cashier of dpupr" in told["payment_due"]["body"]
    assert told["payment_due"]["link"] == "/applications/app-9"
    body = told["payment_received"]["body"]
    assert "KW-2027-0001" in body and "6 January 2027, 10:30 WIB" in body
    assert inbox_of(notifications, BUDI)["total"] == 0


def test_a_module_application_past_its_service_level_is_told_to_its_agency(notifications):
    overdue = {
        "application_id": "aid-7",
        "service": "bansos_pangan",
        "agency": "dinsos",
        "due_at": "2027-01-20T17:00:00+07:00",
    }
    handler = "on_module_application_overdue"
    deliver(notifications, "social_aid", "application_overdue", overdue, handler)
    (told,) = inbox_of(notifications, {**VERIFIER, "agency": "dinsos"})["items"]
    assert told["kind"] == "application_overdue" and "20 Januari 2027" in told["body"]
    assert told["link"] == "/office/modules/social_aid/applications/aid-7"
    assert inbox_of(notifications, VERIFIER)["total"] == 0


def test_her_turn_near_is_told_once_a_ticket_even_when_it_comes_back(notifications):
    near = {
        "ticket_id": "ticket-1",
        "label": "A-012",
        "service_code": "population",
        "person_id": "person-siti",
        "position": 3,
    }
    deliver(notifications, "queue", "turn_near", near, "on_turn_near")
    (told,) = inbox_of(notifications, SITI)["items"]
    assert (told["kind"], told["subject"]) == ("turn_near", "Giliran Anda hampir tiba: tiket A-012")
    assert "urutan ke-3" in told["body"] and told["link"] == "/tickets/ticket-1"
    assert told["essential"] is False  # not held by her quiet hours; not for essential-only
    # her ticket was requeued behind a released counter and is third again: a new event
    deliver(notifications, "queue", "turn_near", near, "on_turn_near")
    made = rows(notifications["config"]["DATABASE_URL"], select(Notification))
    assert len(made) == 1
    deliver(notifications, "queue", "turn_near", {**near, "ticket_id": "ticket-2"}, "on_turn_near")
    assert inbox_of(notifications, SITI)["total"] == 2  # her next ticket is told again
    assert inbox_of(notifications, BUDI)["total"] == 0


DIGEST = {
    "person_id": "person-siti",
    "week_start": "2027-01-04",
    "week_end": "2027-01-11",
    "total": 3,
    "readers": [
        {"actor_role": "verifier", "actor_agency": "dpmptsp", "reads": 2},
        {"actor_role": "registrar", "actor_agency": "disdukcapil", "reads": 1},
    ],
}


def test_the_weekly_digest_of_record_reads_is_in_her_inbox_once_in_her_language(notifications):
    event = deliver(
        notifications,
        "gateway_accounts",
        "record_reads_digest",
        DIGEST,
        "on_record_reads_digest",
    )
    (told,) = inbox_of(notifications, SITI)["items"]
    assert told["kind"] == "record_reads"
    assert told["subject"] == "Siapa yang membaca data Anda pada pekan 4 Januari 2027"
    assert "dari 4 Januari 2027 sampai 10 Januari 2027. Jumlah pembacaan: 3." in told["body"]
    assert "- verifier (dpmptsp): 2\n- registrar (disdukcapil): 1" in told["body"]
    assert "https://mpp.example.go.id/my-record" in told["body"]
    assert told["link"] == "/my-record"
    assert inbox_of(notifications, BUDI)["total"] == 0
    with entrypoint_waiter(notifications["container"], "on_record_reads_digest"):
        publish_event(notifications["config"], event)  # delivered again
    assert inbox_of(notifications, SITI)["total"] == 1


def test_the_digest_is_told_in_english_to_her_who_chose_english(notifications):
    with rpc_to("notifications", notifications["config"], actor=SITI) as proxy:
        proxy.update_settings({"language": "en"})
    deliver(
        notifications,
        "gateway_accounts",
        "record_reads_digest",
        DIGEST,
        "on_record_reads_digest",
    )
    (told,) = inbox_of(notifications, SITI)["items"]
    assert told["subject"] == "Who read your record in the week of 4 January 2027"
    assert "from 4 January 2027 to 10 January 2027. Reads: 3." in told["body"]


def test_a_marriage_certificate_is_told_to_both_spouses(notifications):
    married = {
        "spouse_ids": ["person-budi", "person-siti"],
        "married_on": "2027-01-09",
        "family_card_id": None,
        "certificate_number": "3314-KW-09012027-0001",
    }
    deliver(
        notifications, "civil_registry", "marriage_registered", married, "on_marriage_registered"
    )
    for spouse in (SITI, BUDI):
        (told,) = inbox_of(notifications, spouse)["items"]
        assert told["subject"] == "Akta perkawinan telah terbit: 3314-KW-09012027-0001"
        assert "9 Januari 2027" in told["body"]


def test_a_booking_cancelled_because_the_mall_closes_says_so(notifications):
    booking = {
        "booking_id": "booking-9",
        "service_code": "population",
        "starts_at": "2027-01-05T09:00:00+07:00",
        "person_id": "person-siti",
    }
    deliver(notifications, "queue", "booking_created", booking, "on_booking_created")
    closed = {
        "booking_id": "booking-9",
        "reason": "the mall is closed on 2027-01-05",
        "closed_day": {"id": "Hari Jadi Kabupaten Sragen", "en": "Sragen Regency Day"},
    }
    deliver(notifications, "queue", "booking_cancelled", closed, "on_booking_cancelled")
    told = {n["kind"]: n for n in inbox_of(notifications, SITI)["items"]}
    body = told["booking_cancelled"]["body"]
    assert "Mal tutup pada hari itu (Hari Jadi Kabupaten Sragen)" in body
