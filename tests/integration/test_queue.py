"""The counter queue over the real RabbitMQ, on SQLite and PostgreSQL."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from chassis.clock import MALL_TIME, today
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from scripts.demo_data import QUEUE_SETUP, seed
from services.queue.models import Counter, CounterRelease, OpeningHours, OutboxEvent
from services.queue.service import QueueService
from tests.integration.helpers import rows, rpc_to, session_for

OFFICER_1 = {"id": "officer-1", "role": "counter_officer", "agency": "disdukcapil"}
OFFICER_2 = {"id": "officer-2", "role": "counter_officer", "agency": "disdukcapil"}
TAX_OFFICER = {"id": "officer-4", "role": "counter_officer", "agency": "bapenda"}


@pytest.fixture
def queue(container_factory, service_config):
    config = service_config("queue")
    seed(config["DATABASE_URL"], QUEUE_SETUP)
    container_factory(QueueService, config).start()
    return config


FRONT_DESK = {"id": "desk-1", "role": "counter_officer", "agency": "mpp"}


def issue(queue, *priorities, service="population") -> list[dict]:
    with rpc_to("queue", queue, actor=FRONT_DESK) as kiosk:
        return [kiosk.issue_ticket({"service_code": service, "priority": p}) for p in priorities]


def test_a_ticket_goes_from_waiting_to_called_serving_and_done(queue):
    [ticket] = issue(queue, None)
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        called = counter.call_next("loket-1")
        assert (called["id"], called["status"], called["counter_id"]) == (
            ticket["id"],
            "called",
            "loket-1",
        )
        with pytest.raises(Conflict, match="current ticket first"):
            counter.call_next("loket-1")  # one ticket at a time
        counter.recall("loket-1")
        assert counter.start_service("loket-1")["status"] == "serving"
        done = counter.finish("loket-1", {"outcome": "KTP printed"})
    assert (done["status"], done["outcome"]) == ("done", "KTP printed")
    calls = [
        e.payload["data"]
        for e in rows(queue["DATABASE_URL"], select(OutboxEvent))
        if e.event_type == "ticket_called"
    ]
    assert [(c["label"], c["counter_number"], c["recall"]) for c in calls] == [
        ("A-001", 1, False),
        ("A-001", 1, True),
    ]


def test_priority_tickets_go_first_but_never_more_than_three_in_a_row(queue):
    tickets = issue(queue, None, None, "elderly", "pregnant", "disability", "elderly")
    labels = {t["id"]: t["label"] for t in tickets}
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        order = []
        for _ in tickets:
            called = counter.call_next("loket-1")
            order.append(labels[called["id"]])
            counter.finish("loket-1", {"outcome": "done"})
    # A-003..A-005 are priority; after three in a row the oldest regular ticket goes
    assert order == ["A-003", "A-004", "A-005", "A-001", "A-006", "A-002"]


def test_a_no_show_frees_the_counter_and_a_transfer_keeps_the_arrival_time(queue):
    first, second = issue(queue, None, None)
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        counter.call_next("loket-1")
        assert counter.no_show("loket-1")["status"] == "no_show"
        counter.call_next("loket-1")
        moved = counter.transfer("loket-1", {"to_service": "tax"})
    assert moved["service_code"] == "tax" and moved["label"] == "C-001"
    assert moved["arrived_at"] == second["arrived_at"]
    later = issue(queue, None, service="tax")[0]
    with rpc_to("queue", queue, actor=TAX_OFFICER) as tax:
        tax.open_counter("loket-4")
        assert tax.call_next("loket-4")["id"] == moved["id"]  # ahead of the later ticket
    assert later["id"] != moved["id"] and first["id"] != moved["id"]


def test_counters_are_worked_by_their_agencys_officer_only(queue):
    with rpc_to("queue", queue, actor=TAX_OFFICER) as tax, pytest.raises(Forbidden):
        tax.open_counter("loket-1")
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
    with rpc_to("queue", queue, actor=OFFICER_2) as other:
        with pytest.raises(Conflict, match="another officer"):
            other.open_counter("loket-1")
        with pytest.raises(Conflict, match="not open under this officer"):
            other.call_next("loket-1")
    with rpc_to("queue", queue, actor=OFFICER_2) as other:
        other.open_counter("loket-2")
        with pytest.raises(NotFound, match="nobody is waiting"):
            other.call_next("loket-2")


def test_position_and_wait_estimate_follow_the_line(queue):
    tickets = issue(queue, None, None, None)
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
    with rpc_to("queue", queue, actor=None) as kiosk:
        places = [kiosk.get_ticket(t["id"]) for t in tickets]
    assert [p["position"] for p in places] == [1, 2, 3]
    assert places[0]["estimated_wait_minutes"] == 0
    assert places[2]["estimated_wait_minutes"] > places[1]["estimated_wait_minutes"]
    assert {(p["no_counter_open"], p["opens_at"]) for p in places} == {(False, None)}


def test_no_wait_is_estimated_while_no_counter_of_the_line_is_open(queue):
    tomorrow = today() + timedelta(days=1)
    with session_for(queue["DATABASE_URL"]) as session, session.begin():
        session.execute(delete(OpeningHours))  # the mall opens tomorrow only, at 08:00
        session.add(OpeningHours(weekday=tomorrow.weekday(), opens=time(8), closes=time(15)))
    first, second = issue(queue, None, None)
    with rpc_to("queue", queue, actor=TAX_OFFICER) as tax:
        tax.open_counter("loket-4")  # another line's counter is no help
    with rpc_to("queue", queue, actor=None) as kiosk:
        places = [kiosk.get_ticket(t["id"]) for t in (first, second)]
    assert [p["estimated_wait_minutes"] for p in places] == [None, None]  # never "0 minutes"
    assert {p["no_counter_open"] for p in places} == {True}
    assert {p["opens_at"] for p in places} == {
        datetime.combine(tomorrow, time(8), MALL_TIME).isoformat()
    }


def test_the_satisfaction_survey_rates_a_finished_service_once(queue):
    [ticket] = issue(queue, None)
    with rpc_to("queue", queue, actor=None) as citizen:
        with pytest.raises(Conflict, match="only a finished service"):
            citizen.rate(ticket["id"], {"elements": [4] * 9})
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        counter.call_next("loket-1")
        counter.finish("loket-1", {"outcome": "done"})
    with rpc_to("queue", queue, actor=None) as citizen:
        with pytest.raises(InvalidInput):
            citizen.rate(ticket["id"], {"elements": [5] * 9})
        rated = citizen.rate(ticket["id"], {"elements": [4, 4, 4, 3, 3, 3, 4, 4, 4]})
        with pytest.raises(Conflict, match="already rated"):
            citizen.rate(ticket["id"], {"elements": [1] * 9})
        agency = citizen.satisfaction("agency", "disdukcapil")
    assert rated["index"] == pytest.approx(91.67, abs=0.01) and rated["grade"] == "A"
    assert rated["invites_complaint"] is False  # no element at 1
    assert (agency["responses"], agency["index"]) == (1, rated["index"])


def served(queue, ticket: dict) -> None:
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        assert counter.call_next("loket-1")["id"] == ticket["id"]
        counter.finish("loket-1", {"outcome": "done"})


def test_a_rating_with_an_element_at_poor_invites_a_complaint_and_the_ticket_says_so(queue):
    [ticket] = issue(queue, None)
    served(queue, ticket)
    with rpc_to("queue", queue, actor=None) as citizen:
        before = citizen.get_ticket(ticket["id"])
        rated = citizen.rate(ticket["id"], {"elements": [4, 4, 1, 4, 4, 4, 4, 4, 4]})
        after = citizen.get_ticket(ticket["id"])
    assert (before["rated"], before["invites_complaint"]) == (False, False)
    assert rated["invites_complaint"] is True and rated["grade"] == "A"  # a good index still
    assert (after["rated"], after["invites_complaint"]) == (True, True)


def test_a_rating_without_a_poor_element_leaves_the_ticket_inviting_nothing(queue):
    [ticket] = issue(queue, None)
    served(queue, ticket)
    with rpc_to("queue", queue, actor=None) as citizen:
        rated = citizen.rate(ticket["id"], {"elements": [2] * 9})
        after = citizen.get_ticket(ticket["id"])
    assert rated["invites_complaint"] is False and rated["grade"] == "D"
    assert (after["rated"], after["invites_complaint"]) == (True, False)


def test_daily_statistics_count_issued_served_and_no_shows(queue):
    issue(queue, None, None, None)
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        counter.call_next("loket-1")
        counter.finish("loket-1", {"outcome": "done"})
        counter.call_next("loket-1")
        counter.no_show("loket-1")
        stats = counter.daily_statistics()
    population = stats["services"]["population"]
    assert (
        population["issued"],
        population["served"],
        population["no_show"],
        population["waiting"],
    ) == (3, 1, 1, 1)
    assert population["wait_minutes_median"] is not None
    assert stats["counters"]["loket-1"]["served"] == 1


def test_the_board_lists_the_latest_calls(queue):
    issue(queue, None, None)
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        counter.call_next("loket-1")
        counter.finish("loket-1", {"outcome": "done"})
        counter.call_next("loket-1")
    with rpc_to("queue", queue, actor=None) as board:
        calls = board.recent_calls(5)
    assert [(c["label"], c["counter_number"]) for c in calls] == [("A-002", 1), ("A-001", 1)]


def test_priority_is_marked_at_the_desk_not_by_the_citizen(queue):
    with rpc_to("queue", queue, actor=None) as kiosk:
        with pytest.raises(Forbidden):
            kiosk.issue_ticket({"service_code": "population", "priority": "elderly"})
        anonymous = kiosk.issue_ticket({"service_code": "population", "person_id": "someone"})
    assert anonymous["person_id"] is None
    citizen = {"id": "c-1", "role": "citizen", "person_id": "p-1"}
    with rpc_to("queue", queue, actor=citizen) as phone:
        assert phone.issue_ticket({"service_code": "population"})["person_id"] == "p-1"


def test_an_officer_holds_one_counter_open_at_a_time(queue):
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        assert counter.open_counter("loket-1")["status"] == "open"  # again: no change
        with pytest.raises(Conflict, match="you have counter 1 open: close it first"):
            counter.open_counter("loket-2")
        counter.close_counter("loket-1")
        assert counter.open_counter("loket-2")["officer_id"] == OFFICER_1["id"]
    # the database holds the rule too, whatever the service gets wrong
    with session_for(queue["DATABASE_URL"]) as session, pytest.raises(IntegrityError):
        with session.begin():
            session.execute(
                update(Counter)
                .where(Counter.id == "loket-1")
                .values(status="open", officer_id=OFFICER_1["id"])
            )


AGENCY_ADMIN = {"id": "admin-1", "role": "agency_admin", "agency": "disdukcapil"}
TAX_ADMIN = {"id": "admin-2", "role": "agency_admin", "agency": "bapenda"}
MANAGER = {"id": "manager-1", "role": "mall_manager", "agency": "mpp"}


def test_an_admin_releases_a_counter_left_open_and_its_ticket_goes_back_in_line(queue):
    first, second, third = issue(queue, None, None, None)
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        counter.call_next("loket-1")
        counter.start_service("loket-1")  # then her account is disabled: she is gone
    for stranger in (OFFICER_2, TAX_ADMIN, None):
        with rpc_to("queue", queue, actor=stranger) as other, pytest.raises(Forbidden):
            other.release_counter("loket-1", {"reason": "not mine to close"})
    with rpc_to("queue", queue, actor=AGENCY_ADMIN) as admin:
        for blank in ({}, {"reason": "   "}):
            with pytest.raises(InvalidInput) as refused:
                admin.release_counter("loket-1", blank)
            assert "reason" in refused.value.fields
        released = admin.release_counter("loket-1", {"reason": "officer-1's account disabled"})
        with pytest.raises(Conflict, match="counter 1 is not open"):
            admin.release_counter("loket-1", {"reason": "again"})
    assert released["counter"]["status"] == "closed" and released["counter"]["officer_id"] is None
    assert (released["officer_id"], released["released_by"]) == ("officer-1", "admin-1")
    assert released["requeued_ticket_ids"] == [first["id"]]
    with rpc_to("queue", queue, actor=None) as kiosk:
        place = kiosk.get_ticket(first["id"])
        assert (place["ticket"]["status"], place["position"]) == ("waiting", 1)
        assert place["ticket"]["arrived_at"] == first["arrived_at"]
        assert kiosk.get_ticket(third["id"])["position"] == 3
    with rpc_to("queue", queue, actor=OFFICER_2) as counter:  # another officer takes over
        assert counter.open_counter("loket-1")["officer_id"] == "officer-2"
        assert counter.call_next("loket-1")["id"] == first["id"]  # at its original place
    with rpc_to("queue", queue, actor=MANAGER) as manager:  # the manager may, any agency
        manager.release_counter("loket-1", {"reason": "end of day"})
    events = [e.payload for e in rows(queue["DATABASE_URL"], select(OutboxEvent))]
    releases = [e["data"] for e in events if e["event_type"] == "counter_released"]
    assert [(r["released_by"], r["reason"], r["ticket_ids"]) for r in releases] == [
        ("admin-1", "officer-1's account disabled", [first["id"]]),
        ("manager-1", "end of day", [first["id"]]),
    ]
    requeued = [e["data"]["ticket_id"] for e in events if e["event_type"] == "ticket_requeued"]
    assert requeued == [first["id"], first["id"]] and second["id"] not in requeued
    kept = rows(queue["DATABASE_URL"], select(CounterRelease).order_by(CounterRelease.released_at))
    assert [(k.released_by_role, k.officer_id) for k in kept] == [
        ("agency_admin", "officer-1"),
        ("mall_manager", "officer-2"),
    ]


SITI = {"id": "c-siti", "role": "citizen", "person_id": "person-siti"}
BUDI = {"id": "c-budi", "role": "citizen", "person_id": "person-budi"}


def test_a_citizen_gives_up_a_waiting_ticket_and_it_is_never_called(queue):
    walk_in, kept = issue(queue, None, None)
    assert len(walk_in["cancel_code"]) == 10
    with rpc_to("queue", queue, actor=SITI) as phone:
        hers = phone.issue_ticket({"service_code": "population"})
    with rpc_to("queue", queue, actor=None) as kiosk:
        with pytest.raises(Forbidden, match="cancel code does not match") as refused:
            kiosk.cancel_ticket(walk_in["id"], {})  # the id alone (shown on boards) won't do
        assert "cancel_code" in refused.value.fields
        with pytest.raises(Forbidden):
            kiosk.cancel_ticket(walk_in["id"], {"cancel_code": kept["cancel_code"]})
        with pytest.raises(NotFound):  # a signed-in citizen's ticket: not even its existence
            kiosk.cancel_ticket(hers["id"], {})
        given_up = kiosk.cancel_ticket(walk_in["id"], {"cancel_code": walk_in["cancel_code"]})
        assert given_up["status"] == "cancelled"
        with pytest.raises(Conflict, match="only a waiting ticket"):
            kiosk.cancel_ticket(walk_in["id"], {"cancel_code": walk_in["cancel_code"]})
        assert kiosk.get_ticket(kept["id"])["position"] == 1  # the line moved up
    with rpc_to("queue", queue, actor=BUDI) as other, pytest.raises(NotFound):
        other.cancel_ticket(hers["id"], {})
    with rpc_to("queue", queue, actor=SITI) as phone:
        assert phone.cancel_ticket(hers["id"], {})["status"] == "cancelled"  # hers: no code
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        assert counter.call_next("loket-1")["id"] == kept["id"]
        counter.finish("loket-1", {"outcome": "done"})
        with pytest.raises(NotFound, match="nobody is waiting"):
            counter.call_next("loket-1")  # the cancelled tickets are never called
    with rpc_to("queue", queue, actor=None) as kiosk, pytest.raises(Conflict):
        kiosk.cancel_ticket(kept["id"], {"cancel_code": kept["cancel_code"]})  # served
    cancelled = [
        e.payload["data"]
        for e in rows(queue["DATABASE_URL"], select(OutboxEvent))
        if e.event_type == "ticket_cancelled"
    ]
    assert [c["ticket_id"] for c in cancelled] == [walk_in["id"], hers["id"]]


def test_each_counter_says_what_the_officer_asking_may_do_there_and_the_service_agrees(queue):
    [issue_one] = issue(queue, None)

    def seen(actor) -> dict:
        with rpc_to("queue", queue, actor=actor) as desk:
            return {c["id"]: (c["held_by_you"], c["allowed_actions"]) for c in desk.list_counters()}

    assert seen(OFFICER_1)["loket-1"] == (False, ["open_counter"])
    assert seen(TAX_OFFICER)["loket-1"] == (False, [])  # another agency's counter
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        assert counter.open_counter("loket-1")["allowed_actions"] == ["call_next", "close_counter"]
    assert seen(OFFICER_1)["loket-2"] == (False, [])  # one counter per officer
    assert seen(OFFICER_2)["loket-1"] == (False, [])  # held by another
    assert seen(OFFICER_2)["loket-2"] == (False, ["open_counter"])
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.call_next("loket-1")
        held, allowed = seen(OFFICER_1)["loket-1"]
        assert held and allowed == ["start_service", "recall", "no_show", "finish", "transfer"]
        with pytest.raises(Conflict):  # not offered, and refused alike
            counter.close_counter("loket-1")
        counter.start_service("loket-1")
        assert seen(OFFICER_1)["loket-1"] == (True, ["finish", "transfer"])
        with pytest.raises(Conflict):
            counter.recall("loket-1")
        counter.finish("loket-1", {"outcome": "KTP printed"})
    assert seen(OFFICER_1)["loket-1"] == (True, ["call_next", "close_counter"])
    with rpc_to("queue", queue) as visitor:  # the board asks as nobody: it may do nothing
        assert {c["allowed_actions"] == [] for c in visitor.list_counters()} == {True}


ANI = {"id": "c-ani", "role": "citizen", "person_id": "person-ani"}


def turn_near_events(queue) -> list[dict]:
    query = select(OutboxEvent).where(OutboxEvent.event_type == "turn_near")
    return [e.payload["data"] for e in rows(queue["DATABASE_URL"], query)]


def test_a_call_tells_the_citizen_now_third_in_line_that_her_turn_is_near(queue):
    [walk_in] = issue(queue, None)
    signed_in = []
    for citizen in (BUDI, SITI, ANI):
        with rpc_to("queue", queue, actor=citizen) as phone:
            signed_in.append(phone.issue_ticket({"service_code": "population"}))
    [last_walk_in] = issue(queue, None)  # five in line: kiosk, Budi, Siti, Ani, kiosk
    anis = signed_in[2]
    with rpc_to("queue", queue, actor=OFFICER_1) as counter:
        counter.open_counter("loket-1")
        assert counter.call_next("loket-1")["id"] == walk_in["id"]
        counter.recall("loket-1")  # a recall moves nobody: nobody is told
        assert turn_near_events(queue) == [
            {
                "ticket_id": anis["id"],
                "label": anis["label"],
                "service_code": "population",
                "person_id": "person-ani",
                "position": 3,
                "service_name": {
                    "id": "Administrasi Kependudukan",
                    "en": "Population administration",
                },
            }
        ]
        with rpc_to("queue", queue, actor=ANI) as phone:  # what her ticket's page shows
            assert phone.get_ticket(anis["id"])["position"] == 3
        counter.finish("loket-1", {"outcome": "done"})
        counter.call_next("loket-1")  # the kiosk ticket is third now: nobody to tell
        with rpc_to("queue", queue, actor=None) as kiosk:
            assert kiosk.get_ticket(last_walk_in["id"])["position"] == 3
    assert [e["ticket_id"] for e in turn_near_events(queue)] == [anis["id"]]
