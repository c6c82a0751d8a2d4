"""Alembic environment of the notifications service."""

from chassis.migrate import run_migrations
from services.notifications.models import Base

run_migrations(Base.metadata)
