"""The gateway's ears and mouth on the broker: a small nameko service beside the Flask
gateway that closes accounts when the civil registry records a death, and tells each
citizen once a week who read her record.

    nameko run --config config/gateway_accounts.yaml gateway.identity.listener:AccountsListener

It shares the gateway's database (accounts, sessions, the audit log), keeps the ids of the
events it has handled in its ``inbox`` table, in the same transaction as their effect, and
writes the events it publishes to its ``outbox`` (relayed by ``gateway_accounts_relay``).
"""

import logging
from datetime import timedelta

from nameko.timer import timer
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from chassis.database import Database, utcnow
from chassis.events import event_handler, idempotent
from chassis.now import Clock
from chassis.service import MallService
from gateway.identity import accounts, audit, digest
from gateway.identity.models import OutboxEvent, ProcessedEvent, ReadDigest

log = logging.getLogger("mpp.gateway.accounts")
DIGEST_POLL_SECONDS = 600
DIGEST_BATCH = 100
DIGESTS_KEPT = timedelta(weeks=4)  # only the last week is ever told; older rows go


class AccountsListener(MallService):
    name = "gateway_accounts"
    db = Database(outbox=OutboxEvent, inbox=ProcessedEvent)
    clock = Clock()  # when a week is over; a test may set it

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event: dict) -> None:
        """Her account is closed and her sessions end: her tokens and sign-in are refused
        with ``account_holder_deceased``."""
        accounts.close_for_death(self.db, event["data"]["person_id"], utcnow())

    @timer(interval=DIGEST_POLL_SECONDS, eager=True)
    def tell_record_reads(self) -> None:
        """Once a week (Monday to Monday, WIB) is over, each citizen whose record others
        read in it is told who read it (``record_reads_digest``), once: one transaction
        per citizen inserts her ``read_digests`` row and records the event, and an instance
        that loses the race on that row's unique key rolls back only her."""
        week = digest.last_full_week(self.clock())
        tried: set[str] = set()
        while True:
            found = audit.citizens_read_untold(
                self.db, week.start, week.begins, week.ends, DIGEST_BATCH
            )
            fresh = [(person, account) for person, account in found if person not in tried]
            if not fresh:
                break
            for person_id, account_id in fresh:
                tried.add(person_id)
                self._tell_week(person_id, account_id, week)
        self.db.execute(delete(ReadDigest).where(ReadDigest.week_start < week.start - DIGESTS_KEPT))

    def _tell_week(self, person_id: str, account_id: str, week: digest.Week) -> None:
        try:
            self.db.add(
                ReadDigest(person_id=person_id, week_start=week.start, told_at=self.clock())
            )
            self.db.flush()  # a digest another instance is telling fails here
            reads = audit.readers_between(self.db, person_id, account_id, week.begins, week.ends)
            self.db.record_event("record_reads_digest", digest.digest(person_id, week, reads))
            self.db.commit()
        except IntegrityError:
            self.db.rollback()
            log.info("the reads of %s in the week of %s are told already", person_id, week.start)
