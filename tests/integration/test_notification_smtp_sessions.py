"""A claimed batch of mails goes over one SMTP connection to a real server
(``scripts.mail_sink``, aiosmtpd, as a process): a refused recipient fails only its own
delivery and the connection goes on; a connection the server drops fails the mail in
flight (tried again later) and the next mail opens a new one (SQLite, PostgreSQL)."""

from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_waiter, replace_dependencies
from sqlalchemy import select

from bench.mall import free_port
from contracts.events import envelope
from services.notifications.channels import PermanentFailure, SmtpChannel, TemporaryFailure
from services.notifications.models import Delivery, Notification
from services.notifications.service import NotificationsService
from tests.integration.helpers import publish_event, rows, rpc_to
from tests.integration.test_notification_delivery import (  # noqa: F401  (fixture)
    eventually,
    mailbox,
    messages,
)
from tests.integration.test_notification_reminders import SetClock, wib

PEOPLE = [f"person-{n}" for n in range(1, 6)]
REFUSED = "person-3@example.id"


def address(person_id: str) -> str:
    return f"{person_id}@example.id"


@pytest.fixture
def mall_clock():
    return SetClock(wib(2027, 1, 4, 8))


@pytest.fixture
def notifications(container_factory, service_config, mailbox, mall_clock):  # noqa: F811
    config = service_config(
        "notifications",
        SMTP_URL=f"smtp://127.0.0.1:{mailbox['port']}",
        DELIVERY_RETRY_SECONDS=1,
    )
    container = container_factory(NotificationsService, config)
    replace_dependencies(container, clock=mall_clock)
    container.start()
    return {"config": config, "container": container}


def expiring_permits_of_five_people(service) -> None:
    """Five permits ending on 1 March 2027, issued before their holders gave an email (no
    mail for the issue); then each gives one. The 30-days-before reminders (30 January,
    09:00 WIB) are made in one transaction, so their deliveries are claimed as one batch."""
    for n, person_id in enumerate(PEOPLE, start=1):
        permit = {
            "permit_id": f"permit-{n}",
            "number": f"PBG-3314-2027-{n:04d}",
            "permit_type": "PBG",
            "holder_id": person_id,
            "valid_until": "2027-03-01",
        }
        with entrypoint_waiter(service["container"], "on_permit_issued"):
            publish_event(service["config"], envelope("licensing", "permit_issued", permit, None))
    for person_id in PEOPLE:
        actor = {"id": f"account-{person_id}", "role": "citizen", "agency": None}
        actor["person_id"] = person_id
        with rpc_to("notifications", service["config"], actor=actor) as proxy:
            proxy.update_settings({"email": address(person_id), "language": "en"})


def reminder_deliveries(config) -> dict[str, Delivery]:
    query = (
        select(Delivery)
        .join(Notification, Notification.id == Delivery.notification_id)
        .where(Notification.kind == "permit_expiring")
    )
    return {d.address: d for d in rows(config["DATABASE_URL"], query)}


def all_finished(config) -> dict[str, Delivery] | None:
    found = reminder_deliveries(config)
    done = len(found) == len(PEOPLE) and all(
        d.status in ("delivered", "permanent_failure") for d in found.values()
    )
    return found if done else None


def sessions_log(directory) -> list[tuple[str, str]]:
    """(connection, what) for each line the sink wrote: ``ehlo``, ``kept <file>``,
    ``quit``."""
    path = directory / "sessions.log"
    lines = path.read_text().splitlines() if path.exists() else []
    return [tuple(line.split(" ", 1)) for line in lines]


def connections(directory) -> list[str]:
    return [peer for peer, what in sessions_log(directory) if what == "ehlo"]


def test_a_batch_goes_over_one_connection_and_a_refused_address_fails_alone(
    notifications,
    mailbox,  # noqa: F811 (the fixture)
    mall_clock,
):
    config = notifications["config"]
    expiring_permits_of_five_people(notifications)
    assert sessions_log(mailbox["directory"]) == []  # nothing sent yet: no email then
    (mailbox["directory"] / "refused").write_text(f"{REFUSED} 550 5.1.1 no such mailbox\n")

    mall_clock.moment = wib(2027, 1, 30, 9, 1)
    found = eventually(lambda: all_finished(config))

    refused = found.pop(REFUSED)
    assert (refused.status, refused.attempts) == ("permanent_failure", 1)
    assert refused.reason == "SMTP 550 5.1.1 no such mailbox"
    assert {(d.status, d.attempts) for d in found.values()} == {("delivered", 1)}
    received = sorted(m["To"] for m in messages(mailbox["directory"]))
    assert received == sorted(found)  # the four others, once each
    assert len(connections(mailbox["directory"])) == 1  # the whole batch, refusal and all
    (peer,) = connections(mailbox["directory"])
    kept = [p for p, what in sessions_log(mailbox["directory"]) if what.startswith("kept")]
    assert kept == [peer] * 4
    eventually(lambda: (peer, "quit") in sessions_log(mailbox["directory"]))  # closed after


def test_a_dropped_connection_fails_the_mail_in_flight_and_the_rest_go_on_a_new_one(
    notifications,
    mailbox,  # noqa: F811 (the fixture)
    mall_clock,
):
    config = notifications["config"]
    expiring_permits_of_five_people(notifications)
    (mailbox["directory"] / "answers").write_text("\n\ndrop\n")  # the third mail's DATA

    mall_clock.moment = wib(2027, 1, 30, 9, 1)
    eventually(lambda: len(messages(mailbox["directory"])) == 4)
    found = eventually(
        lambda: (
            d
            if (d := reminder_deliveries(config))
            and sum(x.status == "temporary_failure" for x in d.values()) == 1
            and sum(x.status == "delivered" for x in d.values()) == 4
            else None
        )
    )
    (dropped,) = [d for d in found.values() if d.status == "temporary_failure"]
    assert dropped.attempts == 1
    assert dropped.reason.startswith("SMTP server unreachable: SMTPServerDisconnected")
    first, second = connections(mailbox["directory"])
    kept = [p for p, what in sessions_log(mailbox["directory"]) if what.startswith("kept")]
    assert kept == [first, first, second, second]  # after the drop, one new connection
    eventually(lambda: (second, "quit") in sessions_log(mailbox["directory"]))

    mall_clock.moment += timedelta(minutes=1)  # the retry is due
    found = eventually(lambda: all_finished(config))
    assert {(a, d.status, d.attempts) for a, d in found.items() if a == dropped.address} == {
        (dropped.address, "delivered", 2)
    }
    assert sorted(m["To"] for m in messages(mailbox["directory"])) == sorted(found)
    assert len(connections(mailbox["directory"])) == 3


def test_a_session_reconnects_once_per_mail_and_says_quit_at_the_end(mailbox):  # noqa: F811
    directory = mailbox["directory"]
    channel = SmtpChannel(f"smtp://127.0.0.1:{mailbox['port']}", "mpp@example.id", timeout=5)
    (directory / "answers").write_text("\n451 4.3.0 busy\ndrop\n")
    (directory / "refused").write_text("nobody@example.id 550 5.1.1 no such mailbox\n")
    outcomes = []
    with channel.session() as session:
        for to in ["a@x.id", "nobody@example.id", "b@x.id", "c@x.id", "d@x.id", "e@x.id"]:
            try:
                session.send(to, "s", "b", f"<{to}@mpp>")
                outcomes.append((to, "sent", session.connections))
            except (TemporaryFailure, PermanentFailure) as failure:
                outcomes.append((to, str(failure).split(":")[0], session.connections))
    assert outcomes == [
        ("a@x.id", "sent", 1),
        ("nobody@example.id", "SMTP 550 5.1.1 no such mailbox", 1),
        ("b@x.id", "SMTP 451 4.3.0 busy", 1),
        ("c@x.id", "SMTP server unreachable", 1),
        ("d@x.id", "sent", 2),
        ("e@x.id", "sent", 2),
    ]
    assert session.server is None  # closed by the end of the block
    first, second = connections(directory)
    assert (first, "quit") not in sessions_log(directory)  # dropped, not a conversation
    assert sessions_log(directory)[-1] == (second, "quit")

    away = SmtpChannel(f"smtp://127.0.0.1:{free_port()}", "mpp@example.id", timeout=2)
    with away.session() as session:
        for n in range(2):  # each send tries one connection, no more
            with pytest.raises(TemporaryFailure, match="unreachable"):
                session.send("a@x.id", "s", "b", f"<{n}@mpp>")
        assert session.connections == 2
