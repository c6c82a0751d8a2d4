"""The desk's lifecycle tables, checked for every application kind of the mall."""

from dataclasses import replace

import pytest

from chassis.module import DECISION
from desk.lifecycle import APPLICANT, Action, IllegalTransition, Lifecycle
from services.licensing.domain import PERMIT

KINDS = [PERMIT, DECISION]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.kind)
def test_every_state_is_reached_and_every_actions_party_has_roles(kind):
    assert kind.problems() == []
    for action in kind.actions:
        assert action.party == APPLICANT or kind.parties[action.party], action
        assert action.sources <= kind.states and action.target in kind.states
    assert kind.clock_running <= kind.states - kind.final_states
    assert kind.closed in kind.final_states


def test_a_broken_table_is_told_what_is_wrong():
    broken = replace(
        DECISION,
        actions=(
            *DECISION.actions,
            Action("appeal", frozenset({"lost"}), "appealed", "ombudsman"),
        ),
    )
    assert broken.problems() == [
        "module_application: state appealed is never reached",
        "module_application: state lost is never reached",
        "module_application: appeal is taken by ombudsman, no roles",
    ]


def test_allowed_actions_are_the_parties_own():
    assert PERMIT.allowed("in_verification", {"officer"}) == [
        "request_revision",
        "approve",
        "reject",
    ]
    assert PERMIT.allowed("in_verification", {APPLICANT}) == ["withdraw"]
    assert PERMIT.allowed("in_verification", set()) == []
    assert PERMIT.parties_of("verifier", is_applicant=False, same_agency=True) == {"officer"}
    assert PERMIT.parties_of("verifier", is_applicant=False, same_agency=False) == set()
    assert PERMIT.parties_of("cashier", is_applicant=False, same_agency=True) == set()
    assert DECISION.parties_of("agency_admin", is_applicant=False, same_agency=True) == {"decider"}


def test_a_step_the_table_lacks_is_refused_with_its_code_and_what_is_allowed():
    with pytest.raises(IllegalTransition) as raised:
        DECISION.next_state("rejected", "approve")
    refusal = raised.value
    assert (refusal.code, refusal.allowed) == ("application_closed", [])
    assert refusal.params == {"state": "rejected", "action": "approve"}
    assert str(refusal) == (
        "cannot approve an application that is rejected; allowed: nothing, it is closed"
    )
    with pytest.raises(IllegalTransition) as raised:
        DECISION.next_state("in_review", "review")
    assert raised.value.code == "illegal_transition"
    assert raised.value.params["allowed"] == "approve, reject, withdraw"


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.kind)
def test_a_rejection_needs_a_note_the_applicant_reads(kind):
    assert kind.action("reject").note_required
    assert not kind.action("approve").note_required


def test_a_lifecycle_without_its_closed_state_final_is_unsound():
    looping = Lifecycle(
        kind="loop",
        start="open",
        actions=(
            Action("close", frozenset({"open"}), "closed", APPLICANT),
            Action("reopen", frozenset({"closed"}), "open", APPLICANT),
        ),
        parties={},
        clock_running=frozenset({"open", "pending"}),
        closed="closed",
    )
    assert looping.problems() == [
        "loop: the clock runs in unknown state pending",
        "loop: closed is not final",
    ]


def test_service_levels_and_timeouts_must_name_the_tables_own_states_and_actions():
    broken = replace(
        DECISION,
        service_levels={"in_review": 5, "appealed": 3},
        timeouts={"in_review": "withdraw", "submitted": "approve", "approved": "reopen"},
    )
    assert broken.problems() == [
        "module_application: a service level for unknown state appealed",
        "module_application: approved times out without a service level",
        "module_application: approved times out by reopen, not an action of it",
        "module_application: submitted times out without a service level",
    ]
    assert replace(DECISION, service_levels={"in_review": 5}).problems() == []
    assert DECISION.open_states == ("in_review", "submitted")
    assert DECISION.staff_roles == {"verifier", "agency_admin"}
