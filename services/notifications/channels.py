"""Where a notification is sent: a channel takes an address, a subject, a body and a
message id, and either delivers it or says whether trying again may help.

    channel.send("siti@example.id", "Izin terbit", "...", "<delivery-id@mpp>")

raises ``TemporaryFailure`` (try again later: the server is away, busy, answered 4xx) or
``PermanentFailure`` (it will never go: the address is refused, answered 5xx).

- ``SmtpChannel``: email over any SMTP server named by a URL,
  ``smtp://user:password@host:587?starttls=true`` or ``smtps://host:465`` (TLS from the
  start); login when the URL has a user.
- ``WebhookChannel``: SMS or WhatsApp through a gateway's HTTP webhook: a JSON POST of
  ``{to, subject, body, message_id}``; 2xx is delivered, 4xx permanent, 5xx and timeouts
  temporary.
"""

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

TRUE = ("1", "true", "yes", "on")


class TemporaryFailure(Exception):
    """The send failed in a way that trying again later may mend."""


class PermanentFailure(Exception):
    """The send can never succeed as it is (a refused address, a rejected message)."""


class Channel(Protocol):
    def send(self, address: str, subject: str, body: str, message_id: str) -> None: ...


class SmtpChannel:
    def __init__(self, url: str, sender: str, timeout: float = 20):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"an SMTP URL starts with smtp:// or smtps://, not {url!r}")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.tls = parts.scheme == "smtps"
        self.starttls = query.get("starttls", "").lower() in TRUE
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if self.tls else 587 if self.starttls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender, self.timeout = sender, timeout

    def __repr__(self) -> str:  # never the password
        return f"SmtpChannel({'smtps' if self.tls else 'smtp'}://{self.host}:{self.port})"

    def message(self, address: str, subject: str, body: str, message_id: str) -> EmailMessage:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, address, subject
        mail["Message-ID"], mail["Date"] = message_id, formatdate(localtime=False)
        mail.set_content(body)  # UTF-8, as the texts need
        return mail

    def send(self, address: str, subject: str, body: str, message_id: str) -> None:
        mail = self.message(address, subject, body, message_id)
        try:
            if self.tls:
                server = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with server:
                if self.starttls:
                    server.starttls(context=ssl.create_default_context())
                if self.user:
                    server.login(self.user, self.password or "")
                server.send_message(mail)
        except smtplib.SMTPRecipientsRefused as refused:
            code, answer = next(iter(refused.recipients.values()))
            raise _by_code(code, answer) from None
        except smtplib.SMTPAuthenticationError as err:  # the mall's settings, not her address
            raise TemporaryFailure(f"SMTP login refused: {err.smtp_code}") from None
        except smtplib.SMTPResponseException as err:
            raise _by_code(err.smtp_code, err.smtp_error) from None
        except (OSError, smtplib.SMTPException) as err:  # away, refused, timed out, cut off
            reason = f"SMTP server unreachable: {type(err).__name__}: {err}"
            raise TemporaryFailure(reason[:500]) from None


def _by_code(code: int, answer) -> Exception:
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
    reason = f"SMTP {code} {text}"[:500]
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


class WebhookChannel:
    def __init__(self, url: str, timeout: float = 10):
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"a webhook URL starts with http:// or https://, not {url!r}")
        self.url, self.timeout = url, timeout

    def __repr__(self) -> str:
        parts = urlsplit(self.url)
        return f"WebhookChannel({parts.scheme}://{parts.hostname}{parts.path})"

    def send(self, address: str, subject: str, body: str, message_id: str) -> None:
        payload = {"to": address, "subject": subject, "body": body, "message_id": message_id}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": message_id},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as err:
            reason = f"gateway answered {err.code} {err.reason}"[:500]
            if 400 <= err.code < 500 and err.code not in (408, 429):
                raise PermanentFailure(reason) from None
            raise TemporaryFailure(reason) from None
        except (OSError, urllib.error.URLError) as err:  # timeouts are OSErrors
            raise TemporaryFailure(f"gateway unreachable: {err}"[:500]) from None


def channels_from_config(config: dict) -> dict[str, Channel]:
    """The channels the config names: ``email`` from ``SMTP_URL``, ``sms`` from
    ``WEBHOOK_URL``; a channel without its URL is not there."""
    channels: dict[str, Channel] = {}
    if smtp_url := str(config.get("SMTP_URL") or ""):
        sender = str(config.get("MAIL_FROM") or "MPP <no-reply@mpp.localhost>")
        channels["email"] = SmtpChannel(smtp_url, sender)
    if webhook_url := str(config.get("WEBHOOK_URL") or ""):
        channels["sms"] = WebhookChannel(webhook_url)
    return channels
