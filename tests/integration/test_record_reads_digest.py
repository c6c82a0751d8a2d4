"""Once a week is over, the gateway's accounts listener tells each citizen whose record
others read who read it: one record_reads_digest in its outbox per citizen and week,
however many instances run (SQLite, PostgreSQL), relayed by its own relay process to the
notifications service, which puts it in her inbox."""

from datetime import date, datetime

import pytest
from nameko.testing.services import entrypoint_waiter, replace_dependencies
from sqlalchemy import select

from gateway.identity.listener import AccountsListener
from gateway.identity.models import Account, AuditEntry, OutboxEvent, ReadDigest
from services.notifications.service import NotificationsService
from tests.integration.helpers import SetClock, rows, rpc_to, session_for, wib
from tests.polling import eventually

SITI = {"id": "account-siti", "person_id": "person-siti"}
BUDI = {"id": "account-budi", "person_id": "person-budi"}


@pytest.fixture
def clock():
    return SetClock(wib(2027, 1, 12, 8))  # Tuesday: the week of Monday 4 January is over


@pytest.fixture
def gateway(service_config, container_factory, clock):
    """The gateway's database with Siti's and Budi's accounts, and a way to start
    listeners on it, all on the test's clock."""
    config = service_config("gateway")
    with session_for(config["DATABASE_URL"]) as db, db.begin():
        for citizen, name in ((SITI, "Siti Rahayu"), (BUDI, "Budi Santoso")):
            db.add(
                Account(
                    id=citizen["id"],
                    login=citizen["person_id"],
                    full_name=name,
                    role="citizen",
                    person_id=citizen["person_id"],
                    password_hash="-",
                )
            )

    def listeners(count: int) -> list:
        """Start ``count`` listeners at once and wait until each has run its timer."""
        started = [container_factory(AccountsListener, config) for _ in range(count)]
        for container in started:
            replace_dependencies(container, clock=clock)
        waiters = [entrypoint_waiter(c, "tell_record_reads", timeout=20) for c in started]
        for waiter in waiters:
            waiter.__enter__()
        for container in started:
            container.start()
        for waiter in waiters:
            waiter.__exit__(None, None, None)
        return started

    return {"config": config, "listeners": listeners}


def read(url: str, subject: dict, by: tuple, at: datetime, allowed: bool = True) -> None:
    """An audit entry: ``by`` (account id, role, agency) read the subject's data at ``at``."""
    actor_id, role, agency = by
    with session_for(url) as db, db.begin():
        db.add(
            AuditEntry(
                at=at,
                actor_id=actor_id,
                actor_role=role,
                actor_agency=agency,
                action="GET /api/v1/residents/<resident_id>",
                target=subject["person_id"],
                subject_id=subject["person_id"],
                status=200 if allowed else 403,
                allowed=allowed,
            )
        )


VERIFIER = ("staff-v", "verifier", "dpmptsp")
OTHER_VERIFIER = ("staff-w", "verifier", "dpmptsp")
REGISTRAR = ("staff-r", "registrar", "disdukcapil")
NOSY = ("staff-x", "verifier", "dinkes")


def a_week_of_reads(url: str) -> None:
    """Siti's record read by two verifiers and a registrar in the week of 4 January (and
    by herself, by an officer who was refused, and by others just before and after the
    week); Budi's record read only by Budi."""
    read(url, SITI, VERIFIER, wib(2027, 1, 4, 0))  # Monday 00:00 WIB: in the week
    read(url, SITI, VERIFIER, wib(2027, 1, 6, 10))
    read(url, SITI, OTHER_VERIFIER, wib(2027, 1, 7, 11))
    read(url, SITI, REGISTRAR, wib(2027, 1, 10, 23, 59))
    read(url, SITI, (SITI["id"], "citizen", None), wib(2027, 1, 5, 9))  # herself
    read(url, SITI, NOSY, wib(2027, 1, 5, 9), allowed=False)  # refused: nothing was read
    read(url, SITI, REGISTRAR, wib(2027, 1, 3, 23, 59))  # the week before
    read(url, SITI, REGISTRAR, wib(2027, 1, 11, 0))  # the week after
    read(url, BUDI, (BUDI["id"], "citizen", None), wib(2027, 1, 6, 8))
    read(url, BUDI, REGISTRAR, wib(2027, 1, 11, 1))  # this week: not over yet
    # read, but no account in the mall: nobody to tell
    read(url, {"person_id": "person-without-account"}, REGISTRAR, wib(2027, 1, 6, 8))


def digests(url: str) -> list[dict]:
    events = rows(url, select(OutboxEvent).where(OutboxEvent.event_type == "record_reads_digest"))
    return [event.payload["data"] for event in events]


def test_each_citizen_read_by_others_is_told_once_by_two_listeners_and_after_a_restart(gateway):
    url = gateway["config"]["DATABASE_URL"]
    a_week_of_reads(url)
    first, second = gateway["listeners"](2)  # both run their timer at once

    assert digests(url) == [
        {
            "person_id": "person-siti",
            "week_start": "2027-01-04",
            "week_end": "2027-01-11",
            "total": 4,
            "readers": [
                {"actor_role": "verifier", "actor_agency": "dpmptsp", "reads": 3},
                {"actor_role": "registrar", "actor_agency": "disdukcapil", "reads": 1},
            ],
        }
    ]
    [told] = rows(url, select(ReadDigest))
    assert (told.person_id, told.week_start) == ("person-siti", date(2027, 1, 4))
    assert told.told_at == wib(2027, 1, 12, 8)

    first.stop()
    second.stop()
    gateway["listeners"](1)  # restarted: the week is told already
    assert len(digests(url)) == 1


def test_a_week_is_told_once_it_is_over_and_the_next_week_in_its_turn(gateway, clock):
    url = gateway["config"]["DATABASE_URL"]
    clock.moment = wib(2027, 1, 10, 23, 59)  # Sunday night: the week of 4 January runs on
    read(url, SITI, VERIFIER, wib(2027, 1, 6, 10))
    (early,) = gateway["listeners"](1)
    assert digests(url) == []
    early.stop()

    clock.moment = wib(2027, 1, 11, 0, 5)  # Monday 00:05 WIB: it is over
    read(url, SITI, REGISTRAR, wib(2027, 1, 11, 0, 1))  # the new week's first read
    (monday,) = gateway["listeners"](1)
    assert [(d["week_start"], d["total"]) for d in digests(url)] == [("2027-01-04", 1)]
    monday.stop()

    clock.moment = wib(2027, 1, 18, 6)  # a week later
    (later,) = gateway["listeners"](1)
    assert [(d["week_start"], d["total"]) for d in digests(url)] == [
        ("2027-01-04", 1),
        ("2027-01-11", 1),
    ]
    later.stop()

    clock.moment = wib(2027, 2, 16, 6)  # only the last week is ever told: rows 4 weeks older go
    gateway["listeners"](1)
    kept = [row.week_start for row in rows(url, select(ReadDigest))]
    assert kept == [date(2027, 1, 11)]


def test_the_digest_reaches_her_inbox_through_the_listeners_own_relay(
    gateway, service_config, container_factory, relay_process
):
    notifications = service_config("notifications")
    container_factory(NotificationsService, notifications).start()
    relay_process("gateway_accounts", gateway["config"])  # as the Procfile starts it
    url = gateway["config"]["DATABASE_URL"]
    a_week_of_reads(url)
    gateway["listeners"](1)

    def inbox() -> dict:
        with rpc_to("notifications", notifications, actor=SITI_ACTOR) as proxy:
            return proxy.inbox({})

    mine = eventually(lambda: (found := inbox())["total"] and found)
    (told,) = mine["items"]
    assert told["kind"] == "record_reads"
    assert "Jumlah pembacaan: 4." in told["body"]
    assert "- verifier (dpmptsp): 3\n- registrar (disdukcapil): 1" in told["body"]
    [event] = rows(url, select(OutboxEvent))
    assert event.published_at is not None
    with rpc_to("notifications", notifications, actor=BUDI_ACTOR) as proxy:
        assert proxy.inbox({})["total"] == 0


SITI_ACTOR = {"id": SITI["id"], "role": "citizen", "agency": None, "person_id": "person-siti"}
BUDI_ACTOR = {"id": BUDI["id"], "role": "citizen", "agency": None, "person_id": "person-budi"}
