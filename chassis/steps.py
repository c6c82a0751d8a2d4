"""The steps of an application's life, one row each, for licensing and every agency module:
the storage beside ``desk`` (which knows no framework) and the one way a step is taken.

    class Step(StepMixin, Base):            # a module's table: application_steps
        pass

    take_step(self.db, Step, application, "approve", "approved", actor.id, actor.role,
              note, service=application.service)

``take_step`` writes the step, its ``application_status_changed`` event (the outbox) and
the new status in the caller's transaction: the three commit together or not at all.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from chassis.database import BigId, UTCDateTime, utcnow

SUBMIT = "submit"  # the action of a module's first step (its application is submitted)


class StepMixin:
    """One step: who took which action, from which state to which, when, with what note
    (``from_status`` is none for the step that created the application)."""

    __tablename__ = "application_steps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[str | None] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def first_step(db: Session, model: type, application, actor_id, actor_role) -> None:
    """The step that created ``application`` in its status, at its creation (its own
    event, such as ``application_submitted``, is the caller's: no status changed)."""
    db.add(
        model(
            application_id=application.id,
            action=SUBMIT,
            from_status=None,
            to_status=application.status,
            actor_id=actor_id,
            actor_role=actor_role,
            at=application.created_at,
        )
    )


def take_step(
    db: Session,
    model: type,
    application,
    action: str,
    status: str,
    actor_id: str | None,
    actor_role: str | None,
    note: str | None,
    **event,
) -> None:
    """Move ``application`` to ``status`` by ``action``: a step row and an
    ``application_status_changed`` event (with ``event``'s fields beside the common ones),
    in ``db``'s transaction; an event its contract refuses raises before anything commits."""
    previous = application.status
    db.add(
        model(
            application_id=application.id,
            action=action,
            from_status=previous,
            to_status=status,
            actor_id=actor_id,
            actor_role=actor_role,
            note=note,
            at=utcnow(),
        )
    )
    db.record_event(
        "application_status_changed",
        {
            "application_id": application.id,
            "status": status,
            "previous_status": previous,
            "reason": note,
            **event,
        },
    )
    application.status = status


def note_step(
    db: Session, model: type, application, action: str, note: str, actor_id, actor_role, at
) -> None:
    """A step on the record that changes no state (an escalation): no status changed, so
    no ``application_status_changed``; the event that says why is the caller's."""
    db.add(
        model(
            application_id=application.id,
            action=action,
            from_status=application.status,
            to_status=application.status,
            actor_id=actor_id,
            actor_role=actor_role,
            note=note,
            at=at,
        )
    )


def steps_of(db: Session, model: type, application_id: str) -> list:
    """The steps of one application, in the order they were taken."""
    return steps_by_application(db, model, [application_id]).get(application_id, [])


def steps_by_application(db: Session, model: type, application_ids: list[str]) -> dict:
    """Application id -> its steps in order, in one query (a list of applications)."""
    query = select(model).where(model.application_id.in_(application_ids)).order_by(model.id)
    found: dict[str, list] = {}
    for step in db.scalars(query):
        found.setdefault(step.application_id, []).append(step)
    return found
