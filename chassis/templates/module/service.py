"""The Mpp Template module: its nameko service.

``MallModule`` gives it the application desk (submit, read, list mine, worklist, act) and
announces ``manifest.yaml`` to the mall every 10 seconds; the gateway checks each form
against the manifest before the call arrives here. Override ``assess`` to check
eligibility and ``route`` to send an application to a program or desk.

    nameko run --config <this folder>/config.yaml \\
        mpp_template_package.service:MppTemplateService
"""

from pathlib import Path

from chassis.database import Database
from chassis.errors import InvalidInput
from chassis.module import MallModule, load_manifest

from .models import (
    Application,
    CalendarDay,
    OutboxEvent,
    ProcessedEvent,
    RecordedReply,
    Step,
)

LARGE_HOUSEHOLD = 5  # an example rule: such households are looked at first


class MppTemplateService(MallModule):
    name = "mpp_template"
    manifest = load_manifest(Path(__file__).with_name("manifest.yaml"))
    db = Database(OutboxEvent, ProcessedEvent, RecordedReply)
    applications = Application
    steps = Step
    calendar_model = CalendarDay

    def assess(self, service: dict, form: dict) -> dict:
        """Refuse what the form's own rules cannot; say what was found."""
        if form["purpose"] == "renewal" and not form.get("previous_number"):
            reason = "a renewal names the previous application number"
            raise InvalidInput("invalid_input", {"form": {"previous_number": [reason]}})
        return {"large_household": form["household_size"] >= LARGE_HOUSEHOLD}

    def route(self, service: dict, form: dict, assessment: dict) -> str | None:
        """Which desk of the agency takes the application."""
        return "priority" if assessment["large_household"] else "general"
