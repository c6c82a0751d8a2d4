"""Social aid (bantuan sosial): one window for every aid program, in the spirit of Sragen's
UPTPK. A citizen applies once; the module asks the civil registry, as her, whether she is
alive and lives in the regency and who her household is, and routes the application to
the program of her main need. Officers of the social affairs office (dinsos) decide.

The application desk (submit, read, list mine, worklist, act) is ``MallModule``'s.
"""

from pathlib import Path

from nameko.extensions import DependencyProvider

from chassis.database import Database
from chassis.errors import Conflict, NotFound
from chassis.module import MallModule, load_manifest
from chassis.reconnect import RpcProxy
from services.social_aid import domain
from services.social_aid.models import (
    Application,
    CalendarDay,
    OutboxEvent,
    ProcessedEvent,
    RecordedReply,
    Step,
)


class EligibilityRules(DependencyProvider):
    """The regency and poverty line from config, checked when the service starts."""

    def setup(self):
        self.rules = domain.Rules.from_config(self.container.config)

    def get_dependency(self, worker_ctx) -> domain.Rules:
        return self.rules


class SocialAidService(MallModule):
    name = "social_aid"
    manifest = load_manifest(Path(__file__).with_name("manifest.yaml"))
    db = Database(OutboxEvent, ProcessedEvent, RecordedReply)
    applications = Application
    steps = Step
    calendar_model = CalendarDay
    civil_registry = RpcProxy("civil_registry")
    rules = EligibilityRules()

    def assess(self, service: dict, form: dict) -> dict:
        """Check the applicant against the civil registry (asked as the applicant, who may
        read her own record and family card) and say what was found."""
        try:
            applicant = self.civil_registry.get_resident(self.actor.person_id)
        except NotFound:
            raise Conflict(
                "aid_applicant_unregistered", {"applicant": ["not registered"]}
            ) from None
        card_id = applicant["family_card_id"]
        card = self.civil_registry.get_family_card(card_id) if card_id else None
        try:
            return domain.assess(
                self.rules, applicant, card, form["household_income"], form["need"]
            )
        except domain.Ineligible as refused:
            raise Conflict(
                refused.code, {refused.field: [refused.reason]}, refused.params
            ) from None

    def route(self, service: dict, form: dict, assessment: dict) -> str:
        return domain.route(assessment)
