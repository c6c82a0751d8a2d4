"""Alembic environment of the queue service."""

from chassis.migrate import run_migrations
from services.queue.models import Base

run_migrations(Base.metadata)
