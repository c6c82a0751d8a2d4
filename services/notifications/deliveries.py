"""Sending: every instance's timer claims due deliveries atomically, sends each on its
channel outside any transaction, and records what came of it.

A claim is one ``UPDATE ... SET claimed_by, claimed_until`` of rows picked with ``FOR
UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's ``BEGIN IMMEDIATE`` serializes the
claimers), committed before sending, so two instances never send the same delivery at
once. A result is written only by the claim's holder. An instance that dies between
sending and recording leaves a claim that expires after ``DELIVERY_LEASE_SECONDS``; the
delivery is then sent again with the same ``Message-ID`` (derived from the delivery's id),
so a mail system can tell the repeat. A temporary failure is tried again after an
exponential backoff, up to ``DELIVERY_MAX_ATTEMPTS`` tries; then, like a permanent one, it
is a ``permanent_failure`` with the reason.

A claimed batch is sent through one session per channel that has ``session()`` (SMTP:
one connection for the batch, closed when the batch ends, also on an exception); a
channel without it gets each ``send`` as it is. The session lives in this worker only.
"""

import contextlib
import logging
import os
import socket
import uuid
from datetime import timedelta

from nameko.extensions import DependencyProvider
from nameko.timer import timer
from sqlalchemy import or_, select, update

from services.notifications import domain
from services.notifications.channels import (
    PermanentFailure,
    TemporaryFailure,
    channels_from_config,
)
from services.notifications.models import Delivery, Notification

log = logging.getLogger("mpp.notifications")
SENDABLE = ("pending", "temporary_failure")
DELIVERY_POLL_SECONDS = 1
BATCHES_PER_TICK = 25


class Outbound(DependencyProvider):
    """The channels and the sending rules from config, and this instance's name for its
    claims."""

    def setup(self):
        config = self.container.config
        self.channels = channels_from_config(config)
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.batch = int(config.get("DELIVERY_BATCH") or 20)
        self.lease = timedelta(seconds=float(config.get("DELIVERY_LEASE_SECONDS") or 120))
        self.max_attempts = int(config.get("DELIVERY_MAX_ATTEMPTS") or 8)
        self.retry_seconds = float(config.get("DELIVERY_RETRY_SECONDS") or 30)
        self.retry_cap_seconds = float(config.get("DELIVERY_RETRY_CAP_SECONDS") or 3600)
        self.domain = str(config.get("MESSAGE_ID_DOMAIN") or "mpp.localhost")

    def get_dependency(self, worker_ctx) -> "Outbound":
        return self


class Sessions:
    """The channels as one batch sends on them: a channel's session (opened by its first
    delivery in the batch) or the channel itself when it has none. Closing them all when
    the batch ends never raises: every outcome is recorded by then."""

    def __init__(self, channels: dict):
        self.channels = channels
        self.open: dict = {}
        self.stack = contextlib.ExitStack()

    def __enter__(self) -> "Sessions":
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.stack.close()
        except Exception:
            log.exception("closing the channels' sessions of a batch failed")

    def sender(self, name: str):
        """What a delivery on channel ``name`` is sent with."""
        if name not in self.open:
            channel = self.channels.get(name)
            if channel is None:
                raise PermanentFailure(f"no {name} channel is configured")
            session = getattr(channel, "session", None)
            self.open[name] = channel if session is None else self.stack.enter_context(session())
        return self.open[name]


def message_id(delivery_id: str, domain_name: str) -> str:
    """The same Message-ID on every try of one delivery."""
    return f"<{delivery_id}@{domain_name}>"


class Deliveries:
    """The sending timer of ``NotificationsService``."""

    outbound = Outbound()

    @timer(interval=DELIVERY_POLL_SECONDS)
    def send_due(self) -> None:
        """Claim the deliveries that are due, send them, record each outcome; batch after
        batch while there are more (a bounded number, so that the worker ends)."""
        for _ in range(BATCHES_PER_TICK):
            claimed = self._claim()
            with Sessions(self.outbound.channels) as sessions:
                for delivery_id in claimed:
                    self._send(delivery_id, sessions)
            if len(claimed) < self.outbound.batch:
                return

    def _claim(self) -> list[str]:
        now, out = self.clock(), self.outbound
        due = (
            select(Delivery.id)
            .where(
                Delivery.status.in_(SENDABLE),
                Delivery.next_attempt_at <= now,
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            )
            .order_by(Delivery.next_attempt_at)
            .limit(out.batch)
            .with_for_update(skip_locked=True)
        )
        ids = list(self.db.scalars(due))
        if ids:
            self.db.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids))
                .values(claimed_by=out.instance, claimed_until=now + out.lease)
            )
        self.db.commit()  # the claim holds before anything is sent
        return ids

    def _send(self, delivery_id: str, sessions: "Sessions") -> None:
        out = self.outbound
        delivery = self.db.get(Delivery, delivery_id)
        notification = self.db.get(Notification, delivery.notification_id)
        self.db.commit()  # no transaction stays open while the channel talks
        outcome, reason = "delivered", None
        try:
            channel = sessions.sender(delivery.channel)
            channel.send(
                delivery.address,
                notification.subject,
                notification.body,
                message_id(delivery.id, out.domain),
            )
        except TemporaryFailure as failure:
            outcome, reason = "temporary_failure", str(failure)
        except PermanentFailure as failure:
            outcome, reason = "permanent_failure", str(failure)
        except Exception as failure:  # a channel's bug must not stop the others' mail
            log.exception("delivery %s: the %s channel failed", delivery_id, delivery.channel)
            outcome, reason = "temporary_failure", f"{type(failure).__name__}: {failure}"
        self._record(delivery, outcome, reason)

    def _record(self, delivery: Delivery, outcome: str, reason: str | None) -> None:
        out, now = self.outbound, self.clock()
        attempts = delivery.attempts + 1
        values = {"attempts": attempts, "reason": reason, "claimed_by": None, "claimed_until": None}
        if outcome == "delivered":
            values.update(status="delivered", delivered_at=now)
        elif outcome == "temporary_failure" and attempts < out.max_attempts:
            delay = domain.retry_delay(attempts, out.retry_seconds, out.retry_cap_seconds)
            values.update(status="temporary_failure", next_attempt_at=now + delay)
        else:
            if outcome == "temporary_failure":
                reason = f"gave up after {attempts} attempts: {reason}"[:500]
            values.update(status="permanent_failure", reason=reason)
        written = self.db.execute(
            update(Delivery)
            .where(Delivery.id == delivery.id, Delivery.claimed_by == out.instance)
            .values(**values)
        ).rowcount
        self.db.commit()
        if not written:
            log.warning("delivery %s: its claim had expired; outcome %s", delivery.id, outcome)
        else:
            log.info("delivery %s (%s): %s", delivery.id, delivery.channel, values["status"])
