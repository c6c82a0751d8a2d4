"""Notifications reach a real SMTP server (``scripts.mail_sink``, aiosmtpd, started as a
process): in the recipient's language, tried again after a temporary refusal, recorded as
a permanent failure when refused for good (SQLite, PostgreSQL)."""

import email
import socket
import subprocess
import sys
from email import policy

import pytest
from nameko.testing.services import entrypoint_waiter

from bench.mall import free_port
from contracts.events import envelope
from services.notifications.channels import (
    PermanentFailure,
    SmtpChannel,
    TemporaryFailure,
    WebhookChannel,
)
from services.notifications.service import NotificationsService
from tests.conftest import ROOT
from tests.integration.helpers import publish_event, rpc_to
from tests.polling import eventually

SITI = {"id": "account-siti", "role": "citizen", "agency": None, "person_id": "person-siti"}
PERMIT = {
    "permit_id": "permit-1",
    "number": "PBG-3314-2027-0001",
    "permit_type": "PBG",
    "holder_id": "person-siti",
    "valid_until": "2032-01-04",
}


@pytest.fixture
def mailbox(tmp_path):
    """The SMTP sink as a process of its own; its directory is the mailbox."""
    port, directory = free_port(), tmp_path / "mail"
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.mail_sink", "--port", str(port), "--directory", directory],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    eventually(listening)
    yield {"port": port, "directory": directory}
    process.terminate()
    process.wait(timeout=10)


def messages(directory) -> list:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(directory.glob("*.eml"))
    ]


@pytest.fixture
def notifications(container_factory, service_config, mailbox):
    config = service_config(
        "notifications",
        PUBLIC_BASE_URL="https://mpp.example.go.id",
        SMTP_URL=f"smtp://127.0.0.1:{mailbox['port']}",
        MAIL_FROM="MPP Sragen <no-reply@mpp.example.go.id>",
        MESSAGE_ID_DOMAIN="mpp.example.go.id",
        DELIVERY_RETRY_SECONDS=0.1,
        DELIVERY_MAX_ATTEMPTS=3,
    )
    container = container_factory(NotificationsService, config)
    container.start()
    return {"config": config, "container": container}


def siti_sets(service, **settings) -> None:
    with rpc_to("notifications", service["config"], actor=SITI) as proxy:
        proxy.update_settings(settings)


def issue_permit(service) -> None:
    with entrypoint_waiter(service["container"], "on_permit_issued"):
        publish_event(service["config"], envelope("licensing", "permit_issued", PERMIT, None))


def delivery_of_the_permit(service) -> dict | None:
    with rpc_to("notifications", service["config"], actor=SITI) as proxy:
        items = proxy.inbox({})["items"]
    return items[0]["deliveries"][0] if items and items[0]["deliveries"] else None


def finished(service) -> dict | None:
    delivery = delivery_of_the_permit(service)
    done = delivery and delivery["status"] in ("delivered", "permanent_failure")
    return delivery if done else None


def test_an_issued_permit_reaches_the_holders_mailbox_in_her_language(notifications, mailbox):
    siti_sets(notifications, email="siti@example.id", language="en")
    issue_permit(notifications)
    delivery = eventually(lambda: finished(notifications))
    assert (delivery["status"], delivery["attempts"], delivery["reason"]) == ("delivered", 1, None)
    (mail,) = messages(mailbox["directory"])
    assert mail["To"] == "siti@example.id"
    assert mail["From"] == "MPP Sragen <no-reply@mpp.example.go.id>"
    assert mail["Subject"] == "Your permit PBG-3314-2027-0001 is issued"
    assert mail["Message-ID"].endswith("@mpp.example.go.id>")
    body = mail.get_content()
    assert "PBG-3314-2027-0001" in body
    assert "https://mpp.example.go.id/verify?number=PBG-3314-2027-0001" in body


def test_indonesian_is_sent_to_whoever_did_not_choose(notifications, mailbox):
    siti_sets(notifications, email="siti@example.id")
    issue_permit(notifications)
    eventually(lambda: finished(notifications))
    (mail,) = messages(mailbox["directory"])
    assert mail["Subject"] == "Izin PBG-3314-2027-0001 Anda telah terbit"
    assert "Siapa pun dapat memeriksa keasliannya" in mail.get_content()


def test_a_temporary_refusal_is_tried_again_and_then_delivered(notifications, mailbox):
    (mailbox["directory"] / "answers").write_text("451 4.3.0 try again later\n")
    siti_sets(notifications, email="siti@example.id")
    issue_permit(notifications)
    delivery = eventually(lambda: finished(notifications))
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 2)
    assert len(messages(mailbox["directory"])) == 1  # once, not twice


def test_a_permanent_refusal_is_recorded_with_its_reason(notifications, mailbox):
    (mailbox["directory"] / "answers").write_text("550 5.1.1 no such mailbox\n")
    siti_sets(notifications, email="nobody@example.id")
    issue_permit(notifications)
    delivery = eventually(lambda: finished(notifications))
    assert (delivery["status"], delivery["attempts"]) == ("permanent_failure", 1)
    assert delivery["reason"] == "SMTP 550 5.1.1 no such mailbox"
    assert messages(mailbox["directory"]) == []


def test_temporary_refusals_up_to_the_limit_become_a_permanent_failure(notifications, mailbox):
    (mailbox["directory"] / "answers").write_text("451 4.3.0 busy\n" * 3)
    siti_sets(notifications, email="siti@example.id")
    issue_permit(notifications)
    delivery = eventually(lambda: finished(notifications))
    assert (delivery["status"], delivery["attempts"]) == ("permanent_failure", 3)
    assert delivery["reason"] == "gave up after 3 attempts: SMTP 451 4.3.0 busy"


def test_channels_tell_temporary_from_permanent_failures(mailbox):
    away = SmtpChannel(f"smtp://127.0.0.1:{free_port()}", "mpp@example.id", timeout=2)
    with pytest.raises(TemporaryFailure, match="unreachable"):
        away.send("siti@example.id", "s", "b", "<1@x>")
    channel = SmtpChannel("smtp://user:secret@mail.example.id:587?starttls=true", "mpp@x.id")
    assert (channel.host, channel.port, channel.starttls, channel.user) == (
        "mail.example.id",
        587,
        True,
        "user",
    )
    assert "secret" not in repr(channel)
    assert SmtpChannel("smtps://mail.example.id", "mpp@x.id").port == 465
    with pytest.raises(TemporaryFailure):
        WebhookChannel(f"http://127.0.0.1:{free_port()}/sms", timeout=2).send("+62", "s", "b", "1")


@pytest.fixture
def sms_gateway():
    """An SMS gateway's webhook answering the status each test asks for."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received, answers = [], []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(answers.pop(0) if answers else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {
        "url": f"http://127.0.0.1:{server.server_port}/sms",
        "received": received,
        "answers": answers,
    }
    server.shutdown()


def test_the_webhook_channel_posts_the_message_and_reads_the_status(sms_gateway):
    channel = WebhookChannel(sms_gateway["url"], timeout=5)
    channel.send("+6281234567890", "Izin terbit", "Izin PBG Anda terbit", "<d-1@mpp>")
    assert sms_gateway["received"] == [
        {
            "to": "+6281234567890",
            "subject": "Izin terbit",
            "body": "Izin PBG Anda terbit",
            "message_id": "<d-1@mpp>",
        }
    ]
    sms_gateway["answers"].extend([503, 400])
    with pytest.raises(TemporaryFailure, match="503"):
        channel.send("+6281234567890", "s", "b", "<d-2@mpp>")
    with pytest.raises(PermanentFailure, match="400"):
        channel.send("+6281234567890", "s", "b", "<d-3@mpp>")
