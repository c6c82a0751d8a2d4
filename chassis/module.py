"""What makes a nameko service an agency module of the mall: a manifest, announcements,
and the application desk every module keeps (submit, read, list mine, worklist, act).

    class SocialAidService(MallModule):
        name = "social_aid"
        manifest = load_manifest(Path(__file__).with_name("manifest.yaml"))
        db = Database(OutboxEvent, ProcessedEvent)
        applications = Application          # a model with ApplicationMixin
        steps = Step                        # a model with chassis.steps.StepMixin
        calendar_model = CalendarDay        # the mall's calendar (chassis.calendar)

        def assess(self, service, form):    # optional: refuse, or say what was found
            ...

The desk is ``desk``'s: the lifecycle ``DECISION`` as data, deadlines of the manifest's
``service_level_days`` in working days on the mall's calendar (a replica the module keeps),
an event on every step (``application_submitted``, ``application_status_changed``), and
``application_overdue`` once for each undecided application past its service level.
Every module closes a deceased applicant's open applications by itself (``person_died``
from the civil registry, handled once per event): status ``closed``, reason "applicant
deceased", a step in its steps (``chassis.steps``) and an ``application_closed`` event each.

A module announces its manifest on the shared ``modules`` exchange when it starts and
every ``ANNOUNCE_SECONDS`` while alive: the catalog records it and marks it unavailable
once announcements stop; the queue gives its services ticket series and counters.
"""

import logging
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from kombu import Connection
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from nameko.standalone.events import get_event_exchange
from nameko.timer import timer
from sqlalchemy import JSON, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from chassis import logs
from chassis.actor import AGENCY_ADMIN, CITIZEN, MALL_MANAGER, SYSTEM, VERIFIER
from chassis.calendar import CalendarReplica
from chassis.database import UTCDateTime, utcnow
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, load
from chassis.events import event_handler, idempotent
from chassis.now import Clock
from chassis.service import MallService, rpc
from chassis.steps import first_step, note_step, steps_by_application, steps_of, take_step
from contracts import modules as wire
from contracts.events import envelope
from contracts.refusals.fields import FORM_NOT_TAKEN, NOTE_REASON
from desk import tracking
from desk.deadlines import most_urgent_first
from desk.lifecycle import APPLICANT, Action, IllegalTransition, Lifecycle

log = logging.getLogger(__name__)
ANNOUNCE_SECONDS = 10
DECIDER = "decider"  # the party: officers of the module's agency
DECISION = Lifecycle(
    kind="module_application",
    start="submitted",
    actions=(
        Action("review", frozenset({"submitted"}), "in_review", DECIDER),
        Action("approve", frozenset({"submitted", "in_review"}), "approved", DECIDER),
        Action(
            "reject", frozenset({"submitted", "in_review"}), "rejected", DECIDER, note_required=True
        ),
        Action("withdraw", frozenset({"submitted", "in_review"}), "withdrawn", APPLICANT),
    ),
    parties={DECIDER: frozenset({VERIFIER, AGENCY_ADMIN})},
    clock_running=frozenset({"submitted", "in_review"}),
    closed="closed",
)
APPLICANT_DECEASED = "applicant deceased"
CLOSE = "close"  # the action of the mall's own step that closes an application (a death)
TIMED_OUT = "its service level ended"  # the note of a step the mall took by itself
# the notes of the escalations a late step gets on its record (lifecycles that escalate)
TOLD_AGENCY = "past its service level: the agency's administrator is told"
TOLD_MALL = "still past its service level: the mall's managers are told"
ESCALATE = "escalate"  # the action of such a step (it changes no state)


def load_manifest(path: Path) -> dict:
    """A module's manifest.yaml, checked against the contract (a bad one stops the start)."""
    return wire.Manifest().load(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


class Announcer(DependencyProvider):
    """Publishes ``module_announced`` on the shared ``modules`` exchange; before the first
    announcement, binds the module's application events to the shared
    ``module_applications`` exchange (durable bindings: once is enough, a restart repeats
    it harmlessly)."""

    def setup(self):
        config = self.container.config
        self.exchange = get_event_exchange(wire.SOURCE, config)
        self.publisher = Publisher(config[AMQP_URI_CONFIG_KEY], declare=[self.exchange])
        self.bound = False

    def start(self):
        try:  # before the entrypoints start, so before any application
            self.bind_applications()
        except Exception as exc:  # the broker away: the next announcement binds
            log.warning(
                "could not bind %s's application events yet: %r", self.container.service_name, exc
            )

    def bind_applications(self) -> None:
        config = self.container.config
        own = get_event_exchange(self.container.service_name, config)
        shared = get_event_exchange(wire.APPLICATIONS, config)
        with Connection(config[AMQP_URI_CONFIG_KEY], connect_timeout=5) as connection:
            channel = connection.default_channel
            own(channel).declare()
            shared(channel).declare()
            for event_type in wire.APPLICATION_EVENTS:
                shared(channel).bind_to(own, routing_key=event_type)
        self.bound = True

    def get_dependency(self, worker_ctx):
        def announce(manifest: dict, interval: int) -> None:
            if not self.bound:
                self.bind_applications()
            data = {"manifest": manifest, "interval_seconds": interval}
            message = envelope(wire.SOURCE, "module_announced", data, logs.new_correlation_id())
            self.publisher.publish(message, exchange=self.exchange, routing_key="module_announced")

        return announce


def person_of(applicant_id: str | None) -> str | None:
    """The applicant as replies and events name her: a person, or None for a visitor."""
    return None if tracking.is_visitor(applicant_id) else applicant_id


class ApplicationMixin:
    """The table of a module's applications (add it to the module's own Base)."""

    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service: Mapped[str] = mapped_column(String(30), index=True)
    applicant_id: Mapped[str] = mapped_column(String(36), index=True)  # or a visitor's
    status: Mapped[str] = mapped_column(String(20), index=True)
    form: Mapped[dict] = mapped_column(JSON)
    assessment: Mapped[dict] = mapped_column(JSON, default=dict)
    routed_to: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # a visitor's application: the digest of the code she was given (desk.tracking)
    tracking_hash: Mapped[str | None] = mapped_column(String(64))


class MallModule(CalendarReplica, MallService):
    """Base of every agency module: set ``name``, ``manifest``, ``db``, ``applications``
    and ``calendar_model``; a module whose applications live otherwise than the decision
    table also sets ``lifecycle`` (and, if its parties are of other agencies than its own,
    overrides ``agency_of``)."""

    manifest: dict
    applications: type
    steps: type  # the module's model with chassis.steps.StepMixin
    lifecycle: Lifecycle = DECISION
    tracking_code: str | None = None  # the one a visitor showed to this worker's call
    announcer = Announcer()
    clock = Clock()  # the sweep's moment; a test may start it days ahead (CLOCK_STARTS_AT)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            wire.register_module_events(cls.name)
            if not hasattr(cls, "steps"):  # a module made before steps were rows
                raise TypeError(
                    f"{cls.__name__} needs steps = a model with chassis.steps.StepMixin "
                    "(and a migration calling chassis.migrate.application_steps_v1)"
                )

    @timer(interval=ANNOUNCE_SECONDS, eager=True)
    def announce(self):
        self.announcer(self.manifest, ANNOUNCE_SECONDS)

    @timer(interval=60)
    def keep_time(self) -> None:
        self.sweep()

    @rpc
    def sweep(self) -> int:
        """Take the mall's own step where a state times out (the lifecycle's ``timeouts``),
        and announce the other steps past their service level, each once, for the inbox of
        the agency that owes them (``application_overdue``); safe in every instance at once:
        rows are locked (``SKIP LOCKED``) or claimed by a conditional update."""
        table, now, lifecycle = self.applications, self.clock(), self.lifecycle
        if lifecycle.timeouts:  # the mall's own step, taken once: the row leaves the state
            ended = self.db.scalars(
                select(table)
                .where(table.due_at < now, table.status.in_(tuple(lifecycle.timeouts)))
                .with_for_update(skip_locked=True)
            ).all()
            for application in ended:
                action = lifecycle.timeouts[application.status]
                target = lifecycle.next_state(application.status, action)
                self._record_change(application, action, target, TIMED_OUT, SYSTEM, SYSTEM)
        running = tuple(lifecycle.clock_running - set(lifecycle.timeouts))
        overdue = self.db.execute(
            update(table)
            .where(
                table.due_at < now, table.overdue_flagged_at.is_(None), table.status.in_(running)
            )
            .values(overdue_flagged_at=now)
            .returning(table.id)
        ).all()
        for (application_id,) in overdue:
            application = self.db.get(self.applications, application_id)
            self.db.record_event(
                "application_overdue",
                {
                    "application_id": application.id,
                    "service": application.service,
                    "agency": self.agency_of(application, self._owing_party(application)),
                    "due_at": application.due_at,
                    "status": application.status,
                },
            )
            if lifecycle.escalation_days:
                self._note_step(application, TOLD_AGENCY, now)
        return len(overdue) + self._escalate(now, running)

    def _escalate(self, now: datetime, running: tuple[str, ...]) -> int:
        """Tell the mall's managers of each step still undone ``escalation_days`` working
        days after its service level ended, once per step: the row is locked and the
        escalation is a step on its record, looked for before it is written."""
        days, table = self.lifecycle.escalation_days, self.applications
        if not days:
            return 0
        late = self.db.scalars(
            select(table)
            .where(
                table.overdue_flagged_at.is_not(None),
                table.status.in_(running),
                table.due_at < now - timedelta(days=days),  # a working day is at least one
            )
            .with_for_update(skip_locked=True)
        ).all()
        escalated = 0
        for application in late:
            if self.deadline(application.due_at, days) >= now or self._escalated(application):
                continue
            self._note_step(application, TOLD_MALL, now)
            self.db.record_event(
                "application_escalated",
                {
                    "application_id": application.id,
                    "service": application.service,
                    "agency": self.agency_of(application, self._owing_party(application)),
                    "told": wire.MALL_AGENCY,
                    "due_at": application.due_at,
                    "status": application.status,
                },
            )
            escalated += 1
        return escalated

    def _escalated(self, application) -> bool:
        """Whether the mall's managers were told of the step now late (since its flag)."""
        steps = self.steps
        told = select(steps.id).where(
            steps.application_id == application.id,
            steps.note == TOLD_MALL,
            steps.at >= application.overdue_flagged_at,
        )
        return self.db.scalar(told.limit(1)) is not None

    def _owes(self, application) -> bool:
        """Whether the actor plays the staff party that owes the application's next step
        (none is owed in a state the mall leaves by itself when its time ends)."""
        if application.status in self.lifecycle.timeouts:
            return False
        return self._owing_party(application) in self._parties(application)

    def _owing_party(self, application) -> str:
        """The staff party that owes the next step (the first one the table names)."""
        for name in self.lifecycle.allowed(application.status):
            party = self.lifecycle.action(name).party
            if party != APPLICANT:
                return party
        return next(iter(self.lifecycle.parties))

    # --- hooks a module may override ----------------------------------------------------

    def assess(self, service: dict, form: dict) -> dict:
        """Check eligibility (raise InvalidInput or Conflict to refuse); say what was found."""
        return {}

    def route(self, service: dict, form: dict, assessment: dict) -> str | None:
        """Which program or desk the application goes to."""
        return None

    def columns(self, service: dict, form: dict, assessment: dict) -> dict:
        """Values of the module's own columns of a new application (beyond the mixin's)."""
        return {}

    def on_step(self, application, action: str, form: dict | None) -> None:
        """Called as ``action`` is taken on ``application`` (before its status changes),
        with the action's form values when it takes a form (else None): a module records
        what the step carries (raise InvalidInput or Conflict to refuse it)."""

    def present(self, application, view: dict) -> dict:
        """The application as the actor may see it (the desk's view as it is, by default):
        a module keeps back what this viewer may not learn."""
        return view

    def agency_of(self, application, party: str) -> str | None:
        """The agency whose staff act as ``party`` on ``application`` (None for no
        application: when it depends on the application). The module's own by default."""
        return self.manifest["agency"]["code"]

    # --- the application desk -----------------------------------------------------------

    @rpc
    def describe(self) -> dict:
        return self.manifest

    @rpc
    def submit_application(self, payload: dict) -> dict:
        """A citizen applies for one of the module's services with its form; a visitor
        who is not signed in may file a service that takes visitors, and is given the
        tracking code that lets her follow it (once: only its digest is kept)."""
        request = load(wire.ApplicationRequest(), payload)
        service = self._service(request["service"])
        visitor = self.actor.id is None and service.get("visitors")
        if not visitor and (self.actor.role != CITIZEN or not self.actor.person_id):
            raise Forbidden("citizens_apply_for_themselves")
        code = tracking.new_code() if visitor else None
        form = load(wire.form_schema(service["form"]), request["form"])
        form = wire.form_schema(service["form"]).dump(form)  # JSON-safe (dates as text)
        assessment = self.assess(service, form)
        now = utcnow()
        application = self.applications(
            id=str(uuid.uuid4()),
            service=service["code"],
            applicant_id=tracking.visitor_id() if visitor else self.actor.person_id,
            tracking_hash=tracking.digest(code) if code else None,
            status=self.lifecycle.start,
            form=form,
            assessment=assessment,
            routed_to=self.route(service, form, assessment),
            **self.columns(service, form, assessment),
            created_at=now,
            due_at=self.deadline(
                now,
                self.lifecycle.service_levels.get(self.lifecycle.start)
                or service["service_level_days"],
            ),
        )
        self.db.add(application)
        self.db.flush()
        first_step(self.db, self.steps, application, self.actor.id, self.actor.role)
        self.db.record_event(
            "application_submitted",
            {
                "application_id": application.id,
                "service": application.service,
                "applicant_id": person_of(application.applicant_id),
                "due_at": application.due_at,
                "agency": self.manifest["agency"]["code"],
                "service_name": {"id": service["name_id"], "en": service["name_en"]},
            },
        )
        self.tracking_code = code
        view = self._view(application)
        return {**view, "tracking_code": code} if code else view

    @rpc
    def get_application(self, application_id: str, tracking_code: str | None = None) -> dict:
        """An application, to its parties, the mall's managers and whoever shows its
        tracking code (a visitor's)."""
        self.tracking_code = tracking_code
        application = self.db.get(self.applications, application_id)
        if application is None or not self._may_see(application):
            raise NotFound("no_application", application=application_id)
        return self._view(application)

    @rpc
    def my_applications(self) -> list[dict]:
        if self.actor.role != CITIZEN or not self.actor.person_id:
            return []
        query = (
            select(self.applications)
            .where(self.applications.applicant_id == self.actor.person_id)
            .order_by(self.applications.created_at.desc())
        )
        return self._views(self.db.scalars(query).all())

    @rpc
    def worklist(self) -> list[dict]:
        """The open applications whose next step the officer's party owes, the most
        urgent first."""
        self._require_staff()
        query = select(self.applications).where(
            self.applications.status.in_(self.lifecycle.open_states)
        )
        waiting = sorted(
            (a for a in self.db.scalars(query) if self._owes(a)),
            key=lambda a: most_urgent_first(a.due_at, a.created_at, a.id),
        )
        return self._views(waiting)

    @rpc
    def act(self, application_id: str, payload: dict) -> dict:
        """An officer of the module's agency reviews, approves or rejects; the applicant
        withdraws while it is undecided."""
        action = load(wire.Action(), payload)
        self.tracking_code = action.get("tracking_code")
        step = self.lifecycle.action(action["action"])
        if step is None:
            known = [a.name for a in self.lifecycle.actions]
            raise InvalidInput(
                "unknown_action",
                {"action": [f"one of: {', '.join(known)}"]},
                action=action["action"],
            )
        if step.party != APPLICANT:
            self._require_staff(step.party)
        query = select(self.applications).where(self.applications.id == application_id)
        application = self.db.scalar(query.with_for_update())
        if application is None or not self._may_see(application):
            raise NotFound("no_application", application=application_id)
        if step.party == APPLICANT and APPLICANT not in self._parties(application):
            raise Forbidden("only_the_applicant")
        if step.party != APPLICANT and step.party not in self._parties(application):
            raise Forbidden("not_your_agency", agency=self.agency_of(application, step.party))
        try:
            target = self.lifecycle.next_state(application.status, action["action"])
        except IllegalTransition as illegal:
            raise Conflict(
                illegal.code, {"allowed_actions": illegal.allowed}, illegal.params
            ) from None
        note = (action["note"] or "").strip() or None
        if step.note_required and note is None:
            raise InvalidInput("note_required", {"note": [NOTE_REASON]}, action=action["action"])
        values = None
        if step.form:
            schema = wire.form_schema(list(step.form))
            try:
                values = schema.dump(load(schema, action["form"] or {}))
            except InvalidInput as invalid:  # its fields are the form's, as at submission
                raise InvalidInput(invalid.code, {"form": invalid.fields}, invalid.params) from None
        elif action["form"]:
            raise InvalidInput(
                "action_takes_no_form", {"form": [FORM_NOT_TAKEN]}, action=action["action"]
            )
        self.on_step(application, action["action"], values)
        self._record_change(
            application, action["action"], target, note, self.actor.id, self.actor.role
        )
        return self._view(application)

    # --- what a death closes -------------------------------------------------------------

    @event_handler("civil_registry", "person_died")
    @idempotent
    def on_person_died(self, event: dict) -> None:
        """The deceased's open applications are closed, each with a step in its history
        and an event, in the transaction that records the event as handled."""
        person_id = event["data"]["person_id"]
        query = select(self.applications).where(
            self.applications.applicant_id == person_id,
            self.applications.status.in_(self.lifecycle.open_states),
        )
        for application in self.db.scalars(query.with_for_update()).all():
            previous = application.status
            self._record_change(
                application, CLOSE, self.lifecycle.closed, APPLICANT_DECEASED, SYSTEM, SYSTEM
            )
            self.db.record_event(
                "application_closed",
                {
                    "application_id": application.id,
                    "applicant_id": person_id,
                    "service": application.service,
                    "previous_status": previous,
                    "status": self.lifecycle.closed,
                    "reason": APPLICANT_DECEASED,
                },
            )

    # --- helpers ------------------------------------------------------------------------

    def _service(self, code: str) -> dict:
        for service in self.manifest["services"]:
            if service["code"] == code:
                return service
        offers_no = f"{self.name} offers no {code}"
        raise InvalidInput(
            "service_not_offered", {"service": [offers_no]}, module=self.name, service=code
        )

    def _require_staff(self, party: str | None = None) -> None:
        """Refuse an actor who can play no staff party (or not ``party``) in this module,
        before any application is read."""
        parties = [party] if party else [p for p in self.lifecycle.parties]
        for name in parties:
            agency = self.agency_of(None, name)
            if self.actor.role in self.lifecycle.parties[name] and (
                agency is None or self.actor.agency == agency
            ):
                return
        raise Forbidden("not_your_agency", agency=self.agency_of(None, parties[0]) or self.name)

    def _parties(self, application) -> set[str]:
        """The parties the actor plays on this application."""
        actor = self.actor
        mine = actor.is_person(application.applicant_id) or tracking.holds(
            application.tracking_hash, self.tracking_code
        )
        played = {APPLICANT} if mine else set()
        for party, roles in self.lifecycle.parties.items():
            agency = self.agency_of(application, party)
            if actor.role in roles and agency is not None and actor.agency == agency:
                played.add(party)
        return played

    def _may_see(self, application) -> bool:
        return self.actor.role == MALL_MANAGER or bool(self._parties(application))

    def _record_change(self, application, action: str, status: str, note, actor_id, actor_role):
        """One step of the lifecycle: the status, a step row, an event (``take_step``); a
        state with a service level of its own starts its clock."""
        if days := self.lifecycle.service_levels.get(status):
            application.due_at = self.deadline(utcnow(), days)
            application.overdue_flagged_at = None
        by_mall = actor_role == SYSTEM  # the mall's own step: neither staff's nor hers
        owing = self.lifecycle.owing_party(status)
        take_step(
            self.db,
            self.steps,
            application,
            action,
            status,
            actor_id,
            actor_role,
            note,
            service=application.service,
            status_name=wire.state_names(self.manifest, status),
            agency=owing and self.agency_of(application, owing),  # its next step's
            by_agency=self.actor.agency if not by_mall and self.actor.is_staff else None,
            by_applicant=not by_mall and APPLICANT in self._parties(application),
        )

    def _note_step(self, application, note: str, at: datetime) -> None:
        """A step on the record that changes no state (an escalation), by the mall."""
        note_step(self.db, self.steps, application, ESCALATE, note, SYSTEM, SYSTEM, at)

    def _views(self, applications: list) -> list[dict]:
        """The views of a list of applications, their steps read in one query."""
        steps = steps_by_application(self.db, self.steps, [a.id for a in applications])
        return [self._view(a, steps.get(a.id, [])) for a in applications]

    def _history(self, steps: list) -> list[dict]:
        """Steps as replies show them (``wire.Step``)."""
        return [
            {
                "action": step.action,
                "status": step.to_status,
                "actor_id": step.actor_id,
                "actor_role": step.actor_role,
                "note": step.note,
                "at": step.at,
            }
            for step in steps
        ]

    def _view(self, application, steps: list | None = None) -> dict:
        if steps is None:
            steps = steps_of(self.db, self.steps, application.id)
        allowed = self.lifecycle.allowed(application.status, self._parties(application))
        forms = {a: list(self.lifecycle.action(a).form) for a in allowed}
        view = wire.ModuleApplication().dump(
            {
                "id": application.id,
                "module": self.name,
                "service": application.service,
                "applicant_id": person_of(application.applicant_id),
                "yours": APPLICANT in self._parties(application),
                "status": application.status,
                "form": application.form,
                "assessment": application.assessment,
                "routed_to": application.routed_to,
                "created_at": application.created_at,
                "due_at": application.due_at,
                "working_days_left": (
                    self.working_days_left(utcnow(), application.due_at)
                    if application.status in self.lifecycle.clock_running
                    else None
                ),
                "allowed_actions": allowed,
                "note_required_for": [a for a in allowed if self.lifecycle.action(a).note_required],
                "action_forms": {a: fields for a, fields in forms.items() if fields},
                "history": self._history(steps),
            }
        )
        return self.present(application, view)
