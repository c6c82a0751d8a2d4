"""The complaint desk of the mall (SP4N-LAPOR style): a citizen complains about a service,
a counter, an agency or the mall; the mall's complaint officers (agency ``mpp``) verify it
and disposition it to the agency that answers; that agency's staff follow it up and
resolve it with an answer; she confirms it with a rating, or reopens it. An unconfirmed
resolution closes by itself when its time ends.

The application desk (submit, read, list mine, worklist, act, sweep) is ``MallModule``'s,
run on the table ``COMPLAINT``; the rules the desk cannot know (redaction, duplicates,
who may see the complainant, the figures per agency) are ``domain``'s.

A complaint about her own ticket, booking or application names it by its id, and is
accepted only once the service that keeps it, asked as her, shows it to her (``assess``).
"""

import dataclasses
import re
from pathlib import Path

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from chassis.actor import AGENCY_ADMIN, CITIZEN, VERIFIER
from chassis.database import Database, utcnow
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound, load
from chassis.module import MallModule, load_manifest
from chassis.reconnect import RpcProxy
from chassis.service import rpc
from chassis.steps import steps_by_application, steps_of
from contracts.refusals.modules import OBJECT_ID_NEEDED, OBJECT_NOT_HERS
from desk.lifecycle import APPLICANT, Action, Lifecycle
from services.complaints import domain
from services.complaints.domain import (
    CLOSED,
    DISPOSITIONED,
    FOLLOWED_UP,
    RECEIVED,
    REJECTED,
    REOPENED,
    RESOLVED,
    VERIFIED,
)
from services.complaints.models import (
    Application,
    CalendarDay,
    OutboxEvent,
    ProcessedEvent,
    RecordedReply,
    Step,
    Supporter,
)

MANIFEST = load_manifest(Path(__file__).with_name("manifest.yaml"))
DESK = MANIFEST["agency"]["code"]  # mpp: the mall's own complaint officers
OFFICER, RESPONDER = "officer", "responder"
AGENCY_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")  # as contracts.modules.Agency has it
DISPOSITION_FORM = (
    {
        "name": "agency",
        "type": "text",
        "label_id": "Kode instansi yang menindaklanjuti",
        "label_en": "Code of the agency that follows it up",
        "required": True,
        "min": 2,
        "max": 40,
    },
)
RATING_FORM = (
    {
        "name": "rating",
        "type": "integer",
        "label_id": "Penilaian jawaban (1 buruk .. 4 sangat baik)",
        "label_en": "Rating of the answer (1 poor .. 4 very good)",
        "required": False,
        "min": 1,
        "max": 4,
    },
)
CONTACT_FIELDS = frozenset({"contact_name", "contact"})  # a visitor's, optional
ANSWERING = frozenset({DISPOSITIONED, FOLLOWED_UP, REOPENED})  # the agency owes an answer
COMPLAINT = Lifecycle(
    kind="complaint",
    start=RECEIVED,
    # the order matters where two parties act on one state: the first staff party named
    # is the one that owes the step (and is told when it is late)
    actions=(
        Action("verify", frozenset({RECEIVED}), VERIFIED, OFFICER),
        Action("reject", frozenset({RECEIVED}), REJECTED, OFFICER, note_required=True),
        Action("disposition", frozenset({VERIFIED}), DISPOSITIONED, OFFICER, form=DISPOSITION_FORM),
        Action("follow_up", frozenset({DISPOSITIONED, REOPENED}), FOLLOWED_UP, RESPONDER),
        Action("resolve", ANSWERING, RESOLVED, RESPONDER, note_required=True),  # the answer
        Action(
            "redisposition",
            frozenset({DISPOSITIONED, REOPENED}),
            DISPOSITIONED,
            OFFICER,
            form=DISPOSITION_FORM,
        ),
        Action("confirm", frozenset({RESOLVED}), CLOSED, APPLICANT, form=RATING_FORM),
        Action("reopen", frozenset({RESOLVED}), REOPENED, APPLICANT, note_required=True),
        Action("close_unconfirmed", frozenset({RESOLVED}), CLOSED, OFFICER),
    ),
    parties={OFFICER: frozenset({AGENCY_ADMIN}), RESPONDER: frozenset({VERIFIER, AGENCY_ADMIN})},
    clock_running=frozenset({RECEIVED, VERIFIED, DISPOSITIONED, FOLLOWED_UP, REOPENED, RESOLVED}),
    closed=CLOSED,
    service_levels=dict(domain.SERVICE_LEVEL_DAYS),
    timeouts={RESOLVED: "close_unconfirmed"},
    escalation_days=domain.ESCALATE_TO_MALL_AFTER_DAYS,
)


class Draft(Schema):
    """A complaint being written, to find the open ones it repeats."""

    category = fields.String(required=True, validate=validate.Length(min=1, max=60))
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    object_kind = fields.String(required=True, validate=validate.OneOf(domain.OBJECT_KINDS))
    object_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))


class PublicQuery(Schema):
    agency = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    status = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class FiguresQuery(Schema):
    """The figures take no filter (the view's query is checked all the same)."""


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


class ComplaintsService(MallModule):
    name = "complaints"
    manifest = MANIFEST
    db = Database(OutboxEvent, ProcessedEvent, RecordedReply)
    applications = Application
    steps = Step
    calendar_model = CalendarDay
    lifecycle = COMPLAINT
    queue = RpcProxy("queue")  # her tickets and bookings
    licensing = RpcProxy("licensing")  # her permit applications

    # --- the desk's hooks ---------------------------------------------------------------

    def assess(self, service: dict, form: dict) -> dict:
        """A complaint about her own ticket, booking or application names one the service
        that keeps it shows her, asked as her (``get_ticket``, ``get_booking``,
        ``get_application``: 404 for anyone else's); what was found is kept without the
        id (``domain.object_facts``)."""
        kind, object_id = form["object_kind"], form.get("object_id")
        if kind not in domain.OWNED_OBJECTS:
            return {}
        if not object_id:
            raise InvalidInput("complaint_object_id_needed", {"object_id": [OBJECT_ID_NEEDED]})
        read = {
            "ticket": self.queue.get_ticket,
            "booking": self.queue.get_booking,
            "application": self.licensing.get_application,
        }[kind]
        try:
            found = read(object_id)
        except NotFound:
            found = None
        if found is None or not domain.is_hers(kind, found, self.actor.person_id):
            raise InvalidInput(
                "complaint_object_not_hers",
                {"object_id": [OBJECT_NOT_HERS]},
                object_id=object_id,
            )
        return {"object": domain.object_facts(kind, found)}

    def columns(self, service: dict, form: dict, assessment: dict) -> dict:
        return {
            "category": form["category"],
            "object_kind": form["object_kind"],
            "object_id": form.get("object_id"),
            "anonymous": bool(form.get("anonymous")),
            "confidential": bool(form.get("confidential")),
            "supporters": 0,
        }

    def agency_of(self, application, party: str) -> str | None:
        if party == OFFICER:
            return DESK
        return application.routed_to if application is not None else None

    def on_step(self, application, action: str, form: dict | None) -> None:
        if action in ("disposition", "redisposition"):
            agency = form["agency"].strip().lower()
            if not AGENCY_CODE.match(agency):
                raise InvalidInput(
                    "complaint_agency_code",
                    {"form": {"agency": ["not an agency code"]}},
                    agency=agency,
                )
            if action == "redisposition" and agency == application.routed_to:
                raise Conflict("complaint_same_agency", agency=agency)
            application.routed_to = agency
        elif action == "resolve" and application.answered_at is None:
            now = utcnow()  # the due_at of the answering step, before resolving moves it
            application.answered_at = now
            application.answered_within_level = now <= application.due_at
        elif action == "confirm" and form:
            application.rating = form.get("rating")

    def present(self, application, view: dict) -> dict:
        """Who filed it is kept from whom ``domain.shown_complainant`` says: the applicant's
        id and her own steps' account ids are blanked."""
        actor = self.actor
        shown = domain.shown_complainant(
            self._complaint(application),
            actor.role,
            actor.role == AGENCY_ADMIN and actor.agency == DESK,
            viewer_is_complainant=view["yours"],  # her account, or a visitor's code
        )
        if shown is None:
            view["applicant_id"] = None
            view["form"] = {**view["form"], **dict.fromkeys(CONTACT_FIELDS & view["form"].keys())}
            if domain.names_her(application.object_kind):  # her ticket's id leads to her
                view["form"] = {**view["form"], "object_id": None}
            for step in view["history"]:
                if step.get("actor_role") == CITIZEN:
                    step["actor_id"] = None
        view["supporters"] = application.supporters
        view["rating"] = application.rating
        return view

    # --- the public side: add my voice, the public page, the figures ---------------------

    @rpc
    def similar_open(self, payload: dict) -> list[dict]:
        """The public open complaints a draft probably repeats, the most alike first, for
        the citizen to add her voice instead of filing the same."""
        draft = load(Draft(), payload)
        new = domain.Complaint(
            object_kind=draft["object_kind"],
            object_id=draft["object_id"] or "",
            category=draft["category"],
            text=draft["text"],
        )
        query = select(Application).where(
            Application.object_kind == draft["object_kind"],
            Application.category == draft["category"],
            Application.status.not_in(tuple(domain.ENDED | domain.UNVERIFIED)),
            Application.anonymous.is_(False),
            Application.confidential.is_(False),
        )
        pairs = [(self._complaint(row), row) for row in self.db.scalars(query)]
        row_of = {id(complaint): row for complaint, row in pairs}  # equal ones may differ
        found = domain.likely_duplicate(new, (complaint for complaint, _ in pairs))
        return [self._public(row_of[id(complaint)]) for complaint in found]

    @rpc
    def add_voice(self, application_id: str) -> dict:
        """A signed-in citizen supports a public open complaint of another (once)."""
        if self.actor.role != CITIZEN or not self.actor.person_id:
            raise Forbidden("complaint_voice_citizens")
        query = select(Application).where(Application.id == application_id)
        application = self.db.scalar(query.with_for_update())
        if application is None or not domain.public(self._complaint(application)):
            raise NotFound("no_application", application=application_id)
        if application.status in domain.ENDED:
            raise Conflict("complaint_voice_ended", status=application.status)
        person_id = self.actor.person_id
        if application.applicant_id == person_id:
            raise Conflict("complaint_voice_own")
        already = select(Supporter.id).where(
            Supporter.application_id == application.id, Supporter.person_id == person_id
        )
        if self.db.scalar(already) is not None:
            raise Conflict("complaint_voice_added")
        self.db.add(Supporter(application_id=application.id, person_id=person_id))
        application.supporters = (application.supporters or 0) + 1
        self.db.flush()
        return {"application_id": application.id, "supporters": application.supporters}

    @rpc
    def public_complaints(self, query: dict | None = None) -> list[dict]:
        """The complaints the public page lists (``domain.public``), the newest first, the
        text and the answer redacted (no NIK, phone number or e-mail address)."""
        wanted = load(PublicQuery(), query or {})
        select_public = (
            select(Application)
            .where(
                Application.anonymous.is_(False),
                Application.confidential.is_(False),
                Application.status.not_in(tuple(domain.UNVERIFIED)),
            )
            .order_by(Application.created_at.desc(), Application.id)
        )
        if wanted["agency"]:
            select_public = select_public.where(Application.routed_to == wanted["agency"])
        if wanted["status"]:
            select_public = select_public.where(Application.status == wanted["status"])
        select_public = select_public.limit(wanted["limit"]).offset(wanted["offset"])
        rows = [r for r in self.db.scalars(select_public) if domain.public(self._complaint(r))]
        steps = steps_by_application(self.db, Step, [row.id for row in rows])  # one query
        return [self._public(row, steps.get(row.id, [])) for row in rows]

    @rpc
    def agency_figures(self, query: dict | None = None) -> list[dict]:
        """``domain.agency_stats`` of each agency's complaints as of now, a row per agency
        (the manifest's view ``figures``): by the agency it is dispositioned to, the mall's
        complaint desk for those not yet sent on."""
        load(FiguresQuery(), query or {})
        by_agency: dict[str, list[domain.Complaint]] = {}
        for row in self.db.scalars(select(Application)):
            by_agency.setdefault(row.routed_to or DESK, []).append(self._complaint(row))
        now = utcnow()
        rows = []
        for agency, complaints in sorted(by_agency.items()):
            stats = domain.agency_stats(complaints, now)
            rows.append(
                {
                    "agency": agency,
                    **dataclasses.asdict(stats),
                    "within_level_percent": _percent(stats.resolved_within_level, stats.resolved),
                    "satisfaction_percent": (
                        round(100 * stats.satisfied_share)
                        if stats.satisfied_share is not None
                        else None
                    ),
                }
            )
        return rows

    # --- helpers ------------------------------------------------------------------------

    def _complaint(self, row: Application) -> domain.Complaint:
        return domain.Complaint(
            object_kind=row.object_kind,
            object_id=row.object_id or "",
            category=row.category,
            text=row.form.get("text", ""),
            status=row.status,
            agency=row.routed_to,
            complainant=row.applicant_id,
            anonymous=bool(row.anonymous),
            confidential=bool(row.confidential),
            received_at=row.created_at,
            due_at=row.due_at,
            answered_at=row.answered_at,
            resolved_within_level=row.answered_within_level,
            rating=row.rating,
        )

    def _public(self, row: Application, steps: list | None = None) -> dict:
        """A complaint as the public reads it: nobody's name, the text redacted."""
        steps = steps_of(self.db, Step, row.id) if steps is None else steps
        answers = [s.note for s in steps if s.to_status == RESOLVED and s.note]
        hours = (
            round((row.answered_at - row.created_at).total_seconds() / 3600, 1)
            if row.answered_at is not None
            else None
        )
        return {
            "id": row.id,
            "category": row.category,
            "object_kind": row.object_kind,
            "object_id": None if domain.names_her(row.object_kind) else row.object_id,
            "text": domain.redact(row.form.get("text", "")),
            "status": row.status,
            "agency": row.routed_to,
            "answer": domain.redact(answers[-1]) if answers else None,
            "created_at": row.created_at.isoformat(),
            "answered_at": row.answered_at.isoformat() if row.answered_at else None,
            "hours_to_answer": hours,
            "supporters": row.supporters,
            "rating": row.rating,
        }
