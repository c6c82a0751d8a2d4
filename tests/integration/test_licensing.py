"""Licensing over the real RabbitMQ, on SQLite and PostgreSQL: from draft to permit."""

from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import select, update

from chassis.clock import today
from chassis.database import utcnow
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from chassis.storage import LocalDocumentStore
from contracts.events import envelope
from scripts.demo_data import PERMIT_TYPES, seed
from services.civil_registry.service import CivilRegistryService
from services.licensing.models import Application, OutboxEvent, Permit
from services.licensing.service import LicensingService
from tests.documents import pdf
from tests.integration.helpers import (
    FRONT_DESK,
    in_mall_time,
    publish_event,
    rows,
    rpc_to,
    session_for,
)

SITI = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
}
PDF = pdf("a scan")
DPUPR = {"id": "dpupr-verifier-1", "role": "verifier", "agency": "dpupr"}
DPUPR_CASHIER = {"id": "dpupr-cashier-1", "role": "cashier", "agency": "dpupr"}
DINKES = {"id": "dinkes-verifier-1", "role": "verifier", "agency": "dinkes"}


@pytest.fixture
def mall(container_factory, service_config, tmp_path):
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    config = service_config(
        "licensing", DOCUMENT_STORE=str(tmp_path / "documents"), MAX_DOCUMENT_BYTES=10_000
    )
    seed(config["DATABASE_URL"], PERMIT_TYPES)
    container = container_factory(LicensingService, config)
    container.start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(SITI)
    store = LocalDocumentStore(config["DOCUMENT_STORE"], config["MAX_DOCUMENT_BYTES"])
    return {
        "config": config,
        "container": container,
        "siti": siti,
        "store": store,
        "citizen": {"id": "c-siti", "role": "citizen", "person_id": siti["id"]},
    }


def draft(mall, permit_type: str) -> dict:
    with rpc_to("licensing", mall["config"], actor=mall["citizen"]) as licensing:
        return licensing.create_application(
            {
                "permit_type": permit_type,
                "applicant_nik": SITI["nik"],
                "applicant_name": SITI["full_name"],
                "applicant_birth_date": SITI["birth_date"],
            }
        )


def attach(mall, application_id: str, *kinds: str, content: bytes | None = None) -> None:
    """Attach a file for each kind: by default a different one each (one file, one kind)."""
    with rpc_to("licensing", mall["config"], actor=mall["citizen"]) as licensing:
        for kind in kinds:
            stored = mall["store"].put(content or pdf(kind))
            licensing.attach_document(
                application_id,
                {
                    "kind": kind,
                    "sha256": stored.sha256,
                    "size": stored.size,
                    "content_type": stored.content_type,
                    "filename": f"{kind}.pdf",
                },
            )


def act(mall, actor: dict, application_id: str, action: str, note: str | None = None) -> dict:
    with rpc_to("licensing", mall["config"], actor=actor) as licensing:
        return licensing.act(application_id, {"action": action, "note": note})


def events(mall, event_type: str) -> list:
    return rows(
        mall["config"]["DATABASE_URL"],
        select(OutboxEvent).where(OutboxEvent.event_type == event_type),
    )


def test_a_complete_low_risk_application_is_issued_on_submission(mall):
    application = draft(mall, "NIB")
    attach(mall, application["id"], "ktp")
    issued = act(mall, mall["citizen"], application["id"], "submit")
    assert issued["status"] == "issued" and issued["permit_id"]
    assert [h["action"] for h in issued["history"]] == [
        "submit",
        "start_verification",
        "approve",
        "issue",
    ]
    with rpc_to("licensing", mall["config"], actor=None) as public:
        [permit] = rows(mall["config"]["DATABASE_URL"], select(Permit))
        check = public.verify_permit({"number": permit.number})
    assert permit.number == f"NIB/{today().year}/000001"
    assert check == {
        "valid": True,
        "status": "active",
        "permit_type": "NIB",
        "valid_from": today().isoformat(),
        "valid_until": None,
        "holder": "S*** R*****",
    }
    [event] = events(mall, "permit_issued")
    assert event.payload["data"]["number"] == permit.number
    assert events(mall, "fee_due") == []  # a free permit asks for no fee


def test_submission_enforces_the_required_documents(mall):
    application = draft(mall, "PBG")
    attach(mall, application["id"], "ktp")
    with pytest.raises(InvalidInput) as err:
        act(mall, mall["citizen"], application["id"], "submit")
    assert err.value.fields["documents"] == ["missing: land_certificate", "missing: building_plan"]


def test_a_paid_permit_goes_through_verification_revision_and_the_cashier(mall):
    application = draft(mall, "PBG")["id"]
    attach(mall, application, "ktp", "land_certificate", "building_plan")
    submitted = act(mall, mall["citizen"], application, "submit")
    assert submitted["status"] == "submitted" and submitted["due_at"]
    act(mall, DPUPR, application, "start_verification")
    act(mall, DPUPR, application, "request_revision", "the plan lacks a scale")
    attach(mall, application, "building_plan", content=pdf("the plan with a scale"))
    with pytest.raises(Conflict, match="already attached"):
        attach(mall, application, "building_plan", content=pdf("the plan with a scale"))
    act(mall, mall["citizen"], application, "resubmit")
    act(mall, DPUPR, application, "start_verification")
    approved = act(mall, DPUPR, application, "approve", "meets the zoning plan")
    assert (approved["status"], approved["paid"]) == ("approved", False)  # waits for the fee
    [due] = events(mall, "fee_due")  # its applicant is told how much, once
    assert due.payload["data"] == {
        "application_id": application,
        "applicant_id": approved["applicant_id"],
        "permit_type": "PBG",
        "agency": "dpupr",
        "amount": 500000,
    }

    with rpc_to("licensing", mall["config"], actor=DPUPR_CASHIER) as cashier:
        with pytest.raises(InvalidInput, match="wrong amount"):
            cashier.record_payment(application, {"amount": 1, "receipt_reference": "KW-1"})
        paid = cashier.record_payment(
            application, {"amount": 500000, "receipt_reference": "KW-2026-0001"}
        )
    assert (paid["status"], paid["paid"]) == ("issued", True)
    [received] = events(mall, "fee_paid")
    assert received.payload["data"]["receipt_reference"] == "KW-2026-0001"
    assert received.payload["data"]["amount"] == 500000
    assert [e.event_id for e in events(mall, "fee_due")] == [due.event_id]
    notes = [h["note"] for h in paid["history"]]
    assert "the plan lacks a scale" in notes and "meets the zoning plan" in notes
    assert {h["actor_id"] for h in paid["history"]} >= {"c-siti", "dpupr-verifier-1"}


def test_every_time_in_licensings_replies_carries_the_mall_offset(mall):
    """SQLite gives moments back naive, PostgreSQL in its session's zone: a reply says WIB."""
    application = draft(mall, "PBG")["id"]
    attach(mall, application, "ktp", "land_certificate", "building_plan")
    submitted = act(mall, mall["citizen"], application, "submit")
    with rpc_to("licensing", mall["config"], actor=DPUPR) as officer:
        [item] = officer.worklist()
        seen = officer.get_application(application)
    moments = [
        submitted["created_at"],
        submitted["submitted_at"],
        submitted["due_at"],
        item["submitted_at"],
        item["due_at"],
        *[document["uploaded_at"] for document in seen["documents"]],
        *[step["at"] for step in seen["history"]],
    ]
    assert len(moments) == 9 and in_mall_time(*moments), moments
    assert item["due_at"] == seen["due_at"] == submitted["due_at"]


def test_a_revision_or_rejection_needs_a_note_and_each_party_sees_its_own_steps(mall):
    application = draft(mall, "PBG")["id"]
    attach(mall, application, "ktp", "land_certificate", "building_plan")
    act(mall, mall["citizen"], application, "submit")
    verifying = act(mall, DPUPR, application, "start_verification")
    assert verifying["allowed_actions"] == ["request_revision", "approve", "reject"]
    for action in ("request_revision", "reject"):
        with pytest.raises(InvalidInput) as refused:
            act(mall, DPUPR, application, action, " ")
        assert "note" in refused.value.fields
    manager = {"id": "manager-1", "role": "mall_manager", "agency": "mpp"}
    for actor, steps in (
        (mall["citizen"], ["withdraw"]),
        (DPUPR_CASHIER, []),
        (manager, []),
    ):
        with rpc_to("licensing", mall["config"], actor=actor) as licensing:
            assert licensing.get_application(application)["allowed_actions"] == steps, actor
    [row] = rows(mall["config"]["DATABASE_URL"], select(Application))
    assert row.status == "in_verification"


def test_an_illegal_step_names_the_current_state_and_the_allowed_actions(mall):
    application = draft(mall, "PBG")["id"]
    with pytest.raises(Conflict) as err:
        act(mall, DPUPR, application, "approve")
    assert "draft" in str(err.value)
    assert err.value.fields == {"allowed_actions": ["submit", "withdraw"]}


def test_only_the_issuing_agency_verifies_and_only_the_applicant_sees_it(mall):
    application = draft(mall, "PBG")["id"]
    attach(mall, application, "ktp", "land_certificate", "building_plan")
    act(mall, mall["citizen"], application, "submit")
    with pytest.raises(NotFound):  # another agency's officer does not even see it
        act(mall, DINKES, application, "start_verification")
    with pytest.raises(Forbidden):  # the cashier of the agency sees it, but does not verify
        act(mall, DPUPR_CASHIER, application, "start_verification")
    stranger = {"id": "c-2", "role": "citizen", "person_id": "someone-else"}
    with rpc_to("licensing", mall["config"], actor=stranger) as licensing:
        with pytest.raises(NotFound):
            licensing.get_application(application)
        with pytest.raises(NotFound):
            licensing.act(application, {"action": "withdraw"})


def test_a_document_must_be_in_the_store_before_it_is_attached(mall):
    application = draft(mall, "NIB")["id"]
    with rpc_to("licensing", mall["config"], actor=mall["citizen"]) as licensing:
        with pytest.raises(InvalidInput) as err:
            licensing.attach_document(
                application,
                {"kind": "ktp", "sha256": "0" * 64, "size": 10, "content_type": "application/pdf"},
            )
    assert "sha256" in err.value.fields


def test_only_the_kinds_the_permit_type_lists_are_attached_and_never_a_control_character(mall):
    application = draft(mall, "NIB")["id"]
    with pytest.raises(InvalidInput) as unknown:
        attach(mall, application, "passport")
    assert unknown.value.fields == {"kind": ["must be one of: ktp"]}
    for hidden in ("ktp\x00", "ktp\n", "k\u202etp"):
        with pytest.raises(InvalidInput) as refused:
            attach(mall, application, hidden)
        # the mall's text rule (NUL, control characters) or licensing's own (bidi, zero-width)
        assert refused.value.fields["kind"][0].startswith("must not contain")
    with rpc_to("licensing", mall["config"], actor=mall["citizen"]) as licensing:
        assert licensing.get_application(application)["documents"] == []


def test_one_file_serves_one_requirement_of_an_application(mall):
    application = draft(mall, "PBG")["id"]
    attach(mall, application, "ktp", content=PDF)
    for kind in ("land_certificate", "ktp"):
        with pytest.raises(Conflict, match="already attached") as err:
            attach(mall, application, kind, content=PDF)
        assert err.value.fields == {"file": ["already attached as ktp"]}
    with rpc_to("licensing", mall["config"], actor=mall["citizen"]) as licensing:
        state = licensing.get_application(application)
    assert [d["kind"] for d in state["documents"]] == ["ktp"]
    assert state["missing_documents"] == ["land_certificate", "building_plan"]
    attach(mall, draft(mall, "NIB")["id"], "ktp", content=PDF)  # another application may


def test_a_document_keeps_a_clean_display_name_not_the_path_it_was_sent_with(mall):
    application = draft(mall, "PBG")["id"]
    sent = {
        # control characters never get this far (the mall's text rule refuses them);
        # format characters (bidi, zero-width) and folders are cleaned away here
        "ktp": "C:\\Users\\siti\\..\\ktp\u200b scan.pdf",
        "land_certificate": "../../etc/passwd",
        "building_plan": "\u202e\u200f",
    }
    with rpc_to("licensing", mall["config"], actor=mall["citizen"]) as licensing:
        for kind, filename in sent.items():
            stored = mall["store"].put(pdf(kind))
            reference = {"kind": kind, "sha256": stored.sha256, "size": stored.size}
            licensing.attach_document(
                application,
                {**reference, "content_type": stored.content_type, "filename": filename},
            )
        shown = licensing.get_application(application)["documents"]
    assert {d["kind"]: d["filename"] for d in shown} == {
        "ktp": "ktp scan.pdf",
        "land_certificate": "passwd",
        "building_plan": "document.pdf",
    }


def test_the_worklist_shows_the_agencys_waiting_applications_oldest_first(mall):
    first, second = draft(mall, "PBG")["id"], draft(mall, "PBG")["id"]
    for application in (first, second):
        attach(mall, application, "ktp", "land_certificate", "building_plan")
        act(mall, mall["citizen"], application, "submit")
    with rpc_to("licensing", mall["config"], actor=DPUPR) as licensing:
        worklist = licensing.worklist()
    with rpc_to("licensing", mall["config"], actor=DINKES) as licensing:
        assert licensing.worklist() == []
    assert [item["id"] for item in worklist] == [first, second]
    assert all(item["working_days_left"] > 0 for item in worklist)


def test_the_clock_flags_overdue_applications_and_expires_permits_once(mall):
    application = draft(mall, "PBG")["id"]
    attach(mall, application, "ktp", "land_certificate", "building_plan")
    act(mall, mall["citizen"], application, "submit")
    sip = draft(mall, "NIB")["id"]
    attach(mall, sip, "ktp")
    act(mall, mall["citizen"], sip, "submit")
    url = mall["config"]["DATABASE_URL"]
    with session_for(url) as session, session.begin():
        session.execute(
            update(Application)
            .where(Application.id == application)
            .values(due_at=utcnow() - timedelta(days=1))
        )
        session.execute(update(Permit).values(valid_until=today() + timedelta(days=10)))
    with rpc_to("licensing", mall["config"]) as licensing:
        assert licensing.sweep() == {"overdue": 1, "expiring": 1, "expired": 0}
        assert licensing.sweep() == {"overdue": 0, "expiring": 0, "expired": 0}
        with session_for(url) as session, session.begin():
            session.execute(update(Permit).values(valid_until=today() - timedelta(days=1)))
        assert licensing.sweep() == {"overdue": 0, "expiring": 0, "expired": 1}
    assert len(events(mall, "application_overdue")) == 1
    assert len(events(mall, "permit_expiring")) == 1
    assert [p.status for p in rows(url, select(Permit))] == ["expired"]


def test_renewal_links_a_new_draft_and_revocation_needs_the_issuing_agency(mall):
    sip = draft(mall, "SIP")["id"]
    attach(mall, sip, "ktp", "str", "diploma")
    act(mall, mall["citizen"], sip, "submit")
    act(mall, DINKES, sip, "start_verification")
    permit_id = act(mall, DINKES, sip, "approve")["permit_id"]
    with rpc_to("licensing", mall["config"], actor=mall["citizen"]) as licensing:
        renewal = licensing.renew_permit(permit_id)
        assert [p["id"] for p in licensing.my_permits()] == [permit_id]
    assert (renewal["status"], renewal["renewal_of"]) == ("draft", permit_id)
    with rpc_to("licensing", mall["config"], actor=DPUPR) as licensing:
        with pytest.raises(NotFound):  # another agency's permit is not even seen
            licensing.revoke_permit(permit_id, {"reason": "not theirs to revoke"})
    with rpc_to("licensing", mall["config"], actor=mall["citizen"]) as licensing:
        with pytest.raises(Forbidden):  # the holder sees it but does not revoke it
            licensing.revoke_permit(permit_id, {"reason": "I would rather not have it"})
    with rpc_to("licensing", mall["config"], actor=DINKES) as licensing:
        revoked = licensing.revoke_permit(permit_id, {"reason": "practice closed down"})
        with pytest.raises(Conflict):
            licensing.revoke_permit(permit_id, {"reason": "practice closed down"})
    assert (revoked["status"], revoked["status_reason"]) == ("revoked", "practice closed down")


def test_a_death_closes_open_applications_and_suspends_permits_once(mall):
    open_one = draft(mall, "PBG")["id"]
    nib = draft(mall, "NIB")["id"]
    attach(mall, nib, "ktp")
    act(mall, mall["citizen"], nib, "submit")
    died = envelope(
        "civil_registry",
        "person_died",
        {"person_id": mall["siti"]["id"], "died_on": "2026-11-20"},
        "req-1",
    )
    for _ in range(2):  # delivered twice
        with entrypoint_waiter(mall["container"], "on_person_died"):
            publish_event(mall["config"], died)
    url = mall["config"]["DATABASE_URL"]
    [closed] = rows(url, select(Application).where(Application.id == open_one))
    assert (closed.status, closed.closed_reason) == ("withdrawn", "applicant deceased")
    [permit] = rows(url, select(Permit))
    assert (permit.status, permit.status_reason) == ("suspended", "holder deceased")
    assert len(events(mall, "permit_suspended")) == 1


def test_the_front_desk_opens_an_application_for_a_resident_but_not_for_the_dead(mall):
    with rpc_to("licensing", mall["config"], actor=FRONT_DESK) as licensing:
        application = licensing.create_application(
            {
                "permit_type": "NIB",
                "applicant_nik": SITI["nik"],
                "applicant_name": SITI["full_name"],
                "applicant_birth_date": SITI["birth_date"],
            }
        )
    assert application["applicant_id"] == mall["siti"]["id"]
    other = {"id": "c-x", "role": "citizen", "person_id": "someone-else"}
    with rpc_to("licensing", mall["config"], actor=other) as licensing, pytest.raises(Forbidden):
        licensing.create_application(
            {
                "permit_type": "NIB",
                "applicant_nik": SITI["nik"],
                "applicant_name": SITI["full_name"],
                "applicant_birth_date": SITI["birth_date"],
            }
        )
