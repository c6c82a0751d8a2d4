"""The gateway's ears on the broker: a small nameko service beside the Flask gateway that
closes accounts when the civil registry records a death.

    nameko run --config config/gateway_accounts.yaml gateway.identity.listener:AccountsListener

It shares the gateway's database (accounts, sessions) and keeps the ids of the events it
has handled in its ``inbox`` table, in the same transaction as their effect.
"""

from chassis.database import Database, utcnow
from chassis.events import event_handler, idempotent
from chassis.service import MallService
from gateway.identity import accounts
from gateway.identity.models import ProcessedEvent


class AccountsListener(MallService):
    name = "gateway_accounts"
    db = Database(inbox=ProcessedEvent)

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event: dict) -> None:
        """Her account is closed and her sessions end: her tokens and sign-in are refused
        with ``account_holder_deceased``."""
        accounts.close_for_death(self.db, event["data"]["person_id"], utcnow())
