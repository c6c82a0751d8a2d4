"""Alembic environment of the licensing service."""

from chassis.migrate import run_migrations
from services.licensing.models import Base

run_migrations(Base.metadata)
