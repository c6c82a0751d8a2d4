"""The ticket's lifecycle as data: every step known, every status reachable."""

import pytest

from services.queue import domain


def test_every_status_is_reachable_from_the_issued_ticket():
    reached, frontier = {domain.TICKET_START}, [domain.TICKET_START]
    while frontier:
        status = frontier.pop()
        for sources, target in domain.TICKET_STEPS.values():
            if status in sources and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == domain.TICKET_STATUSES


def test_every_actions_sources_and_target_are_known_statuses():
    known = {"waiting", "called", "serving", "done", "no_show", "transferred", "cancelled"}
    assert domain.TICKET_STATUSES == known
    for sources, target in domain.TICKET_STEPS.values():
        assert sources and sources <= known and target in known


def test_a_finished_ticket_takes_no_step_and_an_active_one_can_always_end():
    for status in domain.FINISHED:
        assert not any(status in sources for sources, _ in domain.TICKET_STEPS.values())
    assert {domain.TICKET_STEPS[a][1] for a in ("finish", "transfer")} <= domain.FINISHED
    for status in domain.ACTIVE:
        assert domain.may_take(status, "finish") and domain.may_take(status, "transfer")


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        ("waiting", "call", "called"),
        ("called", "recall", "called"),
        ("called", "start_service", "serving"),
        ("called", "no_show", "no_show"),
        ("called", "finish", "done"),
        ("serving", "finish", "done"),
        ("serving", "transfer", "transferred"),
        ("serving", "requeue", "waiting"),
        ("waiting", "cancel", "cancelled"),
    ],
)
def test_each_step_leads_to_its_target(status, action, target):
    assert domain.next_status(status, action) == target


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("serving", "start_service"),
        ("serving", "no_show"),
        ("serving", "recall"),
        ("called", "cancel"),
        ("waiting", "finish"),
        ("done", "finish"),
        ("cancelled", "call"),
        ("waiting", "fly"),
    ],
)
def test_a_step_not_in_the_table_is_refused(status, action):
    assert not domain.may_take(status, action)
    with pytest.raises(domain.IllegalStep):
        domain.next_status(status, action)


@pytest.mark.parametrize(
    ("status", "mine", "held", "elsewhere", "current", "allowed"),
    [
        ("closed", True, False, False, None, ["open_counter"]),
        ("closed", True, False, True, None, []),  # one counter per officer
        ("closed", False, False, False, None, []),  # another agency's
        ("open", True, False, False, None, []),  # held by another officer
        ("open", True, True, False, None, ["call_next", "close_counter"]),
        (
            "open",
            True,
            True,
            False,
            "called",
            ["start_service", "recall", "no_show", "finish", "transfer"],
        ),
        ("open", True, True, False, "serving", ["finish", "transfer"]),
    ],
)
def test_what_an_officer_may_do_at_a_counter(status, mine, held, elsewhere, current, allowed):
    assert domain.counter_actions(status, mine, held, elsewhere, current) == allowed


def test_every_step_offered_at_a_counter_is_a_step_of_the_ticket():
    assert set(domain.TICKET_DESK) <= set(domain.TICKET_STEPS)
