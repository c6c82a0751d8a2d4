"""Where a notification is sent: a channel takes an address, a subject, a body and a
message id, and either delivers it or says whether trying again may help.

    channel.send("siti@example.id", "Izin terbit", "...", "<delivery-id@mpp>")

raises ``TemporaryFailure`` (try again later: the server is away, busy, answered 4xx) or
``PermanentFailure`` (it will never go: the address is refused, answered 5xx).

- ``SmtpChannel``: email over any SMTP server named by a URL,
  ``smtp://user:password@host:587?starttls=true`` or ``smtps://host:465`` (TLS from the
  start); login when the URL has a user.
  ``SmtpChannel.session()`` keeps one connection for several mails (below).
- ``WebhookChannel``: SMS or WhatsApp through a gateway's HTTP webhook: a JSON POST of
  ``{to, subject, body, message_id}``; 2xx is delivered, 4xx permanent, 5xx and timeouts
  temporary.

A channel may also have ``session()``: a context manager giving an object with the same
``send``, for several sends one after another by one worker (the sending timer opens one
per claimed batch and channel; a channel without it is used as it is):

    with channel.session() as session:
        for mail in batch:
            session.send(...)  # the same failures as channel.send

A session is not shared between workers: what it keeps open (a connection) lives in the
session object, never on the channel, which every worker of the service shares.
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
        """One mail on a connection of its own."""
        with self.session() as session:
            session.send(address, subject, body, message_id)

    def session(self) -> "SmtpSession":
        """One connection for several mails, one after another (see ``SmtpSession``)."""
        return SmtpSession(self)

    def connect(self) -> smtplib.SMTP:
        """A connection ready to send: connected, STARTTLS and login as the URL says."""
        if self.tls:
            server = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                server.starttls(context=ssl.create_default_context())
            if self.user:
                server.login(self.user, self.password or "")
        except BaseException:
            _quit(server)
            raise
        return server


class SmtpSession:
    """An SMTP connection kept for several mails sent one after another by one worker:
    connect, STARTTLS and login once, ``send`` each mail, QUIT at the end (``with``; also
    when the block raises).

    The connection is opened by the first ``send`` and again by the first one after the
    connection was lost (the server closed it, answered 421, timed out, cut it off): at
    most one new connection per ``send``, never a loop. A send that fails fails alone,
    with the failure ``SmtpChannel.send`` would give: a refusal (4xx, 5xx) is followed by
    ``RSET`` (smtplib sends one itself after a refused sender, recipient or message; this
    one also ends a refused ``DATA``), so the next mail starts clean on the same
    connection; anything else drops the connection, and the next mail opens a new one.
    """

    def __init__(self, channel: SmtpChannel):
        self.channel = channel
        self.server: smtplib.SMTP | None = None
        self.connections = 0  # opened so far

    def __enter__(self) -> "SmtpSession":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SmtpSession({self.channel!r}, open={self.server is not None})"

    def send(self, address: str, subject: str, body: str, message_id: str) -> None:
        mail = self.channel.message(address, subject, body, message_id)
        try:
            if self.server is None:
                self.connections += 1
                self.server = self.channel.connect()
            self.server.send_message(mail)
        except BaseException as err:
            self._after_failure(err)
            failure = _failure(err)
            if failure is None:
                raise
            raise failure from None

    def close(self) -> None:
        """QUIT, whatever the state of the connection; never raises."""
        server, self.server = self.server, None
        if server is not None:
            _quit(server)

    def _after_failure(self, err: BaseException) -> None:
        """Keep the connection after a refusal the server answered (not 421), reset for
        the next mail; drop it after anything else."""
        server = self.server
        if server is None:
            return
        refused = isinstance(err, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused))
        if refused and _code(err) != 421 and server.sock is not None:
            try:
                code, _ = server.rset()
                if code == 250:
                    return
            except (OSError, smtplib.SMTPException):
                pass
        self.server = None
        server.close()  # no QUIT: the conversation is already broken


def _code(err: BaseException) -> int | None:
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return next(iter(err.recipients.values()))[0]
    return getattr(err, "smtp_code", None)


def _failure(err: BaseException) -> Exception | None:
    """What a failed SMTP conversation means for the mail (None: not SMTP's failure)."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(err.recipients.values()))
        return _by_code(code, answer)
    if isinstance(err, smtplib.SMTPAuthenticationError):  # the mall's settings, not her address
        return TemporaryFailure(f"SMTP login refused: {err.smtp_code}")
    if isinstance(err, smtplib.SMTPResponseException):
        return _by_code(err.smtp_code, err.smtp_error)
    if isinstance(err, (OSError, smtplib.SMTPException)):  # away, refused, timed out, cut off
        reason = f"SMTP server unreachable: {type(err).__name__}: {err}"
        return TemporaryFailure(reason[:500])
    return None


def _quit(server: smtplib.SMTP) -> None:
    """QUIT and close, as ``with server:`` does, swallowing what a dead server says."""
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        server.close()


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
