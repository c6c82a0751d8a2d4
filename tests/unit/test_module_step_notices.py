"""Who is told of a step of an agency module's application, and what the module's event
says for it: the state's name, the agency that owes the next step, who took the step."""

import pytest

from chassis.module import DECISION
from contracts.modules import state_names
from services.complaints.service import COMPLAINT, MANIFEST
from services.notifications import domain


def step(status="verified", **fields):
    return {"application_id": "c-1", "service": "complaint", "status": status, **fields}


def test_the_staff_party_that_owes_a_step_is_the_first_named_unless_the_mall_moves_by_itself():
    owing = {state: DECISION.owing_party(state) for state in sorted(DECISION.states)}
    assert owing == {
        "approved": None,
        "closed": None,
        "in_review": "decider",
        "rejected": None,
        "submitted": "decider",
        "withdrawn": None,
    }
    owing = {state: COMPLAINT.owing_party(state) for state in sorted(COMPLAINT.states)}
    assert owing == {
        "closed": None,
        "dispositioned": "responder",  # follow_up is named before redisposition
        "followed_up": "responder",
        "received": "officer",
        "rejected": None,
        "reopened": "responder",
        "resolved": None,  # hers to confirm, else it closes by itself (close_unconfirmed)
        "verified": "officer",
    }


def test_a_state_is_named_by_the_manifests_words_for_it_else_by_none():
    manifest = {
        **MANIFEST,
        "lifecycle": {"states": {"verified": {"name_id": "Terverifikasi", "name_en": "Verified"}}},
    }
    assert state_names(manifest, "verified") == {"id": "Terverifikasi", "en": "Verified"}
    assert state_names(manifest, "closed") is None
    assert state_names({**MANIFEST, "lifecycle": None}, "verified") is None
    assert state_names({"module": "x"}, "verified") is None


@pytest.mark.parametrize(
    ("data", "told"),
    [
        (step(by_applicant=False, by_agency="mpp"), True),  # an officer's step
        (step("reopened", by_applicant=True, by_agency=None), False),  # her own
        (step("closed", by_applicant=False, by_agency=None), True),  # the mall's own
        (step("approved"), True),  # an event of before by_applicant: decisions, as then
        (step("rejected"), True),
        (step("in_review"), False),
    ],
)
def test_the_applicant_is_told_of_every_step_she_did_not_take_herself(data, told):
    assert domain.applicant_told_of_step(data) is told


def test_the_agency_owing_the_next_step_is_told_unless_it_took_this_one():
    sent = step("dispositioned", agency="dinkes", by_agency="mpp", by_applicant=False)
    assert domain.agency_told_of_step(sent) == "dinkes"
    reopened = step("reopened", agency="dinkes", by_agency=None, by_applicant=True)
    assert domain.agency_told_of_step(reopened) == "dinkes"
    verified = step("verified", agency="mpp", by_agency="mpp", by_applicant=False)
    assert domain.agency_told_of_step(verified) is None  # its own step: its worklist has it
    closed = step("closed", agency=None, by_agency="dinkes", by_applicant=False)
    assert domain.agency_told_of_step(closed) is None  # nobody owes a step
    assert domain.agency_told_of_step(step("approved")) is None  # an event of before


def test_a_step_by_neither_staff_nor_the_applicant_is_the_malls_own():
    assert domain.step_by_mall(step("closed", by_applicant=False, by_agency=None))
    assert not domain.step_by_mall(step("closed", by_applicant=True, by_agency=None))
    assert not domain.step_by_mall(step("verified", by_applicant=False, by_agency="mpp"))
    assert not domain.step_by_mall(step("closed"))  # an event of before: not known
