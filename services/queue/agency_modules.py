"""Agency modules announce their services; the queue gives each a ticket series and the
agency counters that serve it."""

import logging
import uuid

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from chassis.events import event_handler
from contracts import modules
from services.queue import domain
from services.queue.models import Agency, Counter, ServiceLine

log = logging.getLogger(__name__)
MODULE_SETUP_ATTEMPTS = 3


class AgencyModules:
    """Module set-up of ``QueueService``."""

    @event_handler(modules.SOURCE, "module_announced")
    def on_module_announced(self, event: dict) -> None:
        """An agency module's services get ticket series and its agency counters.

        Announcements come every few seconds: this is a reconciliation, idempotent and
        without a write when nothing changed (so no inbox row either). A concurrent
        set-up (another instance, another module of the agency) loses on a unique key
        and is redone over what the winner committed."""
        try:
            manifest = modules.ModuleAnnounced().load(event["data"])["manifest"]
        except ValidationError as err:  # retrying would not mend it; the next one may
            log.error("ignored a malformed module announcement: %s", err.messages)
            return
        lines = domain.module_lines(manifest)
        if not lines:
            return
        for attempt in range(1, MODULE_SETUP_ATTEMPTS + 1):
            try:
                with self.db.begin_nested():
                    self._set_up_module(manifest["module"], manifest["agency"], lines)
                return
            except IntegrityError:
                if attempt == MODULE_SETUP_ATTEMPTS:
                    raise
                log.info("set-up of module %s raced another; again", manifest["module"])

    def _set_up_module(self, module: str, agency: dict, lines: list[dict]) -> None:
        """Upsert the agency and the module's lines; open or extend counters as needed."""
        # the agency's row lock orders concurrent set-ups of its counters (PostgreSQL)
        known = self.db.scalar(
            select(Agency).where(Agency.code == agency["code"]).with_for_update()
        )
        if known is None:
            self.db.add(
                Agency(code=agency["code"], name_id=agency["name_id"], name_en=agency["name_en"])
            )
            self.db.flush()
        elif (known.name_id, known.name_en) != (agency["name_id"], agency["name_en"]):
            known.name_id, known.name_en = agency["name_id"], agency["name_en"]
        codes = [line["code"] for line in lines]
        existing = {
            line.code: line
            for line in self.db.scalars(select(ServiceLine).where(ServiceLine.code.in_(codes)))
        }
        owners = dict(
            self.db.execute(
                select(ServiceLine.prefix, ServiceLine.code).where(
                    ServiceLine.prefix.in_([line["prefix"] for line in lines])
                )
            ).all()
        )
        wanted, created = {}, set()
        for spec in lines:
            code, prefix = spec["code"], spec["prefix"]
            owner = owners.get(prefix)
            line = existing.get(code)
            if owner not in (None, code):
                log.warning(
                    "module %s: prefix %s of %s is taken by %s", module, prefix, code, owner
                )
                if line is None:
                    continue  # no series for this service until the prefix is free
                prefix = line.prefix  # keep the series it has
            names = (spec["name_id"], spec["name_en"], agency["code"], prefix)
            if line is None:
                line = ServiceLine(code=code, name_id=names[0], name_en=names[1])
                line.agency, line.prefix = names[2], names[3]
                self.db.add(line)
                created.add(code)
                log.info("module %s: ticket series %s for %s", module, prefix, code)
            elif (line.name_id, line.name_en, line.agency, line.prefix) != names:
                line.name_id, line.name_en, line.agency, line.prefix = names
            owners[prefix] = code
            wanted[code] = spec["counters"]
        self.db.flush()
        if not wanted:
            return
        counters = self.db.scalars(
            select(Counter).where(Counter.agency == agency["code"]).order_by(Counter.number)
        ).all()
        serve, opened = domain.counter_plan([list(c.services) for c in counters], wanted, created)
        for counter, services in zip(counters, serve, strict=True):
            if services != counter.services:
                counter.services = services
        for services in opened:
            number = (self.db.scalar(select(func.max(Counter.number))) or 0) + 1
            counter_id = f"loket-{number}"
            if self.db.get(Counter, counter_id) is not None:
                counter_id = f"loket-{number}-{uuid.uuid4().hex[:6]}"
            self.db.add(
                Counter(id=counter_id, number=number, agency=agency["code"], services=services)
            )
            self.db.flush()  # the unique number decides between concurrent set-ups
            log.info("module %s: counter %s opened for %s", module, number, services)
