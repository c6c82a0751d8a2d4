"""The catalog: one searchable list of everything the mall offers.

Agency modules announce themselves on the shared ``modules`` exchange every few seconds;
the catalog keeps the last manifest of each (an upsert by name, so a repeated or late
announcement changes nothing) and counts a module unavailable once it has been silent for
three of its intervals. The core services are asked at search time: licensing for its
permit types, the queue for its service lines (each within ``CORE_TIMEOUT_SECONDS``; one
that does not answer is left out of the results, with a warning), and the civil registry's
services are a curated list in ``domain``.
"""

import logging
import time
from datetime import date

import eventlet
from marshmallow import ValidationError
from nameko.dependency_providers import Config
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from chassis.actor import MALL_ADMIN
from chassis.calendar import apply_day
from chassis.database import Database, utcnow
from chassis.errors import Conflict, InvalidInput, NotFound, load
from chassis.events import event_handler
from chassis.reconnect import RpcProxy
from chassis.service import MallService, rpc
from contracts import catalog as wire
from contracts import modules
from services.catalog import domain
from services.catalog.models import (
    CalendarChange,
    CalendarDay,
    Module,
    OutboxEvent,
    ProcessedEvent,
    RecordedReply,
)

log = logging.getLogger(__name__)
DEFAULT_CORE_TIMEOUT_SECONDS = 2.0
# (service, RPC) asked at each search; its answer is a list of dicts
CORE_LISTS = (("licensing", "list_permit_types"), ("queue", "list_service_lines"))


class CatalogService(MallService):
    name = "catalog"
    db = Database(OutboxEvent, ProcessedEvent, RecordedReply)
    config = Config()
    licensing = RpcProxy("licensing")
    queue = RpcProxy("queue")

    @event_handler(modules.SOURCE, "module_announced")
    def on_module_announced(self, event: dict) -> None:
        """Record a module's manifest and when it was last heard from."""
        try:
            data = modules.ModuleAnnounced().load(event["data"])
        except ValidationError as err:  # retrying would not mend it; the next one may
            log.error("ignored a malformed module announcement: %s", err.messages)
            return
        manifest = modules.Manifest().dump(data["manifest"])
        seen = domain.seen_at(event.get("occurred_at"), utcnow())
        self.db.execute(_upsert(self.db.get_bind().dialect.name, manifest, data, seen))

    @rpc
    def search(self, query: dict | None = None) -> list[dict]:
        """Services of the core and of every module matching words, agency and life event."""
        wanted = load(wire.SearchQuery(), query)
        core = self._core_lists()  # before the transaction: none waits on a remote call
        self.db.connection(execution_options={"read_only": True})
        now = utcnow()
        found = self.db.scalars(select(Module).order_by(Module.name)).all()
        entries = domain.registry_entries() + domain.permit_entries(core.get("licensing", []))
        for module in found:
            alive = domain.is_available(module.last_seen, module.interval_seconds, now)
            entries += domain.module_entries(module.manifest, alive)
        manifests = {module.name: module.manifest for module in found}
        entries += domain.queue_entries(core.get("queue", []), manifests)
        return wire.CatalogEntry(many=True).dump(domain.search(entries, **wanted))

    @rpc
    def list_agencies(self) -> list[dict]:
        """The mall's agencies (code and names): staff accounts must belong to one."""
        self.db.connection(execution_options={"read_only": True})
        manifests = self.db.scalars(select(Module.manifest).order_by(Module.name)).all()
        found = domain.agencies([manifest["agency"] for manifest in manifests])
        return wire.AgencyEntry(many=True).dump(found)

    @rpc
    def module(self, name: str) -> dict:
        """A plugged-in module's manifest, whether it is alive and when it was last heard."""
        self.db.connection(execution_options={"read_only": True})
        found = self.db.get(Module, name) if isinstance(name, str) else None
        if found is None:
            raise NotFound("no_module", module=name)
        return wire.ModuleStatus().dump(
            {
                "manifest": found.manifest,
                "available": domain.is_available(found.last_seen, found.interval_seconds, utcnow()),
                "interval_seconds": found.interval_seconds,
                "first_seen": found.first_seen,
                "last_seen": found.last_seen,
            }
        )

    # --- the mall's calendar ---------------------------------------------------------------

    @rpc
    def list_calendar_days(self, query: dict | None = None) -> list[dict]:
        """The days the mall is closed, of a year or from/to (anyone may read them);
        with ``include_removed``, the tombstones too (for replicas healing)."""
        wanted = load(wire.CalendarQuery(), query or {})
        self.db.connection(execution_options={"read_only": True})
        found = select(CalendarDay).order_by(CalendarDay.day)
        if wanted["year"] is not None:
            found = found.where(
                CalendarDay.day >= date(wanted["year"], 1, 1),
                CalendarDay.day <= date(wanted["year"], 12, 31),
            )
        if wanted["start"] is not None:
            found = found.where(CalendarDay.day >= wanted["start"])
        if wanted["end"] is not None:
            found = found.where(CalendarDay.day <= wanted["end"])
        if not wanted["include_removed"]:
            found = found.where(CalendarDay.removed.is_(False))
        return wire.CalendarDay(many=True).dump(self.db.scalars(found))

    @rpc
    def set_calendar_day(self, day: str, payload: dict) -> dict:
        """Close the mall on ``day`` (a new day, or a changed name or kind): mall
        administrators only; audited, and announced as ``calendar_changed``."""
        self.actor.require(MALL_ADMIN)
        change = load(wire.CalendarDayChange(), payload)
        return self._change_day(_day(day), "set", {**change, "removed": False})

    @rpc
    def remove_calendar_day(self, day: str) -> dict:
        """Open the mall again on ``day``: mall administrators only; audited, announced."""
        self.actor.require(MALL_ADMIN)
        found = self.db.get(CalendarDay, _day(day))
        if found is None or found.removed:
            raise NotFound("day_not_in_calendar", {"day": ["not in the calendar"]}, day=str(day))
        state = wire.CalendarDay().dump(found)
        return self._change_day(found.day, "remove", {**state, "removed": True})

    def _change_day(self, day: date, action: str, state: dict) -> dict:
        """Store the day's next version, its audit row and its event, in one transaction."""
        found = self.db.get(CalendarDay, day, with_for_update=True)
        state = {**state, "day": day, "version": (found.version if found else 0) + 1}
        try:
            with self.db.begin_nested():
                apply_day(self.db, CalendarDay, state)
        except IntegrityError:  # another administrator added the same new day just now
            raise Conflict(
                "day_changed_meanwhile", {"day": ["changed at the same time"]}, day=str(day)
            ) from None
        reply = wire.CalendarDay().dump(state)
        self.db.add(
            CalendarChange(
                day=day,
                version=state["version"],
                action=action,
                actor_id=self.actor.id,
                actor_role=self.actor.role,
                state=reply,
            )
        )
        self.db.record_event("calendar_changed", reply)
        log.info("calendar %s %s (version %s) by %s", action, day, state["version"], self.actor.id)
        return reply

    def _core_lists(self) -> dict[str, list[dict]]:
        """Ask the core services at once; leave out (and warn about) any that does not answer."""
        timeout = float(self.config.get("CORE_TIMEOUT_SECONDS", DEFAULT_CORE_TIMEOUT_SECONDS))
        deadline = time.monotonic() + timeout
        pending = {}
        for service, method in CORE_LISTS:
            try:
                pending[service] = getattr(getattr(self, service), method).call_async()
            except Exception as exc:  # UnknownService: nothing listens for it
                log.warning("catalog without %s: %s", service, _reason(exc))
        answers = {}
        for service, reply in pending.items():
            try:
                with eventlet.Timeout(max(deadline - time.monotonic(), 0)):
                    answers[service] = reply.result()
            except eventlet.Timeout:
                log.warning("catalog without %s: no answer within %ss", service, timeout)
            except Exception as exc:
                log.warning("catalog without %s: %s", service, _reason(exc))
        return answers


def _upsert(dialect: str, manifest: dict, announced: dict, seen):
    """Insert the module, or update it unless a later announcement is already recorded."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Module).values(
        name=manifest["module"],
        version=manifest["version"],
        agency=manifest["agency"]["code"],
        manifest=manifest,
        interval_seconds=announced["interval_seconds"],
        first_seen=seen,
        last_seen=seen,
    )
    changed = ("version", "agency", "manifest", "interval_seconds", "last_seen")
    return statement.on_conflict_do_update(
        index_elements=[Module.name],
        set_={column: statement.excluded[column] for column in changed},
        where=Module.last_seen < statement.excluded.last_seen,
    )


def _day(value) -> date:
    """A calendar day from the wire (an ISO date), 422 when it is not one."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput("not_a_date", {"day": ["a date: YYYY-MM-DD"]}) from None


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
